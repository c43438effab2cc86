"""In Chromium: a member (on a phone) submits a reflection for a meeting, staff return it with a
comment, the member fixes and resubmits, staff accept it in place; the member's figures update.
Screenshots go to test-artifacts/ for people to look at."""

from pathlib import Path

import pytest
from django.conf import settings

from conftest import browser_login
from members.work.models import MemberWork, WorkStatus
from members.work.tests.factories import WorkAttendanceFactory, WorkMeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "Test@2026pass"


def shot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"work-{name}.png"), full_page=True)


def figure_of_reflections(tab) -> str:
    return tab.locator(".figure").first.locator(".figure-done").inner_text()


def test_reflection_is_returned_fixed_and_accepted(world, page, phone_page):
    meeting = WorkMeetingFactory(group=world.groups.bureau, title="学习贯彻全会精神集中学习")
    WorkAttendanceFactory(meeting=meeting, user=world.member)
    member, staff = phone_page, page

    browser_login(member, "member", PASSWORD)
    member.goto(f"{member.base_url}/my-study/")
    assert "我的学习" in member.inner_text("h1")
    assert figure_of_reflections(member) == "0"
    member.get_by_role("link", name="撰写").first.click()
    member.wait_for_load_state()
    assert member.locator("select[name=meeting]").input_value() == str(meeting.pk)
    member.fill("input[name=title]", "学习全会精神的体会")
    member.fill("textarea[name=body]", "通过学习，我认识到要把全会精神落实到教育工作中。\n下一步要抓好落实。")
    shot(member, "phone-form")
    member.click("button[name=submit]")
    member.wait_for_load_state()
    assert "已提交审核" in member.inner_text("body")
    work = MemberWork.objects.get(title="学习全会精神的体会")
    assert work.status == WorkStatus.SUBMITTED

    browser_login(staff, "staff", PASSWORD)
    staff.goto(f"{staff.base_url}/groups/{world.groups.bureau.pk}/review/")
    row = staff.locator(f"#review-{work.pk}")
    row.locator("textarea[name=comment]").fill("请结合分管的义务教育工作谈具体做法。")
    row.get_by_role("button", name="退回").click()
    staff.locator(f"#review-{work.pk} .review-done").wait_for()
    assert "请结合分管的义务教育工作谈具体做法" in staff.locator(f"#review-{work.pk}").inner_text()
    assert staff.url.endswith("/review/")  # in place, no page change
    work.refresh_from_db()
    assert work.status == WorkStatus.RETURNED

    member.goto(f"{member.base_url}/my-study/")
    assert "请结合分管的义务教育工作谈具体做法" in member.locator(".returned-comment").inner_text()
    shot(member, "phone-my-study-returned")
    member.get_by_role("link", name="学习全会精神的体会").click()
    member.get_by_role("link", name="编辑").click()
    member.fill("textarea[name=body]", "通过学习，我认识到要把全会精神落实到教育工作中。\n"
                "结合分管的义务教育工作，今年要推进城乡学校共同体建设，让农村孩子就近上好学。")
    member.click("button[name=submit]")
    member.wait_for_load_state()
    work.refresh_from_db()
    assert work.status == WorkStatus.SUBMITTED
    assert work.submission_count == 2

    staff.goto(f"{staff.base_url}/groups/{world.groups.bureau.pk}/review/")
    shot(staff, "desktop-review-queue")
    staff.locator(f"#review-{work.pk}").get_by_role("button", name="通过").click()
    staff.locator(f"#review-{work.pk} .review-done").wait_for()
    work.refresh_from_db()
    assert work.status == WorkStatus.ACCEPTED
    assert work.reviewed_by == world.staff

    member.goto(f"{member.base_url}/my-study/")
    assert figure_of_reflections(member) == "1"
    shot(member, "phone-my-study-accepted")
