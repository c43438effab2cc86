"""Behind the plan's pace (issue 8): at set dates (1 June, 1 November) beat tells the staff and
组长 of groups behind the plan's pace of meetings and discussions, and each member behind on
articles and research reports. "Today" is frozen; every figure below is counted by hand.

The pace is the share of whole months passed: on 1 June five twelfths, on 1 November ten.
"""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

import pytest
from django.utils import timezone

from members.models import Membership
from members.notifications.models import Notification, NotificationKind
from members.tests.factories import MembershipFactory, UserFactory
from members.work.models import WorkKind, WorkStatus
from members.work.tests.factories import MemberWorkFactory
from plans.models import AnnualPlan
from plans.reminders import remind_quotas
from plans.tests.factories import AnnualPlanFactory
from sessions.models import Meeting
from sessions.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

YEAR = 2026


def at(month, day, hour=9, year=YEAR):
    return timezone.make_aware(datetime(year, month, day, hour, 0))


@contextmanager
def today_is(month, day):
    """``timezone.now()`` (and so ``localdate()``) frozen at 9:00 that day, when beat runs."""
    with mock.patch("django.utils.timezone.now", return_value=at(month, day)):
        yield


def _meetings(group, *months, kind=Meeting.Kind.GROUP_STUDY, status=Meeting.Status.HELD, year=YEAR):
    for month in months:
        MeetingFactory(group=group, kind=kind, status=status, starts_at=at(month, 10, year=year),
                       ends_at=at(month, 10, 11, year=year),
                       cancel_reason="改期" if status == Meeting.Status.CANCELLED else "")


def _plan(group, **fields):
    return AnnualPlanFactory(group=group, year=YEAR, status=AnnualPlan.Status.PUBLISHED, **fields)


def _sent(occasion_prefix):
    return sorted(
        (n.recipient.username, n.object_id, n.occasion)
        for n in Notification.objects.filter(kind=NotificationKind.QUOTA_BEHIND, occasion__startswith=occasion_prefix)
        .select_related("recipient")
    )


@pytest.fixture
def secretary(world):
    person = UserFactory(username="secretary", name="教育局办公室主任", organization=world.bureau)
    MembershipFactory(user=person, group=world.groups.bureau, role=Membership.Role.SECRETARY)
    return person


def test_groups_behind_the_pace_on_1_june(world, secretary):
    with today_is(6, 1):
        # The bureau: 12 meetings and 4 discussions a year, so 5 and 1 by 1 June (5/12 of 12 is 5;
        # of 4, 1.67, whole ones: 1). Held: January, February (the discussion), March, April
        # (archived) = 4 meetings, 1 discussion: behind on meetings.
        AnnualPlanFactory(group=world.groups.bureau, year=YEAR, status=AnnualPlan.Status.PUBLISHED,
                          meetings_per_year=24, is_current=False)  # replaced by revision 2
        bureau = _plan(world.groups.bureau, revision=2, meetings_per_year=12, discussions_per_year=4)
        _meetings(world.groups.bureau, 1, 3)
        _meetings(world.groups.bureau, 2, kind=Meeting.Kind.DISCUSSION)
        _meetings(world.groups.bureau, 4, status=Meeting.Status.ARCHIVED)
        # Not counted: cancelled, not (yet) held, last year's, another group's.
        _meetings(world.groups.bureau, 5, status=Meeting.Status.CANCELLED)
        _meetings(world.groups.bureau, 5, status=Meeting.Status.NOTIFIED)
        _meetings(world.groups.bureau, 11, 12, year=YEAR - 1)
        # The township: 5 meetings of which 1 discussion: on pace.
        _plan(world.groups.township)
        _meetings(world.groups.township, 1, 2, 3, 4)
        _meetings(world.groups.township, 5, kind=Meeting.Kind.DISCUSSION)
        # The sibling bureau: 6 meetings and 4 discussions a year, so 2 and 1 by now. Held: 2
        # meetings, no discussion: behind on discussions only.
        sibling = _plan(world.groups.sibling_bureau, meetings_per_year=6, discussions_per_year=4)
        _meetings(world.groups.sibling_bureau, 2, 4)
        # The county's plan is still a draft, the city's is last year's: neither is followed yet.
        AnnualPlanFactory(group=world.groups.county, year=YEAR, status=AnnualPlan.Status.DRAFT)
        AnnualPlanFactory(group=world.groups.city, year=YEAR - 1, status=AnnualPlan.Status.PUBLISHED)

        assert remind_quotas() == 4
        assert remind_quotas() == 4

    occasion = f"quota-{YEAR}-06-01"
    # The group's staff (the county's staff, the study secretary) and its 组长; the sibling
    # bureau's staff (its 组长 is not set). Members: 2 a year is 0.83 by June, no whole one due.
    assert _sent("") == sorted([
        ("staff", bureau.pk, occasion), ("secretary", bureau.pk, occasion), ("member", bureau.pk, occasion),
        ("sibling_staff", sibling.pk, occasion),
    ])
    told = Notification.objects.get(kind=NotificationKind.QUOTA_BEHIND, object_id=bureau.pk, recipient=world.staff)
    assert str(world.groups.bureau) in told.title
    assert told.group == world.groups.bureau
    assert told.body == _group_body(held=4, due=5, year=12, dheld=1, ddue=1)
    told = Notification.objects.get(kind=NotificationKind.QUOTA_BEHIND, object_id=sibling.pk)
    assert told.body == _group_body(held=2, due=2, year=6, dheld=0, ddue=1)

    # 1 November is a new occasion: the bureau is still behind (4 of 10; 1 of 3 discussions).
    with today_is(11, 1):
        remind_quotas()
    november = Notification.objects.get(kind=NotificationKind.QUOTA_BEHIND, object_id=bureau.pk,
                                        recipient=world.staff, occasion=f"quota-{YEAR}-11-01")
    assert november.body == _group_body(held=4, due=10, year=12, dheld=1, ddue=3)
    assert Notification.objects.filter(recipient=world.staff, occasion=occasion).count() == 1


