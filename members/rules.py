"""Who may do what to one object, for the members app: people and their accounts, organisations
and study groups, memberships and role assignments; then members' own work and the daily
reading, which live in this app too (grouped below by part). Robot hosts: notification_rules.

Each predicate answers for one object with at most one small query, through
``members.scoping`` (the one place that knows scopes). Permissions are named
``members.<verb>_<thing>`` and used by views (``permission_required``), services (before they
write) and templates (``{% has_perm %}``). Status parts come first in a combination, so a
button that cannot apply costs no query.
"""

import rules

from members import scoping
from studygroup.permissions import in_scope, remembered
from members.models import (
    DailyReading,
    DailyReadingItem,
    Membership,
    MemberWork,
    OrganizationAssignment,
    StudyGroup,
    WorkKind,
    WorkStatus,
)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _in(scope, user, pk) -> bool:
    """``pk`` is in the scoping queryset ``scope(user)``: one query, remembered per request."""
    return in_scope(scope.__name__, user, scope, pk)


def _administered(user):
    return scoping.administered_organizations(user, scoping.SYSTEM_ADMIN)


# --- people and accounts --------------------------------------------------------------------


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and _signed_in(user) and person.pk == user.pk


@rules.predicate
def person_is_active(_user, person) -> bool:
    return person is not None and person.is_active


@rules.predicate
def may_view_person(user, person) -> bool:
    return person is not None and _in(scoping.visible_people, user, person.pk)


@rules.predicate
def may_edit_person(user, person) -> bool:
    """Staff over their tree, 系统管理员 over theirs; never a more powerful person (see
    ``scoping.editable_people``)."""
    return person is not None and _in(scoping.editable_people, user, person.pk)


@rules.predicate
def may_reset_password_of(user, person) -> bool:
    return person is not None and _in(scoping.password_resettable_people, user, person.pk)


@rules.predicate
def may_grant_roles_to(user, person) -> bool:
    return person is not None and _in(scoping.grantee_people, user, person.pk)


@rules.predicate
def creates_accounts(user) -> bool:
    return scoping.account_organizations(user).exists()


rules.add_perm("members.view_person", may_view_person)
rules.add_perm("members.add_person", creates_accounts)
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
    return _signed_in(user) and assignment.user_id == user.pk


@rules.predicate
def assignment_below_grantor(user, assignment) -> bool:
    return _in(scoping.grantable_organizations, user, assignment.organization_id)


rules.add_perm("members.end_role", assignment_is_current & ~own_assignment & assignment_below_grantor)


# --- organisations and study groups ------------------------------------------------------------


@rules.predicate
def administers_organization(user, organization) -> bool:
    return organization is not None and _in(_administered, user, organization.pk)


@rules.predicate
def has_no_study_group(_user, organization) -> bool:
    return organization is not None and not StudyGroup.objects.filter(organization=organization).exists()


@rules.predicate
def administers_group(user, group) -> bool:
    return group is not None and _in(_administered, user, group.organization_id)


# ``add_organization`` is checked on the parent: the new one is created below it.
rules.add_perm("members.add_organization", administers_organization)
rules.add_perm("members.change_organization", administers_organization)
rules.add_perm("members.add_study_group", has_no_study_group & administers_organization)
rules.add_perm("members.change_study_group", administers_group)


# --- memberships (who sits in a group) ----------------------------------------------------------


@rules.predicate
def manages_group(user, group) -> bool:
    return group is not None and _in(scoping.managed_groups, user, group.pk)


@rules.predicate
def manages_some_group(user) -> bool:
    return remembered(("manages_some_group", user.pk), scoping.managed_groups(user).exists)


@rules.predicate
def membership_is_current(_user, membership) -> bool:
    return isinstance(membership, Membership) and membership.ended_on is None


@rules.predicate
def manages_membership_group(user, membership) -> bool:
    return _in(scoping.managed_groups, user, membership.group_id)


rules.add_perm("members.manage_group", manages_group)
rules.add_perm("members.seat_member", manages_group)
rules.add_perm("members.end_membership", membership_is_current & manages_membership_group)


