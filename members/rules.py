"""Who may do what to one object, for the members app: people and their accounts, organisations
and study groups, memberships and role assignments. Members' own work: members/work/rules.py;
the daily reading and robot hosts: members/notifications/rules.py.

Each predicate answers for one object with at most one small query, through
``members.scoping`` (the one place that knows scopes). Permissions are named
``members.<verb>_<thing>`` and used by views (``permission_required``), services (before they
write) and templates (``{% has_perm %}``). Status parts come first in a combination, so a
button that cannot apply costs no query.
"""

import rules

from members import scoping
from members.models import Membership, OrganizationAssignment, StudyGroup
from studygroup.permissions import in_scope, remembered


def signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def in_user_scope(scope, user, pk) -> bool:
    """``pk`` is in the scoping queryset ``scope(user)``: one query, remembered per request."""
    return in_scope(scope.__name__, user, scope, pk)


def _administered(user):
    return scoping.administered_organizations(user, scoping.SYSTEM_ADMIN)


# --- people and accounts --------------------------------------------------------------------


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and signed_in(user) and person.pk == user.pk


@rules.predicate
def person_is_active(_user, person) -> bool:
    return person is not None and person.is_active


@rules.predicate
def may_view_person(user, person) -> bool:
    return person is not None and in_user_scope(scoping.visible_people, user, person.pk)


@rules.predicate
def may_edit_person(user, person) -> bool:
    """Staff over their tree, 系统管理员 over theirs; never a more powerful person (see
    ``scoping.editable_people``)."""
    return person is not None and in_user_scope(scoping.editable_people, user, person.pk)


@rules.predicate
def may_reset_password_of(user, person) -> bool:
    return person is not None and in_user_scope(scoping.password_resettable_people, user, person.pk)


@rules.predicate
def may_grant_roles_to(user, person) -> bool:
    return person is not None and in_user_scope(scoping.grantee_people, user, person.pk)


@rules.predicate
def creates_accounts(user) -> bool:
    return scoping.account_organizations(user).exists()


@rules.predicate
def imported_by_self(user, upload) -> bool:
    """An import (a roster, a platform's export) is its uploader's."""
    return upload is not None and signed_in(user) and upload.created_by_id == user.pk


@rules.predicate
def roster_import_awaits_confirmation(_user, roster_import) -> bool:
    return roster_import is not None and roster_import.status == "previewed"


rules.add_perm("members.view_person", may_view_person)
rules.add_perm("members.add_person", creates_accounts)
rules.add_perm("members.import_roster", creates_accounts)
# An import names the people it brought in and prints their links: its importer's alone.
rules.add_perm("members.view_roster_import", imported_by_self)
rules.add_perm("members.apply_roster_import", roster_import_awaits_confirmation & imported_by_self & creates_accounts)
rules.add_perm("members.print_activation_list", imported_by_self & creates_accounts)
rules.add_perm("members.edit_person", may_edit_person)
rules.add_perm("members.deactivate_person", person_is_active & ~is_self & may_edit_person)
rules.add_perm("members.reactivate_person", ~person_is_active & ~is_self & may_edit_person)
rules.add_perm("members.reset_password", ~is_self & may_reset_password_of)
rules.add_perm("members.grant_role", ~is_self & may_grant_roles_to)


# --- role assignments ---------------------------------------------------------------------------


@rules.predicate
def assignment_is_current(_user, assignment) -> bool:
    return isinstance(assignment, OrganizationAssignment) and assignment.is_current


@rules.predicate
def own_assignment(user, assignment) -> bool:
    return signed_in(user) and assignment.user_id == user.pk


@rules.predicate
def assignment_below_grantor(user, assignment) -> bool:
    return in_user_scope(scoping.grantable_organizations, user, assignment.organization_id)


rules.add_perm("members.end_role", assignment_is_current & ~own_assignment & assignment_below_grantor)


# --- organisations and study groups ------------------------------------------------------------


@rules.predicate
def administers_organization(user, organization) -> bool:
    """Staff over their managed tree and 系统管理员 over theirs set up its units and groups (the
    same tree whose accounts they create, ``scoping.account_organizations``)."""
    return organization is not None and in_user_scope(scoping.account_organizations, user, organization.pk)


@rules.predicate
def has_no_study_group(_user, organization) -> bool:
    return organization is not None and not StudyGroup.objects.filter(organization=organization).exists()


@rules.predicate
def administers_group(user, group) -> bool:
    return group is not None and in_user_scope(scoping.account_organizations, user, group.organization_id)


# ``add_organization`` is checked on the parent: the new one is created below it.
rules.add_perm("members.add_organization", administers_organization)
rules.add_perm("members.change_organization", administers_organization)
rules.add_perm("members.add_study_group", has_no_study_group & administers_organization)
rules.add_perm("members.change_study_group", administers_group)


# --- memberships (who sits in a group) ----------------------------------------------------------


@rules.predicate
def manages_group(user, group) -> bool:
    return group is not None and in_user_scope(scoping.managed_groups, user, group.pk)


@rules.predicate
def manages_some_group(user) -> bool:
    return remembered(("manages_some_group", user.pk), scoping.managed_groups(user).exists)


@rules.predicate
def membership_is_current(_user, membership) -> bool:
    return isinstance(membership, Membership) and membership.ended_on is None


@rules.predicate
def manages_membership_group(user, membership) -> bool:
    return in_user_scope(scoping.managed_groups, user, membership.group_id)


rules.add_perm("members.manage_group", manages_group)
rules.add_perm("members.seat_member", manages_group)
rules.add_perm("members.end_membership", membership_is_current & manages_membership_group)
