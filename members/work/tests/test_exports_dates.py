"""Dates in the exports of a group's work are written the way the reader's language writes them:
2026年5月20日 (no leading zeros) in Chinese, May 20, 2026 in English, in the Word and PDF
compilations and in the titles of the files."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from members.work import services
from members.work.models import MemberWork, WorkKind
from studygroup.tests.office import needs_libreoffice

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2026


@pytest.fixture
def article(world):
    work = services.work_create(
        by=world.member, kind=WorkKind.ARTICLE, group=world.groups.bureau, year=YEAR,
        title="以教育现代化支撑县域发展", outlet="临川日报", level="city", occurred_on=date(YEAR, 5, 20),
        url="https://example.org/a",
    )
    services.work_submit(work=work, by=world.member)
    services.work_accept(work=work, by=world.staff)  # compilations hold accepted pieces
    MemberWork.objects.filter(pk=work.pk).update(
        created_at=datetime(YEAR, 5, 18, 20, 0, tzinfo=SHANGHAI),
        first_submitted_at=datetime(YEAR, 5, 21, 8, 30, tzinfo=SHANGHAI),
    )
    return work


def _export(client, world, fmt):
    url = reverse("work:work-export", args=[world.groups.bureau.pk, YEAR, fmt])
    return client.get(url)


def _built_pdf(client, world, capture) -> bytes:
    from members.work.models import CompilationBuild

    with capture(execute=True):  # the worker builds it
        client.post(reverse("work:work-export", args=[world.groups.bureau.pk, YEAR, "pdf"]))
    build = CompilationBuild.objects.get()
    response = client.get(reverse("work:compilation-download", args=[build.pk]))
    return b"".join(response.streaming_content) if response.streaming else response.content


def _word_paragraphs(response) -> list[str]:
    import docx

    return [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]


def _meta_line(response, author) -> str:
    return next(text for text in _word_paragraphs(response) if text.startswith(f"{author} · "))


def _pdf_text(data: bytes) -> str:
    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)


def test_word_compilation_gives_the_publication_date_the_chinese_way(world, client, article):
    client.force_login(world.staff)
    meta = _meta_line(_export(client, world, "docx"), world.member.name)
    assert " · 2026年5月20日 · " in meta


def test_word_compilation_gives_when_it_was_written_and_submitted_the_chinese_way(world, client, article):
    client.force_login(world.staff)
    meta = _meta_line(_export(client, world, "docx"), world.member.name)
    assert meta.endswith("撰写于 2026年5月18日，提交于 2026年5月21日")


def test_word_compilation_gives_the_dates_in_english(world, client, article):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    meta = _meta_line(_export(client, world, "docx"), world.member.name)
    assert meta.endswith(" · May 20, 2026 · written May 18, 2026, submitted May 21, 2026")


def test_word_compilation_title_names_group_and_year(world, client, article):
    client.force_login(world.staff)
    paragraphs = _word_paragraphs(_export(client, world, "docx"))
    assert f"{world.groups.bureau.name}2026年心得体会及学习成果汇编" in paragraphs


def test_pdf_compilation_gives_when_it_was_written_and_submitted_the_chinese_way(
    world, client, article, django_capture_on_commit_callbacks
):
    client.force_login(world.staff)
    assert "撰写于2026年5月18日，提交于2026年5月21日" in _pdf_text(_built_pdf(client, world, django_capture_on_commit_callbacks))


def test_excel_list_title_names_group_and_year_in_english(world, client, article):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    sheet = load_workbook(io.BytesIO(_export(client, world, "xlsx").content)).active
    assert sheet["A1"].value == f"{world.groups.bureau.name} members' work list 2026"


def test_excel_list_holds_real_dates_shown_the_chinese_way(world, client, article):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    sheet = load_workbook(io.BytesIO(_export(client, world, "xlsx").content)).active
    row = next(r for r in sheet.iter_rows() if "以教育现代化支撑县域发展" in [c.value for c in r])
    values = [cell.value for cell in row]
    assert datetime(YEAR, 5, 20) in values  # the date: it sorts and filters as a date
    assert datetime(YEAR, 5, 18, 20, 0) in values  # written at, local time
    date_cell = next(cell for cell in row if cell.value == datetime(YEAR, 5, 20))
    assert date_cell.number_format == 'yyyy"年"m"月"d"日"'


def test_excel_list_prints_readably_with_a_filter_borders_and_unique_headers(world, client, article):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    sheet = load_workbook(io.BytesIO(_export(client, world, "xlsx").content)).active
    headers = [cell.value for cell in sheet[2]]
    assert len(headers) == len(set(headers))
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(row=2, column=len(headers)).column_letter}{sheet.max_row}"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.fitToWidth) >= 2  # several pages across, never shrunk to a quarter
    assert sheet.print_title_rows in ("2:2", "$2:$2")
    assert sheet.cell(row=3, column=1).border.left.style == "thin"


@needs_libreoffice
def test_excel_list_opened_in_libreoffice_reads_at_a_normal_size(world, client, article):
    from studygroup.tests.office import libreoffice_pdf, pdf_pages_text

    client.force_login(world.staff)
    pages = pdf_pages_text(libreoffice_pdf(_export(client, world, "xlsx").content, ".xlsx"))
    first = pages[0]
    assert "以教育现代化支撑县域发展" in first.replace(" ", "")
    assert "2026年5月20日" in first.replace(" ", "")
    assert len(pages) == 2  # two landscape pages across, at a size people read
    assert "审核时间" in pages[1]  # the second page's columns under their headers
    assert "第2页，共2页" in pages[1].replace(" ", "")
