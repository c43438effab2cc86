import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.constants import EMPTY_VALUES
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Membership, Organization, StudyGroup, User
from studygroup.widgets import QuickSelect


class TextSearchFilter(django_filters.CharFilter):
    """Matches any of several fields, so one box searches name, username, position..."""

    def __init__(self, *args, fields, **kwargs):
        self.search_fields = fields
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value.strip()})
        return qs.filter(query)


class NamedChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of groups, people, units or topics that stays small at any scale: a select when
    the reader sees at most ``SHOWN`` of them (a county), a box to type part of the name (or the
    id a link carries) when more (a province's 10,000 groups, 200,000 people). One query either
    way: the first ``SHOWN + 1`` choices, picked in no order and then sorted, decide."""

    SHOWN = 300

    def __init__(self, *args, name_field: str = "name", **kwargs):
        self.name_field = name_field
        super().__init__(*args, **kwargs)

    def choices(self) -> list | None:
        """The choices when they are few; None when there are more than ``SHOWN``."""
        if not hasattr(self, "_choices"):
            queryset = self.get_queryset(self.get_request())
            # The first SHOWN + 1 ids in no order (the database stops there), then those rows in
            # order, in one query: sorting a province's 60,000 topics to find they were too many
            # took 60 ms.
            first = list(queryset.filter(pk__in=queryset.order_by().values("pk")[: self.SHOWN + 1]))
            self._choices = first if len(first) <= self.SHOWN else None
        return self._choices

    @property
    def field(self):
        if not hasattr(self, "_field"):
            choices = self.choices()
            if choices is None:
                self._field = forms.CharField(
                    label=self.label, required=False, max_length=50,
                    widget=forms.TextInput(attrs={"placeholder": _("Type part of the name")}),
                )
            else:
                self._field = forms.TypedChoiceField(
                    label=self.label, required=False, coerce=int, empty_value=None, widget=QuickSelect,
                    choices=[("", "---------"), *((obj.pk, str(obj)) for obj in choices)],
                )
        return self._field

    def matches(self, value):
        """What the form's value stands for: one of the few choices, or the choices whose name
        holds the typed text (or whose id it is)."""
        if value in EMPTY_VALUES:
            return None
        choices = self.choices()
        if choices is not None:
            return next((obj for obj in choices if obj.pk == value), None)
        queryset = self.get_queryset(self.get_request())
        text = str(value).strip()
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return queryset.filter(pk=int(text))
        return queryset.filter(**{f"{self.name_field}__icontains": text})

    def filter(self, qs, value):
        found = self.matches(value)
        if found is None:
            return qs
        if isinstance(found, QuerySet):
            return qs.filter(**{f"{self.field_name}__in": found.order_by().values("pk")})
        return qs.filter(**{self.field_name: found})


class GroupFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["name", "organization__name", "organization__short_name"])
    level = django_filters.ChoiceFilter(
        label=pgettext_lazy("organization level", "Level"), field_name="organization__level", choices=Organization.Level.choices
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="organization__kind", choices=Organization.Kind.choices
    )

    class Meta:
        model = StudyGroup
        fields = ["q", "level", "kind"]


class PersonFilter(django_filters.FilterSet):
    q = TextSearchFilter(label=_("Search"), fields=["name", "username", "position", "phone"])
    organization = NamedChoiceFilter(label=_("Works in"), queryset=Organization.objects.none())
    group = NamedChoiceFilter(label=_("Study group"), queryset=StudyGroup.objects.none(), method="filter_group")
    role = django_filters.ChoiceFilter(
        label=_("Role in a group"), choices=Membership.Role.choices, method="filter_role"
    )

    class Meta:
        model = User
        fields = ["q", "organization", "group", "role"]

    def __init__(self, *args, organizations, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organization"].queryset = organizations
        self.filters["group"].queryset = groups

    def filter_group(self, qs, name, value):
        group = self.filters["group"].matches(value)
        if group is None:
            return qs
        seats = Membership.objects.current()
        seats = seats.filter(group__in=group.values("pk")) if isinstance(group, QuerySet) else seats.filter(group=group)
        return qs.filter(pk__in=seats.values("user"))

    def filter_role(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=Membership.objects.current().filter(role=value).values("user"))
