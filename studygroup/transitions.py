"""One way to change state: a model with a status declares its moves in one table,

    class MemberWork(models.Model):
        transitions = Transitions(
            submit=Move(sources=[DRAFT, RETURNED], target=SUBMITTED),
            accept=Move(sources=[SUBMITTED], target=ACCEPTED),
            ...
        )

services move an object with ``Model.transitions.apply(obj, "submit")`` (which refuses, with a
message for the user, a move the status does not allow), and permission predicates and templates
ask ``Model.transitions.allows(obj, "submit")`` which actions are open, so the status rules live
here and nowhere else. Who may act stays with the app's ``rules.py``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Move:
    sources: Iterable[str]
    target: str | None  # None: the status does not change (e.g. editing a draft)
    # Shown when the status does not allow the move; "%(status)s" is the current status's label.
    refused: str = field(default=_("This cannot be done while it is “%(status)s”."))

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))


class Transitions:
    def __init__(self, moves: dict[str, Move] | None = None, *, status_field: str = "status", **more: Move):
        self.status_field = status_field
        self.moves = {**(moves or {}), **more}

    def __contains__(self, name: str) -> bool:
        return name in self.moves

    def allows(self, obj, name: str) -> bool:
        return getattr(obj, self.status_field) in self.moves[name].sources

    def open(self, obj) -> list[str]:
        """The moves the status allows now, in the order they were declared."""
        return [name for name in self.moves if self.allows(obj, name)]

    def require(self, obj, name: str) -> None:
        if not self.allows(obj, name):
            raise ValidationError(self.moves[name].refused % {"status": self._label(obj)}, code="invalid_status")

    def apply(self, obj, name: str) -> str:
        """Check the move and set the new status on ``obj`` (the caller saves, under its row lock).
        Returns the status it left."""
        self.require(obj, name)
        before = getattr(obj, self.status_field)
        target = self.moves[name].target
        if target is not None:
            setattr(obj, self.status_field, target)
        return before

    def _label(self, obj) -> str:
        display = getattr(obj, f"get_{self.status_field}_display", None)
        return str(display()) if display else str(getattr(obj, self.status_field))
