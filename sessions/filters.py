import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.filters import NamedChoiceFilter, TextSearchFilter
from members.models import StudyGroup
from sessions import selectors
from sessions.models import FirstAgendaStudy, Meeting, Observation
from studygroup.params import YearFilter

DATE = forms.DateInput(attrs={"type": "date"})


class MeetingFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["title", "venue", "expert_name"])
    group = NamedChoiceFilter(label=_("Study group"), queryset=StudyGroup.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Meeting.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Meeting.Status.choices)
    start = django_filters.DateFilter(label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=DATE)
    end = django_filters.DateFilter(label=pgettext_lazy("date range", "To"), field_name="starts_at", lookup_expr="date__lte", widget=DATE)
    topic = django_filters.CharFilter(label=_("Topic"), method="filter_topic")
    records = django_filters.ChoiceFilter(
        label=_("Seven records"),
        choices=[
            ("complete", _("Complete")),
            ("incomplete", _("Incomplete")),
            ("backfilled", _("Backfilled")),
        ],
        method="filter_records",
    )

    class Meta:
        model = Meeting
        fields = ["q", "group", "kind", "status", "start", "end", "topic", "records"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = groups

    def filter_topic(self, qs, name, value):
        if not value:
            return qs
        through = Meeting.topics.through.objects.filter(topic__title__icontains=value.strip())
        return qs.filter(pk__in=through.values("meeting"))

    def filter_records(self, qs, name, value):
        if value == "complete":
            return qs.filter(selectors.records_complete_q())
        if value == "incomplete":
            return qs.exclude(selectors.records_complete_q())
        if value == "backfilled":
            return qs.filter(selectors.backfilled_q())
        return qs


class FirstAgendaFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["meeting_name", "studied", "source", "led_by"])
    year = YearFilter(label=_("Year"), field_name="held_on", lookup_expr="year")
    open = django_filters.BooleanFilter(label=_("With open measures"), method="filter_open")

    class Meta:
        model = FirstAgendaStudy
        fields = ["q", "organization", "year", "open"]

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = organizations
        self.filters["organization"].label = _("Organization")

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(open_count__gt=0) if value else qs.filter(open_count=0)


class ObservationFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(label=_("With open points"), method="filter_open")
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Observation.Grade.choices)

    class Meta:
        model = Observation
        fields = ["grade", "open"]

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(open_count__gt=0) if value else qs.filter(open_count=0)
