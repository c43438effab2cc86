"""Reminder rules, discovered: each app keeps its rules in its own ``reminders.py`` and marks
them with ``@reminder_rule``; the notifications app imports every app's ``reminders`` module at
start-up (as Django's admin does with ``admin.py``), so it names no other app.

Beat runs the rules by their task names (``studygroup.schedules``); the demo runs the listed ones
once, as beat would in the morning.
"""

from django.utils.module_loading import autodiscover_modules

_rules: list[tuple[object, bool]] = []


def reminder_rule(task=None, *, in_demo: bool = True):
    """Register a reminder task. ``in_demo=False``: rules the demo does not run (those that only
    make sense at a moment, such as sign-in opening)."""

    def register(rule):
        if all(rule is not known for known, _ in _rules):
            _rules.append((rule, in_demo))
        return rule

    return register(task) if task is not None else register


def autodiscover() -> None:
    autodiscover_modules("reminders")


def reminder_rules(*, demo: bool = False) -> list:
    return [rule for rule, in_demo in _rules if in_demo or not demo]
