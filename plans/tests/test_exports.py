"""The plan as PDF, Word and Excel: files that open and contain the topics, in Chinese."""

import io

import pytest
from django.urls import reverse

from plans import exports, selectors
from plans.models import AnnualPlan, StudyForm
from plans.tests.factories import plan_with_topics

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


@pytest.fixture
def plan(world):
    plan = plan_with_topics(world.groups.bureau, status=AnnualPlan.Status.PUBLISHED, n=3, months=(3, 7))
    topic = plan.topics.first()
    topic.lead_members.add(world.member)
    plan.schedule.filter(topic=topic, month=7).update(study_form=StudyForm.LECTURE, speaker="市委党校教授")
    return plan


def test_docx_contains_title_sections_topics_and_the_schedule(plan, world, client):
    import docx

    client.force_login(world.other_member)
    response = client.get(reverse("plans:plan-docx", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert ".docx" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert plan.title in text
    assert "一、指导思想" in text
    assert "二、学习内容" in text
    for topic in plan.topics.all():
        assert f"{topic.label}：{topic.title}" in text
    table = document.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert len(cells) == 1 + 6
    assert any("市委党校教授" in row[4] for row in cells)


def test_xlsx_schedule_lists_each_row_and_the_topics(plan, world, client):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    response = client.get(reverse("plans:schedule-xlsx", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    schedule, topics = workbook.worksheets
    assert schedule["A1"].value.endswith("安排表")
    rows = list(schedule.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 6
    assert {row[3] for row in rows} == set(plan.topics.values_list("title", flat=True))
    assert any(row[5] == "市委党校教授" and row[4] == "专家辅导" for row in rows)
    titles = [row[1] for row in topics.iter_rows(min_row=3, values_only=True)]
    assert titles == list(plan.topics.values_list("title", flat=True))


def test_pdf_text_contains_the_chinese_titles(plan, world, client):
    from pypdf import PdfReader

    client.force_login(world.leader)
    page = client.get(reverse("plans:plan-pdf", kwargs={"pk": plan.pk}))  # a GET builds nothing
    assert page.status_code == 200
    assert 'data-test="make-pdf"' in page.content.decode()
    response = client.post(reverse("plans:plan-pdf", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    assert "".join(plan.title.split()) in compact
    for topic in plan.topics.all():
        assert topic.title in compact
    assert "安排表" in compact
    assert len(reader.pages) >= 2  # the schedule on its own landscape page


def test_print_page_is_the_same_document(plan, world, client):
    client.force_login(world.other_member)
    body = client.get(reverse("plans:plan-print", kwargs={"pk": plan.pk})).content.decode()
    assert plan.title in body
    assert "第三专题" in body
    assert "plans/plan_print.css" in body
    assert 'class="navbar' not in body


def test_filename_marks_revisions(plan):
    plan.revision = 2
    assert exports.filename(plan, "pdf").endswith(".pdf")
    assert "2" in exports.filename(plan, "pdf")


def test_plan_without_schedule_still_exports(world):
    plan = plan_with_topics(world.groups.bureau, n=1, months=())
    doc = selectors.plan_document(plan)
    assert exports.plan_docx(doc)
    assert exports.schedule_xlsx(doc)


def _planned_months_column(response) -> list[str]:
    from openpyxl import load_workbook

    topics = load_workbook(io.BytesIO(response.content)).worksheets[1]
    return [row[2] for row in topics.iter_rows(min_row=3, values_only=True)]


def test_xlsx_topics_give_their_months_the_chinese_way(plan, world, client):
    client.force_login(world.staff)
    response = client.get(reverse("plans:schedule-xlsx", kwargs={"pk": plan.pk}))
    assert _planned_months_column(response) == ["3月、7月"] * 3


def test_xlsx_topics_give_their_months_in_english(plan, world, client):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("plans:schedule-xlsx", kwargs={"pk": plan.pk}))
    assert _planned_months_column(response) == ["Month 3, Month 7"] * 3


def test_docx_gives_the_readings_after_one_label(plan, world, client):
    import docx

    plan.topics.filter(pk=plan.topics.first().pk).update(readings="《习近平谈治国理政》第五卷\n《求是》2026年第1期")
    client.force_login(world.staff)
    response = client.get(reverse("plans:plan-docx", kwargs={"pk": plan.pk}))
    texts = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert "学习篇目：《习近平谈治国理政》第五卷；《求是》2026年第1期" in texts
