"""Signals members sends for other parts to act on. ``members`` never imports the
notifications part: it announces, the notifications part listens (``members.notifications``
connects its receiver in ``MembersConfig.ready``; it moves with that part when it becomes an
app of its own)."""

from django.dispatch import Signal

# Sent after the transaction that changed a person's e-mail or phone commits, when someone
# other than the person made the change. Arguments: ``person`` (the User, as saved), ``by``
# (who changed it), ``changes`` ({"email": (old, new), "phone": (old, new)}, only the fields
# that changed).
person_contact_changed = Signal()
