"""No interface edits or deletes an entry; the database refuses it too, except through the one
guarded way the retention command (and the test suite's teardown) use; retention ≥ 180 days."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from studygroup.audit.models import AuditEntry
from studygroup.audit.purge import purge_allowed
from studygroup.audit.services import audit_purge_expired, audit_record

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def old_entry(days, detail="old"):
    return AuditEntry.objects.create(action=Action.LOGIN, actor_name="old", detail=detail, at=timezone.now() - timedelta(days=days))


# --- the Django admin ----------------------------------------------------------------------------------


def test_the_admin_lists_entries_but_cannot_add_change_or_delete_even_for_a_superuser(client_for, admins):
    from django.contrib import admin
    from django.test import RequestFactory

    entry = audit_record(action=Action.LOGIN, actor=admins.superuser)
    client = client_for(admins.superuser)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200  # read-only view
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"detail": "changed"})
    entry.refresh_from_db()
    assert entry.detail == ""
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/")
    request.user = admins.superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.get_actions(request) == {}


def test_axes_records_are_read_only_in_the_admin(client_for, admins):
    from axes.models import AccessAttempt
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admins.superuser
    assert not admin.site._registry[AccessAttempt].has_delete_permission(request)


def test_there_is_no_page_to_edit_an_entry(client_for, admins):
    entry = audit_record(action=Action.LOGIN, actor=admins.superuser)
    client = client_for(admins.superuser)
    assert client.post(reverse("audit:detail", args=[entry.pk]), {"detail": "x"}).status_code == 405


# --- the database -------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_sqlite_refuses_update_and_delete(world):
    entry = audit_record(action=Action.LOGIN, actor=world.member)
    with pytest.raises((IntegrityError, DatabaseError)):
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(detail="forged")
    with pytest.raises((IntegrityError, DatabaseError)):
        with transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises((IntegrityError, DatabaseError)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk, detail="").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditentry SET detail = 'forged'",
    "DELETE FROM audit_auditentry",
    "TRUNCATE audit_auditentry",
    "TRUNCATE audit_auditentry CASCADE",
])
def test_postgresql_refuses_update_delete_and_truncate(world, statement):
    entry = audit_record(action=Action.LOGIN, actor=world.member)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.filter(pk=entry.pk, detail="").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
def test_postgresql_refuses_update_even_inside_the_guarded_way(world):
    entry = audit_record(action=Action.LOGIN, actor=world.member)
    with pytest.raises(DatabaseError, match="append-only"):
        with purge_allowed(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET detail = 'forged'")
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
def test_postgresql_the_permission_ends_with_its_transaction(world):
    entry = audit_record(action=Action.LOGIN, actor=world.member)
    with purge_allowed():
        pass
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_inserts_are_never_blocked(world):
    """A restore loads the trail into an empty database with INSERTs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (at, actor_name, action, object_type, object_id, object_repr, changes, detail, user_agent, request_id)"
            " VALUES (%s, 'restored', 'login', '', '', '', '{}', '', '', '')",
            [timezone.now()],
        )
    assert AuditEntry.objects.filter(actor_name="restored").exists()


def test_the_guarded_way_deletes(world):
    entry = audit_record(action=Action.LOGIN, actor=world.member)
    with purge_allowed():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_person_leaves_their_entries(world):
    from members.tests.factories import UserFactory

    person = UserFactory(username="leaver")
    entry = audit_record(action=Action.LOGIN, actor=person)
    person.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_name == "leaver"


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_still_empty_the_tables_at_teardown():
    """This test's own teardown flushes the audit table through the guarded way (conftest)."""
    audit_record(action=Action.LOGIN, actor_name="teardown")
    assert AuditEntry.objects.filter(actor_name="teardown").exists()


# --- retention ------------------------------------------------------------------------------------------


def test_retention_keeps_at_least_180_days(world, settings):
    settings.AUDIT_RETENTION_DAYS = 10  # a wrong setting still keeps 180 days
    kept = old_entry(179, "kept")
    gone = old_entry(181, "gone")
    assert audit_purge_expired() == 1
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert not AuditEntry.objects.filter(pk=gone.pk).exists()


def test_retention_follows_the_setting_above_180_days(world, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    kept = old_entry(300, "kept")
    gone = old_entry(400, "gone")
    call_command("purge_audit")
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert not AuditEntry.objects.filter(pk=gone.pk).exists()


def test_retention_command_refuses_fewer_than_180_days(world):
    with pytest.raises(CommandError):
        call_command("purge_audit", days=30)


def test_retention_deletes_in_batches(world, settings):
    for _ in range(7):
        old_entry(400)
    assert audit_purge_expired(batch=3) == 7


def test_retention_runs_on_the_beat_schedule_as_a_celery_task(db):
    from django_celery_beat.models import PeriodicTask

    from studygroup.audit.tasks import purge_expired
    from studygroup.schedules import schedules_ensure

    schedules_ensure()
    task = PeriodicTask.objects.get(task="audit.purge_expired")
    assert task.enabled
    old_entry(400)
    assert purge_expired.delay().get() == 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_purges_through_the_guarded_way(celery_worker):
    """Beat's task runs in the worker, another process with its own connection: the guarded
    way works there too (SQLite: the function its connections register; PostgreSQL: SET LOCAL)."""
    gone = old_entry(400, "gone")
    kept = old_entry(10, "kept")
    result = celery_worker.app.send_task("audit.purge_expired", queue=celery_worker.queue)
    assert result.get(timeout=60) == 1
    assert not AuditEntry.objects.filter(pk=gone.pk).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
