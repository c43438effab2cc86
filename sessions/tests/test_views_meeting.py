import re
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.tests.factories import MembershipFactory, UserFactory
from plans.tests.factories import TopicFactory
from sessions import selectors, services
from sessions.models import Attendance, Material, Meeting, MeetingNotice
from sessions.tests.factories import (
    PDF_BYTES,
    AttendanceFactory,
    MeetingFactory,
    MinutesFactory,
    ReportFactory,
    SpeechFactory,
)

pytestmark = pytest.mark.django_db


def _running(world):
    start = timezone.now() - timedelta(minutes=5)
    return MeetingFactory(group=world.groups.bureau, starts_at=start, ends_at=start + timedelta(hours=2))


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _fill(world, meeting, n_members=0):
    for _ in range(n_members):
        MembershipFactory(group=meeting.group)
    AttendanceFactory(meeting=meeting, user=world.member)
    MinutesFactory(meeting=meeting, entered_by=world.staff)
    SpeechFactory(meeting=meeting, speaker=world.member, entered_by=world.staff)
    ReportFactory(meeting=meeting, entered_by=world.staff)
    meeting.topics.add(_topic(meeting.group))


def _topic(group):
    from plans.models import AnnualPlan

    plan = AnnualPlan.objects.filter(group=group, is_current=True).first()
    return TopicFactory(plan=plan) if plan else TopicFactory(plan__group=group)


# --- create, edit, notice ---------------------------------------------------------------------


def test_meeting_create_by_staff_through_the_form(world, client):
    client.force_login(world.staff)
    response = client.post(reverse("meetings:meeting-create"), {"group": world.groups.bureau.pk})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?group={world.groups.bureau.pk}")
    topic = TopicFactory(plan__group=world.groups.bureau)
    start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0)
    data = {
        "title": "学习贯彻全会精神专题研讨", "kind": "discussion", "venue": "三楼会议室",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "topics": [topic.pk], "lead_speakers": [world.member.pk], "session_plan": "一、领学\n二、研讨",
    }
    response = client.post(f"{reverse('meetings:meeting-create')}?group={world.groups.bureau.pk}", data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.created_by == world.staff
    assert list(meeting.topics.all()) == [topic]


def test_meeting_create_end_before_start_shows_the_error(world, client):
    client.force_login(world.staff)
    start = timezone.localtime() + timedelta(days=2)
    data = {"title": "会议", "kind": "group_study", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    response = client.post(f"{reverse('meetings:meeting-create')}?group={world.groups.bureau.pk}", data)
    assert response.status_code == 200
    assert "结束" in response.content.decode()
    assert not Meeting.objects.exists()


def test_meeting_create_for_another_countys_group_is_404(world, client):
    client.force_login(world.staff)
    response = client.get(f"{reverse('meetings:meeting-create')}?group={world.groups.sibling_bureau.pk}")
    assert response.status_code == 404


def test_notice_shows_on_the_members_home_page_until_read(world, client):
    meeting = services.meeting_create(
        by=world.staff, group=world.groups.bureau, title="十月集体学习",
        starts_at=timezone.now() + timedelta(days=1), ends_at=timezone.now() + timedelta(days=1, hours=2),
    )
    client.force_login(world.staff)
    response = client.post(reverse("meetings:meeting-notify", args=[meeting.pk]), {"message": "请提前阅读"})
    assert response.status_code == 302
    assert MeetingNotice.objects.get().recipients.count() == 2
    client.force_login(world.member)
    home = client.get(reverse("home")).content.decode()
    assert "十月集体学习" in home
    assert "新通知" in home
    # Opening the page changes nothing by itself; the page posts that it was opened (htmx).
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "新通知" in client.get(reverse("home")).content.decode()
    read_url = reverse("meetings:meeting-notice-read", args=[meeting.pk])
    assert f'hx-post="{read_url}"' in page
    assert 'hx-trigger="load"' in page
    assert client.get(read_url).status_code == 405
    assert client.post(read_url).status_code == 204
    assert "新通知" not in client.get(reverse("home")).content.decode()


def test_meeting_of_another_organisation_is_404_for_its_staff(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.sibling_staff)
    for name in ["meeting-detail", "meeting-attendance", "meeting-archive-pdf", "meeting-ics"]:
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 404
    response = client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]),
                           {f"status_{world.member.pk}": "absent"})
    assert response.status_code == 404
    assert not Attendance.objects.exists()


