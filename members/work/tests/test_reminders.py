"""The reminder rules about members' own work run by beat (issue 8): reflections due and overdue,
and work waiting for review (escalated once). Each rule is run twice: nobody is notified twice."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from members.models import Membership
from members.notifications.models import Notification, NotificationKind
from members.tests.factories import MembershipFactory, UserFactory
from members.work import services as work_services
from members.work.models import WorkKind, WorkStatus
from members.work.reminders import remind_reflections_due, remind_review_queue
from members.work.tests.factories import MemberWorkFactory, WorkAttendanceFactory, WorkMeetingFactory

pytestmark = pytest.mark.django_db


def _sent(kind):
    """(username, object id, occasion) of each notification of ``kind``, sorted."""
    return sorted(
        (n.recipient.username, n.object_id, n.occasion)
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    )


def _member(world, username, role=Membership.Role.MEMBER, **fields):
    person = UserFactory(username=username, organization=world.bureau, **fields)
    MembershipFactory(user=person, group=world.groups.bureau, role=role)
    return person


def _meeting(world, ended_days_ago, **fields):
    ends_at = timezone.now() - timedelta(days=ended_days_ago)
    return WorkMeetingFactory(group=world.groups.bureau, starts_at=ends_at - timedelta(hours=2), ends_at=ends_at,
                              **fields)


def _attended(meeting, user, status="present"):
    return WorkAttendanceFactory(meeting=meeting, user=user, status=status,
                                 leave_reason="出差" if status == "leave" else "")


def _reflection(meeting, author, status):
    return MemberWorkFactory(
        group=meeting.group, author=author, meeting=meeting, kind=WorkKind.REFLECTION, status=status,
        occurred_on=timezone.localdate(meeting.starts_at),
        submitted_at=None if status == WorkStatus.DRAFT else timezone.now() - timedelta(days=1),
        submission_count=0 if status == WorkStatus.DRAFT else 1,
        review_comment="请结合工作实际再充实" if status == WorkStatus.RETURNED else "",
    )


# --- reflections due ----------------------------------------------------------------------------


def test_reflections_due_soon_then_overdue_until_submitted(world, settings):
    settings.REFLECTION_DUE_DAYS = 14
    due_soon = _meeting(world, 12)  # due in two days: within the three days' warning
    overdue = _meeting(world, 20)  # due six days ago
    later = _meeting(world, 5)  # due in nine days: not yet
    cancelled = _meeting(world, 20, status="cancelled", cancel_reason="改期")
    long_ago = _meeting(world, 60)  # overdue for more than thirty days: left alone

    owes = _attended(due_soon, world.member)
    drafted = _attended(due_soon, world.other_member, status="late")
    _reflection(due_soon, world.other_member, WorkStatus.DRAFT)  # a draft is not a reflection submitted
    withdrew = _attended(due_soon, _member(world, "withdrew"))
    _reflection(due_soon, withdrew.user, WorkStatus.WITHDRAWN)
    for username, status in [("wrote", WorkStatus.SUBMITTED), ("accepted", WorkStatus.ACCEPTED),
                             ("returned", WorkStatus.RETURNED)]:
        person = _member(world, username)
        _attended(due_soon, person)
        _reflection(due_soon, person, status)
    _attended(due_soon, _member(world, "on_leave"), status="leave")
    _attended(due_soon, _member(world, "absent"), status="absent")
    _attended(due_soon, _member(world, "inactive", is_active=False))
    _reflection(later, world.member, WorkStatus.SUBMITTED)  # for another meeting: does not count
    owes_overdue = _attended(overdue, world.member)
    _attended(overdue, world.other_member)
    _reflection(overdue, world.other_member, WorkStatus.ACCEPTED)
    _attended(later, world.other_member)
    _attended(cancelled, world.member)
    _attended(long_ago, world.member)

    assert remind_reflections_due() == 4
    assert remind_reflections_due() == 4
    assert _sent(NotificationKind.REFLECTION_DUE) == sorted([
        ("member", owes.pk, "due-soon"), ("other_member", drafted.pk, "due-soon"),
        ("withdrew", withdrew.pk, "due-soon"), ("member", owes_overdue.pk, "overdue"),
    ])
    soon = Notification.objects.get(kind=NotificationKind.REFLECTION_DUE, object_id=owes.pk)
    due = timezone.localtime(due_soon.ends_at + timedelta(days=14))
    due_on = f"{due.year}年{due.month}月{due.day}日"  # dates the Chinese way
    assert due_on in soon.title
    assert due_soon.title in soon.title
    assert soon.recipient == world.member
    assert soon.group == world.groups.bureau
    assert not soon.urgent
    assert soon.url == due_soon.get_absolute_url()
    late = Notification.objects.get(kind=NotificationKind.REFLECTION_DUE, object_id=owes_overdue.pk)
    assert overdue.title in late.title

    # Four days later the first meeting's reflections are overdue: those who still owe one are
    # told once more (a new occasion), the one who has submitted meanwhile is not.
    _reflection(due_soon, world.other_member, WorkStatus.SUBMITTED)
    type(due_soon).objects.filter(pk=due_soon.pk).update(
        starts_at=due_soon.starts_at - timedelta(days=4), ends_at=due_soon.ends_at - timedelta(days=4)
    )
    assert remind_reflections_due() == 3
    remind_reflections_due()
    assert _sent(NotificationKind.REFLECTION_DUE) == sorted([
        ("member", owes.pk, "due-soon"), ("other_member", drafted.pk, "due-soon"),
        ("withdrew", withdrew.pk, "due-soon"), ("member", owes_overdue.pk, "overdue"),
        ("member", owes.pk, "overdue"), ("withdrew", withdrew.pk, "overdue"),
    ])


def test_reflection_reminders_use_the_due_days_setting(world, settings):
    meeting = _meeting(world, 5)
    row = _attended(meeting, world.member)
    settings.REFLECTION_DUE_DAYS = 14
    assert remind_reflections_due() == 0
    settings.REFLECTION_DUE_DAYS = 7  # due in two days
    assert remind_reflections_due() == 1
    assert _sent(NotificationKind.REFLECTION_DUE) == [("member", row.pk, "due-soon")]


# --- work waiting for review -------------------------------------------------------------------------


def _submitted(world, author, days_ago, *, kind=WorkKind.REFLECTION, status=WorkStatus.SUBMITTED, group=None,
               count=1, **fields):
    moment = timezone.now() - timedelta(days=days_ago)
    return MemberWorkFactory(
        group=group or world.groups.bureau, author=author, kind=kind, status=status, submitted_at=moment,
        first_submitted_at=moment, submission_count=count, **fields,
    )


@pytest.fixture
def secretary(world):
    return _member(world, "secretary", role=Membership.Role.SECRETARY, name="教育局办公室主任")


def _week(moment=None):
    year, week, _day = timezone.localdate(moment).isocalendar()
    return f"review-queue-{year}-W{week:02d}"


def test_review_queue_one_message_per_group_a_week_never_about_their_own_work(world, secretary, city_staff, settings):
    settings.REVIEW_WAITING_DAYS = 3
    settings.ESCALATE_AFTER_DAYS = 14
    waiting = _submitted(world, world.other_member, 5)
    own = _submitted(world, secretary, 5, kind=WorkKind.RESEARCH, title="关于县域教育优质均衡发展的调研")
    long_waiting = _submitted(world, world.member, 20, kind=WorkKind.ARTICLE, level="city", outlet="临川日报")
    _submitted(world, world.township_member, 5, group=world.groups.township)
    _submitted(world, world.member, 1, kind=WorkKind.NOTE)  # not waiting long yet
    _submitted(world, world.member, 10, status=WorkStatus.ACCEPTED, reviewed_by=secretary)
    _submitted(world, world.member, 10, status=WorkStatus.RETURNED, review_comment="请修改", reviewed_by=secretary)
    _submitted(world, world.member, 10, status=WorkStatus.WITHDRAWN)
    MemberWorkFactory(group=world.groups.bureau, author=world.member)  # a draft

    assert remind_review_queue() == 3
    assert remind_review_queue() == 3
    bureau, township = world.groups.bureau.pk, world.groups.township.pk
    assert _sent(NotificationKind.REVIEW_WAITING) == sorted([
        ("staff", bureau, _week()), ("secretary", bureau, _week()),
        ("staff", township, _week()),  # the township group: the county's staff
    ])
    to_staff = Notification.objects.get(kind=NotificationKind.REVIEW_WAITING, object_id=bureau, recipient=world.staff)
    to_secretary = Notification.objects.get(kind=NotificationKind.REVIEW_WAITING, recipient__username="secretary")
    assert "3" in to_staff.title
    assert str(world.groups.bureau) in to_staff.title
    assert "2" in to_secretary.title  # not their own research report
    assert own.title in to_staff.body
    assert own.title not in to_secretary.body
    assert waiting.title in to_secretary.body
    assert world.other_member.name in to_secretary.body
    assert to_staff.body.index(long_waiting.title) < to_staff.body.index(waiting.title)  # oldest first
    assert to_staff.url == f"/groups/{bureau}/review/"

    # Past ESCALATE_AFTER_DAYS: the supervising organisation's staff (the city's), once per piece.
    assert _sent(NotificationKind.ESCALATION) == [("city_staff", long_waiting.pk, "submission-1")]
    escalation = Notification.objects.get(kind=NotificationKind.ESCALATION)
    assert str(world.groups.bureau) in escalation.title
    assert long_waiting.title in escalation.title

    # Next week, still waiting: reminded again; the escalation is not repeated.
    with mock.patch("django.utils.timezone.localdate", return_value=timezone.localdate() + timedelta(days=7)):
        remind_review_queue()
    assert Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING).count() == 6
    assert Notification.objects.filter(kind=NotificationKind.ESCALATION).count() == 1


def test_a_long_queue_is_one_message_listing_the_oldest(world, secretary, settings):
    settings.REVIEW_WAITING_DAYS = 3
    for n in range(13):
        _submitted(world, world.member, 30 - n, title=f"心得体会第{n + 1}篇")
    remind_review_queue()
    message = Notification.objects.get(kind=NotificationKind.REVIEW_WAITING, recipient=secretary)
    assert "13" in message.title
    assert "心得体会第1篇" in message.body
    assert "心得体会第10篇" in message.body
    assert "心得体会第11篇" not in message.body
    assert "3" in message.body.splitlines()[-1]


def test_a_resubmission_is_escalated_anew_once_overdue_again(world, secretary, city_staff, settings):
    settings.REVIEW_WAITING_DAYS = 3
    settings.ESCALATE_AFTER_DAYS = 14
    meeting = _meeting(world, 20)
    _attended(meeting, world.other_member)
    work = work_services.work_create(
        by=world.other_member, kind=WorkKind.REFLECTION, group=world.groups.bureau, title="学习心得：立德树人",
        body="通过学习，我深刻认识到立德树人是教育的根本任务，要在推进义务教育优质均衡发展上下功夫。",
        meeting=meeting,
    )
    work = work_services.work_submit(work=work, by=world.other_member)
    type(work).objects.filter(pk=work.pk).update(submitted_at=timezone.now() - timedelta(days=16))
    remind_review_queue()
    assert _sent(NotificationKind.ESCALATION) == [("city_staff", work.pk, "submission-1")]

    # Returned, rewritten and submitted again: not waiting yet, then overdue again: escalated anew.
    work.refresh_from_db()
    work = work_services.work_return(work=work, by=secretary, comment="请结合教育工作实际再充实")
    work = work_services.work_submit(work=work, by=world.other_member)
    assert work.submission_count == 2
    Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING).delete()
    assert remind_review_queue() == 0  # just resubmitted: not waiting yet
    type(work).objects.filter(pk=work.pk).update(submitted_at=timezone.now() - timedelta(days=15))
    remind_review_queue()
    remind_review_queue()
    assert _sent(NotificationKind.ESCALATION) == sorted([
        ("city_staff", work.pk, "submission-1"), ("city_staff", work.pk, "submission-2"),
    ])

    # Accepted: nobody is reminded of it any more.
    work_services.work_accept(work=work, by=secretary)
    Notification.objects.filter(kind=NotificationKind.REVIEW_WAITING).delete()
    assert remind_review_queue() == 0
