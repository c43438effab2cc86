"""What the meetings' demo must hold; ``studygroup/tests/test_demo.py`` seeds the demo once (and
twice, to show a second run changes nothing) and calls this."""

from django.utils import timezone

from members.models import User
from sessions import selectors
from sessions.models import Attendance, FirstAgendaStudy, Meeting, Observation


def check_demo_meetings():
    assert Meeting.objects.count() > 20
    assert FirstAgendaStudy.objects.exists()
    assert Observation.objects.exists()
    meetings = selectors.annotate_backfill(list(selectors.meeting_list(Meeting.objects.all())))
    assert sum(1 for m in meetings if m.is_backfilled) == 1
    held = [m for m in meetings if m.status in ("held", "archived")]
    # 有笔记 comes from members' reflections, which the work app's demo writes.
    assert any(m.records_done == m.records_applicable for m in held)
    assert any(m.records_done < m.records_applicable for m in held)
    assert Attendance.objects.owing_makeup().exists()
    upcoming = selectors.home_meetings(User.objects.get(username="demo-member"))
    assert upcoming["upcoming"]
    assert all(m.starts_at > timezone.now() for m in upcoming["upcoming"])
