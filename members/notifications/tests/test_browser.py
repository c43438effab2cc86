"""Issue 8's pages in Chromium, as their users use them: a member's inbox and notification
settings (on a desktop and on a phone), the daily reading from the staff who add the articles
through the approver to the members who read them, and the staff adding a group's DingTalk robot
and testing it against a local robot server that checks the signature.

Screenshots go to /tmp/shots8/ (desktop-*.png, phone-*.png) for people to look at.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import browser_login
from members.models import OrganizationAssignment
from members.notifications.models import (
    DailyReadingItem,
    DailyReadingRead,
    Delivery,
    GroupChannel,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
)
from members.notifications.services import notification_send
from members.tests.factories import AssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots8")
PASSWORD = "Test@2026pass"
APPROVE = re.compile(r"^审[核批]通过$")


def shot(tab, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_fits(tab):
    """Nothing on the page makes it scroll sideways."""
    width, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{tab.url} scrolls sideways: {width}px on a {inner}px screen"


def go(tab, path):
    response = tab.goto(f"{tab.base_url}{path}")
    tab.wait_for_load_state()
    return response


def bell_count(tab) -> int:
    """The unread count the navigation's bell shows (0: no badge)."""
    badge = tab.locator("#nav-inbox [data-unread]")
    return int(badge.get_attribute("data-unread")) if badge.count() else 0


def open_bell(tab, through_menu=False):
    """Go to the inbox through the bell: on a phone the one next to the menu button, or
    (``through_menu``) the one in the opened menu."""
    phone_bell = tab.locator("#nav-inbox-phone")
    if phone_bell.is_visible() and not through_menu:
        bell = phone_bell
    else:
        if tab.locator("button.navbar-toggler").is_visible():
            tab.click("button.navbar-toggler")
            tab.locator("#main-nav.show").wait_for()
        bell = tab.locator("#nav-inbox")
    box = bell.bounding_box()
    assert box
    assert box["width"] >= 24
    assert box["height"] >= 24, "the bell is too small to tap"
    bell.click()
    tab.wait_for_load_state()
    assert tab.url.endswith("/notifications/")


@pytest.fixture
def second_tab(chromium, live_server):
    """A third person's browser (desktop size), next to ``page`` and ``phone_page``."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


@pytest.fixture
def approver(world):
    """The office director, who approves the daily reading of the county's groups."""
    person = UserFactory(username="office_director", name="县委办主任", organization=world.county)
    AssignmentFactory(user=person, organization=world.county, role=OrganizationAssignment.Role.APPROVER)
    return person


@pytest.fixture
def before_cutoff(settings):
    """A cutoff two hours away, so that articles of today can still be added and approved."""
    later = timezone.localtime() + timedelta(hours=2)
    settings.DAILY_READING_CUTOFF = later.strftime("%H:%M") if timezone.localtime().hour < 22 else "23:59"


@pytest.fixture
def inbox(world):
    """Four notifications for the member (three meeting notices, one make-up study), one of them
    already read, and one for somebody else."""
    group = world.groups.bureau

    def send(kind, occasion, title, person=world.member, **kwargs):
        return notification_send(kind=kind, obj=group, recipients=[person], occasion=occasion, title=title,
                                 robots=False, **kwargs)[0]

    notices = [
        send(NotificationKind.MEETING_NOTICE, f"n{n}", title, body="时间：周五下午3点，地点：局三楼会议室。请提前阅读学习资料汇编。")
        for n, title in enumerate(["关于召开第一季度集中学习的通知", "关于召开专题研讨的通知",
                                   "关于参加县委理论学习中心组读书班的通知"])
    ]
    makeup = send(NotificationKind.MAKEUP_OWED, "m1", "您有一次缺席的集中学习需要补学", urgent=True)
    Notification.objects.filter(pk=notices[0].pk).update(read_at=timezone.now())
    send(NotificationKind.MEETING_NOTICE, "x", "别人的通知", person=world.other_member)
    return notices, makeup


