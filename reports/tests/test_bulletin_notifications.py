"""An issued bulletin is announced to those who read it, and they are reminded once while they
have not opened it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Membership, OrganizationAssignment
from members.notifications.models import Notification, NotificationKind
from members.tests.factories import AssignmentFactory, MembershipFactory, UserFactory
from reports import services
from reports.models import Bulletin, Period
from reports.reminders import remind_bulletins_unread
from reports.tests.factories import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(world):
    """A county leader, the township group's study secretary, and people who must not be told:
    a leader of the sibling county and a plain member of the bureau group."""
    county_leader = UserFactory(username="county_leader", name="县委副书记", organization=world.county)
    AssignmentFactory(user=county_leader, organization=world.county, role=OrganizationAssignment.Role.LEADER)
    secretary = UserFactory(username="secretary", name="镇党委秘书", organization=world.township)
    MembershipFactory(user=secretary, group=world.groups.township, role=Membership.Role.SECRETARY)
    sibling_leader = UserFactory(username="sibling_leader", organization=world.sibling)
    AssignmentFactory(user=sibling_leader, organization=world.sibling, role=OrganizationAssignment.Role.LEADER)
    plain = UserFactory(username="plain_member", organization=world.bureau)
    MembershipFactory(user=plain, group=world.groups.bureau, role=Membership.Role.MEMBER)
    return {"county_leader": county_leader, "secretary": secretary}


@pytest.fixture
def issue(world, django_capture_on_commit_callbacks):
    """Issue a county bulletin; the readers are told by the task queued when it commits."""

    def issue():
        bulletin = services.bulletin_create(
            organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff
        )
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            issued = services.bulletin_issue(bulletin=bulletin, by=world.staff)
        assert len(callbacks) == 1
        return issued

    return issue


def _told(occasion_prefix):
    rows = Notification.objects.filter(kind=NotificationKind.BULLETIN_ISSUED, occasion__startswith=occasion_prefix)
    return sorted(rows.values_list("recipient__username", flat=True))


def test_issuing_tells_the_leaders_and_the_groups_heads_once(world, readers, issue):
    bulletin = issue()
    # The bureau's 组长 (member) and the township's secretary; the county leader. Not the issuer,
    # not a plain member, not the sibling county, not the city leader above the issuer.
    assert _told("issued") == ["county_leader", "member", "secretary"]
    notice = Notification.objects.filter(kind=NotificationKind.BULLETIN_ISSUED).first()
    assert bulletin.title in notice.title
    assert notice.url == bulletin.get_absolute_url()
    assert remind_bulletins_unread() == 0  # issued today: nobody is reminded yet


def test_those_who_have_not_opened_it_are_reminded_once(world, readers, client, issue):
    bulletin = issue()
    client.force_login(readers["county_leader"])
    page = client.get(bulletin.get_absolute_url())
    assert page.status_code == 200
    opened = reverse("reports:bulletin-opened", kwargs={"pk": bulletin.pk})
    assert f'hx-post="{opened}"' in page.content.decode()  # the page says it was opened (htmx)
    assert client.post(opened).status_code == 204  # opened: not reminded
    Bulletin.objects.filter(pk=bulletin.pk).update(issued_at=timezone.now() - timedelta(days=5))
    remind_bulletins_unread()
    remind_bulletins_unread()
    assert _told("unread") == ["member", "secretary"]
    # A bulletin issued long ago is left alone.
    Notification.objects.filter(occasion__startswith="unread").delete()
    Bulletin.objects.filter(pk=bulletin.pk).update(issued_at=timezone.now() - timedelta(days=90))
    assert remind_bulletins_unread() == 0


def test_the_reader_sees_it_in_the_inbox_and_opening_it_marks_it_read(world, readers, client, issue):
    bulletin = issue()
    notice = Notification.objects.get(kind=NotificationKind.BULLETIN_ISSUED, recipient=world.member)
    client.force_login(world.member)
    inbox = client.get("/notifications/")
    assert bulletin.title in inbox.content.decode()
    response = client.post(f"/notifications/{notice.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == bulletin.get_absolute_url()
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_issuing_leaves_the_readers_to_the_worker_which_tells_them_in_bulk(world, readers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.reminders import notify_bulletin_issued

    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    bulletin = services.bulletin_issue(bulletin=bulletin, by=world.staff)
    assert _told("issued") == []  # the request wrote none: the task queued on commit does

    def tell():
        Notification.objects.filter(kind=NotificationKind.BULLETIN_ISSUED).delete()
        with CaptureQueriesContext(connection) as queries:
            told = notify_bulletin_issued(bulletin_id=bulletin.pk)
        return told, len(queries)

    few, few_queries = tell()
    for number in range(6):
        leader = UserFactory(username=f"leader{number}", organization=world.township)
        AssignmentFactory(user=leader, organization=world.township, role=OrganizationAssignment.Role.LEADER)
    many, many_queries = tell()
    assert (few, many) == (3, 9)
    assert many_queries == few_queries
    assert notify_bulletin_issued(bulletin_id=bulletin.pk) == 9  # again: the same nine, nobody twice
    assert Notification.objects.filter(kind=NotificationKind.BULLETIN_ISSUED).count() == 9
