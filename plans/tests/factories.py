"""Factories of the plans app, and ``plan_world``: plans on top of the shared ``world``."""

from datetime import timedelta
from types import SimpleNamespace

import factory
from django.utils import timezone

from members.tests.factories import StudyGroupFactory, UserFactory
from plans.models import (
    AnnualPlan,
    CascadedTopic,
    NumberingStyle,
    PlanSection,
    ProposalCall,
    ScheduleEntry,
    StudyForm,
    Topic,
    TopicProposal,
    make_label,
)

THIS_YEAR = timezone.localdate().year


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    group = factory.SubFactory(StudyGroupFactory)
    year = THIS_YEAR
    title = factory.LazyAttribute(lambda o: f"{o.group.organization.name}理论学习中心组{o.year}年度学习计划")
    preamble = "为深入学习贯彻党的创新理论，结合工作实际，制定本计划。"
    numbering_style = NumberingStyle.DI_ZHUANTI


class PlanSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanSection

    plan = factory.SubFactory(AnnualPlanFactory)
    position = factory.Sequence(int)
    heading = factory.Iterator(["指导思想", "目标要求", "学习内容", "学习形式", "保障措施"])
    text = "坚持理论联系实际，学以致用。"
    holds_topics = factory.LazyAttribute(lambda o: o.heading == "学习内容")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    plan = factory.SubFactory(AnnualPlanFactory)
    position = factory.Sequence(int)
    label = factory.LazyAttribute(lambda o: make_label(NumberingStyle.DI_ZHUANTI, o.position + 1))
    title = factory.Sequence(lambda n: f"学习专题{n}：深入学习党的创新理论")
    description = "原原本本学习重要讲话，结合本地实际开展研讨。"
    study_form = StudyForm.GROUP_STUDY


class ScheduleEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleEntry

    topic = factory.SubFactory(TopicFactory)
    plan = factory.LazyAttribute(lambda o: o.topic.plan)
    month = 3
    study_form = StudyForm.GROUP_STUDY


class CascadedTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CascadedTopic

    topic = factory.SubFactory(TopicFactory)
    month = 5
    cascaded_by = factory.SubFactory(UserFactory)


class ProposalCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalCall

    group = factory.SubFactory(StudyGroupFactory)
    year = THIS_YEAR + 1
    title = factory.LazyAttribute(lambda o: f"{o.year}年度学习议题征集")
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class TopicProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicProposal

    call = factory.SubFactory(ProposalCallFactory)
    proposed_by = factory.SubFactory(UserFactory)
    title = "学习习近平总书记关于乡村振兴的重要论述"
    reason = "我县正推进乡村振兴示范村建设，需要统一思想。"


def plan_with_topics(group, *, n=3, status=AnnualPlan.Status.DRAFT, year=THIS_YEAR, months=(3,), **kwargs):
    """A plan with ``n`` topics, each scheduled in ``months``, and three sections."""
    plan = AnnualPlanFactory(group=group, status=status, year=year, **kwargs)
    for position, heading in enumerate(["指导思想", "学习内容", "保障措施"]):
        PlanSectionFactory(plan=plan, position=position, heading=heading)
    for i in range(n):
        topic = TopicFactory(plan=plan, position=i, label=make_label(plan.numbering_style, i + 1),
                             title=f"第{i + 1}个专题：学习党的创新理论成果{i + 1}")
        for month in months:
            ScheduleEntryFactory(plan=plan, topic=topic, month=month)
    return plan


def plan_world(world):
    """Plans of the ``world`` groups, created once per test and kept on ``world.plans``.

    bureau: published (this year), draft (next year), submitted (the year after);
    county: published, with a topic handed down for May; a call for topics of the bureau.
    """
    if getattr(world, "plans", None) is not None:
        return world.plans
    bureau = world.groups.bureau
    county_plan = plan_with_topics(world.groups.county, status=AnnualPlan.Status.PUBLISHED, n=2)
    world.plans = SimpleNamespace(
        published=plan_with_topics(bureau, status=AnnualPlan.Status.PUBLISHED),
        draft=plan_with_topics(bureau, year=THIS_YEAR + 1),
        submitted=plan_with_topics(bureau, status=AnnualPlan.Status.SUBMITTED, year=THIS_YEAR + 2),
        county=county_plan,
        cascade=CascadedTopicFactory(topic=county_plan.topics.first(), month=5, cascaded_by=world.staff),
        call=ProposalCallFactory(group=bureau),
    )
    world.plans.proposal = TopicProposalFactory(call=world.plans.call, proposed_by=world.other_member)
    return world.plans
