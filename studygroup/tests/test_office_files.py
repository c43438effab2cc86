"""Every Word and Excel file the app writes, opened in LibreOffice as the users do and read page
by page: each page holds more than a stray row or a footer, no table column is so narrow that
its text runs one character a line, and the file says what it is about. (The bulletin's Word file
and the work list have their own, closer tests.)"""

import io
import re

import docx
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from plans.models import AnnualPlan
from plans.tests.factories import ScheduleEntryFactory, plan_with_topics
from reports import services as report_services
from reports.models import Period
from reports.tests.factories import YEAR, records_2025_h1
from sessions.models import Attendance
from sessions.tests.factories import AttendanceFactory, MeetingFactory
from studygroup.tests.office import libreoffice_pdf, needs_libreoffice, pdf_pages_text

pytestmark = [pytest.mark.django_db, pytest.mark.documents]

ONE_CJK_CHARACTER = re.compile(r"^\s*[\u4e00-\u9fff]\s*$")


def problems_of_pages(pages: list[str]) -> list[str]:
    problems = []
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        if len(lines) < 3:
            problems.append(f"page {number} holds only {lines}")
        run = 0
        for line in lines:
            run = run + 1 if ONE_CJK_CHARACTER.match(line) else 0
            if run >= 4:
                problems.append(f"page {number}: text runs one character a line (a column too narrow)")
                break
    return problems


def word_column_problems(data: bytes) -> list[str]:
    from docx.oxml.ns import qn

    problems = []
    for index, table in enumerate(docx.Document(io.BytesIO(data)).tables):
        widths = [int(col.get(qn("w:w"))) / 56.7 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        if widths and min(widths) < 8:
            problems.append(f"table {index}: a column {min(widths):.1f} mm wide")
    return problems


def excel_column_problems(data: bytes) -> list[str]:
    problems = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for letter, dimension in sheet.column_dimensions.items():
            if dimension.width is not None and 0 < dimension.width < 4 and sheet[f"{letter}1"].value is not None:
                problems.append(f"{sheet.title} column {letter}: {dimension.width} characters wide")
    return problems


def _download(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def reports_world(world):
    records_2025_h1(world)
    review = report_services.review_create(group=world.groups.bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    report_services.review_update(
        review=review, by=world.staff, title=review.title, good_practices="坚持“第一议题”制度，领导带头领学。",
        problems="个别成员研讨发言准备不足，联系实际不够。", next_plan="下半年围绕全会精神开展专题研讨。",
    )
    account = report_services.account_create(group=world.groups.bureau, year=YEAR, by=world.member)
    account = report_services.account_update(account=account, by=world.member, title=account.title,
                                             text="一年来，局党组中心组坚持把学习贯彻党的创新理论作为首要政治任务。\n" * 6)
    return world, review, account


@needs_libreoffice
def test_the_review_and_the_study_account_in_word_read_as_on_their_pages(reports_world, client):
    world, review, account = reports_world
    client.force_login(world.staff)
    for name, document, expected in (
        ("reports:review-docx", review, "好的做法"),
        ("reports:account-docx", account, "首要政治任务"),
    ):
        data = _download(client, name, document.pk)
        assert word_column_problems(data) == []
        pages = pdf_pages_text(libreoffice_pdf(data, ".docx"))
        assert problems_of_pages(pages) == []
        assert expected in "".join(pages).replace(" ", "")


def test_the_study_account_in_word_has_the_comment_and_the_years_figures(reports_world):
    from reports import documents

    world, _review, account = reports_world
    account = report_services.account_submit(account=account, by=world.member)
    account = report_services.account_comment(account=account, by=world.leader, comment="学习扎实，特色鲜明。")
    word = docx.Document(io.BytesIO(documents.docx(account)))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == f"{world.leader.name}点评（{date_format(timezone.localdate(), 'DATE_FORMAT')}）"
    assert headings[1] == f"{YEAR}年学习数据"
    assert "学习扎实，特色鲜明。" in [p.text for p in word.paragraphs]
    assert [cell.text for cell in word.tables[0].rows[0].cells] == ["项目", "数值"]


@needs_libreoffice
def test_the_plan_in_word_and_its_schedule_in_excel_read_as_printed(world, client):
    plan = plan_with_topics(world.groups.bureau, status=AnnualPlan.Status.PUBLISHED, n=12)
    for topic in plan.topics.all():
        ScheduleEntryFactory(plan=plan, topic=topic, month=topic.position % 12 + 1, lead=world.member)
    client.force_login(world.staff)

    word = _download(client, "plans:plan-docx", plan.pk)
    assert word_column_problems(word) == []
    pages = pdf_pages_text(libreoffice_pdf(word, ".docx"))
    assert problems_of_pages(pages) == []
    assert plan.title.replace(" ", "")[:8] in "".join(pages).replace(" ", "")

    excel = _download(client, "plans:schedule-xlsx", plan.pk)
    assert excel_column_problems(excel) == []
    pages = pdf_pages_text(libreoffice_pdf(excel, ".xlsx"))
    assert problems_of_pages(pages) == []
    assert "第十二专题" in "".join(pages).replace(" ", "")


@needs_libreoffice
def test_the_sign_in_sheet_in_excel_leaves_room_to_sign_and_prints_every_member(world, client):
    from members.tests.factories import MembershipFactory, UserFactory

    for n in range(22):
        MembershipFactory(group=world.groups.bureau, user=UserFactory(name=f"成员{n:02d}", organization=world.bureau))
    meeting = MeetingFactory(group=world.groups.bureau, title="学习贯彻全会精神")
    AttendanceFactory(meeting=meeting, user=world.member, status=Attendance.Status.LEAVE, leave_reason="出差")
    client.force_login(world.staff)
    excel = _download(client, "meetings:meeting-sign-in-sheet-xlsx", meeting.pk)
    assert excel_column_problems(excel) == []
    pages = pdf_pages_text(libreoffice_pdf(excel, ".xlsx"))
    assert problems_of_pages(pages) == []
    printed = "".join(pages).replace(" ", "")
    assert "学习贯彻全会精神" in printed
    assert "成员21" in printed
    assert world.member.name in printed


@needs_libreoffice
def test_the_compilation_in_word_reads_piece_by_piece(world, client):
    """心得体会汇编: its contents, then each accepted piece with its author."""
    from members.work import services as work_services
    from members.work.models import WorkKind

    year = timezone.localdate().year
    meeting = MeetingFactory(group=world.groups.bureau, title="学习贯彻全会精神")
    for author in (world.member, world.other_member):
        work = work_services.work_create(
            by=author, kind=WorkKind.REFLECTION, group=world.groups.bureau, title=f"{author.name}的学习体会",
            body="通过学习，深刻认识到全会的重大意义。" * 40, meeting=meeting,
        )
        work_services.work_submit(work=work, by=author)
        work_services.work_accept(work=work, by=world.staff)
    client.force_login(world.staff)
    data = _download(client, "work:work-export", world.groups.bureau.pk, year, "docx")
    pages = pdf_pages_text(libreoffice_pdf(data, ".docx"))
    assert problems_of_pages(pages) == []
    printed = "".join(pages).replace(" ", "")
    assert f"{world.member.name}的学习体会" in printed
    assert f"{world.other_member.name}的学习体会" in printed
