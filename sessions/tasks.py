"""Celery tasks of meetings: ids as keyword arguments, reload, call the service; idempotent."""

from celery import shared_task


@shared_task(name="meetings.build_material_bundle", acks_late=True)
def build_material_bundle(*, bundle_id: int) -> str:
    """Build one 学习资料汇编 (``services.material_bundle_run``); a done build is left alone."""
    from sessions import services

    return services.material_bundle_run(bundle_id=bundle_id).status
