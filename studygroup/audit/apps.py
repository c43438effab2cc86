from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only audit trail and two-factor login (等保 2.0): who did what, when, from
    where. Imports members only; other apps record through
    ``studygroup.audit.services.audit_record``, members through ``members.signals.audit_event``."""

    name = "studygroup.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from studygroup.audit import receivers

        receivers.connect(self)
