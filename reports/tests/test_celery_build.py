"""PDF builds through a real Celery worker against Redis (the worker opens the test database)."""

import time

import pytest
from django.urls import reverse

from reports import services
from reports.models import DocumentBuild, Period
from reports.tests.factories import YEAR, records_2025_h1

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait(build, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        build.refresh_from_db()
        if not build.is_running:
            return build
        time.sleep(0.3)
    pytest.fail(f"the build did not finish: {build.status}")


@pytest.fixture
def issued(world):
    records_2025_h1(world)
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    return services.bulletin_issue(bulletin=bulletin, by=world.staff)


def test_two_clicks_build_one_file_in_the_worker(world, issued, client_for, celery_worker):
    client = client_for(world.staff)
    url = reverse("reports:bulletin-build", kwargs={"pk": issued.pk})
    first = client.post(url, HTTP_HX_REQUEST="true")
    second = client.post(url, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert "hx-trigger=\"every 1s\"" in second.content.decode() or "pdf" in second.content.decode()
    build = DocumentBuild.objects.get(kind="bulletin", object_id=issued.pk)
    build = _wait(build)
    assert build.status == DocumentBuild.Status.DONE, build.error
    assert build.attempts == 1
    assert build.pages >= 1
    assert build.size > 10_000
    assert DocumentBuild.objects.filter(kind="bulletin", object_id=issued.pk).count() == 1
    # Leaders download exactly the file the worker stored.
    response = client_for(world.leader).get(reverse("reports:bulletin-pdf", kwargs={"pk": issued.pk}))
    assert response.status_code == 200
    with build.file.open("rb") as handle:
        assert response.content == handle.read()


def test_a_failed_build_is_reported_and_can_be_retried(world, issued, client_for, celery_worker):
    client = client_for(world.staff)
    url = reverse("reports:bulletin-build", kwargs={"pk": issued.pk})
    # The worker finds a version that does not exist any more: it fails with a reason.
    build = DocumentBuild.objects.create(kind="bulletin", object_id=issued.pk, version=issued.version + 5, status="queued")
    from reports.tasks import build_document_pdf

    build_document_pdf.delay(build_id=build.pk).get(timeout=60)
    build = _wait(build)
    assert build.status == DocumentBuild.Status.FAILED
    assert str(build.version) in build.error
    # A real failure of the current version shows its reason and a retry button.
    current = DocumentBuild.objects.create(kind="bulletin", object_id=issued.pk, version=issued.version, status="failed", error="ValueError: boom")
    panel = client.get(reverse("reports:build-status", kwargs={"pk": current.pk})).content.decode()
    assert "boom" in panel, panel
    assert url in panel, panel
    client.post(url)
    current = _wait(current)
    assert current.status == DocumentBuild.Status.DONE
    assert current.attempts == 1
