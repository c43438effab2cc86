import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.filters import TextSearchFilter
from reports.models import Bulletin, HalfYearReview, Inspection, Period, RectificationItem, StudyAccount
from studygroup.params import YearFilter


class ReviewFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["title", "group__name", "group__organization__name"])
    year = YearFilter(label=_("Year"))
    period = django_filters.ChoiceFilter(label=_("Period"), choices=Period.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=HalfYearReview.Status.choices)

    class Meta:
        model = HalfYearReview
        fields = ["q", "year", "period", "status"]


class BulletinFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["title", "number", "organization__name"])
    year = YearFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Bulletin.Status.choices)

    class Meta:
        model = Bulletin
        fields = ["q", "year", "status"]


class InspectionFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["group__name", "group__organization__name", "inspectors", "findings"])
    year = YearFilter(label=_("Year"), field_name="held_on", lookup_expr="year")

    class Meta:
        model = Inspection
        fields = ["q", "year"]


class ItemFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["finding", "measures", "group__organization__name"])
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RectificationItem.Status.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = RectificationItem
        fields = ["q", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=RectificationItem.OPEN_STATUSES, deadline__lt=timezone.localdate())
        return queryset


class AccountFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["title", "group__name", "group__organization__name"])
    year = YearFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=StudyAccount.Status.choices)

    class Meta:
        model = StudyAccount
        fields = ["q", "year", "status"]
