"""Plan pages: scoping, the plan form with its formsets, preview, workflow, import and command."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import AnnualPlan, NumberingStyle, Topic
from plans.tests.factories import THIS_YEAR, plan_with_topics

pytestmark = pytest.mark.django_db
Status = AnnualPlan.Status
FIXTURES = Path(__file__).parent / "fixtures"


def form_data(*, plan=None, group=None, year=THIS_YEAR, title="教育局党组理论学习中心组年度学习计划",
              sections=(), topics=(), **extra):
    """POST data for the plan form: ``sections``/``topics`` are lists of dicts (row fields)."""
    data = {
        "title": title, "numbering_style": NumberingStyle.DI_ZHUANTI, "preamble": "",
        "meetings_per_year": 12, "discussions_per_year": 4, "articles_per_member": 2,
        "research_topics_per_half": 2,
    }
    if plan is None:
        data.update(group=group.pk, year=year)
    for prefix, rows in (("sections", sections), ("topics", topics)):
        initial = sum(1 for r in rows if r.get("id"))
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            defaults = {"ORDER": i + 1}
            if prefix == "topics":
                defaults["study_form"] = "group_study"  # a select always sends its value
            row = {**defaults, **row}
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(extra)
    return data


def test_views_module_never_reaches_models_directly():
    source = Path(__file__).resolve().parents[1].joinpath("views.py").read_text()
    assert not re.search(r"\b[A-Z]\w*\.objects\b", source)


def test_plan_create_with_topics_and_months(world, client):
    client.force_login(world.staff)
    data = form_data(
        group=world.groups.bureau,
        sections=[{"heading": "指导思想", "text": "坚持……"}, {"heading": "学习内容", "holds_topics": "on"}],
        topics=[{"title": "学习党的创新理论", "study_form": "group_study", "months": ["3", "9"]},
                {"title": "学习习近平法治思想", "study_form": "lecture", "months": ["5"]}],
    )
    response = client.post(reverse("plans:plan-create"), data)
    plan = AnnualPlan.objects.get(group=world.groups.bureau)
    assert response.status_code == 302
    assert response["Location"] == plan.get_absolute_url()
    assert list(plan.topics.values_list("label", "title")) == [
        ("第一专题", "学习党的创新理论"), ("第二专题", "学习习近平法治思想")]
    assert sorted(plan.schedule.values_list("month", flat=True)) == [3, 5, 9]
    assert plan.history.first().history_user == world.staff


def test_plan_form_with_errors_keeps_what_was_typed_and_marks_the_field(world, client):
    client.force_login(world.staff)
    data = form_data(
        group=world.groups.bureau, discussions_per_year=20,
        topics=[{"title": "学习党的创新理论", "description": "这段很长的说明文字不能丢失"},
                {"title": "", "description": "第二个专题只写了说明"},
                {"title": "学习党的创新理论"}],
    )
    response = client.post(reverse("plans:plan-create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert not AnnualPlan.objects.exists()
    assert "这段很长的说明文字不能丢失" in body
    assert "第二个专题只写了说明" in body
    assert 'id="id_topics-1-title"' in body
    assert re.search(r'is-invalid[^>]*id="id_topics-1-title"|id="id_topics-1-title"[^>]*is-invalid', body)
    assert "该专题已在计划中" in body or "already in the plan" in body
    assert re.search(r'is-invalid[^>]*id="id_discussions_per_year"|id="id_discussions_per_year"[^>]*is-invalid', body)


def test_blank_added_row_is_ignored(world, client):
    client.force_login(world.staff)
    data = form_data(group=world.groups.bureau, topics=[{"title": "甲"}, {"title": "", "study_form": "group_study"}])
    response = client.post(reverse("plans:plan-create"), data)
    assert response.status_code == 302
    assert AnnualPlan.objects.get().topics.count() == 1


def test_preview_shows_the_document_and_saves_nothing(world, client):
    client.force_login(world.staff)
    data = form_data(group=world.groups.bureau, sections=[{"heading": "学习内容", "holds_topics": "on"}],
                     topics=[{"title": "学习党的创新理论", "months": ["4"]}], _preview="1")
    response = client.post(reverse("plans:plan-create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert not AnnualPlan.objects.exists()
    assert 'id="preview"' in body
    assert "第一专题：学习党的创新理论。" in body
    assert "一、学习内容" in body


def test_plan_update_reorders_removes_and_keeps_ids(world, client):
    plan = plan_with_topics(world.groups.bureau, n=3)
    first, second, third = plan.topics.all()
    client.force_login(world.staff)
    data = form_data(plan=plan, title="改过的标题", topics=[
        {"id": third.pk, "title": third.title},
        {"id": second.pk, "title": second.title, "DELETE": "on"},
        {"id": first.pk, "title": "第一个专题改了"},
    ])
    response = client.post(reverse("plans:plan-update", kwargs={"pk": plan.pk}), data)
    assert response.status_code == 302
    assert list(plan.topics.values_list("pk", "label", "title")) == [
        (third.pk, "第一专题", third.title), (first.pk, "第二专题", "第一个专题改了")]
    plan.refresh_from_db()
    assert plan.title == "改过的标题"


def test_plan_update_of_an_approved_plan_offers_a_revision(world, client):
    plan = plan_with_topics(world.groups.bureau, status=Status.APPROVED)
    client.force_login(world.staff)
    response = client.get(reverse("plans:plan-update", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert reverse("plans:plan-revise", kwargs={"pk": plan.pk}) in response.content.decode()
    response = client.post(reverse("plans:plan-update", kwargs={"pk": plan.pk}), form_data(plan=plan, title="不能改"))
    plan.refresh_from_db()
    assert plan.title != "不能改"


def test_edit_pages_outside_scope_are_404_and_forbidden_actions_403(world, client):
    plan = plan_with_topics(world.groups.bureau, status=Status.SUBMITTED)
    client.force_login(world.sibling_staff)
    assert client.post(reverse("plans:plan-update", kwargs={"pk": plan.pk}), {}).status_code == 404
    client.force_login(world.staff)
    assert client.post(reverse("plans:plan-approve", kwargs={"pk": plan.pk}), {}).status_code == 403
    client.force_login(world.leader)
    assert client.post(reverse("plans:plan-withdraw", kwargs={"pk": plan.pk}), {}).status_code == 403
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def test_members_see_published_plans_only(world, client):
    draft = plan_with_topics(world.groups.bureau, year=THIS_YEAR + 1)
    published = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED)
    client.force_login(world.other_member)
    assert client.get(reverse("plans:plan-detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("plans:plan-detail", kwargs={"pk": published.pk})).status_code == 200
    listing = client.get(reverse("plans:plan-list")).content.decode()
    assert published.title in listing
    assert draft.get_absolute_url() not in listing


def test_workflow_through_the_pages(world, client):
    plan = plan_with_topics(world.groups.bureau)
    client.force_login(world.staff)
    assert client.post(reverse("plans:plan-submit", kwargs={"pk": plan.pk})).status_code == 302
    client.force_login(world.member)  # the bureau group's 组长
    home = client.get(reverse("home")).content.decode()
    assert reverse("plans:plan-approve", kwargs={"pk": plan.pk}) in home
    response = client.post(reverse("plans:plan-approve", kwargs={"pk": plan.pk}), {"comment": "同意"})
    assert response.status_code == 302
    client.force_login(world.staff)
    client.post(reverse("plans:plan-publish", kwargs={"pk": plan.pk}))
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by) == (Status.PUBLISHED, world.member)
    client.force_login(world.other_member)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert plan.topics.first().title in page
    assert "同意" in page


def test_return_needs_a_comment_shown_on_the_field(world, client):
    plan = plan_with_topics(world.groups.bureau, status=Status.SUBMITTED)
    client.force_login(world.member)
    response = client.post(reverse("plans:plan-return", kwargs={"pk": plan.pk}), {"comment": ""})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED


def test_revise_then_changes_page_shows_the_difference(world, client):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED, n=2)
    client.force_login(world.staff)
    response = client.post(reverse("plans:plan-revise", kwargs={"pk": plan.pk}), {"comment": "调整专题"})
    revision = AnnualPlan.objects.get(previous=plan)
    assert response["Location"] == revision.get_absolute_url()
    topic = revision.topics.first()
    client.post(reverse("plans:plan-update", kwargs={"pk": revision.pk}), form_data(
        plan=revision, title=revision.title, topics=[{"id": topic.pk, "title": "新的专题标题"}]))
    page = client.get(reverse("plans:plan-changes", kwargs={"pk": revision.pk})).content.decode()
    assert "新的专题标题" in page
    assert "<del>" in page


def test_copy_page_creates_next_years_draft(world, client):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED)
    client.force_login(world.staff)
    response = client.post(reverse("plans:plan-copy", kwargs={"pk": plan.pk}), {"year": THIS_YEAR + 1})
    copy = AnnualPlan.objects.get(year=THIS_YEAR + 1)
    assert response["Location"] == copy.get_absolute_url()
    assert copy.topics.count() == 3


def test_schedule_table_edit(world, client):
    plan = plan_with_topics(world.groups.bureau, n=2, months=(3,))
    first, second = plan.topics.all()
    entries = list(plan.schedule.order_by("pk"))
    client.force_login(world.staff)
    page = client.get(reverse("plans:schedule-update", kwargs={"pk": plan.pk})).content.decode()
    assert page.count("data-formset-row") == 2 + 1  # two rows and the template of a new one
    data = {"schedule-TOTAL_FORMS": 3, "schedule-INITIAL_FORMS": 2, "schedule-MIN_NUM_FORMS": 0,
            "schedule-MAX_NUM_FORMS": 1000,
            "schedule-0-id": entries[0].pk, "schedule-0-topic": first.pk, "schedule-0-month": 4,
            "schedule-0-study_form": "lecture", "schedule-0-speaker": "省委党校教授",
            "schedule-1-id": entries[1].pk, "schedule-1-topic": second.pk, "schedule-1-month": 3,
            "schedule-1-study_form": "group_study", "schedule-1-DELETE": "on",
            "schedule-2-topic": second.pk, "schedule-2-month": 10, "schedule-2-study_form": "discussion",
            "schedule-2-lead": world.member.pk}
    response = client.post(reverse("plans:schedule-update", kwargs={"pk": plan.pk}), data)
    assert response.status_code == 302
    assert sorted(plan.schedule.values_list("topic", "month", "study_form")) == sorted(
        [(first.pk, 4, "lecture"), (second.pk, 10, "discussion")])


def test_schedule_table_bad_month_is_shown_on_the_field(world, client):
    plan = plan_with_topics(world.groups.bureau, n=1, months=())
    client.force_login(world.staff)
    data = {"schedule-TOTAL_FORMS": 1, "schedule-INITIAL_FORMS": 0, "schedule-MIN_NUM_FORMS": 0,
            "schedule-MAX_NUM_FORMS": 1000, "schedule-0-topic": plan.topics.get().pk, "schedule-0-month": 13,
            "schedule-0-study_form": "lecture", "schedule-0-note": "记得带材料"}
    response = client.post(reverse("plans:schedule-update", kwargs={"pk": plan.pk}), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in body
    assert "记得带材料" in body


# --- import ---------------------------------------------------------------------------------


def _docx_bytes(lines):
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _import(client, world, **data):
    client.force_login(world.staff)
    response = client.post(reverse("plans:plan-import"), {"group": world.groups.bureau.pk, **data})
    return response


def test_import_txt_opens_a_review_form_and_saves_a_draft(world, client):
    upload = io.BytesIO((FIXTURES / "county_zhuanti_2021.txt").read_bytes())
    upload.name = "计划.txt"
    response = _import(client, world, file=upload)
    assert response.status_code == 302
    assert "import=" in response["Location"]
    review = client.get(response["Location"])
    body = review.content.decode()
    assert review.status_code == 200
    assert "第十七专题" in body
    assert not AnnualPlan.objects.exists()
    assert review.context["topic_formset"].initial[0]["label"] == "第一专题"
    # The user presses "save as draft" with what the form shows.
    form, sections, topics = review.context["form"], review.context["section_formset"], review.context["topic_formset"]
    data = form_data(group=world.groups.bureau, year=form.initial["year"], title=form.initial["title"],
                     sections=[dict(s) for s in sections.initial],
                     topics=[{k: v for k, v in t.items() if v} for t in topics.initial],
                     import_token=review.context["import_token"])
    data["numbering_style"] = form.initial["numbering_style"]
    for key in list(data):
        if key.endswith("-holds_topics"):
            data[key] = "on" if data[key] else ""
    saved = client.post(response["Location"], data)
    plan = AnnualPlan.objects.get()
    assert saved.status_code == 302
    assert plan.topics.count() == 17
    assert plan.status == Status.DRAFT
    assert plan.year == 2021
    assert plan.topics.last().label == "第十七专题"


def test_import_docx_reads_the_document(world, client):
    upload = io.BytesIO(_docx_bytes([
        "中共XX镇委员会理论学习中心组2024年学习计划", "一、指导思想", "坚持以党的创新理论为指导。",
        "二、学习内容", "（一）学习党的二十大精神。深刻领会。", "（二）学习乡村振兴论述。结合实际。",
        "三、学习形式", "（一）集中学习。", "（二）个人自学。",
    ]))
    upload.name = "plan.docx"
    response = _import(client, world, file=upload)
    review = client.get(response["Location"])
    topics = review.context["topic_formset"].initial
    assert [t["label"] for t in topics] == ["（一）", "（二）"]
    assert review.context["form"].initial["numbering_style"] == NumberingStyle.CN_PAREN


def test_import_pasted_text_with_debris(world, client):
    text = (FIXTURES / "district_debris_2022.txt").read_text(encoding="utf-8")
    response = _import(client, world, text=text)
    review = client.get(response["Location"])
    assert review.status_code == 200
    assert review.context["topic_formset"].initial


def test_import_refuses_an_old_doc_on_the_file_field(world, client):
    upload = io.BytesIO(b"\xd0\xcf\x11\xe0 old word")
    upload.name = "plan.doc"
    response = _import(client, world, file=upload)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_import_needs_a_file_or_text(world, client):
    response = _import(client, world, text="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_import_review_without_the_session_data_starts_empty(world, client):
    client.force_login(world.staff)
    response = client.get(reverse("plans:plan-create") + "?import=gone")
    assert response.status_code == 200
    assert response.context["topic_formset"].initial in (None, [])


def test_import_plan_command_dry_run_prints_json(capsys):
    call_command("import_plan", str(FIXTURES / "city_bureau_2022.txt"), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2022
    assert data["title"].startswith("中共XX市生态环境局党组")
    assert [t["label"] for t in data["topics"]][:3] == ["（一）", "（二）", "（三）"]
    assert len(data["topics"]) == 15
    assert {"heading", "text"} <= set(data["sections"][0])


def test_import_plan_command_saves_a_draft_for_the_group(world, capsys):
    call_command("import_plan", str(FIXTURES / "forms_sublists_2022.txt"), "--group", str(world.groups.bureau.pk),
                 "--user", world.staff.username)
    plan = AnnualPlan.objects.get(group=world.groups.bureau)
    assert plan.status == Status.DRAFT
    assert plan.topics.count() == 6
    assert Topic.objects.filter(plan=plan, title__contains="集中学习").count() == 0


def test_import_plan_command_needs_a_group_to_save(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_plan", str(FIXTURES / "city_bureau_2022.txt"))


def test_plan_list_filters_and_shows_earlier_revisions_on_request(world, client):
    plan = plan_with_topics(world.groups.bureau, status=Status.PUBLISHED)
    from plans import services

    revision = services.plan_revise(plan=plan, by=world.staff)
    other = plan_with_topics(world.groups.township, year=THIS_YEAR - 1)
    client.force_login(world.staff)
    listed = client.get(reverse("plans:plan-list")).context["object_list"]
    assert set(listed) == {plan, revision, other}  # the draft revision and the one in force
    services.plan_submit(plan=revision, by=world.staff)
    services.plan_approve(plan=revision, by=world.member)
    services.plan_publish(plan=revision, by=world.staff)
    assert set(client.get(reverse("plans:plan-list")).context["object_list"]) == {revision, other}
    assert plan in client.get(reverse("plans:plan-list") + "?revisions=all").context["object_list"]
    assert list(client.get(reverse("plans:plan-list") + f"?year={THIS_YEAR - 1}").context["object_list"]) == [other]
    assert list(client.get(reverse("plans:plan-list") + "?q=第2个专题&group=" + str(world.groups.township.pk))
                .context["object_list"]) == [other]
