"""The month calendar at a province's size: each day shows its first meetings and how many more,
and the groups are a name to type when there are too many for a select."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.filters import NamedChoiceFilter
from sessions import selectors
from sessions.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def _busy_day(world, count):
    start = timezone.make_aware(datetime(2026, 6, 10, 8, 0))
    for number in range(count):
        group = world.groups.bureau if number % 2 else world.groups.township
        MeetingFactory(group=group, title=f"学习会{number:02d}", starts_at=start + timedelta(minutes=number),
                       ends_at=start + timedelta(minutes=number, hours=2))
    return start.date()


def test_a_day_shows_its_first_meetings_and_how_many_more(world, client):
    day = _busy_day(world, selectors.CALENDAR_PER_DAY + 3)
    client.force_login(world.staff)
    response = client.get(reverse("meetings:meeting-calendar"), {"year": 2026, "month": 6})
    page = response.content.decode()
    assert "学习会00" in page
    assert f"学习会{selectors.CALENDAR_PER_DAY - 1:02d}" in page
    assert f"学习会{selectors.CALENDAR_PER_DAY:02d}" not in page
    assert "还有3个" in page
    assert f"?start={day:%Y-%m-%d}&amp;end={day:%Y-%m-%d}" in page
    assert response.context["calendar"]["count"] == selectors.CALENDAR_PER_DAY + 3


def test_the_list_behind_more_shows_that_days_meetings(world, client):
    day = _busy_day(world, selectors.CALENDAR_PER_DAY + 3)
    client.force_login(world.staff)
    response = client.get(reverse("meetings:meeting-list"), {"start": f"{day:%Y-%m-%d}", "end": f"{day:%Y-%m-%d}"})
    assert response.context["paginator"].count == selectors.CALENDAR_PER_DAY + 3


def test_many_groups_are_a_name_to_type(world, client, monkeypatch):
    _busy_day(world, 4)
    monkeypatch.setattr(NamedChoiceFilter, "SHOWN", 2)
    client.force_login(world.staff)
    page = client.get(reverse("meetings:meeting-calendar"), {"year": 2026, "month": 6}).content.decode()
    assert 'name="group_name"' in page
    assert '<select id="cal-group"' not in page
    response = client.get(reverse("meetings:meeting-calendar"), {"year": 2026, "month": 6, "group_name": "教育局"})
    assert response.context["calendar"]["count"] == 2
    assert 'value="教育局"' in response.content.decode()


def test_the_calendar_is_a_constant_number_of_queries(world, client, django_assert_num_queries):
    client.force_login(world.staff)
    url = reverse("meetings:meeting-calendar")
    _busy_day(world, 1)
    client.get(url, {"year": 2026, "month": 6})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url, {"year": 2026, "month": 6})
    _busy_day(world, 12)
    with django_assert_num_queries(len(one)):
        client.get(url, {"year": 2026, "month": 6})
