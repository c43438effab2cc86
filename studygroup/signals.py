"""Signals any part of the project may send without importing the app that listens.

``audit_event``: something happened that belongs in the audit trail (a download, a role
granted, a password reset...). The audit app (``studygroup.audit``) records it, in the same
transaction. Send it with the keyword arguments of ``studygroup.audit.services.audit_record``::

    audit_event.send(sender=User, action="password_reset", actor=by, request=request,
                     obj=person, organization=person.organization, detail="...")

``action`` is one of ``AuditEntry.Action``'s values (strings, so the sender needs no import).
"""

from django.dispatch import Signal

audit_event = Signal()