# --- 1. the inbox -------------------------------------------------------------------------------


def test_member_filters_opens_and_clears_the_inbox(world, inbox, page):
    notices, makeup = inbox
    browser_login(page, "member", PASSWORD)
    assert bell_count(page) == 3
    open_bell(page)
    assert "别人的通知" not in page.inner_text("body")
    assert page.locator(".list-group-item[id^=notification-]").count() == 4
    shot(page, "desktop-inbox")

    page.select_option("select[name=kind]", NotificationKind.MAKEUP_OWED.value)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    rows = page.locator(".list-group-item[id^=notification-]")
    assert rows.count() == 1
    assert "补学" in rows.first.inner_text()
    assert page.locator("select[name=kind]").input_value() == NotificationKind.MAKEUP_OWED.value  # kept

    page.get_by_role("link", name="重置").click()
    page.select_option("select[name=state]", "unread")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert page.locator(".list-group-item[id^=notification-]").count() == 3
    assert page.locator(f"#notification-{notices[0].pk}").count() == 0  # the read one
    shot(page, "desktop-inbox-unread")

    # Opening one (its title is a button that posts) goes to what it is about and it is read:
    # the bell counts one less.
    page.locator(f"#notification-{notices[1].pk}").get_by_role("button", name=notices[1].title).click()
    page.wait_for_load_state()
    assert page.url == f"{page.base_url}{world.groups.bureau.get_absolute_url()}"
    notices[1].refresh_from_db()
    assert notices[1].read_at is not None
    assert bell_count(page) == 2

    open_bell(page)
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_load_state()
    assert "已将 2 条标为已读" in page.locator(".alert").inner_text()
    assert bell_count(page) == 0
    assert not Notification.objects.filter(recipient=world.member, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=world.other_member).read_at is None  # not theirs to mark
    shot(page, "desktop-inbox-all-read")


def test_inbox_on_a_phone(world, inbox, phone_page):
    notices, makeup = inbox
    tab = phone_page
    browser_login(tab, "member", PASSWORD)
    # The bell and its count are in sight without opening the menu, and in the menu too.
    phone_bell = tab.locator("#nav-inbox-phone")
    assert phone_bell.is_visible()
    assert phone_bell.locator("[data-unread]").inner_text().strip().endswith("3")
    assert not tab.locator("#main-nav").is_visible()
    shot(tab, "phone-home-bell")
    open_bell(tab, through_menu=True)
    open_bell(tab)
    assert bell_count(tab) == 3
    assert_fits(tab)
    shot(tab, "phone-inbox")
    # Filter and mark one read with a thumb; the filters sit side by side.
    state, kind = tab.locator("select[name=state]").bounding_box(), tab.locator("select[name=kind]").bounding_box()
    assert state["y"] == kind["y"]
    tab.select_option("select[name=state]", "unread")
    tab.get_by_role("button", name="筛选").click()
    tab.wait_for_load_state()
    assert_fits(tab)
    row = tab.locator(f"#notification-{makeup.pk}")
    button = row.get_by_role("button", name="标为已读")
    assert button.bounding_box()["height"] >= 30
    button.click()
    tab.wait_for_load_state()
    assert "state=unread" in tab.url  # back where the member was
    assert tab.locator(f"#notification-{makeup.pk}").count() == 0
    assert bell_count(tab) == 2
    assert phone_bell.locator("[data-unread]").get_attribute("data-unread") == "2"
    shot(tab, "phone-inbox-unread")


# --- 2. notification settings -------------------------------------------------------------------


