"""考学 on a phone, in the browser: a member begins the test, answers one question a screen (each
answer saved as given, and kept and saved again when the connection drops), and hands in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import browser_login
from members.tests.factories import TEST_PASSWORD
from members.work import theory
from members.work.models import Question, TestAttempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BANK = "一、判断题\n1. 发展是党执政兴国的第一要务。\n答案：对\n二、单项选择题\n2. 中国式现代化是（ ）的现代化。\nA. 人口规模巨大\nB. 少数人\n答案：A\n"


def test_a_member_takes_a_test_on_a_phone_through_a_dropped_connection(world, phone_page):
    now = timezone.now()
    test = theory.theory_test_save(by=world.staff, groups=[world.groups.bureau], organization=world.county, title="手机考学",
                                   opens_at=now - timedelta(minutes=5), closes_at=now + timedelta(days=1), paper_mode="fixed")
    theory.questions_import(by=world.staff, organization=world.county, data=BANK.encode(), filename="题库.txt", apply=True, test=test)
    theory.theory_test_publish(by=world.staff, test=test)
    page = phone_page
    browser_login(page, world.member.username, TEST_PASSWORD)
    page.goto(f"{page.base_url}{test.get_absolute_url()}")
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for number in (1, 2):
        page.goto(page.url.split("?")[0] + f"?n={number}")
        form = page.locator("form[data-answer]")
        if "判断题" in page.inner_text("section"):
            page.context.set_offline(True)
            form.get_by_label("对（√）").check()
            page.locator("[data-save-status]").filter(has_text="网络").wait_for()
            page.context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
        else:
            form.locator("label", has_text="人口规模巨大").click()
        page.locator("[data-save-status]").filter(has_text="已保存").wait_for()
    attempt = TestAttempt.objects.get()
    judge, single = Question.objects.get(kind="judge"), Question.objects.get(kind="single")
    assert attempt.answers == {str(judge.pk): True, str(single.pk): "A"}
    page.get_by_role("link", name="交卷").click()
    page.get_by_role("button", name="交卷").click()
    page.wait_for_load_state()
    assert "得分：4.0 / 4.0" in page.inner_text("main") or "4.0 / 4.0" in page.inner_text("body")
    attempt.refresh_from_db()
    assert attempt.score == 4
