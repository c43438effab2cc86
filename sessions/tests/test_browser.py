"""A meeting from notice to archive in Chromium: staff schedule it with materials and send the
notice; a member sees it and signs in on a phone by the QR link; staff record the rest of the
attendance, the minutes, a speech and the report; the meeting shows its seven records; the
archive PDF is in Chinese. Screenshots go to test-artifacts/ for people to look at."""

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import browser_login
from sessions.models import Attendance, Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "Test@2026pass"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _shot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"meetings-{name}.png"), full_page=True)


def test_meeting_from_notice_to_archive(world, page, phone_page, tmp_path):
    from plans.tests.factories import TopicFactory

    topic = TopicFactory(plan__group=world.groups.bureau, title="深入学习贯彻习近平文化思想")
    base = page.base_url

    # Staff schedule the meeting (it started five minutes ago: sign-in is open).
    browser_login(page, "staff", PASSWORD)
    page.goto(f"{base}/meetings/new/")
    page.select_option("select[name=group]", str(world.groups.bureau.pk))
    page.click("main button[type=submit].btn-party")
    start = timezone.localtime() - timedelta(minutes=5)
    page.fill("input[name=title]", "教育局党组中心组集体学习：习近平文化思想")
    page.select_option("select[name=kind]", "group_study")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=venue]", "教育局三楼会议室")
    page.check(f"input[name=topics][value='{topic.pk}']")
    page.fill("textarea[name=session_plan]", "一、领学重要论述\n二、重点发言\n三、研讨交流")
    page.click("main button[type=submit].btn-party")
    page.wait_for_load_state()
    meeting = Meeting.objects.get()
    assert page.url.endswith(meeting.get_absolute_url())

    # Materials: a PDF, checked by content.
    pdf = tmp_path / "学习资料汇编.pdf"
    pdf.write_bytes(PDF)
    page.click("a[href$='/materials/new/']")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("main button[type=submit].btn-party")
    page.wait_for_load_state()
    assert "学习资料汇编" in page.inner_text("#materials")

    # The notice.
    page.click("a[href$='/notice/']")
    page.click("main button[type=submit].btn-party")
    page.wait_for_load_state()
    assert "通知已发送给 2 名成员" in page.inner_text("body")

    # The sign-in screen with its QR code.
    page.goto(f"{base}/meetings/{meeting.pk}/sign-in/screen/")
    assert page.locator(".qr-code svg").count() == 1
    link = page.text_content("#sign-in-link").strip()
    _shot(page, "sign-in-screen")

    # A member sees the meeting on their phone and signs in by the QR link.
    browser_login(phone_page, "member", PASSWORD)
    assert "新通知" in phone_page.inner_text("body")
    phone_page.click(f"text={meeting.title}")
    assert "学习资料汇编" in phone_page.inner_text("#materials")
    phone_page.goto(link)
    _shot(phone_page, "sign-in-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.click("#sign-in-button")
    phone_page.wait_for_load_state()
    assert "您已签到成功" in phone_page.inner_text("body")
    _shot(phone_page, "signed-in-phone")

    # The live count on the staff's screen picks it up (htmx polling).
    # (A locator, not wait_for_function: the Content-Security-Policy refuses string evaluation.)
    from playwright.sync_api import expect

    expect(page.locator("#signed-count")).to_have_text("1", timeout=15000)

    # Staff record the rest of the attendance in a few clicks.
    page.goto(f"{base}/meetings/{meeting.pk}/attendance/")
    _shot(page, "attendance")
    page.click("#mark-all-present")
    page.click("main button[type=submit].btn-party")
    page.wait_for_load_state()
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 2

    # Minutes, a speech and the report.
    page.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    page.fill("textarea[name=text]", "会议由教育局局长主持，传达学习了习近平文化思想有关论述，与会同志逐一发言。")
    page.click("main button[type=submit].btn-party")
    page.goto(f"{base}/meetings/{meeting.pk}/speeches/new/")
    page.select_option("select[name=speaker]", str(world.other_member.pk))
    page.select_option("select[name=kind]", "keynote")
    page.fill("input[name=title]", "以文化人推动教育高质量发展")
    page.click("main button[type=submit].btn-party")
    page.goto(f"{base}/meetings/{meeting.pk}/report/")
    page.fill("textarea[name=text]", "教育局党组理论学习中心组开展集体学习。")
    page.click("main button[type=submit].btn-party")
    page.wait_for_load_state()

    # The meeting shows its seven records: all but the members' notes.
    records = {
        item.get_attribute("data-record"): item.get_attribute("data-done")
        for item in page.locator("#records [data-record]").all()
    }
    assert records == {
        "has_plan": "yes", "has_session_plan": "yes", "has_minutes": "yes", "has_attendance": "yes",
        "has_discussion": "yes", "has_notes": "no", "has_report": "yes",
    }
    _shot(page, "detail")

    page.goto(f"{base}/meetings/")
    assert meeting.title in page.inner_text("body")
    _shot(page, "list")

    # The archive PDF (the office's copy, built by the worker: here at once) renders Chinese.
    page.goto(f"{base}/meetings/{meeting.pk}/archive/")
    if not page.locator("[data-test=archive-download]").count():
        page.click("[data-test=archive-build-button]")
    download = page.wait_for_selector("[data-test=archive-download]")
    response = page.request.get(base + download.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    assert "习近平文化思想" in text
    assert "会议记录" in text
    assert "以文化人推动教育高质量发展" in text
    (ARTIFACTS / "meetings-archive.pdf").write_bytes(response.body())
