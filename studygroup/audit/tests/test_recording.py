"""What goes into the audit trail: logins, failures, lockouts, unlocks, permission and data
changes with before/after, passwords, two-factor devices, exports; who, when, from where."""

import pytest
from django.urls import reverse

from members.models import OrganizationAssignment
from members.tests.factories import AssignmentFactory, UserFactory
from studygroup.audit.models import AuditEntry
from studygroup.audit.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def entries(action, **filters):
    return AuditEntry.objects.filter(action=action, **filters).order_by("at", "pk")


# --- logins ------------------------------------------------------------------------------------------


def test_login_is_recorded_with_who_when_where_and_the_organisation(client, world):
    response = login(client, "member", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Chromium 120")
    assert response.status_code == 302
    entry = entries(Action.LOGIN).get()
    assert entry.actor == world.member
    assert entry.actor_name == "member"
    assert entry.ip == "10.1.2.3"
    assert entry.user_agent == "Chromium 120"
    assert entry.organization == world.bureau
    assert entry.at is not None


def test_logout_is_recorded(client, world):
    login(client, "member", REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.4")
    entry = entries(Action.LOGOUT).get()
    assert entry.actor == world.member
    assert entry.ip == "10.1.2.4"


def test_failed_login_is_recorded_with_the_typed_username_and_address(client, world):
    login(client, "member", "wrong", REMOTE_ADDR="10.9.9.9")
    entry = entries(Action.LOGIN_FAILED).get()
    assert entry.actor == world.member
    assert entry.ip == "10.9.9.9"
    assert entry.detail == "Wrong username or password"


def test_failed_login_of_an_unknown_username_keeps_what_was_typed(client, world):
    login(client, "=cmd|' /C calc'!A0", "wrong")
    entry = entries(Action.LOGIN_FAILED).get()
    assert entry.actor is None
    assert entry.actor_name == "=cmd|' /C calc'!A0"
    assert entry.organization is None


def test_lockout_is_recorded_once_and_refused_attempts_after_it_too(client, world):
    for _ in range(5):
        login(client, "member", "wrong", REMOTE_ADDR="10.9.9.9")
    assert entries(Action.LOCKOUT).count() == 1
    lockout = entries(Action.LOCKOUT).get()
    assert lockout.actor == world.member
    assert lockout.ip == "10.9.9.9"
    response = login(client, "member", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    assert entries(Action.LOCKOUT).count() == 1
    refused = entries(Action.LOGIN_FAILED).last()
    assert refused.detail == "Refused: the account is locked"


def test_behind_one_proxy_the_client_address_is_the_proxys_hop_not_a_forged_one(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged "6.6.6.6"; nginx appended the address it saw (203.0.113.7).
    login(client, "member", "wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    login(client, "member", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.8")
    assert entries(Action.LOGIN_FAILED).get().ip == "203.0.113.7"
    assert entries(Action.LOGIN).get().ip == "203.0.113.8"


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    login(client, "member", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert entries(Action.LOGIN).get().ip == "10.1.2.3"


def test_unlock_by_the_security_administrator_is_recorded(client_for, world, admins):
    from axes.models import AccessAttempt

    anonymous = client_for(None)
    for _ in range(5):
        login(anonymous, "member", "wrong")
    assert AccessAttempt.objects.filter(username="member").exists()
    client = client_for(admins.secadmin)
    response = client.post(reverse("audit:unlock"), {"username": "member"}, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="member").exists()
    entry = entries(Action.UNLOCK).get()
    assert entry.actor == admins.secadmin
    assert entry.object_id == str(world.member.pk)
    assert entry.ip == "10.5.5.5"
    assert entry.organization == world.bureau


# --- permission and data changes --------------------------------------------------------------------


def test_role_granted_and_ended_are_permission_changes(client_for, world):
    assignment = AssignmentFactory(user=world.member, organization=world.bureau, role=OrganizationAssignment.Role.STAFF)
    mine = {"object_type": "members.organizationassignment", "object_id": str(assignment.pk)}
    granted = entries(Action.PERMISSION_CHANGE, **mine).get()
    assert granted.detail == "Role granted"
    assert granted.changes["role"] == [None, "staff"]
    assert granted.organization == world.bureau
    assignment.ended_on = assignment.started_on
    assignment.save()
    ended = entries(Action.PERMISSION_CHANGE, **mine).last()
    assert ended.changes == {"ended_on": [None, assignment.started_on.isoformat()]}


def test_superuser_flag_is_a_permission_change_with_before_and_after(world):
    world.member.is_superuser = True
    world.member.save()
    entry = entries(Action.PERMISSION_CHANGE, object_type="members.user").get()
    assert entry.changes == {"is_superuser": [False, True]}


def test_django_group_permissions_are_permission_changes(world):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="editors")
    group.permissions.add(Permission.objects.get(codename="change_user"))
    world.member.groups.add(group)
    changes = entries(Action.PERMISSION_CHANGE)
    assert changes.filter(object_type="auth.group").exists()
    assert changes.filter(object_type="members.user", object_id=str(world.member.pk)).exists()


def test_a_change_through_a_page_is_recorded_with_before_and_after_and_the_person(client_for, world):
    client = client_for(world.staff)
    before = world.member.position
    url = reverse("members:person-update", args=[world.member.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"position": "党组书记、局长", "name": world.member.name})
    response = client.post(url, data, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries(Action.UPDATE, object_type="members.user", object_id=str(world.member.pk)).last()
    assert entry.changes["position"] == [before, "党组书记、局长"]
    assert entry.actor == world.staff
    assert entry.ip == "10.7.7.7"
    assert entry.organization == world.bureau


def test_a_data_change_of_another_app_finds_its_organisation_through_the_group(world):
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.township)
    created = entries(Action.CREATE, object_type="meetings.meeting").get()
    assert created.organization == world.township
    assert created.changes["title"] == [None, meeting.title]
    meeting.title = "改过的标题"
    meeting.save()
    changed = entries(Action.UPDATE, object_type="meetings.meeting").get()
    assert changed.changes["title"] == [created.changes["title"][1], "改过的标题"]


def test_a_deletion_keeps_the_last_values(world):
    world.groups.city.delete()
    deleted = entries(Action.DELETE, object_type="members.studygroup").get()
    assert deleted.organization == world.city
    assert deleted.changes["name"][1] is None
    assert deleted.changes["name"][0]


def test_saving_without_changes_writes_no_entry(world):
    before = AuditEntry.objects.count()
    world.member.save()
    assert AuditEntry.objects.count() == before


def test_secrets_never_reach_the_trail(world):
    from members.notifications.models import GroupChannel

    channel = GroupChannel.objects.create(
        group=world.groups.county, name="县委中心组群", provider=GroupChannel.Provider.DINGTALK,
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=abcdef123456", secret="SECsecretvalue",
    )
    channel.secret = "SECanothersecret"
    channel.webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=zzz999"
    channel.save()
    text = str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "abcdef123456" not in text
    assert "zzz999" not in text
    assert "SECsecretvalue" not in text
    assert "SECanothersecret" not in text


def test_password_change_is_recorded_without_the_hash(client_for, world):
    client = client_for(world.member)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Another@2026pass", "new_password2": "Another@2026pass",
    })
    assert response.status_code == 302
    entry = entries(Action.PASSWORD_CHANGE, actor=world.member).get()
    assert entry.object_id == str(world.member.pk)
    assert "password" not in entry.changes
    assert "pbkdf2" not in str(entry.changes)
    assert "md5" not in str(entry.changes)
    world.member.refresh_from_db()
    assert world.member.password_changed_at is not None


def test_password_set_by_someone_else_is_a_reset(world, admins):
    world.member._history_user = admins.secadmin
    world.member.set_password("Reset@2026pass")
    world.member.save()
    entry = entries(Action.PASSWORD_RESET).get()
    assert entry.actor == admins.secadmin


def test_members_signal_is_recorded_by_the_audit_app(world, rf):
    from members.models import User
    from members.signals import audit_event

    request = rf.get("/", REMOTE_ADDR="10.3.3.3")
    request.user = world.staff
    audit_event.send(sender=User, action="password_reset", request=request, obj=world.member, detail="by staff")
    entry = entries(Action.PASSWORD_RESET).get()
    assert entry.actor == world.staff
    assert entry.ip == "10.3.3.3"
    assert entry.organization == world.bureau


def test_the_audit_app_is_not_imported_by_members():
    """members never imports the audit app (it sends ``members.signals.audit_event``); only
    seed_demo names every app's demo module."""
    import re
    from pathlib import Path

    from django.conf import settings

    importing = re.compile(r"^\s*(from|import)\s+studygroup\.audit", re.MULTILINE)
    offenders = [
        str(path) for path in (Path(settings.BASE_DIR) / "members").rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8")) and "/tests/" not in str(path)
    ]
    assert offenders == []


# --- exports -----------------------------------------------------------------------------------------


def test_sign_in_sheet_export_is_recorded_with_its_meeting_and_organisation(client_for, world):
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.bureau)
    client = client_for(world.staff)
    response = client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk]), REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 200
    entry = entries(Action.EXPORT).get()
    assert entry.actor == world.staff
    assert entry.object_type == "meetings.meeting"
    assert entry.object_id == str(meeting.pk)
    assert entry.organization == world.bureau
    assert entry.ip == "10.4.4.4"
    assert entry.detail.endswith(".xlsx")


