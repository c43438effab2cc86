"""Signals members sends for the parts that depend on it: members imports none of them; it
announces, they listen.

``person_contact_changed``: sent after the transaction that changed a person's e-mail or phone
commits, when someone other than the person made the change. Arguments: ``person`` (the User,
as saved), ``by`` (who changed it), ``changes`` ({"email": (old, new), "phone": (old, new)},
only the fields that changed). The notifications part (``members.notifications.services``, connected in
``MembersConfig.ready``) announces it to the person.

``people_imported``: sent after a roster import that created people commits. Arguments:
``people`` (their ids) and ``by`` (the staff who imported). The notifications part reminds the
groups' robots to tell them (an @-mention of their phone, never their activation link).

``audit_event`` is ``studygroup.signals.audit_event`` (the audit trail), here for members' callers.
"""

from django.dispatch import Signal

from studygroup.signals import audit_event  # noqa: E402,F401

person_contact_changed = Signal()
people_imported = Signal()
