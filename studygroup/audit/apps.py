from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only audit trail (等保 2.0): who did what, when, from where. Imports members
    only; every other app records through ``studygroup.audit.services.audit_record``."""

    name = "studygroup.audit"
    label = "audit"
    verbose_name = _("Audit trail")
