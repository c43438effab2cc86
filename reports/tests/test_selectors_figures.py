import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import StudyGroup
from reports import selectors
from reports.models import Bulletin, Period
from reports.tests.factories import EXPECTED, YEAR, many_groups, records_2025_h1

pytestmark = pytest.mark.django_db


def test_figures_match_hand_counted_records(world):
    records_2025_h1(world)
    figures = selectors.figures_for_group(world.groups.bureau, year=YEAR, period=Period.FIRST_HALF)
    for key, expected in EXPECTED.items():
        assert figures[key] == expected, f"{key}: {figures[key]} != {expected}"
    assert figures["behind"] == ["meetings", "discussions"]  # 3 of 6 meetings, 1 of 2 discussions

def test_groups_without_records_have_zero_figures_and_no_plan(world):
    figures = selectors.figures_for_group(world.groups.township, year=YEAR, period=Period.FIRST_HALF)
    assert figures["meetings"] == 0
    assert figures["attendance_rate"] is None
    assert figures["meetings_quota"] is None
    assert figures["behind"] == ["no_plan"]


def test_full_year_counts_both_halves(world):
    records_2025_h1(world)
    figures = selectors.figures_for_group(world.groups.bureau, year=YEAR, period=Period.YEAR)
    assert figures["meetings"] == 4  # the July meeting too
    assert figures["meetings_quota"] == 12
    assert figures["topics_planned"] == 3
    assert figures["first_agenda"] == 2
    assert figures["reflections"] == 2


def test_uncovered_topics_are_listed(world):
    records_2025_h1(world)
    assert selectors.uncovered_topics(world.groups.bureau, year=YEAR, period=Period.FIRST_HALF) == ["习近平法治思想"]


def test_figure_query_count_is_flat_as_groups_grow(world):
    many_groups(world.county, 3)
    groups = StudyGroup.objects.filter(organization__path__startswith=world.county.path)
    with CaptureQueriesContext(connection) as few:
        selectors.group_figures(groups, year=YEAR, period=Period.FIRST_HALF)
    many_groups(world.county, 25)
    with CaptureQueriesContext(connection) as many:
        rows = selectors.group_figures(groups, year=YEAR, period=Period.FIRST_HALF)
    assert len(rows) == groups.count() >= 30
    assert len(many.captured_queries) == len(few.captured_queries) == 1


def test_bulletin_snapshot_query_count_is_flat(world):
    bulletin = Bulletin.objects.create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, title="通报")
    many_groups(world.county, 3)
    with CaptureQueriesContext(connection) as few:
        selectors.bulletin_snapshot(bulletin)
    many_groups(world.county, 20)
    with CaptureQueriesContext(connection) as many:
        snapshot = selectors.bulletin_snapshot(bulletin)
    assert len(snapshot["rows"]) == 2 + 23  # bureau, township and the new groups (not the county's own)
    assert len(many.captured_queries) == len(few.captured_queries)
