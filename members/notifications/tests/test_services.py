"""The send service, preferences, quiet hours, deliveries with retries, escalation, the reminder
rules and the daily reading push (Celery eager; real SMTP and robot servers where a push goes
out)."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from members.models import OrganizationAssignment
from members.notifications import daily_reading
from members.notifications import services as notifications
from members.notifications.models import (
    DailyReading,
    Delivery,
    GroupChannel,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)
from members.notifications.tasks import deliveries_sweep, delivery_send
from members.tests.factories import AssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


@pytest.fixture
def not_quiet(settings):
    """Quiet hours that never cover the moment of the test."""
    now = timezone.now()
    settings.QUIET_HOURS = (_hhmm(now + timedelta(hours=3)), _hhmm(now + timedelta(hours=4)))


@pytest.fixture
def quiet(settings):
    """Quiet hours around the moment of the test, ending in two hours."""
    now = timezone.now()
    settings.QUIET_HOURS = (_hhmm(now - timedelta(hours=1)), _hhmm(now + timedelta(hours=2)))


@pytest.fixture
def people(world):
    world.member.email = "member@example.org"
    world.member.save()
    world.other_member.email = "other@example.org"
    world.other_member.save()
    return world


def _send(world, **kwargs):
    defaults = dict(
        kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau,
        recipients=[world.member, world.other_member], occasion="notice-1", title="学习会通知",
        body="时间：周五下午", group=world.groups.bureau,
    )
    return notifications.notification_send(**{**defaults, **kwargs})


# --- idempotency ------------------------------------------------------------------------------


def test_send_twice_notifies_and_emails_each_person_once(people, not_quiet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _send(people)
    with django_capture_on_commit_callbacks(execute=True):
        second = _send(people)
    assert {n.pk for n in first} == {n.pk for n in second}
    assert Notification.objects.count() == 2
    assert Delivery.objects.filter(channel=NotificationChannel.EMAIL).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.org", "other@example.org"]


def test_a_new_occasion_is_a_new_notification(people, not_quiet):
    _send(people)
    _send(people, occasion="notice-2")
    assert Notification.objects.filter(recipient=people.member).count() == 2


def test_delivery_task_run_twice_sends_once(people, not_quiet):
    _send(people, recipients=[people.member])  # eager: sent on commit? no: tests run in a transaction
    delivery = Delivery.objects.get()
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert delivery_send(delivery_id=delivery.pk) == "not claimable"
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1


def test_inactive_people_are_not_notified(people, not_quiet):
    people.other_member.is_active = False
    people.other_member.save()
    assert [n.recipient for n in _send(people)] == [people.member]


# --- preferences ------------------------------------------------------------------------------


def test_preferences_switch_email_off_but_the_inbox_still_gets_it(people, not_quiet, django_capture_on_commit_callbacks):
    notifications.preferences_update(
        by=people.member, enabled={(NotificationKind.MEETING_NOTICE, NotificationChannel.EMAIL): False}
    )
    with django_capture_on_commit_callbacks(execute=True):
        _send(people)
    assert Notification.objects.filter(recipient=people.member).exists()
    assert [m.to for m in mail.outbox] == [["other@example.org"]]
    assert not notifications.preferences_of(people.member)[(NotificationKind.MEETING_NOTICE, "email")]
    assert notifications.preferences_of(people.member)[(NotificationKind.MEETING_REMINDER, "email")]


def test_preferences_page_saves_choices(people, client):
    client.force_login(people.member)
    response = client.get("/notifications/settings/")
    assert response.status_code == 200
    data = {f"{k.value}__email": "on" for k in notifications.PREFERENCE_KINDS if k != NotificationKind.DAILY_READING}
    assert client.post("/notifications/settings/", data).status_code == 302
    assert NotificationPreference.objects.get(user=people.member, kind=NotificationKind.DAILY_READING).enabled is False
    assert NotificationPreference.objects.get(user=people.member, kind=NotificationKind.MEETING_NOTICE).enabled


# --- quiet hours ---------------------------------------------------------------------------------


def test_quiet_hours_span_midnight(settings):
    settings.QUIET_HOURS = ("22:00", "07:00")
    tz = timezone.get_current_timezone()
    assert notifications.in_quiet_hours(datetime(2026, 3, 1, 23, 30, tzinfo=tz))
    assert notifications.in_quiet_hours(datetime(2026, 3, 2, 6, 59, tzinfo=tz))
    assert not notifications.in_quiet_hours(datetime(2026, 3, 2, 7, 0, tzinfo=tz))
    assert not notifications.in_quiet_hours(datetime(2026, 3, 2, 21, 59, tzinfo=tz))
    held = notifications.push_not_before(urgent=False, moment=datetime(2026, 3, 1, 23, 30, tzinfo=tz))
    assert held == datetime(2026, 3, 2, 7, 0, tzinfo=tz)
    urgent = notifications.push_not_before(urgent=True, moment=datetime(2026, 3, 1, 23, 30, tzinfo=tz))
    assert urgent == datetime(2026, 3, 1, 23, 30, tzinfo=tz)


def test_quiet_hours_hold_non_urgent_pushes_until_morning(people, quiet, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(people)
        _send(people, kind=NotificationKind.MEETING_REMINDER, occasion="hour-before", urgent=True, title="一小时后开会")
    assert [m.subject for m in mail.outbox] == [settings.EMAIL_SUBJECT_PREFIX + "一小时后开会"] * 2
    held = Delivery.objects.filter(kind=NotificationKind.MEETING_NOTICE)
    assert {d.status for d in held} == {Delivery.Status.PENDING}
    assert all(d.next_attempt_at > timezone.now() + timedelta(minutes=100) for d in held)
    assert Notification.objects.filter(kind=NotificationKind.MEETING_NOTICE).count() == 2  # the inbox has it
    # Morning: the sweeper sends what was held, once.
    held.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    deliveries_sweep()
    deliveries_sweep()
    assert len(mail.outbox) == 4


# --- deliveries: retries and failures ------------------------------------------------------------------


def test_failed_robot_post_is_retried_with_backoff_then_marked_failed(people, not_quiet, robot_server, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    robot_server.fail_next = 10
    channel = GroupChannel.objects.create(
        group=people.groups.bureau, provider="dingtalk", name="钉钉群", webhook_url=robot_server.dingtalk_url,
        secret=robot_server.secret,
    )
    _send(people, recipients=[])
    delivery = Delivery.objects.get(group_channel=channel)
    assert delivery_send(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRY
    assert delivery.attempts == 1
    assert delivery.last_error == "errcode -1"  # a passing error (busy): retried
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert delivery_send(delivery_id=delivery.pk) == "not claimable"  # not due yet
    for attempt in (2, 3):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3
    assert len(robot_server.posts) == 3
    # Staff see it in the log and send it again.
    notifications.delivery_retry(delivery=delivery, by=people.staff)
    robot_server.fail_next = 0
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_stale_sending_row_is_marked_interrupted_not_resent(people, not_quiet, settings):
    _send(people, recipients=[people.member])
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    assert deliveries_sweep()["interrupted"] == 1
    assert delivery_send(delivery_id=delivery.pk) == "not claimable"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.INTERRUPTED
    assert mail.outbox == []


def test_delivery_retry_is_for_staff_who_manage_the_group(people):
    notification_world = __import__(
        "members.notifications.tests.factories", fromlist=["notification_world"]
    ).notification_world(people)
    with pytest.raises(PermissionDenied):
        notifications.delivery_retry(delivery=notification_world.failed, by=people.sibling_staff)
    with pytest.raises(PermissionDenied):
        notifications.delivery_retry(delivery=notification_world.failed, by=people.member)


# --- escalation -----------------------------------------------------------------------------------


def test_overdue_records_remind_staff_and_escalate_to_the_supervising_staff_once(world, city_staff, not_quiet):
    from sessions.reminders import remind_records_missing
    from sessions.tests.factories import MeetingFactory

    old = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() - timedelta(days=20))
    MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() - timedelta(days=9))
    remind_records_missing()
    remind_records_missing()
    staff_told = Notification.objects.filter(kind=NotificationKind.RECORDS_MISSING, recipient=world.staff)
    assert staff_told.count() == 2  # both meetings, each once
    escalated = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [(n.recipient, n.object_id) for n in escalated] == [(city_staff, old.pk)]
    # Someone else joins the city's staff later: the item is not escalated again.
    newcomer = UserFactory(username="city_staff2", organization=world.city)
    AssignmentFactory(user=newcomer, organization=world.city, role=OrganizationAssignment.Role.STAFF)
    remind_records_missing()
    assert escalated.count() == 1


def test_rectification_due_overdue_and_escalated_once(world, city_staff, not_quiet):
    from reports.models import Inspection, RectificationItem
    from reports.reminders import remind_rectification

    inspection = Inspection.objects.create(
        organization=world.city, group=world.groups.county, held_on=timezone.localdate(), inspectors="市委督导组"
    )
    today = timezone.localdate()
    due = RectificationItem.objects.create(organization=world.city, group=world.groups.county, inspection=inspection,
                                           finding="学习记录不全", owner=world.staff, deadline=today + timedelta(days=2))
    late = RectificationItem.objects.create(organization=world.city, group=world.groups.county, inspection=inspection,
                                            finding="研讨不深入", deadline=today - timedelta(days=30))
    RectificationItem.objects.create(organization=world.city, group=world.groups.county, inspection=inspection,
                                     finding="已整改", deadline=today - timedelta(days=30),
                                     status=RectificationItem.Status.CONFIRMED)
    remind_rectification()
    remind_rectification()
    reminders = Notification.objects.filter(kind=NotificationKind.RECTIFICATION_DUE)
    assert sorted((n.object_id, n.occasion.split("-")[0]) for n in reminders) == sorted(
        [(due.pk, "due"), (late.pk, "overdue")]
    )
    escalated = Notification.objects.filter(kind=NotificationKind.ESCALATION)
    assert [(n.recipient, n.object_id) for n in escalated] == [(city_staff, late.pk)]


# --- reminder rules ---------------------------------------------------------------------------------


def test_meeting_reminders_a_day_and_an_hour_before(world, not_quiet):
    from sessions.models import Attendance
    from sessions.reminders import remind_upcoming
    from sessions.tests.factories import MeetingFactory

    tomorrow = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(hours=20))
    soon = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(minutes=40))
    MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(hours=30))  # not yet
    MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(hours=2),
                   status="planned")  # no notice sent: no reminder
    Attendance.objects.create(meeting=soon, user=world.other_member, status="leave", leave_reason="出差")
    remind_upcoming()
    remind_upcoming()
    rows = Notification.objects.filter(kind=NotificationKind.MEETING_REMINDER)
    assert sorted((n.object_id, n.occasion, n.recipient.username) for n in rows) == sorted([
        (tomorrow.pk, "day-before", "member"), (tomorrow.pk, "day-before", "other_member"),
        (soon.pk, "hour-before", "member"),
    ])
    assert rows.get(occasion="hour-before").urgent


def test_meeting_notice_reaches_inboxes_when_staff_send_it(world, not_quiet):
    from sessions import services as meeting_services
    from sessions.tests.factories import MeetingFactory

    meeting = MeetingFactory(group=world.groups.bureau, status="planned",
                             starts_at=timezone.now() + timedelta(days=3))
    meeting_services.meeting_notify(by=world.staff, meeting=meeting, message="请提前阅读学习材料")
    rows = Notification.objects.filter(kind=NotificationKind.MEETING_NOTICE, object_id=meeting.pk)
    assert {n.recipient for n in rows} == {world.member, world.other_member}
    assert "请提前阅读学习材料" in rows.first().body


def test_makeup_owed_until_done(world, not_quiet, settings):
    from sessions.models import Attendance
    from sessions.reminders import remind_makeup_owed
    from sessions.tests.factories import MeetingFactory

    settings.MAKEUP_REMIND_EVERY_DAYS = 7
    meeting = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() - timedelta(days=3))
    owed = Attendance.objects.create(meeting=meeting, user=world.member, status="leave", leave_reason="出差")
    Attendance.objects.create(meeting=meeting, user=world.other_member, status="present")
    remind_makeup_owed()
    remind_makeup_owed()
    assert list(Notification.objects.filter(kind=NotificationKind.MAKEUP_OWED).values_list("recipient", "occasion")) == [
        (world.member.pk, "period-0")
    ]
    Attendance.objects.filter(pk=owed.pk).update(makeup_confirmed_at=timezone.now())
    Meeting = type(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=10), ends_at=timezone.now() - timedelta(days=9, hours=22)
    )
    remind_makeup_owed()
    assert Notification.objects.filter(kind=NotificationKind.MAKEUP_OWED).count() == 1


def test_proposal_call_closing_and_plans_waiting(world, not_quiet):
    from plans.models import AnnualPlan
    from plans.reminders import remind_plans_waiting, remind_proposal_calls_closing
    from plans.tests.factories import plan_world

    plans = plan_world(world)
    call = plans.call
    type(call).objects.filter(pk=call.pk).update(deadline=timezone.localdate() + timedelta(days=1))
    remind_proposal_calls_closing()
    assert Notification.objects.filter(kind=NotificationKind.PROPOSAL_CALL_CLOSING, recipient=world.member).exists()
    AnnualPlan.objects.filter(pk=plans.submitted.pk).update(submitted_at=timezone.now() - timedelta(days=5))
    remind_plans_waiting()
    remind_plans_waiting()
    waiting = Notification.objects.filter(kind=NotificationKind.APPROVAL_WAITING)
    assert [n.recipient for n in waiting] == [world.member]  # the bureau group's 组长


# --- the daily reading -----------------------------------------------------------------------------------


@pytest.fixture
def approver(world):
    person = UserFactory(username="office_director", name="县委办主任", organization=world.county)
    AssignmentFactory(user=person, organization=world.county, role=OrganizationAssignment.Role.APPROVER)
    return person


@pytest.fixture
def before_cutoff(settings):
    settings.DAILY_READING_CUTOFF = _hhmm(timezone.now() + timedelta(hours=2)) if timezone.localtime().hour < 22 else "23:59"


def _article(world, title, **kwargs):
    return daily_reading.daily_reading_item_add(
        group=world.groups.bureau, by=world.staff, title=title, source="求是", link="https://example.org/" + title,
        **kwargs,
    )


def test_daily_push_sends_only_approved_articles_once(world, approver, before_cutoff, not_quiet, robot_server):
    from members.notifications.reminders import daily_reading_push

    GroupChannel.objects.create(group=world.groups.bureau, provider="wecom", name="企业微信群",
                                webhook_url=robot_server.wecom_url)
    approved = _article(world, "习近平新时代中国特色社会主义思想学习纲要")
    unapproved = _article(world, "未审核的文章")
    daily_reading.daily_reading_item_approve(item=approved, by=approver)
    with pytest.raises(PermissionDenied):
        daily_reading.daily_reading_item_approve(item=unapproved, by=world.staff)  # staff are not the approver
    assert daily_reading_push() == 1
    assert daily_reading_push() == 0
    pushed = Notification.objects.filter(kind=NotificationKind.DAILY_READING)
    assert {n.recipient for n in pushed} == {world.member, world.other_member}
    body = pushed.first().body
    assert approved.title in body
    assert unapproved.title not in body
    delivery = Delivery.objects.get(channel=NotificationChannel.WECOM)
    delivery_send(delivery_id=delivery.pk)
    assert len(robot_server.posts) == 1
    content = robot_server.posts[0].body["markdown"]["content"]
    assert approved.title in content
    assert unapproved.title not in content
    # After the push nothing more can be approved or added for the day.
    with pytest.raises(ValidationError):
        daily_reading.daily_reading_item_approve(item=unapproved, by=approver)


def test_nothing_is_pushed_when_nothing_was_approved(world, approver, before_cutoff):
    from members.notifications.reminders import daily_reading_push

    _article(world, "只收集未审核")
    assert daily_reading_push() == 0
    assert not Notification.objects.filter(kind=NotificationKind.DAILY_READING).exists()
    assert DailyReading.objects.get().sent_at is None


def test_approval_after_the_cutoff_is_refused(world, approver, settings):
    item = _article(world, "截止后审核", day=timezone.localdate() + timedelta(days=1))
    DailyReading.objects.filter(pk=item.reading_id).update(date=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        daily_reading.daily_reading_item_approve(item=item, by=approver)


def test_at_most_three_articles_a_day(world, before_cutoff):
    for n in range(3):
        _article(world, f"文章{n}")
    with pytest.raises(ValidationError):
        _article(world, "第四篇")


def test_reading_rate_counts_members_reads_of_pushed_articles(world, approver, before_cutoff, client):
    first = _article(world, "第一篇")
    second = _article(world, "第二篇")
    daily_reading.daily_reading_approve(reading=first.reading, by=approver)
    daily_reading.daily_reading_push(reading=first.reading)
    client.force_login(world.member)
    page = client.get(f"/reading/items/{first.pk}/")
    assert page.status_code == 200
    assert daily_reading.reading_rate(world.groups.bureau)["reads"] == 0  # a GET counts nothing
    assert f'hx-post="/reading/items/{first.pk}/read/"' in page.content.decode()  # the page posts on load
    assert client.post(f"/reading/items/{first.pk}/read/").status_code == 204
    assert client.post(f"/reading/items/{first.pk}/read/").status_code == 204  # read once
    rate = daily_reading.reading_rate(world.groups.bureau)
    assert rate == {"items": 2, "members": 2, "reads": 1, "possible": 4, "rate": 0.25, "pct": 25}
    assert second.pk  # both pushed
