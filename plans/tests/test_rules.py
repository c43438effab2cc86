"""The plans app's permissions (plans/rules.py): roles open pages, actions decide buttons."""

from plans.models import AnnualPlan
from plans.tests.factories import plan_world

Status = AnnualPlan.Status


def test_submit_plan_is_the_managing_staff_on_a_draft(world):
    plans = plan_world(world)
    assert world.staff.has_perm("plans.submit_plan", plans.draft)
    assert not world.staff.has_perm("plans.submit_plan", plans.published), "not a draft"
    assert not world.member.has_perm("plans.submit_plan", plans.draft)
    assert not world.sibling_staff.has_perm("plans.submit_plan", plans.draft)


def test_approve_plan_is_the_group_leader_on_a_submitted_plan(world):
    plans = plan_world(world)
    assert world.member.has_perm("plans.approve_plan", plans.submitted), "world.member is the 组长"
    assert not world.other_member.has_perm("plans.approve_plan", plans.submitted), "the deputy does not"
    assert not world.staff.has_perm("plans.approve_plan", plans.submitted)
    assert not world.member.has_perm("plans.approve_plan", plans.draft)


def test_publish_revise_and_hand_down_follow_the_status(world):
    plans = plan_world(world)
    approved = plans.submitted
    approved.status = Status.APPROVED
    assert world.staff.has_perm("plans.publish_plan", approved)
    assert not world.staff.has_perm("plans.publish_plan", plans.published)
    assert world.staff.has_perm("plans.revise_plan", plans.published)
    assert world.staff.has_perm("plans.hand_down_topic", plans.published)
    assert not world.staff.has_perm("plans.revise_plan", plans.draft)


def test_an_earlier_revision_offers_no_action(world):
    plans = plan_world(world)
    plans.published.is_current = False
    for action in ("revise_plan", "hand_down_topic", "change_plan"):
        assert not world.staff.has_perm(f"plans.{action}", plans.published), action


def test_manage_plan_is_the_role_behind_the_pages(world):
    plans = plan_world(world)
    assert world.staff.has_perm("plans.manage_plan", plans.published)
    assert not world.leader.has_perm("plans.manage_plan", plans.published)


def test_decide_proposal_only_while_pending_and_by_the_group_staff(world):
    plans = plan_world(world)
    assert world.staff.has_perm("plans.decide_proposal", plans.proposal)
    assert not world.member.has_perm("plans.decide_proposal", plans.proposal)
    plans.proposal.status = "adopted"
    assert not world.staff.has_perm("plans.decide_proposal", plans.proposal)


def test_propose_topic_for_members_and_staff_below_but_not_the_sibling(world):
    plans = plan_world(world)
    assert world.member.has_perm("plans.propose_topic", plans.call)
    assert world.staff.has_perm("plans.propose_topic", plans.call)
    assert not world.sibling_staff.has_perm("plans.propose_topic", plans.call)
    assert not world.leader.has_perm("plans.propose_topic", plans.call)


def test_add_plan_needs_a_managed_group(world):
    assert world.staff.has_perm("plans.add_plan")
    assert not world.member.has_perm("plans.add_plan")
    assert not world.leader.has_perm("plans.add_plan")
