"""Dates in a meeting's documents are written the way the reader's language writes them:
2026年5月20日 (no leading zeros) in Chinese, May 20, 2026 in English; 5月20日 where a page shows
only month and day. File names keep the sortable 20260520."""

import re
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions.models import Meeting
from sessions.tests.factories import MeetingFactory

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def meeting(world):
    return MeetingFactory(
        group=world.groups.bureau, title="学习贯彻全会精神", venue="县委第一会议室", status=Meeting.Status.HELD,
        starts_at=datetime(2026, 5, 20, 9, 0, tzinfo=SHANGHAI), ends_at=datetime(2026, 5, 20, 11, 30, tzinfo=SHANGHAI),
    )


def _in_english(client):
    client.cookies["django_language"] = "en"


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).replace("\n", "")


def _sheet_line_under_the_title(data: bytes) -> str:
    from openpyxl import load_workbook

    return load_workbook(BytesIO(data)).active.cell(row=2, column=1).value


def test_archive_page_shows_the_meeting_date_the_chinese_way(client, world, meeting):
    client.force_login(world.staff)
    body = client.get(reverse("meetings:meeting-archive", args=[meeting.pk])).content.decode()
    assert "2026年5月20日 09:00–11:30" in body


def test_archive_page_shows_the_meeting_date_in_english(client, world, meeting):
    client.force_login(world.staff)
    _in_english(client)
    body = client.get(reverse("meetings:meeting-archive", args=[meeting.pk])).content.decode()
    assert "May 20, 2026 9 a.m.–11:30 a.m." in body


def office_archive(client, meeting, capture):
    """The office's copy: asked for (the worker builds it), then downloaded."""
    url = reverse("meetings:meeting-archive-pdf", args=[meeting.pk])
    with capture(execute=True):
        client.post(url)
    response = client.get(client.post(url).url)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def test_archive_pdf_shows_the_meeting_date_the_chinese_way(client, world, meeting, django_capture_on_commit_callbacks):
    client.force_login(world.staff)
    _response, data = office_archive(client, meeting, django_capture_on_commit_callbacks)
    assert "2026年5月20日09:00–11:30" in _pdf_text(data).replace(" ", "")


def test_archive_pdf_file_name_keeps_the_sortable_date(client, world, meeting, django_capture_on_commit_callbacks):
    client.force_login(world.staff)
    response, _data = office_archive(client, meeting, django_capture_on_commit_callbacks)
    assert "20260520" in response["Content-Disposition"]


def test_sign_in_sheet_excel_shows_the_date_and_venue_the_chinese_way(client, world, meeting):
    client.force_login(world.staff)
    response = client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk]))
    assert _sheet_line_under_the_title(response.content) == "2026年5月20日 09:00–11:30  县委第一会议室"


def test_sign_in_sheet_excel_shows_the_date_in_english(client, world, meeting):
    client.force_login(world.staff)
    _in_english(client)
    response = client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk]))
    assert _sheet_line_under_the_title(response.content) == "May 20, 2026 9 a.m.–11:30 a.m.  县委第一会议室"


def test_sign_in_sheet_pdf_shows_the_date_the_chinese_way(client, world, meeting):
    client.force_login(world.staff)
    response = client.post(reverse("meetings:meeting-sign-in-sheet-pdf", args=[meeting.pk]))
    assert "2026年5月20日09:00–11:30" in _pdf_text(response.content).replace(" ", "")


def test_group_year_page_shows_month_and_day_without_leading_zeros(client, world, meeting):
    client.force_login(world.staff)
    url = reverse("meetings:group-year", args=[world.groups.bureau.pk])
    body = client.get(url, {"year": 2026}).content.decode()
    assert ">5月20日</td>" in body


def test_group_year_page_shows_month_and_day_in_english(client, world, meeting):
    client.force_login(world.staff)
    _in_english(client)
    url = reverse("meetings:group-year", args=[world.groups.bureau.pk])
    body = client.get(url, {"year": 2026}).content.decode()
    assert ">May 20</td>" in body


def test_sign_in_sheet_excel_leaves_room_to_sign_and_prints_with_a_filter_and_borders(client, world, meeting):
    from openpyxl import load_workbook

    client.force_login(world.staff)
    response = client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk]))
    sheet = load_workbook(BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[3]]
    signature = headers.index("签名") + 1
    note = headers.index("备注") + 1
    assert sheet.column_dimensions[sheet.cell(row=3, column=signature).column_letter].width >= 20
    assert sheet.column_dimensions[sheet.cell(row=3, column=note).column_letter].width < 20
    assert sheet.auto_filter.ref.startswith("A3:")
    assert sheet.page_setup.orientation != "landscape"  # six columns fit a portrait page


def test_the_meeting_archive_is_a_pdf_a_with_every_font_embedded(client, world, meeting, django_capture_on_commit_callbacks):
    from studygroup.tests.pdfa import pdfa_problems

    client.force_login(world.staff)
    _response, data = office_archive(client, meeting, django_capture_on_commit_callbacks)
    assert pdfa_problems(data) == []


@pytest.mark.parametrize("members", [20, 21])
def test_a_printed_sign_in_sheet_never_leaves_one_row_alone_on_its_last_page(client, world, meeting, members):
    from members.tests.factories import MembershipFactory, UserFactory
    from studygroup.tests.office import pdf_pages_text

    present = world.groups.bureau.memberships.count()
    for n in range(members - present):
        MembershipFactory(group=world.groups.bureau, user=UserFactory(name=f"成员{n:02d}", position="县直单位干部"))
    client.force_login(world.staff)
    pdf = client.post(reverse("meetings:meeting-sign-in-sheet-pdf", args=[meeting.pk])).content
    pages = pdf_pages_text(pdf)
    assert len(pages) == 2
    rows_on_last_page = [line for line in pages[-1].splitlines() if re.match(r"\s*\d+\s+\S", line)]
    assert len(rows_on_last_page) >= 3, pages[-1]
