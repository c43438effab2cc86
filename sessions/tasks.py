"""Celery tasks of meetings: ids as keyword arguments, reload, call the service; idempotent."""

from celery import shared_task


@shared_task(name="meetings.build_material_bundle", acks_late=True)
def build_material_bundle(*, build_id: int) -> str:
    """Build one 学习资料汇编 (``services.material_bundle_run``); a done build is left alone."""
    from sessions import services

    return services.material_bundle_run(build_id=build_id).status


@shared_task(name="meetings.build_meeting_archive", acks_late=True)
def build_meeting_archive(*, build_id: int) -> str:
    """Print one meeting's archive, the office's copy (``services.archive_build_run``)."""
    from sessions import services

    return services.archive_build_run(build_id=build_id).status