def test_member_switches_email_off_for_one_kind_and_it_is_kept(world, page, phone_page):
    world.member.email = "member@example.org"
    world.member.save()
    browser_login(page, "member", PASSWORD)
    go(page, "/notifications/settings/")
    assert "通知设置" in page.inner_text("h1")
    box = page.locator(f"#id_{NotificationKind.MEETING_REMINDER.value}__email")
    assert box.is_checked()
    shot(page, "desktop-preferences")
    box.uncheck()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已保存" in page.inner_text("body")
    page.reload()
    assert not page.locator(f"#id_{NotificationKind.MEETING_REMINDER.value}__email").is_checked()
    assert page.locator(f"#id_{NotificationKind.MEETING_NOTICE.value}__email").is_checked()
    assert NotificationPreference.objects.get(
        user=world.member, kind=NotificationKind.MEETING_REMINDER, channel=NotificationChannel.EMAIL
    ).enabled is False

    tab = phone_page
    browser_login(tab, "member", PASSWORD)
    go(tab, "/notifications/settings/")
    assert not tab.locator(f"#id_{NotificationKind.MEETING_REMINDER.value}__email").is_checked()
    assert_fits(tab)
    # A thumb hits the kind's name or the cell around the box, not only the small box.
    tab.locator("label", has_text="签到开始").click()
    cell = tab.locator(f"label[for=id_{NotificationKind.MEETING_NOTICE.value}__email]").last.bounding_box()
    assert cell["height"] >= 36
    assert cell["width"] >= 44
    save = tab.get_by_role("button", name="保存")
    assert save.bounding_box()["height"] >= 30
    shot(tab, "phone-preferences")
    save.click()
    tab.wait_for_load_state()
    assert not tab.locator(f"#id_{NotificationKind.SIGN_IN_OPEN.value}__email").is_checked()
    assert not tab.locator(f"#id_{NotificationKind.MEETING_REMINDER.value}__email").is_checked()
    assert tab.locator(f"#id_{NotificationKind.MEETING_NOTICE.value}__email").is_checked()


def test_settings_without_an_email_address_say_so(world, page):
    browser_login(page, "other_member", PASSWORD)
    go(page, "/notifications/settings/")
    assert "没有邮箱地址" in page.locator(".alert-warning").inner_text()


# --- 3. the daily reading ---------------------------------------------------------------------------


