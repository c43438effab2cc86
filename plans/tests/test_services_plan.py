"""Plan services: numbering, quotas, status transitions, revisions, copies, import."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from plans import selectors, services
from plans.models import AnnualPlan, NumberingStyle, ScheduleEntry, StudyForm, Topic, make_label
from plans.tests.factories import THIS_YEAR, AnnualPlanFactory, plan_with_topics

pytestmark = pytest.mark.django_db
Status = AnnualPlan.Status


def topic_rows(*titles, **extra):
    return [{"title": title, **extra} for title in titles]


# --- numbering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "style, labels",
    [
        (NumberingStyle.DI_ZHUANTI, ["第一专题", "第二专题", "第十专题", "第十七专题"]),
        (NumberingStyle.ZHUANTI_N, ["专题一", "专题二", "专题十", "专题十七"]),
        (NumberingStyle.CN_PAREN, ["（一）", "（二）", "（十）", "（十七）"]),
        (NumberingStyle.CN_DUN, ["一、", "二、", "十、", "十七、"]),
        (NumberingStyle.ARABIC, ["1.", "2.", "10.", "17."]),
    ],
)
def test_make_label_follows_each_numbering_style(style, labels):
    assert [make_label(style, n) for n in (1, 2, 10, 17)] == labels


def test_make_label_counts_past_twenty():
    assert make_label(NumberingStyle.DI_ZHUANTI, 21) == "第二十一专题"
    assert make_label(NumberingStyle.CN_PAREN, 30) == "（三十）"


def test_plan_create_numbers_topics_in_the_plans_style(world):
    plan = services.plan_create(
        group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
        numbering_style=NumberingStyle.CN_PAREN, topics=topic_rows("甲", "乙", "丙"),
    )
    assert list(plan.topics.values_list("label", flat=True)) == ["（一）", "（二）", "（三）"]


def test_plan_update_renumbers_after_reordering_and_removal(world):
    plan = services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
                                topics=topic_rows("甲", "乙", "丙"))
    first, second, third = plan.topics.all()
    services.plan_update(plan=plan, by=world.staff, topics=[
        {"id": third.pk, "title": "丙"}, {"id": first.pk, "title": "甲（改）"},
    ])
    topics = list(plan.topics.all())
    assert [(t.pk, t.label, t.title) for t in topics] == [
        (third.pk, "第一专题", "丙"), (first.pk, "第二专题", "甲（改）"),
    ]
    assert not Topic.objects.filter(pk=second.pk).exists()


def test_custom_numbering_keeps_labels_as_written(world):
    plan = services.plan_create(
        group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
        numbering_style=NumberingStyle.CUSTOM,
        topics=[{"label": "专题A", "title": "甲"}, {"label": "专题B", "title": "乙"}],
    )
    assert list(plan.topics.values_list("label", flat=True)) == ["专题A", "专题B"]


def test_changing_the_style_alone_renumbers_the_topics(world):
    plan = services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
                                topics=topic_rows("甲", "乙"))
    services.plan_update(plan=plan, by=world.staff, numbering_style=NumberingStyle.ZHUANTI_N)
    assert list(plan.topics.values_list("label", flat=True)) == ["专题一", "专题二"]


@pytest.mark.parametrize(
    "labels, style",
    [
        (["第一专题", "第二专题"], NumberingStyle.DI_ZHUANTI),
        (["(一)", "(二)", "(三)"], NumberingStyle.CN_PAREN),
        (["专题一", "专题二"], NumberingStyle.ZHUANTI_N),
        (["一、", "二、"], NumberingStyle.CN_DUN),
        (["第一专题", "（二）"], NumberingStyle.CUSTOM),
        (["第一讲", "第二讲"], NumberingStyle.CUSTOM),
    ],
)
def test_numbering_style_of_recognises_imported_labels(labels, style):
    assert services.numbering_style_of(labels) == style


# --- quotas ---------------------------------------------------------------------------------


def test_plan_quotas_default_to_the_usual_values(world):
    plan = services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff)
    assert (plan.meetings_per_year, plan.discussions_per_year, plan.articles_per_member,
            plan.research_topics_per_half) == (12, 4, 2, 2)


def test_plan_quotas_are_the_plans_own(world):
    plan = services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
                                meetings_per_year=15, discussions_per_year=6)
    plan.refresh_from_db()
    assert (plan.meetings_per_year, plan.discussions_per_year) == (15, 6)


def test_plan_quota_out_of_range_is_refused_on_its_field(world):
    with pytest.raises(ValidationError) as error:
        services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
                             meetings_per_year=500)
    assert "meetings_per_year" in error.value.error_dict


def test_quota_lines_compare_the_schedule_with_the_quotas(world):
    plan = plan_with_topics(world.groups.bureau, n=3, months=(3, 6))
    ScheduleEntry.objects.filter(plan=plan, month=6).update(study_form=StudyForm.DISCUSSION)
    doc = selectors.plan_document(plan)
    meetings, discussions, *_ = doc["quotas"]
    assert (meetings.quota, meetings.planned, meetings.short) == (12, 6, True)
    assert (discussions.quota, discussions.planned, discussions.short) == (4, 3, True)


# --- who may and status transitions ---------------------------------------------------------


def test_plan_create_refuses_a_group_the_user_does_not_manage(world):
    with pytest.raises(PermissionDenied):
        services.plan_create(group=world.groups.sibling, year=THIS_YEAR, title="计划", by=world.staff)


def test_plan_create_refuses_a_second_plan_for_the_same_year(world):
    services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff)
    with pytest.raises(ValidationError) as error:
        services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="又一个", by=world.staff)
    assert "year" in error.value.error_dict


def test_database_allows_one_current_plan_per_group_and_year(world):
    AnnualPlanFactory(group=world.groups.bureau)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualPlanFactory(group=world.groups.bureau, revision=2)


def test_full_workflow_records_who_and_when(world):
    plan = plan_with_topics(world.groups.bureau)
    services.plan_submit(plan=plan, by=world.staff)
    plan = services.plan_approve(plan=plan, by=world.member, comment="同意")
    assert plan.status == Status.APPROVED
    assert plan.approved_by == world.member
    assert plan.approved_at is not None
    plan = services.plan_publish(plan=plan, by=world.staff)
    assert plan.status == Status.PUBLISHED
    assert plan.published_by == world.staff
    assert plan.history.first().history_user == world.staff


def test_submit_needs_a_topic(world):
    plan = AnnualPlanFactory(group=world.groups.bureau)
    with pytest.raises(ValidationError):
        services.plan_submit(plan=plan, by=world.staff)


@pytest.mark.parametrize(
    "status, action",
    [
        (Status.DRAFT, "approve"), (Status.DRAFT, "publish"), (Status.SUBMITTED, "publish"),
        (Status.SUBMITTED, "submit"), (Status.APPROVED, "submit"), (Status.APPROVED, "approve"),
        (Status.PUBLISHED, "approve"), (Status.PUBLISHED, "publish"), (Status.PUBLISHED, "withdraw"),
        (Status.DRAFT, "revise"), (Status.SUBMITTED, "revise"),
    ],
)
def test_only_allowed_transitions_happen(world, status, action):
    plan = plan_with_topics(world.groups.bureau, status=status)
    calls = {
        "submit": lambda: services.plan_submit(plan=plan, by=world.staff),
        "approve": lambda: services.plan_approve(plan=plan, by=world.member),
        "publish": lambda: services.plan_publish(plan=plan, by=world.staff),
        "withdraw": lambda: services.plan_withdraw(plan=plan, by=world.staff),
        "revise": lambda: services.plan_revise(plan=plan, by=world.staff),
    }
    with pytest.raises(ValidationError):
        calls[action]()
    plan.refresh_from_db()
    assert plan.status == status


def test_only_the_group_leader_approves(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.SUBMITTED)
    for someone in (world.staff, world.leader, world.other_member):  # other_member is the deputy
        with pytest.raises(PermissionDenied):
            services.plan_approve(plan=plan, by=someone)


def test_return_sends_the_plan_back_with_a_comment(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        services.plan_return(plan=plan, by=world.member, comment=" ")
    plan = services.plan_return(plan=plan, by=world.member, comment="第三专题请结合本单位实际")
    assert plan.status == Status.DRAFT
    assert plan.review_comment == "第三专题请结合本单位实际"


def test_approved_plan_is_not_edited_in_place(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.APPROVED)
    with pytest.raises(ValidationError):
        services.plan_update(plan=plan, by=world.staff, title="改")


# --- revisions ------------------------------------------------------------------------------


def test_revise_keeps_the_earlier_revision_and_copies_the_content(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED, n=3, months=(3, 9))
    revision = services.plan_revise(plan=plan, by=world.staff, note="增加一个专题")
    plan.refresh_from_db()
    assert (plan.is_current, plan.status) == (False, Status.PUBLISHED)
    assert (revision.is_current, revision.status, revision.revision, revision.previous) == (
        True, Status.DRAFT, 2, plan)
    assert revision.topics.count() == 3
    assert revision.schedule.count() == 6
    assert list(revision.topics.values_list("uid", flat=True)) == list(plan.topics.values_list("uid", flat=True))
    assert plan.topics.count() == 3  # the earlier text is kept


def test_members_keep_the_published_revision_while_a_new_one_is_drafted(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED)
    revision = services.plan_revise(plan=plan, by=world.staff)
    in_force = AnnualPlan.objects.visible_to(world.other_member).in_force()
    assert list(in_force) == [plan]
    for step in (services.plan_submit, services.plan_publish):
        if step is services.plan_publish:
            services.plan_approve(plan=revision, by=world.member)
        step(plan=revision, by=world.staff)
    assert list(AnnualPlan.objects.visible_to(world.other_member).in_force()) == [revision]


def test_diff_shows_what_changed_between_revisions(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED, n=3)
    revision = services.plan_revise(plan=plan, by=world.staff)
    doc = selectors.plan_document(revision)
    rows = [{"id": t.pk, "title": t.title, "months": t.planned_months} for t in doc["topics"]]
    rows[0]["title"] = "学习党的二十届三中全会精神"
    del rows[1]
    rows.append({"title": "学习习近平文化思想", "months": [7]})
    sections = [{"id": s.pk, "heading": s.heading, "text": s.text} for s in doc["sections"]]
    sections[0]["text"] = "坚持以习近平新时代中国特色社会主义思想为指导。"
    services.plan_update(plan=revision, by=world.staff, topics=rows, sections=sections, meetings_per_year=14)
    revision.refresh_from_db()
    diff = selectors.plan_diff(plan, revision)
    kinds = sorted((c.kind, c.name.split(" ", 1)[-1]) for c in diff["topics"])
    assert ("added", "学习习近平文化思想") in kinds
    assert ("changed", "学习党的二十届三中全会精神") in kinds
    assert any(kind == "removed" for kind, _ in kinds)
    assert [c.kind for c in diff["sections"]] == ["changed"]
    assert "<ins>" in str(diff["sections"][0].fields[0][1])
    assert any("14" in str(html) for _, html in diff["fields"])
    assert any(row[0] == "added" and row[2] == 7 for row in diff["schedule"])


# --- copy and import ------------------------------------------------------------------------


def test_copy_starts_next_years_plan_from_this_one(world):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED, n=4,
                            title=f"教育局党组理论学习中心组{THIS_YEAR}年度学习计划")
    copy = services.plan_copy(source=plan, by=world.staff)
    assert (copy.year, copy.status, copy.revision, copy.copied_from) == (THIS_YEAR + 1, Status.DRAFT, 1, plan)
    assert copy.title == f"教育局党组理论学习中心组{THIS_YEAR + 1}年度学习计划"
    assert copy.topics.count() == 4
    assert copy.sections.count() == 3
    assert copy.schedule.count() == 4
    with pytest.raises(ValidationError):
        services.plan_copy(source=plan, by=world.staff)


def test_plan_import_creates_a_draft_keeping_labels(world):
    parsed = {
        "title": "中共XX县委理论学习中心组2025年度学习计划", "year": 2025, "preamble": "为……制定本计划。",
        "sections": [{"heading": "指导思想", "text": "坚持……"}, {"heading": "学习内容", "text": "共三个专题。"}],
        "topics": [{"label": "第一专题", "title": "甲", "description": "说明"},
                   {"label": "第二专题", "title": "乙", "description": ""}],
        "unplaced": [],
    }
    plan = services.plan_import(group=world.groups.bureau, by=world.staff, parsed=parsed)
    assert (plan.year, plan.status, plan.numbering_style) == (2025, Status.DRAFT, NumberingStyle.DI_ZHUANTI)
    assert list(plan.topics.values_list("label", "title")) == [("第一专题", "甲"), ("第二专题", "乙")]
    assert list(plan.sections.values_list("heading", "holds_topics")) == [("指导思想", False), ("学习内容", True)]


def test_schedule_update_replaces_the_rows(world):
    plan = plan_with_topics(world.groups.bureau, n=2, months=(3,))
    first, second = plan.topics.all()
    services.schedule_update(plan=plan, by=world.staff, entries=[
        {"topic": first, "month": 4, "study_form": StudyForm.LECTURE, "lead": None, "speaker": "市委党校教授", "note": ""},
        {"topic": second, "month": 11, "study_form": StudyForm.DISCUSSION, "lead": world.member, "speaker": "", "note": ""},
    ])
    assert sorted(plan.schedule.values_list("month", "study_form")) == [(4, "lecture"), (11, "discussion")]


def test_topic_months_become_schedule_rows(world):
    plan = services.plan_create(group=world.groups.bureau, year=THIS_YEAR, title="计划", by=world.staff,
                                topics=[{"title": "甲", "months": [2, 8], "lead_members": [world.member]}])
    topic = plan.topics.get()
    assert sorted(topic.schedule_entries.values_list("month", flat=True)) == [2, 8]
    assert topic.schedule_entries.first().lead == world.member
    services.plan_update(plan=plan, by=world.staff, topics=[{"id": topic.pk, "title": "甲", "months": [8]}])
    assert list(topic.schedule_entries.values_list("month", flat=True)) == [8]
