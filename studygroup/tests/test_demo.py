"""``manage.py seed_demo`` (the README's first command) builds every app's demo, and running it
again changes nothing. One seed for all the apps' checks: it is the slowest thing the suite does."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from members.tests.test_demo import check_demo_notifications
from members.work.tests.test_demo import check_demo_work
from plans.tests.test_demo import check_demo_plans
from sessions.tests.test_demo import check_demo_meetings

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DEMO_APPS = {"members", "work", "notifications", "plans", "meetings", "reports", "audit", "otp_static"}


def every_count() -> dict[str, int]:
    """Rows of every model of the project's apps, their history tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in DEMO_APPS and not model._meta.proxy
    }


def test_seed_demo_builds_every_apps_demo_and_a_second_run_changes_nothing(capsys, django_capture_on_commit_callbacks):
    # The PDFs come out the same whatever the database: built and checked in the SQLite run.
    with_pdfs = connection.vendor == "sqlite"
    with django_capture_on_commit_callbacks(execute=True):  # as after the command's commit
        call_command("seed_demo", *([] if with_pdfs else ["--without-pdfs"]))
    first = every_count()
    if with_pdfs:
        check_demo_pdfs()
    output = capsys.readouterr().out
    assert "Demo@2026study" in output
    assert "demo-approver" in output
    assert "demo-sysadmin (two-factor backup codes sysa0001 … sysa0010)" in output
    check_demo_plans()
    check_demo_meetings()
    check_demo_work()
    check_demo_notifications()

    call_command("seed_demo", *([] if with_pdfs else ["--without-pdfs"]))
    assert every_count() == first


def check_demo_pdfs():
    """The issued bulletin's and the submitted reviews' PDFs are built: they download at once."""
    from reports.models import Bulletin, DocumentBuild, HalfYearReview

    builds = DocumentBuild.objects.all()
    assert {build.status for build in builds} == {DocumentBuild.Status.DONE}
    assert builds.filter(kind=DocumentBuild.Kind.BULLETIN, object_id__in=Bulletin.objects.filter(status="issued").values("pk")).exists()
    submitted = HalfYearReview.objects.exclude(status="draft").count()
    assert builds.filter(kind=DocumentBuild.Kind.REVIEW).count() == submitted > 0
    assert all(build.file and build.file.size > 10_000 for build in builds)