# --- members' own work (心得体会, 笔记, 调研报告, 文章, 宣讲) -----------------------------------


@rules.predicate
def is_author(user, work) -> bool:
    return isinstance(work, MemberWork) and _signed_in(user) and work.author_id == user.pk


@rules.predicate
def work_is_editable(_user, work) -> bool:
    return work.status in (WorkStatus.DRAFT, WorkStatus.RETURNED)


@rules.predicate
def work_is_submitted(_user, work) -> bool:
    return work.status == WorkStatus.SUBMITTED


@rules.predicate
def work_is_withdrawable(_user, work) -> bool:
    return work.status in (WorkStatus.DRAFT, WorkStatus.SUBMITTED, WorkStatus.RETURNED)


@rules.predicate
def work_is_open_research(_user, work) -> bool:
    return work.kind == WorkKind.RESEARCH and work.status not in (WorkStatus.ACCEPTED, WorkStatus.WITHDRAWN)


@rules.predicate
def reviews_work_group(user, work) -> bool:
    """A reviewer of the work's group (its secretary or managing staff); never the author."""
    return isinstance(work, MemberWork) and _in(scoping.reviewable_groups, user, work.group_id)


@rules.predicate
def reviews_group(user, group) -> bool:
    return group is not None and _in(scoping.reviewable_groups, user, group.pk)


@rules.predicate
def member_of_some_group(user) -> bool:
    return _signed_in(user) and remembered(("member_of_some_group", user.pk), scoping.member_groups(user).exists)


@rules.predicate
def reads_group_organization(user, group) -> bool:
    return group is not None and _in(scoping.read_organizations, user, group.organization_id)


rules.add_perm("members.add_work", member_of_some_group)
# The author's own work (pages and services; the status then gives a message, not a 403).
rules.add_perm("members.own_work", is_author)
rules.add_perm("members.change_work", is_author & work_is_editable)
rules.add_perm("members.submit_work", is_author & work_is_editable)
rules.add_perm("members.withdraw_work", is_author & work_is_withdrawable)
rules.add_perm("members.add_field_visit", is_author & work_is_open_research)
# The review page and the service: a reviewer of the group who is not the author.
rules.add_perm("members.review_work", ~is_author & reviews_work_group)
# The buttons: and the work is waiting for review.
rules.add_perm("members.accept_work", work_is_submitted & ~is_author & reviews_work_group)
rules.add_perm("members.see_similarity", ~is_author & reviews_work_group)
rules.add_perm("members.review_group_work", reviews_group)
rules.add_perm("members.export_group_work", reviews_group | reads_group_organization)


# --- the daily reading (每日推送) --------------------------------------------------------------


def _reading_of(obj):
    return obj.reading if isinstance(obj, DailyReadingItem) else obj


@rules.predicate
def reading_is_open(_user, obj) -> bool:
    from members.daily_reading import is_open

    return obj is not None and is_open(_reading_of(obj))


@rules.predicate
def item_is_current(_user, item) -> bool:
    return isinstance(item, DailyReadingItem) and item.withdrawn_at is None


@rules.predicate
def item_waits_for_approval(_user, item) -> bool:
    return isinstance(item, DailyReadingItem) and item.approved_at is None


@rules.predicate
def edits_reading(user, obj) -> bool:
    """Staff managing the reading's group."""
    reading = _reading_of(obj)
    return isinstance(reading, DailyReading) and _in(scoping.managed_groups, user, reading.group_id)


@rules.predicate
def approves_reading(user, obj) -> bool:
    """An approver (office director) at the group's organisation or above."""
    reading = _reading_of(obj)
    return isinstance(reading, DailyReading) and _in(scoping.approver_groups, user, reading.group_id)


rules.add_perm("members.add_reading_item", manages_group)
rules.add_perm("members.edit_reading", edits_reading)
rules.add_perm("members.approve_reading", approves_reading)
rules.add_perm("members.withdraw_reading_item", item_is_current & reading_is_open & edits_reading)
rules.add_perm("members.approve_reading_item", item_is_current & item_waits_for_approval & reading_is_open & approves_reading)
rules.add_perm("members.approve_whole_reading", reading_is_open & approves_reading)
