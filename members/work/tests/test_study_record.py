"""个人学习档案: one member's year of study on a page, in a PDF in the house style, and a group's
records as an Excel row per member for the annual evaluation; the member and their staff only."""

import io
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.work.models import ArticleLevel, MemberWork, OnlineStudyRecord, WorkKind, WorkStatus
from sessions.models import Attendance, Meeting

pytestmark = pytest.mark.django_db

YEAR = 2025


def at(day, hour=9):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def held(group, day, title):
    return Meeting.objects.create(group=group, title=title, kind="group_study", starts_at=at(day), ends_at=at(day, 11), status="held")


def attend(meeting, user, status, **fields):
    return Attendance.objects.create(meeting=meeting, user=user, status=status,
                                     leave_reason="出差" if status == "leave" else "", **fields)


def accepted(group, author, kind, day, *, late=False, **fields):
    return MemberWork.objects.create(
        group=group, author=author, kind=kind, year=day.year, title=f"{kind} {day}", body="正文", occurred_on=day,
        status=WorkStatus.ACCEPTED, first_submitted_at=at(day + timedelta(days=40 if late else 1)),
        reviewed_at=at(day + timedelta(days=45)), **fields,
    )


@pytest.fixture
def year_of_study(world):
    group, member = world.groups.bureau, world.member
    meetings = [held(group, date(YEAR, month, 10), f"{month}月集中学习") for month in (3, 4, 5, 6)]
    attend(meetings[0], member, "present")
    attend(meetings[1], member, "late")
    attend(meetings[2], member, "leave", makeup_submitted_at=at(date(YEAR, 5, 20)), makeup_confirmed_at=at(date(YEAR, 5, 21)))
    attend(meetings[3], member, "absent")
    attend(meetings[0], world.other_member, "present")
    accepted(group, member, WorkKind.REFLECTION, date(YEAR, 3, 10), meeting=meetings[0])
    accepted(group, member, WorkKind.REFLECTION, date(YEAR, 4, 10), meeting=meetings[1], late=True)
    accepted(group, member, WorkKind.ARTICLE, date(YEAR, 6, 1), level=ArticleLevel.PROVINCIAL, outlet="《理论与实践》")
    OnlineStudyRecord.objects.create(person=member, platform="xuexi", period=date(YEAR, 3, 1), measure="points", value=Decimal("1200"))
    return world


def test_the_member_reads_their_record_of_the_year(year_of_study, client_for):
    world = year_of_study
    response = client_for(world.member).get(reverse("work:study-record", kwargs={"pk": world.member.pk}) + f"?year={YEAR}")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["meetings"], counts["present"], counts["late"], counts["leave"], counts["absent"]) == (4, 1, 1, 1, 1)
    assert (counts["makeup_done"], counts["makeup_owed"]) == (1, 1)
    assert (counts["reflections"], counts["articles"], counts["late_work"]) == (2, 1, 1)
    assert ("省级", 1) in response.context["articles_by_level"]
    page = response.content.decode()
    assert "学习强国" in page
    assert "1200.0" in page
    assert "欠补" in page or "待补" in page or "未补" in page


def test_the_record_is_the_members_and_their_staffs(year_of_study, client_for):
    world = year_of_study
    url = reverse("work:study-record", kwargs={"pk": world.member.pk})
    assert client_for(world.staff).get(url).status_code == 200
    assert client_for(world.other_member).get(url).status_code == 403  # a fellow member: not theirs to read
    assert client_for(world.sibling_staff).get(url).status_code == 404


def test_the_record_prints_as_a_pdf_in_chinese(year_of_study, client_for, tmp_path):
    world = year_of_study
    response = client_for(world.staff).post(reverse("work:study-record-pdf", kwargs={"pk": world.member.pk}) + f"?year={YEAR}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert world.member.name in text
    assert "学习档案" in text
    assert "4月集中学习" in text


def test_staff_export_the_groups_records_a_row_per_member(year_of_study, client_for):
    world = year_of_study
    response = client_for(world.staff).get(
        reverse("work:study-records-export", kwargs={"pk": world.groups.bureau.pk}) + f"?year={YEAR}"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    sheet = book.active
    headers = [cell.value for cell in sheet[2]]
    rows = {row[1]: dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(min_row=3, values_only=True)}
    mine = rows[world.member.name]
    assert (mine["学习会议"], mine["出席"], mine["迟到"], mine["请假"], mine["缺席"]) == (4, 1, 1, 1, 1)
    assert (mine["心得体会"], mine["理论文章"], mine["学习强国"]) == (2, 1, 1200)
    assert rows[world.other_member.name]["学习会议"] == 1
    assert client_for(world.member).get(
        reverse("work:study-records-export", kwargs={"pk": world.groups.bureau.pk})
    ).status_code == 403


def test_the_record_page_costs_the_same_queries_for_one_meeting_and_many(world, client_for):
    client = client_for(world.member)
    url = reverse("work:study-record", kwargs={"pk": world.member.pk}) + f"?year={YEAR}"
    first = held(world.groups.bureau, date(YEAR, 3, 1), "一次")
    attend(first, world.member, "present")
    accepted(world.groups.bureau, world.member, WorkKind.REFLECTION, date(YEAR, 3, 1), meeting=first)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for month in range(4, 12):
        meeting = held(world.groups.bureau, date(YEAR, month, 1), f"{month}月")
        attend(meeting, world.member, "leave")
        accepted(world.groups.bureau, world.member, WorkKind.NOTE, date(YEAR, month, 1), meeting=meeting, late=True)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)
