import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Membership, Organization, StudyGroup, User


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
    organization = django_filters.ModelChoiceFilter(
        label=_("Works in"), queryset=Organization.objects.none()
    )
    group = django_filters.ModelChoiceFilter(
        label=_("Study group"), queryset=StudyGroup.objects.none(), method="filter_group"
    )
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
        if not value:
            return qs
        return qs.filter(pk__in=Membership.objects.current().filter(group=value).values("user"))

    def filter_role(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=Membership.objects.current().filter(role=value).values("user"))
