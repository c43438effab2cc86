"""Every list page of reports costs the same number of queries with one review (bulletin,
inspection, rectification item, study account) as with many: the list selectors annotate and
prefetch instead of asking per row."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.models import Period
from sessions.models import Meeting, Observation, ObservationPoint

pytestmark = pytest.mark.django_db

YEAR = 2025


def _observation_point(world, group, text):
    """An open point of an observation visit: the inspection list shows the ones to track."""
    start = timezone.now() - timedelta(days=10)
    meeting = Meeting.objects.create(group=group, title="集中学习", starts_at=start, ends_at=start + timedelta(hours=2),
                                     status="held")
    observation = Observation.objects.create(meeting=meeting, organization=world.county, observers="宣传部",
                                             recorded_by=world.staff)
    return ObservationPoint.objects.create(observation=observation, text=text)


def _inspection_with_items(world, group, held_on, owner, items=1):
    inspection = services.inspection_create(
        organization=world.county, group=group, held_on=held_on, inspectors="督导组", scope="", findings="", by=world.staff
    )
    for n in range(items):
        services.item_create(inspection=inspection, finding=f"记录不全{n}", measures="补齐",
                             deadline=date(2099, 1, 1), owner=owner, by=world.staff)
    return inspection


def _account(group, year, by, submit=True):
    account = services.account_create(group=group, year=year, by=by)
    account = services.account_update(account=account, by=by, title=account.title, text="述学正文")
    return services.account_submit(account=account, by=by) if submit else account


def build(world):
    """One of each: a submitted review, an issued bulletin, an inspection with one item, a
    submitted study account, an open observation point."""
    bureau = world.groups.bureau
    review = services.review_create(group=bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    services.review_submit(review=review, by=world.staff)
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    services.bulletin_issue(bulletin=bulletin, by=world.staff)
    _inspection_with_items(world, bureau, date(YEAR, 4, 1), owner=world.member)
    _account(bureau, YEAR, by=world.member)
    _observation_point(world, bureau, "研讨不深")


def grow(world):
    """More of each, in both of the county's groups, by different people, drafts and submitted."""
    bureau, township = world.groups.bureau, world.groups.township
    for group in (bureau, township):
        for year in (YEAR - 1, YEAR + 1):
            for period in (Period.FIRST_HALF, Period.SECOND_HALF):
                review = services.review_create(group=group, year=year, period=period, by=world.staff)
                if period == Period.FIRST_HALF:
                    services.review_submit(review=review, by=world.staff)
            _account(group, year, by=world.staff, submit=year != YEAR + 1)
    for period in (Period.FIRST_HALF, Period.SECOND_HALF):
        bulletin = services.bulletin_create(organization=world.county, year=YEAR - 1, period=period, by=world.staff)
        services.bulletin_issue(bulletin=bulletin, by=world.staff)
    services.bulletin_create(organization=world.county, year=YEAR, period=Period.SECOND_HALF, by=world.staff)
    for month in (5, 6, 7):
        _inspection_with_items(world, bureau, date(YEAR, month, 1), owner=world.other_member, items=3)
        _inspection_with_items(world, township, date(YEAR, month, 2), owner=world.township_member, items=2)
    for n in range(4):
        _observation_point(world, township if n % 2 else bureau, f"发言不够联系实际{n}")


PAGES = [
    "reports:review-list", "reports:bulletin-list", "reports:inspection-list", "reports:item-list",
    "reports:account-list",
]
MEMBER_PAGES = ["reports:review-list", "reports:bulletin-list", "reports:account-list"]


def count(client, url):
    client.get(url)  # warm: sessions, content types, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.context["paginator"].count


@pytest.mark.parametrize("name", PAGES)
def test_staff_list_query_count_does_not_grow(name, world, client):
    build(world)
    client.force_login(world.staff)
    url = reverse(name)
    few, rows_before = count(client, url)
    grow(world)
    many, rows_after = count(client, url)
    assert rows_after > rows_before
    assert many == few


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_list_query_count_does_not_grow(name, world, client):
    """The bureau group's 组长 (``member``) sees the group's own reviews and accounts and the
    bulletins issued to it."""
    build(world)
    client.force_login(world.member)
    url = reverse(name)
    few, rows_before = count(client, url)
    grow(world)
    many, rows_after = count(client, url)
    assert rows_after > rows_before
    assert many == few


@pytest.mark.parametrize("who", ["staff", "leader"])
def test_dashboard_query_count_does_not_grow(who, world, client):
    """The dashboard's figures, charts and to-do list for one group with one of everything, and
    for more groups with more of everything."""
    from members.tests.factories import OrganizationFactory, StudyGroupFactory
    from sessions.tests.factories import AttendanceFactory, MeetingFactory

    build(world)
    client.force_login(getattr(world, who))
    url = f"{reverse('reports:dashboard')}?year={YEAR}&period={Period.FIRST_HALF}"
    few, groups_before = count(client, url)
    grow(world)
    for n in range(3):
        unit = OrganizationFactory(parent=world.county, name=f"中共青山县第{n}局党组")
        group = StudyGroupFactory(organization=unit)
        start = timezone.make_aware(timezone.datetime(YEAR, 3 + n, 10, 9))
        meeting = MeetingFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2), status="held")
        AttendanceFactory(meeting=meeting, user=world.member)
    many, groups_after = count(client, url)
    assert groups_after > groups_before
    assert many == few