def test_calendar_file_export_is_recorded(client_for, world):
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.bureau)
    client = client_for(world.member)
    response = client.get(reverse("meetings:meeting-ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert entries(Action.EXPORT, detail__endswith=".ics").exists()


def test_a_refused_export_records_nothing(client_for, world):
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.sibling)
    client = client_for(world.staff)
    assert client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk])).status_code == 404
    assert not entries(Action.EXPORT).exists()


# --- two-factor devices ------------------------------------------------------------------------------


def test_two_factor_devices_created_and_removed_are_recorded(world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.member, name="authenticator", confirmed=True)
    device.delete()
    details = list(entries(Action.TWO_FACTOR).values_list("detail", flat=True))
    assert details == ["Authenticator app set up", "Authenticator app removed"]
    assert "key" not in str(list(entries(Action.TWO_FACTOR).values_list("changes", flat=True)))


def test_user_created_by_a_person_factory_has_the_organisation_of_the_person(world):
    person = UserFactory(organization=world.township)
    entry = entries(Action.CREATE, object_type="members.user", object_id=str(person.pk)).get()
    assert entry.organization == world.township
    assert "password" not in entry.changes


def test_a_superuser_change_in_the_django_admin_is_recorded_even_without_history(client_for, admins):
    from django_celery_beat.models import PeriodicTask

    from studygroup.schedules import schedules_ensure

    schedules_ensure()
    task = PeriodicTask.objects.get(task="audit.purge_expired")
    client = client_for(admins.superuser)
    url = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    data["enabled"] = ""
    data.pop("enabled")
    response = client.post(url, data, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    entry = entries(Action.UPDATE, object_type="django_celery_beat.periodictask").get()
    assert entry.actor == admins.superuser
    assert entry.ip == "10.0.0.9"
    assert "Django admin" in entry.detail


def test_a_superuser_change_in_the_django_admin_of_a_model_with_history_is_recorded_once(client_for, world, admins):
    membership = world.township_member.memberships.get()
    client = client_for(admins.superuser)
    url = reverse("admin:members_membership_change", args=[membership.pk])
    response = client.post(url, {
        "user": membership.user_id, "group": membership.group_id, "role": "deputy",
        "started_on": membership.started_on.isoformat(), "ended_on": "",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    changed = entries(Action.UPDATE, object_type="members.membership", object_id=str(membership.pk))
    assert changed.count() == 1
    assert changed.get().changes["role"] == ["member", "deputy"]
    assert changed.get().actor == admins.superuser
    assert changed.get().organization == world.township


def test_a_many_to_many_change_is_recorded_with_the_ids_before_and_after(world):
    from plans.tests.factories import AnnualPlanFactory, TopicFactory
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.bureau)
    topic = TopicFactory(plan=AnnualPlanFactory(group=world.groups.bureau))
    meeting.topics.add(topic)
    entry = entries(Action.UPDATE, object_type="meetings.meeting", object_id=str(meeting.pk)).last()
    assert entry.changes["topics"] == [[], [topic.pk]]


def test_a_large_computed_value_is_recorded_by_its_size_and_digest(world):
    """Issuing a province's bulletin froze 7 MB of figures into one audit entry, which the
    auditor's log then read on every page: the trail keeps what changed and a digest instead."""
    import hashlib
    import json

    from reports import services
    from reports.models import Period

    bulletin = services.bulletin_create(organization=world.county, year=2025, period=Period.FIRST_HALF, by=world.staff)
    bulletin = services.bulletin_issue(bulletin=bulletin, by=world.staff)
    entry = AuditEntry.objects.filter(object_id=str(bulletin.pk), action=AuditEntry.Action.UPDATE).latest("at")
    before, after = entry.changes["figures"]
    encoded = json.dumps(bulletin.figures, ensure_ascii=False, sort_keys=True)
    assert before is None
    assert after == {"chars": len(encoded), "sha256": hashlib.sha256(encoded.encode()).hexdigest()}
    assert entry.changes["status"] == ["draft", "issued"]  # small values are kept as they are
