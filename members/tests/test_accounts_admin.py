"""The administrator roles at work in the application: role grants and ends, password resets
with the forced change at the next login, (de)activation, organisations and groups, and the
announcement of a changed e-mail or phone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import force_login_verified
from members import services
from members.models import Organization, OrganizationAssignment, StudyGroup, User
from members.notifications.models import Notification, NotificationKind
from members.tests.factories import AssignmentFactory, UserFactory
from studygroup.audit.models import AuditEntry

Role = OrganizationAssignment.Role


@pytest.fixture
def admins(world):
    def admin(username, role):
        person = UserFactory(username=username, name=f"{username}管理员", organization=world.county)
        AssignmentFactory(user=person, organization=world.county, role=role)
        return person

    return type("Admins", (), {
        "sysadmin": admin("sysadmin", Role.SYSTEM_ADMIN),
        "secadmin": admin("secadmin", Role.SECURITY_ADMIN),
        "auditor": admin("auditor", Role.AUDITOR),
    })


def grant(client, person, organization, role):
    return client.post(
        reverse("members:assignment-grant", kwargs={"pk": person.pk}),
        {"organization": organization.pk, "role": role, "started_on": timezone.localdate().isoformat()},
    )


# --- role grants and ends --------------------------------------------------------------------


def test_sysadmin_grants_a_role_below_its_organization_and_it_is_audited(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    response = grant(client, world.member, world.bureau, Role.STAFF)
    assert response.status_code == 302
    assignment = OrganizationAssignment.objects.get(user=world.member, organization=world.bureau)
    assert assignment.role == Role.STAFF
    entry = AuditEntry.objects.get(
        action=AuditEntry.Action.PERMISSION_CHANGE, object_type="members.organizationassignment",
        object_id=str(assignment.pk),
    )
    assert entry.actor == admins.sysadmin
    assert entry.changes["role"][1] == "staff"


def test_sysadmin_cannot_grant_at_its_own_organization(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    response = grant(client, world.member, world.county, Role.SYSTEM_ADMIN)
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not OrganizationAssignment.objects.filter(user=world.member).exists()


def test_sysadmin_offers_only_organizations_below_its_own(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    response = client.get(reverse("members:assignment-grant", kwargs={"pk": world.member.pk}))
    offered = set(response.context["form"].fields["organization"].queryset)
    assert offered == {world.bureau, world.township}


@pytest.mark.parametrize("which", ["sysadmin", "secadmin", "auditor"])
def test_no_administrator_grants_itself_a_role(world, admins, client, which):
    admin = getattr(admins, which)
    force_login_verified(client, admin)
    response = grant(client, admin, world.bureau, Role.STAFF)
    assert response.status_code == 403
    assert admin.assignments.count() == 1


@pytest.mark.parametrize("which, status", [("secadmin", 403), ("auditor", 404)])
def test_security_admin_and_auditor_grant_nothing(world, admins, client, which, status):
    """The security administrator sees the county's people (to reset passwords), the auditor not."""
    force_login_verified(client, getattr(admins, which))
    assert grant(client, world.member, world.bureau, Role.STAFF).status_code == status
    assert not OrganizationAssignment.objects.filter(user=world.member).exists()


def test_staff_grant_nothing(world, client):
    force_login_verified(client, world.staff)
    assert grant(client, world.member, world.bureau, Role.STAFF).status_code == 403


def test_sysadmin_cannot_grant_a_more_powerful_person_a_role(world, admins, client):
    peer = UserFactory(organization=world.county)
    AssignmentFactory(user=peer, organization=world.county, role=Role.STAFF)
    force_login_verified(client, admins.sysadmin)
    assert grant(client, peer, world.bureau, Role.LEADER).status_code == 403


