"""Members see in exports and archives exactly what they see on the meeting page: staff and
leaders see every reason for leave (请假事由); a member sees only their own, in the archive page,
the archive PDF and the sign-in sheet (Excel and PDF)."""

from io import BytesIO

import pytest
from django.urls import reverse

from sessions.models import Attendance
from sessions.tests.factories import AttendanceFactory, MeetingFactory

pytestmark = pytest.mark.django_db

OWN_REASON = "家中老人住院"
OTHER_REASON = "赴省委党校参加中青班"


@pytest.fixture
def meeting(world):
    meeting = MeetingFactory(group=world.groups.bureau, title="学习贯彻全会精神")
    AttendanceFactory(meeting=meeting, user=world.member, status=Attendance.Status.LEAVE, leave_reason=OWN_REASON)
    AttendanceFactory(meeting=meeting, user=world.other_member, status=Attendance.Status.LEAVE, leave_reason=OTHER_REASON)
    return meeting


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).replace("\n", "")


def _xlsx_rows(data: bytes) -> dict:
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(data)).active
    return {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[1]}


def _archive(client, meeting):
    return client.get(reverse("meetings:meeting-archive", args=[meeting.pk])).content.decode()


def test_meeting_page_shows_a_member_only_their_own_reason(client, world, meeting):
    client.force_login(world.member)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert OWN_REASON in body
    assert OTHER_REASON not in body


def test_archive_page_shows_a_member_only_their_own_reason(client, world, meeting):
    client.force_login(world.member)
    body = _archive(client, meeting)
    assert OWN_REASON in body
    assert OTHER_REASON not in body
    assert world.other_member.name not in body
    assert "只显示您本人的考勤" in body


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_archive_page_shows_staff_and_leaders_every_reason(role, client, world, meeting):
    client.force_login(getattr(world, role))
    body = _archive(client, meeting)
    assert OWN_REASON in body
    assert OTHER_REASON in body
    assert "只显示您本人的考勤" not in body


def test_archive_page_counts_the_whole_meeting_for_a_member(client, world, meeting):
    client.force_login(world.member)
    assert "请假 2" in _archive(client, meeting)


def test_archive_pdf_shows_a_member_only_their_own_reason(client, world, meeting):
    client.force_login(world.member)
    text = _pdf_text(client.post(reverse("meetings:meeting-archive-pdf", args=[meeting.pk])).content)
    assert OWN_REASON in text
    assert OTHER_REASON not in text


def test_archive_pdf_shows_staff_every_reason(client, world, meeting, django_capture_on_commit_callbacks):
    """Staff get the office's copy, which the worker builds."""
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds it
        asked = client.post(reverse("meetings:meeting-archive-pdf", args=[meeting.pk]))
    assert asked.status_code == 302
    download = client.post(reverse("meetings:meeting-archive-pdf", args=[meeting.pk]))
    assert download.url.endswith("/download/")
    response = client.get(download.url)
    text = _pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert OWN_REASON in text
    assert OTHER_REASON in text


def test_sign_in_sheet_excel_shows_a_member_only_their_own_reason(client, world, meeting):
    client.force_login(world.member)
    rows = _xlsx_rows(client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk])).content)
    assert rows[world.member.name][5] == f"请假：{OWN_REASON}"
    assert world.other_member.name in rows
    assert not rows[world.other_member.name][5]


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_sign_in_sheet_excel_shows_staff_and_leaders_every_reason(role, client, world, meeting):
    client.force_login(getattr(world, role))
    rows = _xlsx_rows(client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk])).content)
    assert rows[world.member.name][5] == f"请假：{OWN_REASON}"
    assert rows[world.other_member.name][5] == f"请假：{OTHER_REASON}"


def test_sign_in_sheet_pdf_shows_a_member_only_their_own_reason(client, world, meeting):
    client.force_login(world.member)
    text = _pdf_text(client.post(reverse("meetings:meeting-sign-in-sheet-pdf", args=[meeting.pk])).content)
    assert OWN_REASON in text
    assert world.other_member.name in text
    assert OTHER_REASON not in text


def test_sign_in_sheet_pdf_shows_staff_every_reason(client, world, meeting):
    client.force_login(world.staff)
    text = _pdf_text(client.post(reverse("meetings:meeting-sign-in-sheet-pdf", args=[meeting.pk])).content)
    assert OWN_REASON in text
    assert OTHER_REASON in text
