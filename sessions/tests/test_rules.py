"""The meetings app's permissions (sessions/rules.py, label ``meetings``)."""

from datetime import timedelta

from django.utils import timezone

from sessions.models import Attendance, Meeting
from sessions.tests.factories import AttendanceFactory, MeetingFactory, meeting_world

S = Meeting.Status


def test_mark_held_needs_a_notified_meeting_that_has_started(world):
    meeting = meeting_world(world).meeting
    assert meeting.status == S.NOTIFIED
    assert meeting.starts_at <= timezone.now()
    assert world.staff.has_perm("meetings.mark_held", meeting)
    assert not world.member.has_perm("meetings.mark_held", meeting)
    future = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(days=3),
                            ends_at=timezone.now() + timedelta(days=3, hours=2))
    assert not world.staff.has_perm("meetings.mark_held", future)


def test_archive_and_cancel_follow_the_status(world):
    meeting = meeting_world(world).meeting
    assert world.staff.has_perm("meetings.cancel_meeting", meeting)
    assert not world.staff.has_perm("meetings.archive_meeting", meeting)
    meeting.status = S.HELD
    assert world.staff.has_perm("meetings.archive_meeting", meeting)
    assert not world.staff.has_perm("meetings.cancel_meeting", meeting)
    meeting.status = S.ARCHIVED
    assert not world.staff.has_perm("meetings.run_meeting", meeting)


def test_confirm_makeup_needs_an_entered_makeup_and_the_managing_staff(world):
    absent = meeting_world(world).absent
    assert not world.staff.has_perm("meetings.confirm_makeup", absent), "nothing entered yet"
    absent.makeup_submitted_at = timezone.now()
    assert world.staff.has_perm("meetings.confirm_makeup", absent)
    assert not world.leader.has_perm("meetings.confirm_makeup", absent)
    assert not world.sibling_staff.has_perm("meetings.confirm_makeup", absent)


def test_ask_leave_is_for_members_before_the_meeting(world):
    later = MeetingFactory(group=world.groups.bureau, starts_at=timezone.now() + timedelta(days=2),
                           ends_at=timezone.now() + timedelta(days=2, hours=2))
    assert world.member.has_perm("meetings.ask_leave", later)
    assert not world.staff.has_perm("meetings.ask_leave", later), "staff are not members of the group"
    AttendanceFactory(meeting=later, user=world.member, status=Attendance.Status.LEAVE, leave_reason="出差")
    assert not world.member.has_perm("meetings.ask_leave", later), "already on leave"
    assert not world.member.has_perm("meetings.ask_leave", meeting_world(world).meeting), "it has started"


def test_observe_meeting_is_for_staff_above_the_group(world):
    meeting = meeting_world(world).meeting
    assert world.staff.has_perm("meetings.observe_meeting", meeting)
    assert not world.sibling_staff.has_perm("meetings.observe_meeting", meeting)
    assert not world.member.has_perm("meetings.observe_meeting", meeting)


def test_first_agenda_and_observation_points(world):
    objects = meeting_world(world)
    assert world.staff.has_perm("meetings.manage_first_agenda", objects.study)
    assert world.staff.has_perm("meetings.manage_first_agenda", objects.measure)
    assert not world.leader.has_perm("meetings.manage_first_agenda", objects.study)
    assert world.staff.has_perm("meetings.answer_observation", objects.point)
    assert not world.sibling_staff.has_perm("meetings.change_observation", objects.observation)
