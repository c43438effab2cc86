"""Celery tasks of reports: ids as keyword arguments, reload, call the service; idempotent."""

from celery import shared_task


@shared_task(name="reports.build_document_pdf", acks_late=True)
def build_document_pdf(*, build_id: int) -> str:
    """Build the PDF of one DocumentBuild row. Running it twice builds once: a done build is
    left as it is (see ``services.build_run``)."""
    from reports import services

    build = services.build_run(build_id=build_id)
    return build.status


@shared_task(name="reports.issue_bulletin", acks_late=True)
def issue_bulletin(*, bulletin_id: int) -> str:
    """Freeze and issue a bulletin someone asked to issue (see ``services.bulletin_issue_request``).
    Running it twice issues once."""
    from reports import services

    bulletin = services.bulletin_issue_requested(bulletin_id=bulletin_id)
    return bulletin.status if bulletin is not None else "dropped"


@shared_task(name="reports.preview_bulletin", ignore_result=True)
def preview_bulletin(*, bulletin_id: int) -> bool:
    """Work out a large draft bulletin's figures for its page (``services.bulletin_preview``)."""
    from reports import services

    return services.bulletin_preview(bulletin_id=bulletin_id)
