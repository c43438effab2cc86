from celery import shared_task


@shared_task(name="audit.purge_expired")
def purge_expired() -> int:
    """Beat, nightly: the retention of the audit trail (``manage.py purge_audit``). Idempotent."""
    from django.core.management import call_command

    from studygroup.audit.services import audit_purge_expired

    deleted = audit_purge_expired()
    call_command("purge_login_log")
    return deleted