def test_daily_reading_from_staff_through_the_approver_to_the_members(
    world, approver, before_cutoff, page, second_tab, phone_page
):
    from members.notifications.reminders import daily_reading_push

    group = world.groups.bureau
    staff, boss, member = page, second_tab, phone_page

    # Staff add two articles for the bureau's group.
    browser_login(staff, "staff", PASSWORD)
    go(staff, "/reading/")
    staff.get_by_role("button", name="添加文章").click()
    staff.get_by_role("link", name=group.name).click()
    staff.wait_for_load_state()
    assert "添加每日推送文章" in staff.inner_text("h1")
    assert staff.locator("input[name=day]").input_value() == timezone.localdate().isoformat()
    shot(staff, "desktop-reading-add")
    staff.fill("input[name=title]", "习近平：在二十届中央政治局第一次集体学习时的讲话")
    staff.fill("input[name=source]", "求是")
    staff.fill("input[name=link]", "https://www.qstheory.cn/example-1")
    staff.fill("textarea[name=excerpt]", "全面建设社会主义现代化国家，必须坚持中国特色社会主义文化发展道路。")
    staff.get_by_role("button", name="添加", exact=True).click()
    staff.wait_for_load_state()
    assert "/reading/" in staff.url
    assert "习近平" in staff.inner_text("body")
    staff.get_by_role("link", name="添加文章").click()
    staff.wait_for_load_state()
    staff.fill("input[name=title]", "未经审核的文章不得推送")
    staff.fill("input[name=source]", "人民日报")
    staff.fill("input[name=link]", "https://paper.people.com.cn/example-2")
    staff.get_by_role("button", name="添加", exact=True).click()
    staff.wait_for_load_state()
    first, second = DailyReadingItem.objects.order_by("position")
    assert "待审核" in staff.locator(f"#item-{second.pk}").inner_text()
    # Staff are not the approver: no approve buttons for them.
    assert staff.get_by_role("button", name="审核通过").count() == 0
    shot(staff, "desktop-reading-day-staff")

    # The approver approves the first one only.
    browser_login(boss, "office_director", PASSWORD)
    go(boss, first.reading.get_absolute_url())
    boss.locator(f"#item-{first.pk}").get_by_role("button", name="审核通过").click()
    boss.wait_for_load_state()
    first.refresh_from_db()
    assert first.approved_by == approver
    assert second.approved_at is None
    assert boss.locator(f"#item-{second.pk}").get_by_role("button", name="审核通过").count() == 1
    shot(boss, "desktop-reading-day-approver")

    # The cutoff: beat's task pushes the approved article (Celery is eager here).
    assert daily_reading_push() == 1

    # A member, on a phone, finds it in the inbox, and only the approved article.
    browser_login(member, "member", PASSWORD)
    open_bell(member)
    row = member.locator(".list-group-item[id^=notification-]").first
    assert "每日推送" in row.inner_text()
    assert first.title[:10] in row.inner_text()
    assert "](" not in row.inner_text()
    assert "> " not in row.inner_text()  # no markdown in the inbox
    assert second.title not in member.inner_text("body")
    assert_fits(member)
    shot(member, "phone-reading-inbox")
    row.locator("form button").first.click()
    member.wait_for_load_state()
    assert member.url.endswith(first.reading.get_absolute_url())
    assert second.title not in member.inner_text("body")
    assert_fits(member)
    shot(member, "phone-reading-day-member")
    member.get_by_role("link", name=first.title).click()
    member.wait_for_load_state()
    assert member.url.endswith(first.get_absolute_url())
    assert member.get_by_role("link", name="阅读原文").is_visible()
    assert_fits(member)
    shot(member, "phone-reading-article")
    member.wait_for_load_state("networkidle")  # the page posts that it was read (htmx)
    assert DailyReadingRead.objects.filter(item=first, user=world.member).exists()
    # The unapproved one is not there for a member at all.
    assert go(member, second.get_absolute_url()).status == 404

    # One read of one article by two members: 50 %, on the group's page and the list.
    go(member, group.get_absolute_url())
    assert "阅读率：50%" in member.locator("#group-reading").inner_text()
    assert_fits(member)
    shot(member, "phone-group-reading-rate")
    go(member, "/reading/")
    assert member.locator(f"tr[data-group='{group.pk}'] td").last.inner_text() == "50%"
    assert_fits(member)
    shot(member, "phone-reading-list")

    go(staff, "/reading/")
    assert staff.locator(f"tr[data-group='{group.pk}'] td").last.inner_text() == "50%"
    assert staff.locator("tbody tr").count() == 3  # the county's, the bureau's and the township's
    assert "已推送" in staff.locator(".list-group").inner_text()
    shot(staff, "desktop-reading-list")
    staff.select_option("select[name=group]", str(group.pk))
    staff.get_by_role("button", name="筛选").click()
    staff.wait_for_load_state()
    assert staff.locator("tbody tr").count() == 1  # the rates follow the chosen group
    go(staff, first.reading.get_absolute_url())
    assert "阅读率 50%" in staff.inner_text("body")


# --- 4. group chat robots ---------------------------------------------------------------------------


