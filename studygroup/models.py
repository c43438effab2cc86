"""Abstract field blocks that recur across the apps' records (no tables of their own)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """When a record was first written and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Recorded(Timestamped):
    """…and who wrote it (kept when the account is later deactivated: PROTECT)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        abstract = True


class Submitted(models.Model):
    """A report sent up to the supervising organisation: to whom, by whom and when."""

    submitted_to = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted to"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        abstract = True
