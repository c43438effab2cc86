"""Half-year reviews waiting to be read (issue 8): submitted and not read for N days, the staff
and leaders of the organisation they were submitted to are told, once per submitted version."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Organization, OrganizationAssignment
from members.notifications.models import Notification, NotificationKind
from members.tests.factories import AssignmentFactory, UserFactory
from reports import services
from reports.models import HalfYearReview
from reports.reminders import remind_reviews_waiting

pytestmark = pytest.mark.django_db


def _sent():
    return sorted(
        (n.recipient.username, n.object_id, n.occasion)
        for n in Notification.objects.filter(kind=NotificationKind.APPROVAL_WAITING).select_related("recipient")
    )


def _review(group, *, status=HalfYearReview.Status.SUBMITTED, days_ago=5, version=2, **fields):
    submitted = status != HalfYearReview.Status.DRAFT
    year = timezone.localdate().year
    return HalfYearReview.objects.create(
        group=group, year=year, period="h1", title=f"{group.organization.name}{year}年上半年学习总结",
        good_practices="坚持第一议题制度，按计划开展集中学习。", problems="研讨联系实际不够。",
        next_plan="下半年按计划完成剩余专题。", status=status, version=version,
        figures={} if submitted else None,
        submitted_to=Organization.objects.get_parent(group.organization) if submitted else None,
        submitted_at=timezone.now() - timedelta(days=days_ago) if submitted else None,
        **fields,
    )


def _assign(world, username, organization, role, **fields):
    person = UserFactory(username=username, organization=organization, **fields)
    AssignmentFactory(user=person, organization=organization, role=role)
    return person


@pytest.fixture
def readers(world, city_staff):
    """The county's leader (besides its staff), and people who must not be told."""
    world.county_leader = _assign(world, "county_leader", world.county, OrganizationAssignment.Role.LEADER)
    former = UserFactory(username="former_leader", organization=world.county)
    AssignmentFactory(user=former, organization=world.county, role=OrganizationAssignment.Role.LEADER,
                      ended_on=timezone.localdate() - timedelta(days=1))
    _assign(world, "inactive_staff", world.county, OrganizationAssignment.Role.STAFF, is_active=False)
    _assign(world, "county_approver", world.county, OrganizationAssignment.Role.APPROVER)
    world.city_staff = city_staff
    return world


def test_reviews_waiting_remind_staff_and_leaders_of_the_organisation_submitted_to(readers, settings):
    world = readers
    settings.APPROVAL_WAITING_DAYS = 3
    bureau = _review(world.groups.bureau, submitted_by=world.staff)  # submitted to the county
    county = _review(world.groups.county, submitted_by=world.staff)  # submitted to the city
    _review(world.groups.township, days_ago=1)  # not waiting long yet
    _review(world.groups.sibling_bureau, status=HalfYearReview.Status.READ, read_by=world.sibling_staff,
            read_at=timezone.now() - timedelta(days=2), comment="已阅")
    _review(world.groups.sibling, status=HalfYearReview.Status.DRAFT)

    assert remind_reviews_waiting() == 4
    assert remind_reviews_waiting() == 4
    assert _sent() == sorted([
        ("staff", bureau.pk, "submitted-v2"), ("county_leader", bureau.pk, "submitted-v2"),
        ("city_staff", county.pk, "submitted-v2"), ("leader", county.pk, "submitted-v2"),
    ])
    told = Notification.objects.get(kind=NotificationKind.APPROVAL_WAITING, recipient=world.county_leader)
    assert bureau.title in told.title
    assert told.url == bureau.get_absolute_url()


def test_a_resubmitted_review_is_a_new_occasion_and_a_read_one_is_not_reminded(readers, settings):
    world = readers
    settings.APPROVAL_WAITING_DAYS = 3
    review = _review(world.groups.bureau, submitted_by=world.staff)
    remind_reviews_waiting()
    assert _sent() == sorted([
        ("staff", review.pk, "submitted-v2"), ("county_leader", review.pk, "submitted-v2"),
    ])

    # The county sends it back; the bureau rewrites and submits it again: a new version.
    review = services.review_return(review=review, by=world.county_leader, comment="请补充下半年具体安排")
    assert remind_reviews_waiting() == 0  # a draft again
    review = services.review_submit(review=review, by=world.staff)
    assert remind_reviews_waiting() == 0  # just submitted
    HalfYearReview.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - timedelta(days=4))
    remind_reviews_waiting()
    remind_reviews_waiting()
    new = f"submitted-v{review.version}"
    assert new != "submitted-v2"
    assert _sent() == sorted([
        ("staff", review.pk, "submitted-v2"), ("county_leader", review.pk, "submitted-v2"),
        ("staff", review.pk, new), ("county_leader", review.pk, new),
    ])

    # Read: nobody is reminded of it any more.
    services.review_mark_read(review=review, by=world.county_leader, comment="已阅，按计划抓好落实")
    assert remind_reviews_waiting() == 0
    assert Notification.objects.filter(kind=NotificationKind.APPROVAL_WAITING).count() == 4


def test_readers_are_looked_up_once_per_organisation(readers, settings):
    """Many groups submit to the same organisation: its staff and leaders are found once."""
    from unittest import mock

    from members.notifications.services import responsible_staff

    world = readers
    settings.APPROVAL_WAITING_DAYS = 3
    for group in (world.groups.bureau, world.groups.township, world.groups.county):
        _review(group)
    with mock.patch("reports.reminders.responsible_staff", wraps=responsible_staff) as lookup:
        assert remind_reviews_waiting() == 6
    assert sorted(call.args[0].pk for call in lookup.call_args_list) == sorted([world.county.pk, world.city.pk])