def _group_body(**figures):
    from django.utils.translation import gettext as _

    return _(
        "Meetings held: %(held)s of %(due)s due by now (%(year)s a year). "
        "Thematic discussions: %(dheld)s of %(ddue)s."
    ) % figures


def _member_body(**figures):
    from django.utils.translation import gettext as _

    return _(
        "%(group)s: this year %(done)s of your research reports and articles (city level and "
        "above) have been accepted; the plan expects %(due)s by now (%(year)s a year)."
    ) % figures


def _work(group, author, kind, status=WorkStatus.ACCEPTED, year=YEAR, **fields):
    return MemberWorkFactory(group=group, author=author, kind=kind, status=status, year=year, **fields)


def test_members_behind_on_articles_and_research_on_1_november(world, secretary):
    with today_is(11, 1):
        # The bureau is on pace (10 of 10 meetings, 3 of 3 discussions): its staff are not told.
        bureau = _plan(world.groups.bureau, meetings_per_year=12, discussions_per_year=4, articles_per_member=2)
        _meetings(world.groups.bureau, 1, 2, 3, 4, 5, 6, 7)
        _meetings(world.groups.bureau, 8, 9, 10, kind=Meeting.Kind.DISCUSSION)
        # 2 a year is 1.67 by November: 1 due. Counted: accepted research reports and accepted
        # articles at city level and above, this year, in this group.
        _work(world.groups.bureau, world.member, WorkKind.RESEARCH)  # 1: on pace
        writer = UserFactory(username="writer", organization=world.bureau)
        MembershipFactory(user=writer, group=world.groups.bureau)
        _work(world.groups.bureau, writer, WorkKind.ARTICLE, level="provincial", outlet="求是")
        _work(world.groups.bureau, writer, WorkKind.ARTICLE, level="city", outlet="临川日报")  # 2
        # other_member has none that count:
        _work(world.groups.bureau, world.other_member, WorkKind.ARTICLE, level="county", outlet="青山通讯")
        _work(world.groups.bureau, world.other_member, WorkKind.RESEARCH, status=WorkStatus.SUBMITTED)
        _work(world.groups.bureau, world.other_member, WorkKind.RESEARCH, status=WorkStatus.RETURNED,
              review_comment="请补充数据")
        _work(world.groups.bureau, world.other_member, WorkKind.ARTICLE, level="city", year=YEAR - 1)
        _work(world.groups.township, world.other_member, WorkKind.ARTICLE, level="national")
        _work(world.groups.bureau, world.other_member, WorkKind.REFLECTION)
        _work(world.groups.bureau, world.other_member, WorkKind.NOTE)
        # Not members: the study secretary (keeps the records), someone inactive, someone who left.
        gone = UserFactory(username="gone", organization=world.bureau, is_active=False)
        MembershipFactory(user=gone, group=world.groups.bureau)
        left = UserFactory(username="left", organization=world.bureau)
        MembershipFactory(user=left, group=world.groups.bureau, ended_on=timezone.localdate())
        # The township: 9 of 10 meetings (3 of 3 discussions): behind; its member has nothing.
        township = _plan(world.groups.township, articles_per_member=2)
        _meetings(world.groups.township, 1, 2, 3, 4, 5, 6)
        _meetings(world.groups.township, 7, 8, 9, kind=Meeting.Kind.DISCUSSION)
        # The sibling bureau asks for no articles: nobody is told about them.
        _plan(world.groups.sibling_bureau, meetings_per_year=0, discussions_per_year=0, articles_per_member=0)

        assert remind_quotas() == 3
        assert remind_quotas() == 3

    occasion = f"quota-{YEAR}-11-01"
    assert _sent("") == sorted([
        ("other_member", bureau.pk, f"member-{occasion}"),
        ("staff", township.pk, occasion),  # the county's staff; the township has no 组长 or secretary
        ("township_member", township.pk, f"member-{occasion}"),
    ])
    told = Notification.objects.get(occasion=f"member-{occasion}", recipient=world.other_member)
    assert told.body == _member_body(group=told.group, done=0, due=1, year=2)
    assert told.group == world.groups.bureau
    group = Notification.objects.get(occasion=occasion)
    assert group.body == _group_body(held=9, due=10, year=12, dheld=3, ddue=3)
