"""The three administrators (三员) in Chromium, as a new user would find their way from the
README: each logs in with the password and a backup code; the auditor opens the audit trail,
filters it and exports it (on a desktop and on a 360 px phone); the security administrator
unlocks a locked account; the system administrator is refused the audit trail.

Screenshots go to /tmp/shots-audit/ for people to look at.
"""

import io
from pathlib import Path

import pytest

from members.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-audit")


def shot(tab, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_fits(tab):
    width, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{tab.url} scrolls sideways: {width}px on a {inner}px screen"


@pytest.fixture
def seeded(demo):
    from studygroup.audit.demo import seed

    seed(demo)
    return demo


@pytest.fixture
def open_tab(chromium, live_server):
    contexts = []

    def make(width=1280, height=900, **options):
        context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": height}, accept_downloads=True, **options)
        contexts.append(context)
        tab = context.new_page()
        tab.base_url = live_server.url
        return tab

    yield make
    for context in contexts:
        context.close()


def password_step(tab, username, password=DEMO_PASSWORD):
    tab.goto(f"{tab.base_url}/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()


def code_step(tab, code):
    tab.get_by_label("验证码").fill(code)
    tab.get_by_role("button", name="确认").click()
    tab.wait_for_load_state()


def open_user_menu(tab):
    toggler = tab.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    tab.locator("#main-nav .dropdown-toggle").filter(has=tab.locator(".bi-person-circle")).click()


def test_the_three_administrators_with_two_factor_login(seeded, open_tab):
    # Someone keeps typing the wrong password for demo-member: the account locks.
    stranger = open_tab()
    for _ in range(5):
        password_step(stranger, "demo-member", "wrong-password")
    assert "账号已锁定" in stranger.content()

    # 审计管理员: password, then the second step with a backup code from the README.
    auditor = open_tab()
    password_step(auditor, "demo-auditor")
    assert "双因素登录" in auditor.content()
    shot(auditor, "01-two-factor-step")
    code_step(auditor, "wrong1")
    assert "这个验证码不对" in auditor.content()
    code_step(auditor, "audt0001")
    assert "首次登录" in auditor.content()
    shot(auditor, "01b-auditor-home")
    open_user_menu(auditor)
    auditor.click("#nav-audit-log")
    auditor.wait_for_load_state()
    assert auditor.locator("h1").inner_text() == "审计日志"
    rows = auditor.locator("#audit-entries tbody tr")
    assert rows.count() > 10
    assert auditor.locator("#audit-entries-phone").is_hidden()
    # Filter: the failed logins of demo-member.
    auditor.locator("summary").click()
    auditor.get_by_label("人员（用户名或姓名）").fill("demo-member")
    auditor.get_by_label("操作").select_option(label="登录失败")
    auditor.get_by_role("button", name="筛选").click()
    auditor.wait_for_load_state()
    rows = auditor.locator("#audit-entries tbody tr")
    assert rows.count() == 5
    assert all("登录失败" in text for text in rows.all_inner_texts())
    assert sum("用户名或密码错误" in text for text in rows.all_inner_texts()) == 5
    shot(auditor, "02-audit-log-filtered-desktop")
    assert_fits(auditor)
    # Detail of one entry.
    rows.first.locator("a").click()
    auditor.wait_for_load_state()
    assert "127.0.0.1" in auditor.content()
    auditor.go_back()
    # A data change shows the before and after of its fields.
    auditor.goto(f"{auditor.base_url}/audit/?action=create&object_type=members.user&person=")
    auditor.locator("#audit-entries tbody tr a").first.click()
    auditor.wait_for_load_state()
    assert auditor.locator("#audit-changes").is_visible()
    assert "修改前" in auditor.content()
    shot(auditor, "02c-audit-detail")
    auditor.go_back()
    auditor.go_back()
    # Export what is filtered.
    with auditor.expect_download() as download_info:
        auditor.click("#audit-export")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    exported = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(exported) == 5
    assert {row[1] for row in exported} == {"demo-member"}

    # The auditor's log on a 360 px phone, with another backup code.
    phone = open_tab(width=360, height=740, is_mobile=True, has_touch=True)
    password_step(phone, "demo-auditor")
    code_step(phone, "audt0002")
    assert "上次登录" in phone.content()
    assert_fits(phone)
    shot(phone, "02b-auditor-home-phone-last-login")
    phone.goto(f"{phone.base_url}/audit/")
    phone.wait_for_load_state()
    assert_fits(phone)
    assert phone.locator("#audit-entries").is_hidden()
    first_card = phone.locator("#audit-entries-phone a").first
    assert first_card.bounding_box()["height"] < 160
    shot(phone, "03-audit-log-phone-360")
    phone.locator("summary").click()
    assert_fits(phone)
    shot(phone, "04-audit-log-phone-360-filter")

    # 安全管理员: unlocks demo-member before the lock runs out.
    secadmin = open_tab()
    password_step(secadmin, "demo-secadmin")
    code_step(secadmin, "seca0001")
    open_user_menu(secadmin)
    secadmin.click("#nav-security")
    secadmin.wait_for_load_state()
    row = secadmin.locator("#lockouts tr[data-username='demo-member']")
    assert "已锁定" in row.inner_text()
    shot(secadmin, "05-security-page")
    row.get_by_role("button", name="解锁").click()
    secadmin.wait_for_load_state()
    assert "demo-member 已解锁" in secadmin.content()
    password_step(stranger, "demo-member")
    assert "周明远" in stranger.content()  # logged in: the home page greets them

    # 系统管理员: the audit trail is not theirs.
    sysadmin = open_tab()
    password_step(sysadmin, "demo-sysadmin")
    code_step(sysadmin, "sysa0001")
    response = sysadmin.goto(f"{sysadmin.base_url}/audit/")
    assert response.status == 403
    assert "403" in sysadmin.content()
    shot(sysadmin, "06-sysadmin-audit-403")
    # They may set up an authenticator app instead of backup codes.
    open_user_menu(sysadmin)
    sysadmin.get_by_role("link", name="双因素登录").click()
    sysadmin.get_by_role("link", name="设置身份验证器应用").click()
    sysadmin.wait_for_load_state()
    assert sysadmin.locator("figure.qr-code svg").is_visible()
    shot(sysadmin, "07-enrol-qr-code")

    # The unlock and the exports are in the trail.
    from studygroup.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="unlock", actor__username="demo-secadmin").exists()
    assert AuditEntry.objects.filter(action="export", actor__username="demo-auditor").exists()
    assert AuditEntry.objects.filter(action="lockout", actor__username="demo-member").exists()
