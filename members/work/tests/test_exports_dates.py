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

pytestmark = pytest.mark.django_db

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
    MemberWork.objects.filter(pk=work.pk).update(
        created_at=datetime(YEAR, 5, 18, 20, 0, tzinfo=SHANGHAI),
        first_submitted_at=datetime(YEAR, 5, 21, 8, 30, tzinfo=SHANGHAI),
    )
    return work


def _export(client, world, fmt):
    url = reverse("work:work-export", args=[world.groups.bureau.pk, YEAR, fmt])
    return client.post(url) if fmt == "pdf" else client.get(url)


def _word_paragraphs(response) -> list[str]:
    import docx

    return [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]


def _meta_line(response, author) -> str:
    return next(text for text in _word_paragraphs(response) if text.startswith(f"{author} · "))


def _pdf_text(response) -> str:
    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
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


def test_pdf_compilation_gives_when_it_was_written_and_submitted_the_chinese_way(world, client, article):
    client.force_login(world.staff)
    assert "撰写于2026年5月18日，提交于2026年5月21日" in _pdf_text(_export(client, world, "pdf"))


def test_excel_list_title_names_group_and_year_in_english(world, client, article):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    sheet = load_workbook(io.BytesIO(_export(client, world, "xlsx").content)).active
    assert sheet["A1"].value == f"{world.groups.bureau.name} members' work list 2026"


def test_excel_list_keeps_sortable_dates_in_its_columns(world, client, article):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    sheet = load_workbook(io.BytesIO(_export(client, world, "xlsx").content)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if "以教育现代化支撑县域发展" in r)
    assert "2026-05-20" in row
