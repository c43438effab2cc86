import pytest
from django.utils import timezone

from sessions import demo as sessions_demo
from sessions import selectors
from sessions.models import Attendance, FirstAgendaStudy, Meeting, Observation

pytestmark = pytest.mark.django_db


def _counts():
    return (Meeting.objects.count(), Attendance.objects.count(), FirstAgendaStudy.objects.count(),
            Observation.objects.count())


def test_demo_meetings_cover_the_cases_and_a_second_run_changes_nothing(demo):
    from plans import demo as plans_demo

    plans_demo.seed(demo)
    sessions_demo.seed(demo)
    first = _counts()
    assert first[0] > 20
    assert first[2] >= 1
    assert first[3] >= 1
    sessions_demo.seed(demo)
    assert _counts() == first
    # 有笔记 comes from members' reflections, which the work app's demo writes (it runs next).
    from members.work import demo as work_demo

    work_demo.seed(demo)

    meetings = selectors.annotate_backfill(list(selectors.meeting_list(Meeting.objects.all())))
    assert sum(1 for m in meetings if m.is_backfilled) == 1
    held = [m for m in meetings if m.status in ("held", "archived")]
    assert any(m.records_done == m.records_applicable for m in held)
    assert any(m.records_done < m.records_applicable for m in held)
    assert Attendance.objects.owing_makeup().exists()
    upcoming = selectors.home_meetings(demo["county_group"].memberships.get(user__username="demo-member").user)
    assert upcoming["upcoming"]
    assert all(m.starts_at > timezone.now() for m in upcoming["upcoming"])
