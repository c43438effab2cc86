"""Signals members sends for the parts that depend on it: members imports none of them; it
announces, they listen.

``person_contact_changed``: sent after the transaction that changed a person's e-mail or phone
commits, when someone other than the person made the change. Arguments: ``person`` (the User,
as saved), ``by`` (who changed it), ``changes`` ({"email": (old, new), "phone": (old, new)},
only the fields that changed). The notifications part (``members.notifications``, connected in
``MembersConfig.ready``) announces it to the person.

``audit_event``: something happened that belongs in the audit trail (a role granted, a
password reset...). The audit app (``studygroup.audit``) records it. Send it with the keyword
arguments of ``studygroup.audit.services.audit_record``::

    audit_event.send(sender=User, action="password_reset", actor=by, request=request,
                     obj=person, organization=person.organization, detail="...")

``action`` is one of ``AuditEntry.Action``'s values (strings, so members needs no import).
"""

from django.dispatch import Signal

person_contact_changed = Signal()
audit_event = Signal()
