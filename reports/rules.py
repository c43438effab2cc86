"""Who may do what to a half-year review, a bulletin, an inspection and its rectification items,
a 述学 report: django-rules predicates.

Each scope part asks the model's scoped queryset (``editable_by``, ``readable_as_supervisor_by``,
``answerable_by``, ``commentable_by``: all built on ``members.scoping``) about the one object,
remembered per request. Roles (``reports.manage_review``...) open pages and are checked by
services; actions (``reports.submit_review`` = manages and draft...) decide the buttons.
"""

import rules

from members import scoping
from members.rules import manages_group, manages_some_group
from reports.models import RectificationItem, StudyAccount
from studygroup.permissions import remembered


def _scoped(method: str):
    """A predicate: the object is in ``type(obj).objects.<method>(user)``."""

    def test(user, obj) -> bool:
        if obj is None or user is None:
            return False
        manager = type(obj)._default_manager
        return remembered(
            (method, type(obj).__name__, user.pk, obj.pk),
            lambda: getattr(manager, method)(user).filter(pk=obj.pk).exists(),
        )

    return rules.predicate(test, name=f"in_{method}")


may_edit = _scoped("editable_by")
reads_as_supervisor = _scoped("readable_as_supervisor_by")
answers_item = _scoped("answerable_by")
may_comment = _scoped("commentable_by")


@rules.predicate
def is_draft(_user, obj) -> bool:
    """A review, bulletin or 述学 report still open to change (their ``transitions``)."""
    return obj is not None and obj.transitions.allows(obj, "edit")


@rules.predicate
def is_submitted(_user, obj) -> bool:
    """A review waiting for the supervisor to read it."""
    return obj is not None and obj.transitions.allows(obj, "mark_read")


@rules.predicate
def is_frozen(_user, document) -> bool:
    if isinstance(document, StudyAccount):
        return document.status != StudyAccount.Status.DRAFT
    return bool(getattr(document, "is_frozen", False))


@rules.predicate
def manages_some_organization(user) -> bool:
    return remembered(("manages_some_organization", user.pk), lambda: scoping.managed_organizations(user).exists())


@rules.predicate
def reads_something(user) -> bool:
    """Staff or leaders somewhere: the dashboard, inspections and items lists."""
    return remembered(("reads_something", user.pk), lambda: scoping.read_organizations(user).exists())


@rules.predicate
def writes_some_account(user) -> bool:
    from reports.selectors import accountable_groups

    return remembered(("writes_some_account", user.pk), lambda: accountable_groups(user).exists())


# Which side takes each step of an item (RectificationItem.transitions): the group's staff, or the
# inspecting organisation's.
ITEM_SIDES = {"start": "group", "report": "group", "confirm": "inspector", "reopen": "inspector"}


def item_transition_predicate(action: str):
    """``reports.<action>_item``: the item is in a status the action leaves from, and the user is
    the side that takes it."""

    @rules.predicate(name=f"item_may_{action}")
    def status_allows(_user, item) -> bool:
        return isinstance(item, RectificationItem) and RectificationItem.transitions.allows(item, action)

    side = answers_item if ITEM_SIDES[action] == "group" else may_edit
    return status_allows & side


rules.add_perm("reports.read_reports", reads_something)

# Half-year reviews.
rules.add_perm("reports.add_review", manages_some_group)
rules.add_perm("reports.add_group_review", manages_group)
rules.add_perm("reports.manage_review", may_edit)
rules.add_perm("reports.submit_review", is_draft & may_edit)
rules.add_perm("reports.read_review", reads_as_supervisor)
rules.add_perm("reports.mark_review_read", is_submitted & reads_as_supervisor)

# Documents (review, bulletin, 述学): building the PDF of a frozen version.
rules.add_perm("reports.manage_document", may_edit)
rules.add_perm("reports.build_document", is_frozen & may_edit)

# Bulletins.
rules.add_perm("reports.add_bulletin", manages_some_organization)
rules.add_perm("reports.manage_bulletin", may_edit)
rules.add_perm("reports.issue_bulletin", is_draft & may_edit)

# Inspections and rectification items.
rules.add_perm("reports.add_inspection", manages_some_organization)
rules.add_perm("reports.change_inspection", may_edit)
rules.add_perm("reports.answer_item", answers_item)
rules.add_perm("reports.inspect_item", may_edit)
for _action in RectificationItem.STEPS:
    rules.add_perm(f"reports.{_action}_item", item_transition_predicate(_action))

# 述学 reports.
rules.add_perm("reports.add_account", writes_some_account)
rules.add_perm("reports.manage_account", may_edit)
rules.add_perm("reports.submit_account", is_draft & may_edit)
rules.add_perm("reports.comment_account", may_comment)



@rules.predicate
def trackable_point(user, point) -> bool:
    """An open point of a visit the user's organisation made, not yet on a rectification list."""
    from reports.selectors import observation_points_trackable_by

    return point is not None and remembered(
        ("trackable_point", user.pk, point.pk), lambda: observation_points_trackable_by(user).filter(pk=point.pk).exists()
    )


rules.add_perm("reports.track_point", trackable_point)
