"""The members app's permissions (members/rules.py): allowed and denied, one object at a time."""

import pytest
from django.utils import timezone

from members.models import OrganizationAssignment
from members.tests.factories import AssignmentFactory, MembershipFactory, UserFactory
from members.work.models import WorkKind, WorkStatus

Role = OrganizationAssignment.Role


def admin_at(organization, role, username):
    person = UserFactory(username=username, organization=organization)
    AssignmentFactory(user=person, organization=organization, role=role)
    return person


# --- people ------------------------------------------------------------------------------------


def test_edit_person_allows_staff_over_a_member_of_their_tree(world):
    assert world.staff.has_perm("members.edit_person", world.member)


def test_edit_person_denies_staff_over_staff_of_their_own_organization(world):
    colleague = admin_at(world.county, Role.STAFF, "colleague")
    assert not world.staff.has_perm("members.edit_person", colleague)


def test_edit_person_denies_staff_over_anyone_with_an_administrator_role(world):
    below = admin_at(world.bureau, Role.SECURITY_ADMIN, "bureau_secadmin")
    assert not world.staff.has_perm("members.edit_person", below)


def test_edit_person_lets_a_sysadmin_edit_an_administrator_below_its_organization(world):
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    below = admin_at(world.bureau, Role.SECURITY_ADMIN, "bureau_secadmin")
    assert sysadmin.has_perm("members.edit_person", below)


def test_edit_person_denies_a_person_who_also_holds_power_outside_the_tree(world):
    person = UserFactory(organization=world.bureau)
    AssignmentFactory(user=person, organization=world.sibling, role=Role.LEADER)
    assert not world.staff.has_perm("members.edit_person", person)


def test_edit_person_ignores_an_ended_assignment(world):
    person = UserFactory(organization=world.bureau)
    AssignmentFactory(
        user=person, organization=world.city, role=Role.STAFF,
        started_on=timezone.localdate().replace(year=2020), ended_on=timezone.localdate().replace(year=2021),
    )
    assert world.staff.has_perm("members.edit_person", person)


def test_being_seated_in_a_group_gives_no_power_to_edit(world):
    """The sibling county's member sits in the county's group: the county seats, not edits."""
    MembershipFactory(user=world.sibling_member, group=world.groups.county)
    assert not world.staff.has_perm("members.edit_person", world.sibling_member)
    assert world.sibling_staff.has_perm("members.edit_person", world.sibling_member)


def test_reset_password_only_for_the_security_administrator(world):
    secadmin = admin_at(world.county, Role.SECURITY_ADMIN, "secadmin")
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    assert secadmin.has_perm("members.reset_password", world.member)
    assert not sysadmin.has_perm("members.reset_password", world.member)
    assert not world.staff.has_perm("members.reset_password", world.member)


def test_reset_password_never_of_the_administrator_itself_or_a_peer(world):
    secadmin = admin_at(world.county, Role.SECURITY_ADMIN, "secadmin")
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    assert not secadmin.has_perm("members.reset_password", secadmin)
    assert not secadmin.has_perm("members.reset_password", sysadmin)
    assert not secadmin.has_perm("members.reset_password", world.leader)


def test_deactivate_person_needs_an_active_person_and_reactivate_an_inactive_one(world):
    assert world.staff.has_perm("members.deactivate_person", world.member)
    assert not world.staff.has_perm("members.reactivate_person", world.member)
    world.member.is_active = False
    assert world.staff.has_perm("members.reactivate_person", world.member)
    assert not world.staff.has_perm("members.deactivate_person", world.member)


# --- roles -------------------------------------------------------------------------------------


def test_grant_role_only_for_a_sysadmin_and_never_to_itself(world):
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    assert sysadmin.has_perm("members.grant_role", world.member)
    assert not sysadmin.has_perm("members.grant_role", sysadmin)
    assert not world.staff.has_perm("members.grant_role", world.member)


