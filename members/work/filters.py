import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import StudyGroup, User
from members.work.models import MemberWork, WorkKind, WorkStatus


class WorkFilter(django_filters.FilterSet):
    """Lists of work: by group, member, kind, status, topic, date and late."""

    group = django_filters.ModelChoiceFilter(label=_("Study group"), queryset=StudyGroup.objects.none())
    author = django_filters.ModelChoiceFilter(label=_("Member"), queryset=User.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=WorkKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WorkStatus.choices)
    topic = django_filters.ModelChoiceFilter(label=_("Plan topic"), queryset=None, method="filter_topic")
    date_from = django_filters.DateFilter(
        label=_("Date from"), field_name="occurred_on", lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Date to"), field_name="occurred_on", lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    late = django_filters.BooleanFilter(label=pgettext_lazy("work submitted late", "Late"), method="filter_late")

    class Meta:
        model = MemberWork
        fields = ["group", "author", "kind", "status", "topic", "date_from", "date_to", "late"]

    def __init__(self, *args, groups, people, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = groups
        self.filters["author"].queryset = people
        self.filters["topic"].queryset = topics

    def filter_topic(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Q(topic=value) | Q(pk__in=value.self_study_plans.values("pk")))

    def filter_late(self, qs, name, value):
        from members.work.models import late_condition

        if value is None:
            return qs
        return qs.filter(late_condition()) if value else qs.exclude(Q(late_condition()))