def test_sysadmin_ends_a_role_below_and_it_is_audited(world, admins, client):
    assignment = AssignmentFactory(user=world.member, organization=world.bureau, role=Role.STAFF)
    force_login_verified(client, admins.sysadmin)
    page = client.get(reverse("members:person-detail", kwargs={"pk": world.member.pk}))
    assert reverse("members:assignment-end", kwargs={"pk": assignment.pk}) in page.content.decode()
    response = client.post(
        reverse("members:assignment-end", kwargs={"pk": assignment.pk}), {"ended_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == timezone.localdate()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PERMISSION_CHANGE, object_id=str(assignment.pk)).exists()


def test_sysadmin_cannot_end_a_role_at_its_own_organization(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    assignment = world.staff.assignments.get()
    response = client.post(
        reverse("members:assignment-end", kwargs={"pk": assignment.pk}), {"ended_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.ended_on is None


def test_sysadmin_has_no_access_to_audit_records(admins):
    assert not admins.sysadmin.has_perm("audit.view_auditentry")


# --- password resets ---------------------------------------------------------------------------


def test_reset_shows_the_temporary_password_once_and_audits_it(world, admins, client):
    force_login_verified(client, admins.secadmin)
    confirm = client.get(reverse("members:person-password-reset", kwargs={"pk": world.member.pk}))
    assert confirm.status_code == 200
    world.member.refresh_from_db()
    assert world.member.check_password("Test@2026pass"), "opening the page changes nothing"
    response = client.post(reverse("members:person-password-reset", kwargs={"pk": world.member.pk}))
    temporary = response.context["temporary_password"]
    assert temporary in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    world.member.refresh_from_db()
    assert world.member.check_password(temporary)
    assert world.member.must_change_password
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_RESET)
    assert entry.actor == admins.secadmin
    assert entry.object_id == str(world.member.pk)
    assert temporary not in str(entry.changes) + entry.detail
    later = client.get(reverse("members:person-detail", kwargs={"pk": world.member.pk}))
    assert temporary not in later.content.decode()


def test_the_temporary_password_passes_the_password_rules():
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(services.temporary_password())


def test_a_reset_person_must_choose_a_new_password_first(world, admins, client):
    password = services.person_password_reset(by=admins.secadmin, person=world.member)
    client.logout()
    login = client.post(reverse("login"), {"username": "member", "password": password})
    assert login.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("password_change")
    other = client.get(reverse("members:person-list"))
    assert other["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200
    changed = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "Neu@Passwort2026", "new_password2": "Neu@Passwort2026"},
    )
    assert changed.status_code == 302
    world.member.refresh_from_db()
    assert not world.member.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_a_forced_change_still_lets_the_person_log_out(world, admins, client):
    services.person_password_reset(by=admins.secadmin, person=world.member)
    force_login_verified(client, world.member)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] != reverse("password_change")


# --- deactivation ------------------------------------------------------------------------------


def test_deactivation_is_audited_and_the_person_cannot_log_in(world, client):
    force_login_verified(client, world.staff)
    client.post(reverse("members:person-deactivate", kwargs={"pk": world.other_member.pk}))
    world.other_member.refresh_from_db()
    assert not world.other_member.is_active
    entry = AuditEntry.objects.filter(object_type="members.user", object_id=str(world.other_member.pk)).first()
    assert entry.actor == world.staff
    assert entry.changes["is_active"] == [True, False]
    client.logout()
    login = client.post(reverse("login"), {"username": "other_member", "password": "Test@2026pass"})
    assert login.status_code == 200, "the login form comes back"
    assert "_auth_user_id" not in client.session


# --- organisations, groups, accounts -----------------------------------------------------------


def test_sysadmin_adds_an_organization_below_and_its_study_group(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    response = client.post(
        reverse("members:organization-create", kwargs={"pk": world.county.pk}),
        {"name": "中共青山县卫生健康局党组", "short_name": "县卫健局", "kind": "party_group", "level": "department"},
    )
    assert response.status_code == 302
    organization = Organization.objects.get(name="中共青山县卫生健康局党组")
    assert organization.path.startswith(world.county.path)
    assert organization.depth == world.county.depth + 1
    response = client.post(
        reverse("members:group-create", kwargs={"pk": organization.pk}), {"name": "县卫健局党组理论学习中心组", "is_active": "on"}
    )
    assert response.status_code == 302
    assert StudyGroup.objects.filter(organization=organization).exists()


def test_sysadmin_cannot_add_below_another_county(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    response = client.post(
        reverse("members:organization-create", kwargs={"pk": world.sibling.pk}),
        {"name": "不该有的单位", "short_name": "", "kind": "party_group", "level": "department"},
    )
    assert response.status_code == 404
    assert not Organization.objects.filter(name="不该有的单位").exists()


def test_sysadmin_creates_an_account_in_its_tree(world, admins, client):
    force_login_verified(client, admins.sysadmin)
    response = client.post(reverse("members:person-create"), {
        "username": "xinren", "name": "新任局长", "organization": world.bureau.pk, "position": "", "phone": "",
        "email": "", "password1": "Qs7#Liangjiang", "password2": "Qs7#Liangjiang",
    })
    assert response.status_code == 302
    assert User.objects.get(username="xinren").organization == world.bureau


def test_security_admin_creates_no_accounts(world, admins, client):
    force_login_verified(client, admins.secadmin)
    assert client.get(reverse("members:person-create")).status_code == 403


# --- announcing a changed e-mail or phone ------------------------------------------------------


def test_a_changed_email_is_announced_in_the_inbox_and_to_the_old_address(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    person = world.other_member
    person.email = "old@example.cn"
    person.save()
    force_login_verified(client, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:person-update", kwargs={"pk": person.pk}), {
            "name": person.name, "organization": person.organization_id, "position": "", "phone": "",
            "email": "takeover@example.cn",
        })
    notice = Notification.objects.get(recipient=person, kind=NotificationKind.ACCOUNT_CHANGED)
    assert "old@example.cn" in notice.body
    assert "takeover@example.cn" in notice.body
    assert world.staff.name in notice.body
    to_old = [mail for mail in mailoutbox if mail.to == ["old@example.cn"]]
    assert len(to_old) == 1
    assert "takeover@example.cn" in to_old[0].body


def test_a_changed_phone_is_announced_too(world, client, mailoutbox, django_capture_on_commit_callbacks):
    person = world.other_member
    person.email = "self@example.cn"
    person.save()
    force_login_verified(client, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:person-update", kwargs={"pk": person.pk}), {
            "name": person.name, "organization": person.organization_id, "position": "", "phone": "13900000000",
            "email": "self@example.cn",
        })
    assert Notification.objects.filter(recipient=person, kind=NotificationKind.ACCOUNT_CHANGED).exists()


def test_a_change_of_name_only_announces_nothing(world, client, mailoutbox, django_capture_on_commit_callbacks):
    person = world.other_member
    force_login_verified(client, world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:person-update", kwargs={"pk": person.pk}), {
            "name": "新名字", "organization": person.organization_id, "position": "", "phone": "", "email": person.email,
        })
    assert not Notification.objects.filter(kind=NotificationKind.ACCOUNT_CHANGED).exists()
    assert mailoutbox == []


def test_members_sends_a_signal_and_never_imports_the_notifications_code():
    import ast
    from pathlib import Path

    source = Path(services.__file__).read_text(encoding="utf-8")
    imported = {
        node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "members.notifications.services" not in imported
    assert "members.signals" in imported


def test_sysadmin_renames_a_group_it_administers_but_reads_none_of_its_records(world, admins, client):
    from plans.tests.factories import plan_world

    plans = plan_world(world)
    force_login_verified(client, admins.sysadmin)
    organization_page = client.get(reverse("members:organization-detail", kwargs={"pk": world.bureau.pk}))
    assert world.groups.bureau.get_absolute_url() in organization_page.content.decode()
    response = client.post(
        reverse("members:group-update", kwargs={"pk": world.groups.bureau.pk}), {"name": "教育局党组中心组", "is_active": "on"}
    )
    assert response.status_code == 302
    world.groups.bureau.refresh_from_db()
    assert world.groups.bureau.name == "教育局党组中心组"
    assert client.get(plans.published.get_absolute_url()).status_code == 404
    assert client.get(reverse("members:group-update", kwargs={"pk": world.groups.sibling.pk})).status_code == 404


def test_staff_rename_the_groups_of_their_tree_but_not_others(world, client):
    """Issue 17: staff set up their county's units and groups in the browser (no admin needed)."""
    force_login_verified(client, world.staff)
    response = client.post(
        reverse("members:group-update", kwargs={"pk": world.groups.bureau.pk}), {"name": "改名后的中心组", "is_active": "on"}
    )
    assert response.status_code == 302
    world.groups.bureau.refresh_from_db()
    assert world.groups.bureau.name == "改名后的中心组"
    force_login_verified(client, world.sibling_staff)
    response = client.post(
        reverse("members:group-update", kwargs={"pk": world.groups.bureau.pk}), {"name": "越权", "is_active": "on"}
    )
    assert response.status_code == 404
