"""The administrator roles in Chromium: the 系统管理员 grants a role from a person's page; the
安全管理员 resets a password and sees the temporary one once; the person logs in with it and is
sent to choose a new password first. Screenshots go to test-artifacts/ for people to look at."""

from pathlib import Path

import pytest
from django.conf import settings

from conftest import browser_login, give_backup_code
from members.models import OrganizationAssignment, User
from members.tests.factories import AssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "Test@2026pass"
Role = OrganizationAssignment.Role


def _shot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"accounts-{name}.png"), full_page=True)


def test_sysadmin_grants_a_role_and_secadmin_resets_a_password(world, page, chromium):
    sysadmin = UserFactory(username="county-sysadmin", name="县系统管理员", organization=world.county)
    AssignmentFactory(user=sysadmin, organization=world.county, role=Role.SYSTEM_ADMIN)
    secadmin = UserFactory(username="county-secadmin", name="县安全管理员", organization=world.county)
    AssignmentFactory(user=secadmin, organization=world.county, role=Role.SECURITY_ADMIN)
    base = page.base_url

    # The 系统管理员 makes the bureau's head a staff member of the bureau.
    browser_login(page, "county-sysadmin", PASSWORD, give_backup_code(sysadmin, "sysa9999"))
    page.goto(f"{base}{world.member.get_absolute_url()}")
    assert "重置密码" not in page.inner_text("main"), "resets are the security administrator's"
    page.click("text=授予角色")
    page.wait_for_load_state()
    assert "授予角色" in page.inner_text("h1")
    page.select_option("select[name=organization]", str(world.bureau.pk))
    page.select_option("select[name=role]", Role.STAFF)
    _shot(page, "grant-form")
    page.click("main button[type=submit].btn-party")
    page.wait_for_load_state()
    assert page.url.endswith(world.member.get_absolute_url())
    assert "现为" in page.inner_text("body")
    assert "工作人员" in page.inner_text("main")
    _shot(page, "granted")
    assert OrganizationAssignment.objects.filter(
        user=world.member, organization=world.bureau, role=Role.STAFF
    ).exists()

    # The 安全管理员 resets the deputy's password: the temporary one is shown once.
    page.context.clear_cookies()
    browser_login(page, "county-secadmin", PASSWORD, give_backup_code(secadmin, "seca9999"))
    page.goto(f"{base}{world.other_member.get_absolute_url()}")
    assert "授予角色" not in page.inner_text("main")
    page.click("text=重置密码")
    page.wait_for_load_state()
    _shot(page, "reset-confirm")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    temporary = page.inner_text("#temporary-password").strip()
    assert len(temporary) == 12
    assert "仅在此显示一次" in page.inner_text("main")
    _shot(page, "reset-done")

    # The deputy logs in with it and must choose a new password before anything else.
    person_context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    person = person_context.new_page()
    person.base_url = base
    try:
        browser_login(person, "other_member", temporary)
        assert person.url.endswith("/accounts/password_change/")
        assert "请先设置新密码" in person.inner_text("body")
        _shot(person, "forced-change")
        person.goto(f"{base}/meetings/")
        assert person.url.endswith("/accounts/password_change/")
        person.fill("input[name=old_password]", temporary)
        person.fill("input[name=new_password1]", "Xin#Mima2026")
        person.fill("input[name=new_password2]", "Xin#Mima2026")
        person.click("main button[type=submit]")
        person.wait_for_load_state()
        person.goto(f"{base}/meetings/")
        assert person.url.endswith("/meetings/")
        _shot(person, "after-change")
    finally:
        person_context.close()
    assert not User.objects.get(pk=world.other_member.pk).must_change_password
