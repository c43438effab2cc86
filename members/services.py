"""Writes on organisations, groups and people. Each validates, runs in a transaction and records
who did it (django-simple-history picks the acting user up from ``_history_user``)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import scoping
from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User


def _stamp(instance, by):
    instance._history_user = by
    return instance


@transaction.atomic
def person_create(
    *,
    by: User,
    username: str,
    name: str,
    password: str,
    organization: Organization | None,
    phone: str = "",
    position: str = "",
    email: str = "",
) -> User:
    if organization is not None and not scoping.managed_organizations(by).filter(pk=organization.pk).exists():
        raise PermissionDenied
    person = User(
        username=username,
        name=name,
        organization=organization,
        phone=phone,
        position=position,
        email=email,
    )
    person.set_password(password)
    person.full_clean()
    _stamp(person, by).save()
    return person


@transaction.atomic
def person_update(*, by: User, person: User, **fields) -> User:
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    _stamp(person, by).save()
    return person


@transaction.atomic
def membership_start(
    *,
    by: User,
    group: StudyGroup,
    person: User,
    role: str,
    started_on: date | None = None,
) -> Membership:
    if not scoping.managed_groups(by).filter(pk=group.pk).exists():
        raise PermissionDenied
    if not scoping.managed_people(by).filter(pk=person.pk).exists():
        raise ValidationError({"user": _("You can only add people of the organizations you manage.")})
    if group.memberships.current().filter(user=person).exists():
        raise ValidationError({"user": _("This person is already a member of this group.")})
    membership = Membership(
        group=group, user=person, role=role, started_on=started_on or timezone.localdate()
    )
    membership.full_clean()
    _stamp(membership, by).save()
    return membership


@transaction.atomic
def membership_end(*, by: User, membership: Membership, ended_on: date | None = None) -> Membership:
    """End a term. The row stays: a past member's records stay theirs."""
    if not scoping.managed_groups(by).filter(pk=membership.group_id).exists():
        raise PermissionDenied
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ended_on is not None:
        raise ValidationError(_("This membership has already ended."))
    membership.ended_on = ended_on or timezone.localdate()
    membership.full_clean()
    _stamp(membership, by).save()
    return membership


@transaction.atomic
def assignment_start(
    *,
    by: User | None,
    person: User,
    organization: Organization,
    role: str,
    started_on: date | None = None,
) -> OrganizationAssignment:
    assignment = OrganizationAssignment(
        user=person,
        organization=organization,
        role=role,
        started_on=started_on or timezone.localdate(),
    )
    assignment.full_clean()
    _stamp(assignment, by).save()
    return assignment


@transaction.atomic
def study_group_create(*, by: User | None, organization: Organization, name: str = "") -> StudyGroup:
    group = StudyGroup(
        organization=organization,
        name=name or _("%(organization)s Theory Study Center Group") % {"organization": organization.name},
    )
    group.full_clean()
    _stamp(group, by).save()
    return group
