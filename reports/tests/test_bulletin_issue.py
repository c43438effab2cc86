"""Issuing a bulletin answers at once: the request asks for it, the worker freezes the figures
and issues it, then its readers are told."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import OrganizationAssignment
from members.notifications.models import Notification, NotificationKind
from reports import services
from reports.models import Bulletin, Period
from reports.tasks import issue_bulletin
from reports.tests.factories import YEAR, records_2025_h1

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    records_2025_h1(world)
    return services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)


def test_the_request_asks_the_worker_then_the_page_says_it_is_being_issued(
    world, draft, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.staff)
    url = reverse("reports:bulletin-issue", kwargs={"pk": draft.pk})
    number = {"document_code": "青宣", "document_serial": "3"}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, number, follow=True)
        client.post(url, number)  # a second click queues nothing more
    assert len(queued) == 1
    page = response.content.decode()
    assert "通报正在印发：数据冻结后即通知各读者。" in page
    assert 'data-test="issuing"' in page
    assert 'http-equiv="refresh"' in page
    assert 'data-test="issue"' not in page  # no second issue button while it waits
    draft.refresh_from_db()
    assert (draft.status, draft.figures, draft.issue_requested_by) == (Bulletin.Status.DRAFT, None, world.staff)
    with pytest.raises(ValidationError):
        services.bulletin_update(bulletin=draft, by=world.staff, good_practices="印发中改字")

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the worker runs the task
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.ISSUED
    assert draft.issued_by == world.staff
    assert draft.issue_requested_at is None
    assert len(draft.figures["rows"]) == 2
    assert Notification.objects.filter(kind=NotificationKind.BULLETIN_ISSUED).exists()
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-test="issuing"' not in page
    assert 'http-equiv="refresh"' not in page
    assert issue_bulletin(bulletin_id=draft.pk) == Bulletin.Status.ISSUED  # again: nothing happens
    assert draft.version == Bulletin.objects.get(pk=draft.pk).version


def test_a_staffer_who_may_no_longer_issue_leaves_a_draft_not_stuck_in_issuing(
    world, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.bulletin_issue_request(bulletin=draft, by=world.staff)
    OrganizationAssignment.objects.filter(user=world.staff).delete()
    queued[0]()
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.DRAFT
    assert draft.issue_requested_at is None


def test_while_it_is_being_issued_the_page_works_out_no_figures(world, draft, client_for, django_assert_max_num_queries):
    services.bulletin_issue_request(bulletin=draft, by=world.staff)
    client = client_for(world.staff)
    client.get(draft.get_absolute_url())
    with django_assert_max_num_queries(12):  # the live figures alone take more than that
        page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-test="issuing"' in page
    assert 'data-test="bulletin-table"' not in page


def test_a_draft_not_being_issued_shows_its_live_figures(world, draft, client_for, django_assert_max_num_queries):
    client = client_for(world.staff)
    client.get(draft.get_absolute_url())
    with pytest.raises(pytest.fail.Exception):
        with django_assert_max_num_queries(12):
            page = client.get(draft.get_absolute_url()).content.decode()
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-test="bulletin-table"' in page
    assert 'data-test="issuing"' not in page


def test_a_large_drafts_page_shows_the_workers_figures_worked_out_again_on_each_save(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    """A province's draft covers thousands of groups: its page shows the figures the worker
    worked out when it was created or last saved, never working them out itself."""
    from reports import selectors

    records_2025_h1(world)
    monkeypatch.setattr(selectors, "LIVE_GROUPS", 1)  # the county's two groups count as many
    with django_capture_on_commit_callbacks(execute=False) as queued:
        draft = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    assert len(queued) == 1
    client = client_for(world.staff)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-test="preparing"' in page
    assert 'http-equiv="refresh"' in page
    assert "bulletin-table" not in page
    queued[0]()
    draft.refresh_from_db()
    assert len(draft.preview["rows"]) == 2
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-test="preview"' in page
    assert 'data-test="bulletin-table"' in page
    assert "草稿：数据截至" in page
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.bulletin_update(bulletin=draft, by=world.staff, good_practices="坚持第一议题")
    assert len(queued) == 1  # saved: worked out again
    issued = services.bulletin_issue(bulletin=draft, by=world.staff)
    assert issued.preview is None
    assert len(issued.figures["rows"]) == 2
    assert services.bulletin_preview(bulletin_id=issued.pk) is False  # an issued bulletin keeps its frozen figures


def test_a_small_drafts_page_works_its_figures_out_live(world, draft, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.bulletin_update(bulletin=draft, by=world.staff, good_practices="坚持第一议题")
    assert queued == []  # two groups: nothing for the worker
    page = client_for(world.staff).get(draft.get_absolute_url()).content.decode()
    assert 'data-test="bulletin-table"' in page
    assert 'data-test="preview"' not in page


def test_lists_of_bulletins_never_read_their_figures(world, draft):
    from reports import selectors

    sql = str(selectors.bulletins_for_list(Bulletin.objects.all()).query)
    assert '"figures"' not in sql
    assert '"preview"' not in sql
    assert list(selectors.bulletins_for_list(Bulletin.objects.all())) == [draft]


def test_a_request_the_worker_never_ran_can_be_made_again_after_ten_minutes(
    world, draft, client_for, django_capture_on_commit_callbacks
):
    """The queue was down or the worker lost the task: the draft does not stay "being issued"."""
    from datetime import timedelta

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False) as lost:
        services.bulletin_issue_request(bulletin=draft, by=world.staff)
    assert len(lost) == 1
    Bulletin.objects.filter(pk=draft.pk).update(issue_requested_at=timezone.now() - timedelta(minutes=11))
    page = client_for(world.staff).get(draft.get_absolute_url()).content.decode()
    assert 'data-test="issuing"' not in page
    assert 'http-equiv="refresh"' not in page
    assert 'data-test="issue"' in page
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as again:
        services.bulletin_issue_request(bulletin=draft, by=world.staff)
    assert [callback.args[0] for callback in again] == ["reports.issue_bulletin", "reports.notify_bulletin_issued"]
    assert Bulletin.objects.get(pk=draft.pk).status == Bulletin.Status.ISSUED


def test_the_issue_page_of_an_issued_bulletin_leads_to_the_bulletin(world, draft, client_for, django_capture_on_commit_callbacks):
    """An old link: the bulletin's page (with its number), never a form offering a new number."""
    client = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:bulletin-issue", args=[draft.pk]), {"document_code": "青宣", "document_serial": 3})
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.ISSUED
    response = client.get(reverse("reports:bulletin-issue", args=[draft.pk]))
    assert response.status_code == 302
    assert response.url == draft.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "该通报已印发。" in page
    assert "青宣〔" in page
    client_for(world.sibling_staff)
    assert client.get(reverse("reports:bulletin-issue", args=[draft.pk])).status_code == 404
