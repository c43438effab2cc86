import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.filters import NamedChoiceFilter
from members.models import StudyGroup, User
from members.work.models import MemberWork, WorkKind, WorkStatus


class WorkFilter(django_filters.FilterSet):
    """Lists of work: by group, member, kind, status, topic, date and late."""

    group = NamedChoiceFilter(label=_("Study group"), queryset=StudyGroup.objects.none())
    author = NamedChoiceFilter(label=_("Member"), queryset=User.objects.none())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=WorkKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WorkStatus.choices)
    topic = NamedChoiceFilter(label=_("Plan topic"), queryset=None, method="filter_topic", name_field="title")
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
        topic = self.filters["topic"].matches(value)
        if topic is None:
            return qs
        if isinstance(topic, QuerySet):
            topics = topic.order_by().values("pk")
            plans = MemberWork.topics.through.objects.filter(topic__in=topics).values("memberwork")
            return qs.filter(Q(topic__in=topics) | Q(pk__in=plans))
        return qs.filter(Q(topic=topic) | Q(pk__in=topic.self_study_plans.values("pk")))

    def filter_late(self, qs, name, value):
        from members.work.models import late_condition

        if value is None:
            return qs
        return qs.filter(late_condition()) if value else qs.exclude(Q(late_condition()))
