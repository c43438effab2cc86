"""Celery tasks of members' work: ids as keyword arguments, reload, call the service; idempotent."""

from celery import shared_task


@shared_task(name="work.build_compilation", acks_late=True)
def build_compilation(*, build_id: int) -> str:
    """Build one compilation PDF (``services.compilation_build_run``); a done build is left alone."""
    from members.work import services

    return services.compilation_build_run(build_id=build_id).status