def test_an_auditor_or_secadmin_grants_nothing_not_even_to_itself(world):
    for role in (Role.AUDITOR, Role.SECURITY_ADMIN):
        admin = admin_at(world.county, role, f"admin-{role}")
        assert not admin.has_perm("members.grant_role", admin)
        assert not admin.has_perm("members.grant_role", world.member)


def test_end_role_below_the_sysadmin_but_not_at_its_own_organization(world):
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    below = AssignmentFactory(user=world.member, organization=world.bureau, role=Role.STAFF)
    assert sysadmin.has_perm("members.end_role", below)
    assert not sysadmin.has_perm("members.end_role", world.staff.assignments.get())
    assert not sysadmin.has_perm("members.end_role", sysadmin.assignments.get())


def test_organization_permissions_follow_the_sysadmin_and_staff_trees(world):
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    assert sysadmin.has_perm("members.add_organization", world.county)
    assert sysadmin.has_perm("members.change_organization", world.bureau)
    assert not sysadmin.has_perm("members.change_organization", world.sibling)
    assert world.staff.has_perm("members.change_organization", world.bureau)
    assert world.staff.has_perm("members.change_study_group", world.groups.bureau)
    assert not world.staff.has_perm("members.change_organization", world.sibling)
    assert not world.staff.has_perm("members.change_organization", world.city)
    assert not world.leader.has_perm("members.change_organization", world.bureau)
    assert not world.member.has_perm("members.change_study_group", world.groups.bureau)
    assert not sysadmin.has_perm("members.add_study_group", world.bureau), "the bureau has its group"


# --- memberships, work, daily reading ----------------------------------------------------------


def test_end_membership_for_the_managing_staff_only(world):
    membership = world.member.memberships.get()
    assert world.staff.has_perm("members.end_membership", membership)
    assert not world.leader.has_perm("members.end_membership", membership)
    assert not world.sibling_staff.has_perm("members.end_membership", membership)


def test_work_buttons_follow_author_and_status(world):
    from members.work.tests.factories import work_for_permissions

    draft = work_for_permissions(world, "draft")
    assert world.member.has_perm("work.submit_work", draft)
    assert not world.staff.has_perm("work.submit_work", draft)
    submitted = work_for_permissions(world, "submitted")
    assert world.staff.has_perm("work.accept_work", submitted)
    assert not world.member.has_perm("work.accept_work", submitted), "nobody reviews their own work"
    assert not world.member.has_perm("work.change_work", submitted)
    submitted.status = WorkStatus.ACCEPTED
    assert not world.staff.has_perm("work.accept_work", submitted)
    assert submitted.kind != WorkKind.RESEARCH or world.member.has_perm("work.add_field_visit", submitted)


def test_daily_reading_approval_is_the_approvers(world):
    from members.notifications.tests.factories import notification_world

    objects = notification_world(world)
    approver = UserFactory(organization=world.county)
    AssignmentFactory(user=approver, organization=world.county, role=Role.APPROVER)
    assert approver.has_perm("notifications.approve_reading", objects.reading)
    assert not world.staff.has_perm("notifications.approve_reading", objects.reading)
    assert world.staff.has_perm("notifications.edit_reading", objects.item)
    assert not world.member.has_perm("notifications.edit_reading", objects.item)


@pytest.mark.parametrize("role", ["member", "leader"])
def test_add_person_is_for_staff_and_sysadmins(world, role):
    sysadmin = admin_at(world.county, Role.SYSTEM_ADMIN, "sysadmin")
    assert world.staff.has_perm("members.add_person")
    assert sysadmin.has_perm("members.add_person")
    assert not getattr(world, role).has_perm("members.add_person")


def test_a_superuser_gets_no_button_the_status_does_not_allow(world):
    from plans.tests.factories import plan_world

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    plans = plan_world(world)
    assert root.has_perm("plans.submit_plan", plans.draft)
    assert not root.has_perm("plans.submit_plan", plans.published)
    assert not root.has_perm("plans.approve_plan", plans.submitted), "only the 组长 approves"
    assert root.has_perm("members.view_user"), "model permissions stay the superuser's"