# --- attendance screen ------------------------------------------------------------------------


def test_attendance_screen_records_the_whole_group_in_one_post(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]), {
        f"status_{world.member.pk}": "present",
        f"status_{world.other_member.pk}": "leave", f"reason_{world.other_member.pk}": "参加市委党校培训",
    })
    assert response.status_code == 302
    rows = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting)}
    assert rows[world.member.pk].status == "present"
    assert rows[world.other_member.pk].leave_reason == "参加市委党校培训"
    # The same post again: a double submit changes nothing.
    client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]), {
        f"status_{world.member.pk}": "present",
        f"status_{world.other_member.pk}": "leave", f"reason_{world.other_member.pk}": "参加市委党校培训",
    })
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    assert Attendance.history.filter(meeting=meeting).count() == 2


def test_attendance_screen_leave_without_reason_is_refused(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    response = client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]),
                           {f"status_{world.member.pk}": "leave"})
    assert response.status_code == 200
    assert "请假" in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_screen_ignores_a_forged_row_for_a_non_member(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]),
                {f"status_{world.township_member.pk}": "present", f"status_{world.member.pk}": "present"})
    assert list(Attendance.objects.values_list("user", flat=True)) == [world.member.pk]


def test_attendance_screen_query_count_does_not_grow_with_the_group(world, client):
    client.force_login(world.staff)
    small = MeetingFactory(group=world.groups.bureau)
    AttendanceFactory(meeting=small, user=world.member)
    big = MeetingFactory(group=world.groups.township)
    for _ in range(20):
        membership = MembershipFactory(group=world.groups.township)
        AttendanceFactory(meeting=big, user=membership.user)
    one = _queries(client, reverse("meetings:meeting-attendance", args=[small.pk]))
    many = _queries(client, reverse("meetings:meeting-attendance", args=[big.pk]))
    assert many == one


# --- sign-in ----------------------------------------------------------------------------------


def test_sign_in_page_signs_the_member_in_and_the_count_goes_up(world, client):
    meeting = _running(world)
    url = reverse("meetings:meeting-sign-in", args=[meeting.pk, services.sign_in_code(meeting)])
    client.force_login(world.member)
    page = client.get(url).content.decode()
    assert "签到" in page
    assert "sign-in-button" in page
    response = client.post(url)
    assert "您已签到" in response.content.decode() or "已签到" in response.content.decode()
    client.post(url)  # a second tap
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    client.force_login(world.staff)
    count = client.get(reverse("meetings:meeting-sign-in-count", args=[meeting.pk])).content.decode()
    assert re.search(r'id="signed-count">1<', count)


def test_sign_in_link_forwarded_after_the_meeting_is_refused_in_chinese(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)  # three days ago
    url = reverse("meetings:meeting-sign-in", args=[meeting.pk, services.sign_in_code(meeting)])
    client.force_login(world.member)
    body = client.post(url).content.decode()
    assert "签到已关闭" in body
    assert not Attendance.objects.exists()


def test_sign_in_with_another_meetings_code_is_refused_in_chinese(world, client):
    meeting, other = _running(world), _running(world)
    url = reverse("meetings:meeting-sign-in", args=[meeting.pk, services.sign_in_code(other)])
    client.force_login(world.member)
    assert "另一个会议" in client.post(url).content.decode()
    assert not Attendance.objects.exists()


def test_sign_in_link_sends_an_anonymous_visitor_to_log_in_first(world, client):
    meeting = _running(world)
    url = reverse("meetings:meeting-sign-in", args=[meeting.pk, services.sign_in_code(meeting)])
    response = client.get(url)
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_sign_in_screen_shows_an_inline_svg_qr_code(world, client):
    meeting = _running(world)
    client.force_login(world.staff)
    body = client.get(reverse("meetings:meeting-sign-in-screen", args=[meeting.pk])).content.decode()
    assert "<svg" in body
    assert 'hx-trigger="every 5s"' in body
    link = re.search(r'id="sign-in-link">([^<]+)<', body)[1]
    assert f"/meetings/{meeting.pk}/sign-in/" in link