def test_staff_add_a_dingtalk_robot_and_test_it(world, page, phone_page, robot_server):
    group = world.groups.bureau
    browser_login(page, "staff", PASSWORD)
    go(page, group.get_absolute_url())
    page.locator("#group-reading").get_by_role("link", name="群聊机器人").click()
    page.wait_for_load_state()
    assert "群聊机器人" in page.inner_text("h1")
    page.get_by_role("link", name="添加机器人").click()
    page.wait_for_load_state()
    # What a robot posts by default: meeting notices, reminders, the daily reading and new accounts to activate.
    checked = page.locator("input[name=kinds]:checked")
    assert sorted(checked.evaluate_all("boxes => boxes.map(b => b.value)")) == [
        "account_activation", "daily_reading", "meeting_notice", "meeting_reminder"]
    assert "oapi.dingtalk.com/robot/send" in page.inner_text("body")  # what an address looks like

    # A bad address: a clear message in Chinese, and what was typed is still there.
    page.select_option("select[name=provider]", "dingtalk")
    page.fill("input[name=name]", "教育局中心组钉钉群")
    page.fill("input[name=webhook_url]", "钉钉机器人的地址")
    page.fill("input[name=secret]", robot_server.secret)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() == 1
    assert page.locator(".invalid-feedback").inner_text() == "输入一个有效的 URL。"
    assert page.locator("input[name=name]").input_value() == "教育局中心组钉钉群"
    assert page.locator("input[name=webhook_url]").input_value() == "钉钉机器人的地址"
    assert page.locator("input[name=secret]").input_value() == robot_server.secret
    assert not GroupChannel.objects.exists()
    shot(page, "desktop-robot-bad-url")

    page.fill("input[name=webhook_url]", robot_server.dingtalk_url)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    channel = GroupChannel.objects.get()
    assert channel.secret == robot_server.secret
    assert channel.webhook_url == robot_server.dingtalk_url
    assert page.url.endswith(f"/groups/{group.pk}/robots/")
    assert robot_server.secret not in page.content()
    assert channel.kinds == ["meeting_notice", "meeting_reminder", "daily_reading", "account_activation"]
    assert page.locator("[data-test=robot-kinds]").inner_text() == "推送内容：会议通知、会议提醒、每日推送、新账号待激活"

    page.locator(".list-group-item", has_text="教育局中心组钉钉群").get_by_role("button", name="发送测试消息").click()
    page.wait_for_load_state()
    assert len(robot_server.posts) == 1
    post = robot_server.posts[0]
    assert post.provider == "dingtalk"
    assert post.signature_ok is True
    assert post.query["access_token"] == "test-token"
    assert "测试" in str(post.body)
    delivery = Delivery.objects.get(group_channel=channel)
    assert delivery.status == Delivery.Status.SENT
    log = page.locator("table tbody")
    assert "已发送" in log.inner_text()
    assert "教育局中心组钉钉群" in log.inner_text()
    shot(page, "desktop-robots")

    # Edit: the secret is never shown again, an empty field keeps it.
    page.get_by_role("link", name="编辑").click()
    page.wait_for_load_state()
    assert page.locator("input[name=secret]").input_value() == ""
    assert robot_server.secret not in page.content()
    page.fill("input[name=name]", "教育局中心组钉钉群（新）")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    channel.refresh_from_db()
    assert channel.name == "教育局中心组钉钉群（新）"
    assert channel.secret == robot_server.secret

    # On a phone: the list, the log and the buttons fit.
    tab = phone_page
    browser_login(tab, "staff", PASSWORD)
    go(tab, f"/groups/{group.pk}/robots/")
    assert_fits(tab)
    test_button = tab.get_by_role("button", name="发送测试消息")
    assert test_button.bounding_box()["height"] >= 30
    shot(tab, "phone-robots")
    go(tab, f"/groups/{group.pk}/robots/add/")
    assert_fits(tab)
    shot(tab, "phone-robot-form")


def test_robots_of_another_county_are_not_found(world, page):
    channel = GroupChannel.objects.create(
        group=world.groups.sibling_bureau, provider="wecom", name="白水县企业微信群",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
    )
    browser_login(page, "staff", PASSWORD)
    assert go(page, f"/groups/{world.groups.sibling_bureau.pk}/robots/").status == 404
    assert go(page, f"/robots/{channel.pk}/edit/").status == 404
    assert "白水县企业微信群" not in page.inner_text("body")
