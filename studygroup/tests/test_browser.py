"""Each demo user logs in through the real login page in Chromium and sees their home page in
Chinese. Screenshots go to test-artifacts/ for people to look at."""

from pathlib import Path

import pytest
from django.conf import settings

from conftest import browser_login
from members.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

EXPECTED_ON_HOME = {
    "demo-staff": ["我管理的中心组", "中共青山县教育局党组理论学习中心组"],
    "demo-member": ["我的中心组", "中共青山县委员会理论学习中心组"],
    "demo-leader": ["我所辖范围", "中共青山县委员会"],
    "demo-other-staff": ["我管理的中心组", "中共白水县教育局党组理论学习中心组"],
}


@pytest.mark.parametrize("username", sorted(EXPECTED_ON_HOME))
def test_demo_user_logs_in_and_sees_their_home_in_chinese(username, demo, page):
    browser_login(page, username, DEMO_PASSWORD)
    assert page.url.rstrip("/") == page.base_url.rstrip("/")
    body = page.inner_text("body")
    for text in EXPECTED_ON_HOME[username]:
        assert text in body, f"{username}: {text!r} missing"
    assert "首页" in body
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{username}.png"), full_page=True)


def test_other_county_staff_cannot_open_the_demo_county(demo, page):
    browser_login(page, "demo-other-staff", DEMO_PASSWORD)
    response = page.goto(f"{page.base_url}{demo['county_group'].get_absolute_url()}")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("body")


def test_home_is_usable_on_a_phone(demo, phone_page):
    browser_login(phone_page, "demo-member", DEMO_PASSWORD)
    phone_page.click("button.navbar-toggler")
    phone_page.wait_for_selector("#main-nav.show")
    assert phone_page.is_visible("text=我的中心组")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    phone_page.screenshot(path=str(ARTIFACTS / "home-phone.png"), full_page=True)
