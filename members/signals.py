"""Signals members sends for parts that depend on it (members imports none of them).

``audit_event``: something happened that belongs in the audit trail (a role granted, a
password reset...). The audit app (``studygroup.audit``) records it; members never imports
the audit app. Send it with the keyword arguments of ``studygroup.audit.services.audit_record``::

    audit_event.send(sender=User, action="password_reset", actor=by, request=request,
                     obj=person, organization=person.organization, detail="...")

``action`` is one of ``AuditEntry.Action``'s values (strings, so members needs no import).
"""

from django.dispatch import Signal

audit_event = Signal()
