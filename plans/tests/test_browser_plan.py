"""In a real browser: staff enter a plan with topics and a schedule, submit it, the 组长
approves it, staff publish it, and a member reads it."""


import pytest
from django.test import Client
from django.urls import reverse

from plans.models import AnnualPlan
from plans.tests.factories import THIS_YEAR

pytestmark = [
    pytest.mark.browser,
]


@pytest.fixture
def browser(chromium):
    """The session's shared Chromium (conftest): one Playwright per process, never nested."""
    return chromium


def page_as(browser, live_server, user, **context):
    """A page whose browser carries ``user``'s session (logged in through the test client)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    ctx = browser.new_context(locale="zh-CN", **context)
    ctx.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return page


def add_topic(page, title, months, form=None):
    page.locator("[data-formset=topics] [data-formset-add]").click()
    row = page.locator("[data-formset=topics] [data-formset-row]").last
    row.locator("input[name$='-title']").fill(title)
    if form:
        row.locator("select[name$='-study_form']").select_option(form)
    for month in months:
        row.locator(f"input[name$='-months'][value='{month}']").check()
    return row.element_handle()  # this row, wherever it moves


def test_plan_entered_submitted_approved_and_read(world, live_server, browser):
    staff = page_as(browser, live_server, world.staff)
    staff.goto(live_server.url + reverse("plans:plan-create"))
    staff.select_option("#id_group", str(world.groups.bureau.pk))
    staff.fill("#id_year", str(THIS_YEAR))
    staff.fill("#id_title", f"中共青山县教育局党组理论学习中心组{THIS_YEAR}年度学习计划")
    staff.locator("[data-formset=sections] [data-formset-add]").click()
    section = staff.locator("[data-formset=sections] [data-formset-row]").last
    section.locator("input[name$='-heading']").fill("学习内容")
    section.locator("input[name$='-holds_topics']").check()

    add_topic(staff, "深入学习习近平新时代中国特色社会主义思想", [3])
    add_topic(staff, "学习习近平法治思想", [5], form="lecture")
    gone = add_topic(staff, "这个专题会被删除", [6])
    add_topic(staff, "学习习近平总书记关于教育的重要论述", [9, 11], form="discussion")
    gone.query_selector("[data-row-action=remove]").click()
    # Move the education topic up above the law topic: typed text stays with its row.
    up = staff.locator("[data-formset=topics] [data-formset-row]").last.locator("[data-row-action=up]").element_handle()
    up.click()
    up.click()

    staff.get_by_role("button", name="预览文档").click()
    preview = staff.locator("#preview")
    assert "第二专题：学习习近平总书记关于教育的重要论述。" in preview.inner_text()
    assert "这个专题会被删除" not in preview.inner_text()
    assert AnnualPlan.objects.count() == 0
    staff.get_by_role("button", name="保存为草稿").click()
    staff.wait_for_url("**/plans/*/")

    plan = AnnualPlan.objects.get()
    assert list(plan.topics.values_list("label", "title")) == [
        ("第一专题", "深入学习习近平新时代中国特色社会主义思想"),
        ("第二专题", "学习习近平总书记关于教育的重要论述"),
        ("第三专题", "学习习近平法治思想"),
    ]

    # The schedule table: a guest speaker for the lecture.
    staff.get_by_role("link", name="编辑安排表").first.click()
    lecture_row = staff.locator("tr[data-formset-row]").filter(has=staff.locator("option[selected][value='lecture']"))
    lecture_row.locator("input[name$='-speaker']").fill("市委党校教授")
    staff.get_by_role("button", name="保存安排表").click()
    staff.wait_for_url(f"**{plan.get_absolute_url()}")
    assert plan.schedule.get(study_form="lecture").speaker == "市委党校教授"
    assert plan.schedule.count() == 4

    staff.get_by_role("link", name="提交审定").click()
    staff.get_by_role("button", name="提交组长审定").click()
    staff.wait_for_url(f"**{plan.get_absolute_url()}")

    leader = page_as(browser, live_server, world.member)  # the bureau group's 组长
    leader.goto(live_server.url + reverse("home"))
    leader.locator(f"a[href='{reverse('plans:plan-approve', kwargs={'pk': plan.pk})}']").click()
    leader.fill("#id_comment", "同意，请按计划组织实施。")
    leader.get_by_role("button", name="审定", exact=True).click()
    leader.wait_for_url(f"**{plan.get_absolute_url()}")
    plan.refresh_from_db()
    assert plan.status == AnnualPlan.Status.APPROVED
    assert plan.approved_by == world.member

    staff.reload()
    staff.get_by_role("link", name="发布给成员").click()
    staff.get_by_role("button", name="发布").click()
    staff.wait_for_url(f"**{plan.get_absolute_url()}")

    member = page_as(browser, live_server, world.other_member, viewport={"width": 390, "height": 844})
    member.goto(live_server.url + reverse("plans:plan-list"))
    member.get_by_role("link", name=plan.title).click()
    text = member.locator("main").inner_text()
    assert "第二专题：学习习近平总书记关于教育的重要论述。" in text
    assert "市委党校教授" in text
    assert "已发布" in text
    assert "教育局局长" in text
