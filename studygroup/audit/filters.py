import datetime

import django_filters
from django import forms
from django.core.validators import validate_ipv46_address
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import User
from studygroup.audit import selectors
from studygroup.audit.models import AuditEntry
from studygroup.forms import DatePicker

EARLIEST = datetime.date(1970, 1, 1)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(max(day, EARLIEST), datetime.time.min))


class AuditFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


class AuditEntryFilter(django_filters.FilterSet):
    """Person and organisation are text boxes (a province has 200,000 people and 10,000
    organisations: no select lists them); action and object type are short lists."""

    person = django_filters.CharFilter(
        label=_("Person (username or name)"), method="filter_person", max_length=150,
    )
    organization = django_filters.CharFilter(
        label=_("Organization (and below)"), method="filter_organization", max_length=120,
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEntry.Action.choices)
    object_type = django_filters.ChoiceFilter(label=_("Object type"), choices=[])
    object_id = django_filters.CharFilter(label=_("Object id"), max_length=64)
    ip = django_filters.CharFilter(
        label=_("IP address"), method="filter_ip", max_length=45, validators=[validate_ipv46_address],
    )
    date_from = django_filters.DateFilter(label=_("From date"), method="filter_from", widget=DatePicker())
    date_to = django_filters.DateFilter(label=_("To date"), method="filter_to", widget=DatePicker())

    class Meta:
        model = AuditEntry
        fields = ["person", "organization", "action", "object_type", "object_id", "ip", "date_from", "date_to"]
        form = AuditFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["object_type"].extra["choices"] = selectors.object_types()
        self.form.fields["object_type"].choices = [("", "---------"), *selectors.object_types()]

    def filter_person(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        people = User.objects.filter(Q(username__iexact=value) | Q(name__icontains=value)).values("pk")
        return queryset.filter(Q(actor__in=people) | Q(actor_name__iexact=value))

    def filter_organization(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(organization__in=selectors.organizations_matching(value).values("pk"))

    def filter_ip(self, queryset, name, value):
        return queryset.filter(ip=value.strip()) if value.strip() else queryset

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_to(self, queryset, name, value):
        if value >= datetime.date.max:
            return queryset
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))

