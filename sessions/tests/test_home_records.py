"""The staff's home card names past meetings still missing attendance or minutes: the newest
ones, checked among the newest open meetings only (a province has tens of thousands)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions import selectors
from sessions.models import Meeting
from sessions.tests.factories import AttendanceFactory, MeetingFactory, MinutesFactory

pytestmark = pytest.mark.django_db


def _meeting(world, days_ago, *, attendance=True, minutes=True, status=Meeting.Status.HELD, title=None):
    starts = timezone.now() - timedelta(days=days_ago)
    meeting = MeetingFactory(group=world.groups.bureau, starts_at=starts, ends_at=starts + timedelta(hours=2),
                             status=status, title=title or f"{days_ago}天前的学习")
    if attendance:
        AttendanceFactory(meeting=meeting, user=world.member)
    if minutes:
        MinutesFactory(meeting=meeting, entered_by=world.staff)
    return meeting


def test_the_card_names_what_is_missing_newest_first_and_leaves_complete_and_archived_meetings(world):
    _meeting(world, 2)  # complete
    no_minutes = _meeting(world, 5, minutes=False)
    no_attendance = _meeting(world, 9, attendance=False)
    _meeting(world, 12, attendance=False, minutes=False, status=Meeting.Status.ARCHIVED)
    _meeting(world, -3, attendance=False, minutes=False, status=Meeting.Status.NOTIFIED)  # not yet held
    needing = selectors.home_meetings(world.staff)["needing"]
    assert [m.pk for m in needing] == [no_minutes.pk, no_attendance.pk]
    assert (needing[0].has_attendance, needing[0].has_minutes) == (True, False)
    assert selectors.home_meetings(world.member)["needing"] == []  # members manage no group


def test_only_the_newest_open_meetings_are_checked(world, monkeypatch):
    _meeting(world, 2)
    _meeting(world, 4, minutes=False, title="四天前缺纪要")
    _meeting(world, 30, minutes=False, title="一个月前缺纪要")
    monkeypatch.setattr(selectors, "HOME_RECORDS_CHECKED", 2)
    assert [m.title for m in selectors.home_meetings(world.staff)["needing"]] == ["四天前缺纪要"]