# --- leave and make-up ------------------------------------------------------------------------


def test_member_asks_for_leave_then_records_make_up_and_staff_confirm(world, client):
    start = timezone.now() + timedelta(days=1)
    meeting = MeetingFactory(group=world.groups.bureau, starts_at=start, ends_at=start + timedelta(hours=2))
    client.force_login(world.member)
    client.post(reverse("meetings:meeting-leave", args=[meeting.pk]), {"reason": "赴省参加培训"})
    row = Attendance.objects.get(meeting=meeting, user=world.member)
    assert row.status == "leave"
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2)
    )
    assert "补课" in client.get(reverse("home")).content.decode()
    client.post(reverse("meetings:meeting-makeup", args=[meeting.pk]),
                {"content": "自学会议资料汇编三篇", "studied_on": timezone.localdate().isoformat()})
    row.refresh_from_db()
    assert row.makeup_submitted_at
    client.force_login(world.staff)
    client.post(reverse("meetings:makeup-confirm", args=[row.pk]))
    row.refresh_from_db()
    assert row.makeup_confirmed_by == world.staff


# --- materials --------------------------------------------------------------------------------


def test_material_upload_and_download_through_the_scope_check(world, client, settings):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    upload = SimpleUploadedFile("资料汇编.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(reverse("meetings:material-create", args=[meeting.pk]), {"title": "资料汇编", "file": upload})
    assert response.status_code == 302
    material = Material.objects.get()
    assert not material.get_absolute_url().startswith(settings.MEDIA_URL)
    client.force_login(world.member)
    download = client.get(material.get_absolute_url())
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert download.status_code == 200
    assert body.startswith(b"%PDF")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    client.force_login(world.sibling_staff)
    assert client.get(material.get_absolute_url()).status_code == 404


def test_material_download_in_production_is_handed_to_nginx(world, client, settings):
    """With the nginx backend (production) the app answers with X-Accel-Redirect to nginx's
    internal /protected-media/ location and no body of its own."""
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    upload = SimpleUploadedFile("资料汇编.pdf", PDF_BYTES, content_type="application/pdf")
    client.post(reverse("meetings:material-create", args=[meeting.pk]), {"title": "资料汇编", "file": upload})
    material = Material.objects.get()
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/protected-media"
    from django_sendfile.utils import _get_sendfile

    _get_sendfile.cache_clear()
    try:
        download = client.get(material.get_absolute_url())
    finally:
        _get_sendfile.cache_clear()
    relative = material.file.path[len(str(settings.MEDIA_ROOT)):].lstrip("/")
    assert download.status_code == 200
    assert download["X-Accel-Redirect"] == "/protected-media/" + relative
    assert download.content == b""
    assert download["X-Content-Type-Options"] == "nosniff"


def test_material_upload_of_an_exe_renamed_pdf_shows_an_error(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    upload = SimpleUploadedFile("资料.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(reverse("meetings:material-create", args=[meeting.pk]), {"title": "资料", "file": upload})
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert not Material.objects.exists()


# --- lists, calendar, pages -------------------------------------------------------------------


def test_meeting_list_query_count_does_not_grow(world, client):
    client.force_login(world.staff)
    _fill(world, MeetingFactory(group=world.groups.bureau))
    one = _queries(client, reverse("meetings:meeting-list"))
    for _ in range(8):
        _fill(world, MeetingFactory(group=world.groups.township), n_members=1)
    many = _queries(client, reverse("meetings:meeting-list"))
    assert many == one


def test_meeting_list_filters_by_seven_records_completeness(world, client):
    complete = MeetingFactory(group=world.groups.bureau, session_plan="议程", title="齐全的会")
    _fill(world, complete)
    MeetingFactory(group=world.groups.bureau, title="缺记录的会")
    client.force_login(world.staff)
    body = client.get(reverse("meetings:meeting-list"), {"records": "incomplete"}).content.decode()
    assert "缺记录的会" in body
    # Without members' notes no meeting is complete yet where notes count.
    body = client.get(reverse("meetings:meeting-list"), {"q": "齐全"}).content.decode()
    assert "齐全的会" in body


def test_calendar_query_count_does_not_grow(world, client):
    client.force_login(world.staff)
    now = timezone.localtime()
    MeetingFactory(group=world.groups.bureau, starts_at=now.replace(day=10, hour=9), ends_at=now.replace(day=10, hour=11))
    url = f"{reverse('meetings:meeting-calendar')}?year={now.year}&month={now.month}"
    one = _queries(client, url)
    for day in range(11, 21):
        MeetingFactory(group=world.groups.township, starts_at=now.replace(day=day, hour=9),
                       ends_at=now.replace(day=day, hour=11))
    assert _queries(client, url) == one


def test_meeting_detail_shows_seven_records_and_entry_times(world, client):
    meeting = MeetingFactory(group=world.groups.bureau, session_plan="一、领学")
    _fill(world, meeting)
    client.force_login(world.member)
    body = client.get(meeting.get_absolute_url()).content.decode()
    assert "七有" in body
    assert "录入时间" in body
    assert body.count('data-done="yes"') >= 6


def test_group_year_counts_meetings_against_the_plans_quota(world, client):
    from plans.tests.factories import AnnualPlanFactory

    year = timezone.localdate().year
    plan = AnnualPlanFactory(group=world.groups.bureau, year=year, meetings_per_year=12)
    topic = TopicFactory(plan=plan, title="习近平文化思想专题")
    TopicFactory(plan=plan, title="尚未学习的专题")
    start = timezone.now() - timedelta(days=1)
    if start.year != year:
        start = timezone.now()
    meeting = MeetingFactory(group=world.groups.bureau, status="held", starts_at=start, ends_at=start + timedelta(hours=1))
    meeting.topics.add(topic)
    AttendanceFactory(meeting=meeting, user=world.member)
    client.force_login(world.member)
    response = client.get(reverse("meetings:group-year", args=[world.groups.bureau.pk]), {"year": year})
    data = response.context["year_data"]
    assert data["counts"]["held"] == 1
    assert data["meetings_quota"] == 12
    assert data["topics_covered"] == 1
    assert len(data["topics"]) == 2
    rates = {m.user_id: m.rate for m in data["members"]}
    assert rates[world.member.pk] == 100
    assert rates[world.other_member.pk] == 0


def test_group_year_query_count_does_not_grow(world, client):
    """One meeting, topic and member against a year of meetings, topics and members."""
    from plans.tests.factories import AnnualPlanFactory

    year = timezone.localdate().year
    plan = AnnualPlanFactory(group=world.groups.bureau, year=year, meetings_per_year=12)

    def held_meeting(month, topic):
        start = timezone.make_aware(datetime(year, month, 10, 9))
        meeting = MeetingFactory(group=world.groups.bureau, status="held", starts_at=start, ends_at=start + timedelta(hours=2))
        meeting.topics.add(topic)
        AttendanceFactory(meeting=meeting, user=world.member)
        return meeting

    held_meeting(1, TopicFactory(plan=plan))
    client.force_login(world.staff)
    url = f"{reverse('meetings:group-year', args=[world.groups.bureau.pk])}?year={year}"
    one = _queries(client, url)
    for month in range(2, 12):
        MembershipFactory(group=world.groups.bureau)
        meeting = held_meeting(month, TopicFactory(plan=plan))
        AttendanceFactory(meeting=meeting, user=world.other_member, status="leave", leave_reason="出差")
    assert _queries(client, url) == one


# --- exports ----------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_archive_pdf_renders_chinese(world, client):
    meeting = MeetingFactory(group=world.groups.bureau, title="学习贯彻党的二十届四中全会精神")
    _fill(world, meeting)
    client.force_login(world.member)
    page = client.get(reverse("meetings:meeting-archive-pdf", args=[meeting.pk]))  # a GET builds nothing
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    response = client.post(reverse("meetings:meeting-archive-pdf", args=[meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "四中全会" in text
    assert "会议记录" in text


def test_sign_in_sheet_excel_and_pdf_list_the_members(world, client):
    from openpyxl import load_workbook

    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    xlsx = client.get(reverse("meetings:meeting-sign-in-sheet-xlsx", args=[meeting.pk]))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert world.member.name in values
    assert "签名" in values
    pdf = client.post(reverse("meetings:meeting-sign-in-sheet-pdf", args=[meeting.pk]))
    text = _pdf_text(pdf.content)
    assert world.member.name in text
    assert "签名" in text


def test_meeting_ics_parses(world, client):
    from icalendar import Calendar

    meeting = MeetingFactory(group=world.groups.bureau, title="集体学习", venue="县委三楼会议室")
    client.force_login(world.member)
    response = client.get(reverse("meetings:meeting-ics", args=[meeting.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["summary"]) == "集体学习"
    assert events[0].decoded("dtstart") == meeting.starts_at
    assert str(events[0]["location"]) == "县委三楼会议室"


def test_calendar_feed_works_without_login_and_reset_invalidates_it(world, client):
    from icalendar import Calendar

    MeetingFactory(group=world.groups.bureau, title="我的会")
    MeetingFactory(group=world.groups.township, title="别人的会")
    client.force_login(world.member)
    client.get(reverse("meetings:meeting-feed-settings"))
    assert selectors.feed_of(world.member) is None  # opening the page makes no address
    client.post(reverse("meetings:meeting-feed-settings"))
    token = services.feed_for(world.member).token
    client.logout()
    url = reverse("meetings:meeting-feed", args=[token])
    summaries = [str(e["summary"]) for e in Calendar.from_ical(client.get(url).content).walk("VEVENT")]
    assert summaries == ["我的会"]
    client.force_login(world.member)
    client.post(reverse("meetings:meeting-feed-settings"))
    client.logout()
    assert client.get(url).status_code == 404


def test_leave_page_is_refused_to_someone_outside_the_group(world, client):
    meeting = MeetingFactory(group=world.groups.bureau)
    other = UserFactory()
    client.force_login(other)
    assert client.get(reverse("meetings:meeting-leave", args=[meeting.pk])).status_code == 404


def test_a_rescheduled_meeting_replaces_itself_in_subscribed_calendars(world, client, settings):
    """Outlook keeps the old event unless the new one has a higher SEQUENCE under the same UID;
    the UID names the deployment, and DTSTAMP is when the file was made."""
    from datetime import timedelta

    from django.utils import timezone
    from icalendar import Calendar

    from sessions import services

    settings.SITE_URL = "https://study.qingshan.gov.cn"
    meeting = MeetingFactory(group=world.groups.bureau, title="集体学习", venue="县委三楼会议室",
                             starts_at=timezone.now() + timedelta(days=3), ends_at=timezone.now() + timedelta(days=3, hours=2))
    client.force_login(world.member)

    def event():
        response = client.get(reverse("meetings:meeting-ics", args=[meeting.pk]))
        return Calendar.from_ical(response.content).walk("VEVENT")[0]

    first = event()
    assert str(first["uid"]) == f"meeting-{meeting.pk}@study.qingshan.gov.cn"
    assert first.decoded("sequence") == 0
    assert abs(first.decoded("dtstamp") - timezone.now()) < timedelta(minutes=1)
    services.meeting_update(by=world.staff, meeting=meeting, session_plan="一、领学")  # not the schedule
    assert event().decoded("sequence") == 0
    services.meeting_update(by=world.staff, meeting=meeting, venue="县委五楼会议室")
    moved = event()
    assert moved.decoded("sequence") == 1
    assert str(moved["uid"]) == str(first["uid"])
    services.meeting_cancel(by=world.staff, meeting=meeting, reason="与县委常委会冲突")
    cancelled = event()
    assert cancelled.decoded("sequence") == 2
    assert str(cancelled["status"]) == "CANCELLED"
