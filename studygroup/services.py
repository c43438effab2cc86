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
