"""The meetings' reminder rules run by beat (issue 8): sign-in open, and make-up study waiting for
confirmation (escalated once). Each rule is run twice: nobody is notified twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Membership, OrganizationAssignment
from members.notifications.models import Notification, NotificationKind
from members.tests.factories import AssignmentFactory, MembershipFactory, UserFactory
from sessions.models import Attendance, Meeting
from sessions.reminders import remind_makeup_review, remind_sign_in
from sessions.tests.factories import AttendanceFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _sent(kind):
    """(username, object id, occasion, urgent) of each notification of ``kind``, sorted."""
    return sorted(
        (n.recipient.username, n.object_id, n.occasion, n.urgent)
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    )


def _member(world, username, role=Membership.Role.MEMBER, group=None, **fields):
    person = UserFactory(username=username, organization=world.bureau, **fields)
    MembershipFactory(user=person, group=group or world.groups.bureau, role=role)
    return person


def _meeting(world, starts_in, *, hours=2, **fields):
    starts_at = timezone.now() + starts_in
    return MeetingFactory(group=world.groups.bureau, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                          **fields)


# --- sign-in open ----------------------------------------------------------------------------


@pytest.fixture
def bureau_people(world):
    """The bureau group: member (组长), other_member (副组长) and five more members."""
    world.signed = _member(world, "signed")
    world.late = _member(world, "late")
    world.on_leave = _member(world, "on_leave")
    world.marked_absent = _member(world, "marked_absent")
    world.inactive = _member(world, "inactive", is_active=False)
    world.former = UserFactory(username="former", organization=world.bureau)
    MembershipFactory(user=world.former, group=world.groups.bureau, ended_on=timezone.localdate() - timedelta(days=1))
    return world


def test_sign_in_open_reminds_members_not_signed_in_nor_on_leave(bureau_people, settings):
    world = bureau_people
    settings.SIGN_IN_OPENS_MINUTES_BEFORE = 30
    meeting = _meeting(world, timedelta(minutes=20))
    AttendanceFactory(meeting=meeting, user=world.signed, status=Attendance.Status.PRESENT)
    AttendanceFactory(meeting=meeting, user=world.late, status=Attendance.Status.LATE)
    AttendanceFactory(meeting=meeting, user=world.on_leave, status=Attendance.Status.LEAVE, leave_reason="出差")
    # Staff marked them absent, but they can still come and sign in: they are reminded.
    AttendanceFactory(meeting=meeting, user=world.marked_absent, status=Attendance.Status.ABSENT)

    assert remind_sign_in() == 3
    assert remind_sign_in() == 3  # the same three notifications, none new
    assert _sent(NotificationKind.SIGN_IN_OPEN) == sorted([
        ("member", meeting.pk, "sign-in", True),
        ("other_member", meeting.pk, "sign-in", True),
        ("marked_absent", meeting.pk, "sign-in", True),
    ])
    notification = Notification.objects.filter(kind=NotificationKind.SIGN_IN_OPEN).first()
    assert notification.group == world.groups.bureau
    assert meeting.title in notification.title
    starts = timezone.localtime(meeting.starts_at)
    assert f"{starts.year}年{starts.month}月{starts.day}日 {starts:%H:%M}" in notification.body
    assert meeting.venue in notification.body


def test_sign_in_reminder_once_the_window_opens_and_while_the_meeting_lasts(world, settings):
    settings.SIGN_IN_OPENS_MINUTES_BEFORE = 30
    not_yet = _meeting(world, timedelta(minutes=40))
    under_way = _meeting(world, -timedelta(minutes=30), status=Meeting.Status.HELD)
    _meeting(world, -timedelta(hours=2, minutes=10))  # ended ten minutes ago
    _meeting(world, timedelta(minutes=10), status=Meeting.Status.PLANNED)  # no notice sent
    _meeting(world, timedelta(minutes=10), status=Meeting.Status.CANCELLED, cancel_reason="改期")
    _meeting(world, -timedelta(minutes=30), status=Meeting.Status.ARCHIVED)

    remind_sign_in()
    assert {n.object_id for n in Notification.objects.filter(kind=NotificationKind.SIGN_IN_OPEN)} == {under_way.pk}

    # The window is the setting's: opening 45 minutes before, the first meeting is open too.
    settings.SIGN_IN_OPENS_MINUTES_BEFORE = 45
    remind_sign_in()
    remind_sign_in()
    assert _sent(NotificationKind.SIGN_IN_OPEN) == sorted([
        ("member", under_way.pk, "sign-in", True), ("other_member", under_way.pk, "sign-in", True),
        ("member", not_yet.pk, "sign-in", True), ("other_member", not_yet.pk, "sign-in", True),
    ])


def test_sign_in_reminder_goes_to_the_meetings_own_group_only(world, settings):
    settings.SIGN_IN_OPENS_MINUTES_BEFORE = 30
    meeting = _meeting(world, timedelta(minutes=5))
    remind_sign_in()
    assert _sent(NotificationKind.SIGN_IN_OPEN) == sorted([
        ("member", meeting.pk, "sign-in", True), ("other_member", meeting.pk, "sign-in", True),
    ])  # not the township's or the sibling's members, nor the staff


# --- make-up study waiting for confirmation ---------------------------------------------------


@pytest.fixture
def secretary(world):
    return _member(world, "secretary", role=Membership.Role.SECRETARY, name="教育局办公室主任")


def _makeup(meeting, user, *, status=Attendance.Status.ABSENT, submitted_days_ago, confirmed=False):
    now = timezone.now()
    return AttendanceFactory(
        meeting=meeting, user=user, status=status, leave_reason="出差" if status == Attendance.Status.LEAVE else "",
        makeup_content="学习了会议材料并撰写了笔记", makeup_studied_on=timezone.localdate(),
        makeup_submitted_at=now - timedelta(days=submitted_days_ago),
        makeup_confirmed_at=now if confirmed else None,
    )


def test_makeup_waiting_reminds_the_groups_staff_and_escalates_once(world, secretary, city_staff, settings):
    settings.REVIEW_WAITING_DAYS = 3
    settings.ESCALATE_AFTER_DAYS = 14
    meeting = _meeting(world, -timedelta(days=30), status=Meeting.Status.HELD)
    waiting = _makeup(meeting, world.member, status=Attendance.Status.LEAVE, submitted_days_ago=5)
    long_waiting = _makeup(meeting, world.other_member, submitted_days_ago=20)
    _makeup(meeting, _member(world, "just_entered"), submitted_days_ago=1)  # not waiting long yet
    _makeup(meeting, _member(world, "confirmed"), submitted_days_ago=10, confirmed=True)
    AttendanceFactory(meeting=meeting, user=_member(world, "owes"), status=Attendance.Status.ABSENT)  # nothing entered
    # Entered, then the row was corrected to present: nothing is left to confirm.
    _makeup(meeting, _member(world, "corrected"), status=Attendance.Status.PRESENT, submitted_days_ago=10)
    cancelled = _meeting(world, -timedelta(days=30), status=Meeting.Status.CANCELLED, cancel_reason="改期")
    _makeup(cancelled, _member(world, "cancelled_meeting"), submitted_days_ago=10)

    assert remind_makeup_review() == 4
    assert remind_makeup_review() == 4

    # The group's staff: the county's staff and the group's study secretary.
    assert _sent(NotificationKind.REVIEW_WAITING) == sorted([
        ("staff", waiting.pk, "makeup-review", False), ("secretary", waiting.pk, "makeup-review", False),
        ("staff", long_waiting.pk, "makeup-review", False), ("secretary", long_waiting.pk, "makeup-review", False),
    ])
    reminder = Notification.objects.get(kind=NotificationKind.REVIEW_WAITING, object_id=waiting.pk,
                                        recipient=world.staff)
    assert world.member.name in reminder.title
    assert meeting.title in reminder.title
    assert reminder.url == meeting.get_absolute_url()

    # Past ESCALATE_AFTER_DAYS: the staff of the supervising organisation (the city), once.
    assert _sent(NotificationKind.ESCALATION) == [("city_staff", long_waiting.pk, "overdue", False)]
    escalation = Notification.objects.get(kind=NotificationKind.ESCALATION)
    assert str(world.groups.bureau) in escalation.title  # the city's staff learn which group it is
    assert world.other_member.name in escalation.title

    # Someone joins the city's staff later: the item is not escalated again.
    AssignmentFactory(user=UserFactory(username="city_staff2", organization=world.city), organization=world.city,
                      role=OrganizationAssignment.Role.STAFF)
    remind_makeup_review()
    assert Notification.objects.filter(kind=NotificationKind.ESCALATION).count() == 1


def test_confirmed_makeup_is_not_reminded_again(world, secretary, settings):
    from sessions import services

    settings.REVIEW_WAITING_DAYS = 3
    meeting = _meeting(world, -timedelta(days=10), status=Meeting.Status.HELD)
    row = _makeup(meeting, world.member, submitted_days_ago=5)
    services.makeup_confirm(by=world.staff, attendance=row)
    assert remind_makeup_review() == 0
    assert not Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING).exists()


def test_makeup_waiting_looks_up_each_groups_staff_once(world, secretary, settings):
    """Not a staff lookup (two queries) per row: once per group."""
    from unittest import mock

    from members.notifications.services import group_staff

    settings.REVIEW_WAITING_DAYS = 3
    meeting = _meeting(world, -timedelta(days=10), status=Meeting.Status.HELD)
    for n in range(4):
        _makeup(meeting, _member(world, f"m{n}"), submitted_days_ago=5)
    township = MeetingFactory(group=world.groups.township, starts_at=timezone.now() - timedelta(days=10))
    _makeup(township, world.township_member, submitted_days_ago=5)
    with mock.patch("sessions.reminders.group_staff", wraps=group_staff) as lookup:
        remind_makeup_review()
    assert sorted(call.args[0].pk for call in lookup.call_args_list) == sorted(
        [world.groups.bureau.pk, world.groups.township.pk]
    )
    assert Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING, recipient=world.staff).count() == 5
