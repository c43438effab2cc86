"""Helpers every app's services use: who made a change (django-simple-history records it on the
historical row), a validated save, and the row lock a state change takes."""

from django.db import models


def stamp(instance: models.Model, by) -> models.Model:
    """Name ``by`` as the author of the next save in the object's history."""
    instance._history_user = by
    return instance


def save_as(instance: models.Model, *, by, **clean_options) -> models.Model:
    """Validate (``full_clean``, with its options such as ``exclude``) and save as ``by``."""
    instance.full_clean(**clean_options)
    stamp(instance, by).save()
    return instance


def locked(instance: models.Model) -> models.Model:
    """The object read again under a row lock (inside the caller's transaction), so two requests
    changing it wait for each other and the second sees the first's result."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def build_reuse_or_queue(model, *, task: str, stale_after: float, key: dict, extra: dict):
    """Ask the worker for a build of ``model`` (a ``studygroup.models.WorkerBuild``) of what
    ``key`` names (its fields: what it is built from). The newest build of that key that is done,
    or queued or building for less than ``stale_after`` seconds, is returned as it is (a second
    click starts nothing); otherwise a new one (``key`` and ``extra`` fields) is made and ``task``
    queued for it once the transaction commits. Returns (build, started)."""
    from django.db import transaction
    from django.utils import timezone

    from studygroup.queue import enqueue

    with transaction.atomic():
        latest = model.objects.select_for_update().filter(**key).order_by("-requested_at", "-pk").first()
        if latest is not None and (latest.status == model.Status.DONE or (
            latest.is_running and (timezone.now() - latest.requested_at).total_seconds() < stale_after
        )):
            return latest, False
        build = model.objects.create(**key, **extra)
        transaction.on_commit(lambda: enqueue(task, build_id=build.pk))
    return build, True


def build_claim(model, pk: int, *, stale_after: float):
    """The worker takes a queued build (a ``studygroup.models.WorkerBuild``): ``(build, True)``
    once it is marked as building; ``(build, False)`` when it is done already or another worker
    has held it for less than ``stale_after`` seconds (a task delivered twice builds once)."""
    from django.db import transaction
    from django.utils import timezone

    with transaction.atomic():
        build = model.objects.select_for_update().get(pk=pk)
        if build.status == model.Status.DONE:
            return build, False
        if build.status == model.Status.BUILDING and build.started_at and (
            timezone.now() - build.started_at
        ).total_seconds() < stale_after:
            return build, False
        build.status, build.started_at, build.progress = model.Status.BUILDING, timezone.now(), 5
        fields = ["status", "started_at", "progress"]
        if hasattr(build, "attempts"):
            build.attempts += 1
            fields.append("attempts")
        build.save(update_fields=fields)
    return build, True


def build_progress(model, pk: int, percent: int) -> None:
    """Record how far a build has come, for the page that polls it (outside any transaction)."""
    model.objects.filter(pk=pk).update(progress=percent)


def build_failed(model, pk: int, error: Exception):
    """Mark a build failed with its reason (shown on the page, with a retry) and return it."""
    import logging

    from django.utils import timezone

    logging.getLogger("studygroup.builds").exception("%s %s failed", model.__name__, pk)
    model.objects.filter(pk=pk).update(
        status=model.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now(),
    )
    return model.objects.get(pk=pk)


# --- imports previewed, then applied (a roster, a platform's export) -----------------------------


def import_claim(model, pk: int, *, refused: str):
    """Lock a previewed import (a model with ``status``, ``file``, ``original_name``) for applying;
    returns (record, the file's bytes). Applied already: ``refused``, as a ValidationError."""
    from django.core.exceptions import ValidationError

    record = model.objects.select_for_update().get(pk=pk)
    if record.status != model.Status.PREVIEWED:
        raise ValidationError(refused)
    with record.file.open("rb") as stream:
        return record, stream.read()


def import_finish(record, result: dict) -> None:
    """Mark a claimed import applied, keeping what it wrote (``result``)."""
    from django.utils import timezone

    record.status = type(record).Status.APPLIED
    record.applied_at = timezone.now()
    record.result = result
    record.save(update_fields=["status", "applied_at", "result"])
