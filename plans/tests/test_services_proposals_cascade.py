"""议题征集 (calls and proposals) and 上下同题 (cascaded topics)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from members.models import OrganizationAssignment
from members.tests.factories import AssignmentFactory, UserFactory
from plans import selectors, services
from plans.models import AnnualPlan, CascadedTopic, TopicProposal
from plans.tests.factories import (
    THIS_YEAR,
    CascadedTopicFactory,
    ProposalCallFactory,
    TopicProposalFactory,
    plan_with_topics,
)

pytestmark = pytest.mark.django_db
Status = AnnualPlan.Status


# --- proposals ------------------------------------------------------------------------------


def test_staff_open_a_call_with_a_deadline(world):
    call = services.call_open(group=world.groups.bureau, year=THIS_YEAR + 1, title="议题征集",
                              deadline=timezone.localdate() + timedelta(days=10), by=world.staff)
    assert call.is_open
    assert call.opened_by == world.staff
    with pytest.raises(ValidationError):
        services.call_open(group=world.groups.bureau, year=THIS_YEAR + 1, title="过期",
                           deadline=timezone.localdate() - timedelta(days=1), by=world.staff)


def test_members_propose_with_a_reason(world):
    call = ProposalCallFactory(group=world.groups.bureau)
    proposal = services.proposal_submit(call=call, by=world.other_member, title="学习教育强国建设规划纲要",
                                        reason="今年全县推进教育强县建设")
    assert proposal.status == TopicProposal.Status.PENDING
    assert proposal.proposed_by == world.other_member


def test_a_closed_call_says_when_it_closed_the_chinese_way(world):
    closed = ProposalCallFactory(group=world.groups.bureau, deadline=date(2026, 5, 20))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.proposal_submit(call=closed, by=world.member, title="x", reason="y")
    assert refused.value.messages == ["本次征集已于2026年5月20日截止。"]


def test_a_closed_call_says_when_it_closed_in_english(world):
    closed = ProposalCallFactory(group=world.groups.bureau, deadline=date(2026, 5, 20))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.proposal_submit(call=closed, by=world.member, title="x", reason="y")
    assert refused.value.messages == ["The call closed on May 20, 2026."]


def test_staff_of_a_unit_below_propose_for_their_unit(world):
    call = ProposalCallFactory(group=world.groups.county)
    township_staff = UserFactory()
    AssignmentFactory(user=township_staff, organization=world.township, role=OrganizationAssignment.Role.STAFF)
    proposal = services.proposal_submit(call=call, by=township_staff, title="学习乡村振兴论述", reason="镇里需要",
                                        on_behalf_of=world.township)
    assert proposal.on_behalf_of == world.township
    with pytest.raises(ValidationError):
        services.proposal_submit(call=call, by=township_staff, title="x", reason="y", on_behalf_of=world.bureau)


def test_outsiders_and_closed_calls_take_no_proposals(world):
    call = ProposalCallFactory(group=world.groups.bureau)
    with pytest.raises(PermissionDenied):
        services.proposal_submit(call=call, by=world.sibling_staff, title="x", reason="y")
    closed = ProposalCallFactory(group=world.groups.bureau, deadline=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError):
        services.proposal_submit(call=closed, by=world.member, title="x", reason="y")


def test_adopting_a_proposal_adds_a_linked_topic_to_that_years_plan(world):
    call = ProposalCallFactory(group=world.groups.bureau, year=THIS_YEAR)
    plan = plan_with_topics(world.groups.bureau, n=2)
    proposal = TopicProposalFactory(call=call, proposed_by=world.other_member)
    topic = services.proposal_adopt(proposal=proposal, by=world.staff)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.adopted_topic, proposal.decided_by) == (
        TopicProposal.Status.ADOPTED, topic, world.staff)
    assert topic.plan == plan
    assert topic.label == "第三专题"
    assert topic.title == proposal.title
    with pytest.raises(ValidationError):
        services.proposal_adopt(proposal=proposal, by=world.staff)


def test_adopting_into_a_group_without_a_plan_starts_a_draft(world):
    proposal = TopicProposalFactory(call=ProposalCallFactory(group=world.groups.bureau, year=THIS_YEAR + 3))
    topic = services.proposal_adopt(proposal=proposal, by=world.staff)
    assert (topic.plan.year, topic.plan.status) == (THIS_YEAR + 3, Status.DRAFT)


def test_adopting_into_a_published_plan_makes_a_revision(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED, n=2)
    proposal = TopicProposalFactory(call=ProposalCallFactory(group=world.groups.bureau, year=THIS_YEAR))
    topic = services.proposal_adopt(proposal=proposal, by=world.staff)
    assert topic.plan.previous == plan
    assert topic.plan.revision == 2
    assert plan.topics.count() == 2


def test_declining_needs_a_reason_the_proposer_sees(world):
    proposal = TopicProposalFactory(call=ProposalCallFactory(group=world.groups.bureau),
                                    proposed_by=world.other_member)
    with pytest.raises(ValidationError):
        services.proposal_decline(proposal=proposal, by=world.staff, reason="")
    services.proposal_decline(proposal=proposal, by=world.staff, reason="已列入第二专题")
    mine = selectors.my_proposals(world.other_member).get()
    assert (mine.status, mine.decision_reason) == (TopicProposal.Status.DECLINED, "已列入第二专题")


def test_only_the_groups_staff_decide(world):
    proposal = TopicProposalFactory(call=ProposalCallFactory(group=world.groups.bureau))
    for someone in (world.member, world.leader, world.sibling_staff):
        with pytest.raises(PermissionDenied):
            services.proposal_decline(proposal=proposal, by=someone, reason="不")


def test_proposals_are_seen_by_their_proposer_and_the_groups_readers(world):
    proposal = TopicProposalFactory(call=ProposalCallFactory(group=world.groups.bureau),
                                    proposed_by=world.other_member)
    assert set(TopicProposal.objects.visible_to(world.other_member)) == {proposal}
    assert set(TopicProposal.objects.visible_to(world.staff)) == {proposal}
    assert set(TopicProposal.objects.visible_to(world.leader)) == {proposal}
    assert not TopicProposal.objects.visible_to(world.member).exists()
    assert not TopicProposal.objects.visible_to(world.sibling_staff).exists()


# --- cascade --------------------------------------------------------------------------------


@pytest.fixture
def county_plan(world):
    return plan_with_topics(world.groups.county, status=Status.PUBLISHED, n=3)


def test_cascade_needs_an_approved_plan_and_its_staff(world, county_plan):
    topic = county_plan.topics.first()
    cascade = services.cascade_create(topic=topic, month=5, by=world.staff, note="各单位同步学习")
    assert (cascade.month, cascade.cascaded_by) == (5, world.staff)
    with pytest.raises(ValidationError):
        services.cascade_create(topic=topic, month=5, by=world.staff)
    draft_topic = plan_with_topics(world.groups.township, n=1).topics.get()
    with pytest.raises(ValidationError):
        services.cascade_create(topic=draft_topic, month=5, by=world.staff)
    with pytest.raises(PermissionDenied):
        services.cascade_create(topic=topic, month=6, by=world.sibling_staff)


def test_group_below_adopts_a_cascaded_topic_in_one_step(world, county_plan):
    bureau_plan = plan_with_topics(world.groups.bureau, n=2)
    cascade = services.cascade_create(topic=county_plan.topics.first(), month=5, by=world.staff)
    topic = services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=world.staff)
    assert topic.plan == bureau_plan
    assert topic.cascaded_from == cascade
    assert topic.adopted_at
    assert topic.title == cascade.topic.title
    assert topic.label == "第三专题"
    assert list(topic.schedule_entries.values_list("month", flat=True)) == [5]
    with pytest.raises(ValidationError):
        services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=world.staff)


def test_cascade_cannot_go_up_or_sideways(world, county_plan):
    cascade = services.cascade_create(topic=county_plan.topics.first(), month=5, by=world.staff)
    with pytest.raises(ValidationError):
        services.cascade_adopt(cascade=cascade, group=world.groups.county, by=world.staff)
    with pytest.raises(ValidationError):
        services.cascade_adopt(cascade=cascade, group=world.groups.sibling_bureau, by=world.sibling_staff)
    with pytest.raises(PermissionDenied):
        services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=world.sibling_staff)


def test_uptake_shows_who_took_it_up_when_and_who_did_not(world, county_plan):
    cascade = services.cascade_create(topic=county_plan.topics.first(), month=5, by=world.staff)
    services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=world.staff)
    rows = {row["group"]: row for row in selectors.cascade_uptake(cascade)}
    assert set(rows) == {world.groups.bureau, world.groups.township}
    assert rows[world.groups.bureau]["adopted_at"] is not None
    assert rows[world.groups.township]["adopted_at"] is None


def test_uptake_survives_a_revision_of_the_adopting_plan(world, county_plan):
    cascade = services.cascade_create(topic=county_plan.topics.first(), month=5, by=world.staff)
    topic = services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=world.staff)
    plan = topic.plan
    services.plan_submit(plan=plan, by=world.staff)
    services.plan_approve(plan=plan, by=world.member)
    services.plan_revise(plan=plan, by=world.staff)
    rows = {row["group"]: row for row in selectors.cascade_uptake(cascade)}
    assert rows[world.groups.bureau]["adopted_at"] == topic.adopted_at


def test_staff_below_see_the_cascades_they_may_take_up(world, county_plan):
    cascade = services.cascade_create(topic=county_plan.topics.first(), month=5, by=world.staff)
    bureau_staff = UserFactory()
    AssignmentFactory(user=bureau_staff, organization=world.bureau, role=OrganizationAssignment.Role.STAFF)
    rows = selectors.cascades_for_subordinate_staff(bureau_staff)
    assert [(r["cascade"], r["groups"]) for r in rows] == [(cascade, [(world.groups.bureau, False)])]
    assert cascade in CascadedTopic.objects.visible_to(bureau_staff)
    assert not selectors.cascades_for_subordinate_staff(world.sibling_staff)
    services.cascade_adopt(cascade=cascade, group=world.groups.bureau, by=bureau_staff)
    assert selectors.cascades_for_subordinate_staff(bureau_staff)[0]["groups"] == [(world.groups.bureau, True)]


def test_a_cascaded_topic_names_its_month_the_chinese_way(world):
    cascade = CascadedTopicFactory(topic__title="学习乡村振兴论述", month=5)
    with translation.override("zh-hans"):
        assert str(cascade) == "学习乡村振兴论述（5月）"


def test_a_cascaded_topic_names_its_month_in_english(world):
    cascade = CascadedTopicFactory(topic__title="学习乡村振兴论述", month=5)
    with translation.override("en"):
        assert str(cascade) == "学习乡村振兴论述 (Month 5)"
