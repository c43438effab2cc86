"""Who may do what to a plan, a call for topics, a proposal: django-rules predicates.

Two kinds of permission:
- the role (``plans.manage_plan``: staff managing the plan's group; ``plans.review_plan``: the
  group's 组长), which views check to open a page (403 otherwise) and services check before
  they write; a wrong status then is a ValidationError with a message, not a 403;
- the action (``plans.submit_plan`` = manages the group and the plan is the current draft...),
  which templates check to decide which buttons show.
"""

import rules

from members import scoping
from members.rules import manages_group, manages_some_group
from plans.models import AnnualPlan, TopicProposal
from studygroup.permissions import in_scope

Status = AnnualPlan.Status


def _group_id(obj):
    """The id of the study group an object of this app belongs to (a plan, a call, a proposal)."""
    if obj is None:
        return None
    if isinstance(obj, TopicProposal):
        return obj.call.group_id
    return obj.group_id


@rules.predicate
def manages_plan_group(user, obj) -> bool:
    return in_scope("managed_groups", user, scoping.managed_groups, _group_id(obj))


@rules.predicate
def is_group_leader(user, obj) -> bool:
    """The 组长 of the object's group (a current membership with role leader)."""
    if obj is None or not user.is_authenticated:
        return False
    return in_scope("led_groups", user, scoping.led_groups, _group_id(obj))


@rules.predicate
def is_current(_user, plan) -> bool:
    return plan.is_current


@rules.predicate
def is_draft(_user, plan) -> bool:
    return plan.is_current and AnnualPlan.transitions.allows(plan, "edit")


@rules.predicate
def is_submitted(_user, plan) -> bool:
    return plan.is_current and AnnualPlan.transitions.allows(plan, "approve")


@rules.predicate
def is_approved(_user, plan) -> bool:
    return plan.is_current and AnnualPlan.transitions.allows(plan, "publish")


@rules.predicate
def is_locked(_user, plan) -> bool:
    return plan.is_locked and plan.is_current


@rules.predicate
def is_pending(_user, proposal) -> bool:
    return isinstance(proposal, TopicProposal) and TopicProposal.transitions.allows(proposal, "adopt")


@rules.predicate
def call_is_open(_user, call) -> bool:
    return call is not None and call.is_open


@rules.predicate
def may_propose(user, call) -> bool:
    """Members of the call's group, and staff managing units at or below it."""
    from plans.services import proposing_units

    if call is None or not user.is_authenticated:
        return False
    member = in_scope("member_groups", user, scoping.member_groups, call.group_id)
    return member or proposing_units(user, call).exists()


# Roles: pages and services.
rules.add_perm("plans.add_plan", manages_some_group)
rules.add_perm("plans.manage_group_plans", manages_group)
rules.add_perm("plans.manage_plan", manages_plan_group)
rules.add_perm("plans.review_plan", is_group_leader)

# Actions: which buttons show.
rules.add_perm("plans.change_plan", is_draft & manages_plan_group)
rules.add_perm("plans.submit_plan", is_draft & manages_plan_group)
rules.add_perm("plans.withdraw_plan", is_submitted & manages_plan_group)
rules.add_perm("plans.approve_plan", is_submitted & is_group_leader)
rules.add_perm("plans.return_plan", is_submitted & is_group_leader)
rules.add_perm("plans.publish_plan", is_approved & manages_plan_group)
rules.add_perm("plans.revise_plan", is_locked & manages_plan_group)
rules.add_perm("plans.copy_plan", manages_plan_group)
rules.add_perm("plans.hand_down_topic", is_locked & manages_plan_group)

# Calls for topics (议题征集) and proposals.
rules.add_perm("plans.add_proposal_call", manages_some_group)
rules.add_perm("plans.manage_proposals", manages_plan_group)
rules.add_perm("plans.propose_topic", may_propose)
rules.add_perm("plans.propose_topic_now", call_is_open & may_propose)
rules.add_perm("plans.decide_proposal", is_pending & manages_plan_group)
