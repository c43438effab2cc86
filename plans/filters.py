import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.filters import NamedChoiceFilter
from members.models import StudyGroup
from plans.models import AnnualPlan, ProposalCall, Topic
from studygroup.params import YearFilter


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    year = YearFilter(label=_("Year"))
    group = NamedChoiceFilter(label=_("Study group"), queryset=StudyGroup.objects.none())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AnnualPlan.Status.choices)
    revisions = django_filters.ChoiceFilter(
        label=_("Revisions"), method="filter_revisions", empty_label=_("Current and in force"),
        choices=[("all", _("All revisions"))],
    )

    class Meta:
        model = AnnualPlan
        fields = ["q", "year", "group", "status", "revisions"]

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].queryset = groups

    @property
    def qs(self):
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("revisions"):
            from plans.selectors import plans_shown_by_default

            queryset = plans_shown_by_default(queryset)
        return queryset

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        topic = Topic.objects.filter(plan=OuterRef("pk"), title__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Q(group__name__icontains=value) | Exists(topic))

    def filter_revisions(self, queryset, name, value):
        return queryset


class ProposalCallFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    year = YearFilter(label=_("Plan year"))
    open = django_filters.ChoiceFilter(
        label=_("Open for proposals"), method="filter_open", empty_label=_("All"),
        choices=[("open", pgettext_lazy("call for topics", "Open")), ("closed", _("Closed"))],
    )

    class Meta:
        model = ProposalCall
        fields = ["q", "year", "open"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(group__name__icontains=value))

    def filter_open(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        return queryset.filter(deadline__gte=today) if value == "open" else queryset.filter(deadline__lt=today)
