"""The Content-Security-Policy in Chromium: every main page of each demo role loads without a
single violation (no inline script, handler, style attribute or <style> element), and the parts
that run scripts keep working under it: htmx (polling, posting on load, in-place forms), ECharts,
Bootstrap's menus, the print and confirm buttons. The full demo (``seed_demo``) is loaded once.

Violations are caught in the page itself (``securitypolicyviolation`` events, listened to before
any script of the page runs) and in the console. Screenshots go to test-artifacts/.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from conftest import browser_login
from members.demo import DEMO_PASSWORD
from studygroup import main_pages as main_page_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""

ROLES = ["demo-staff", "demo-member", "demo-leader", "demo-other-staff", "demo-approver", "demo-admin"]


def _first(queryset):
    return queryset.order_by("pk").first()


def main_pages(user) -> list[str]:
    """The main pages (studygroup.main_pages: the list benchmark_pages measures and the
    production check opens), the navigation's pages and the first object of each kind the user
    sees."""
    from members import scoping
    from members.models import StudyGroup
    from members.notifications.models import DailyReading, DailyReadingItem, Notification
    from members.work.models import MemberWork
    from plans.models import AnnualPlan
    from reports.models import Bulletin, HalfYearReview, Inspection, RectificationItem, StudyAccount
    from sessions.models import FirstAgendaStudy, Meeting, Observation

    pages = main_page_list.paths_for(user) + [
        reverse("home"), reverse("plans:plan-list"), reverse("plans:proposal-call-list"), reverse("plans:cascade-list"),
        reverse("meetings:meeting-list"), reverse("meetings:meeting-calendar"), reverse("meetings:first-agenda-list"),
        reverse("meetings:observation-list"), reverse("meetings:meeting-feed-settings"),
        reverse("work:my-work"), reverse("work:work-list"), reverse("work:work-search") + "?q=学习",
        reverse("notifications:daily-reading-list"), reverse("notifications:notification-list"),
        reverse("notifications:notification-preferences"), reverse("members:group-list"),
        reverse("members:organization-list"), reverse("members:person-list"),
        reverse("reports:review-list"), reverse("reports:bulletin-list"), reverse("reports:account-list"),
        reverse("password_change"),
    ]
    roles = scoping.roles_of(user)
    if roles & {"staff", "leader"}:
        pages += [reverse("reports:dashboard"), reverse("reports:inspection-list"), reverse("reports:item-list")]
    if user.is_superuser:
        pages += [reverse("notifications:robot-host-list"), reverse("admin:index"), "/admin/members/organization/",
                  "/admin/django_celery_beat/periodictask/add/"]
    objects = [
        _first(StudyGroup.objects.visible_to(user)),
        _first(AnnualPlan.objects.visible_to(user).filter(status="published")),
        _first(Meeting.objects.visible_to(user).filter(status__in=["held", "archived", "closed"])),
        _first(Meeting.objects.visible_to(user).filter(status__in=["notified", "planned"])),
        _first(FirstAgendaStudy.objects.visible_to(user)),
        _first(Observation.objects.visible_to(user)),
        _first(MemberWork.objects.visible_to(user)),
        _first(DailyReading.objects.visible_to(user).filter(sent_at__isnull=False)),
        _first(DailyReadingItem.objects.visible_to(user).filter(reading__sent_at__isnull=False)),
        _first(HalfYearReview.objects.visible_to(user)),
        _first(Bulletin.objects.visible_to(user)),
        _first(StudyAccount.objects.visible_to(user)),
        _first(Inspection.objects.visible_to(user)),
        _first(RectificationItem.objects.visible_to(user)),
    ]
    pages += [obj.get_absolute_url() for obj in objects if obj is not None]
    plan = objects[1]
    meeting = objects[2]
    if plan is not None:
        pages += [reverse("plans:plan-print", args=[plan.pk]), reverse("plans:plan-changes", args=[plan.pk]),
                  reverse("plans:plan-pdf", args=[plan.pk])]
    if meeting is not None:
        pages += [reverse("meetings:meeting-archive", args=[meeting.pk])]
        if scoping.managed_groups(user).filter(pk=meeting.group_id).exists():
            pages += [reverse("meetings:meeting-attendance", args=[meeting.pk]),
                      reverse("meetings:meeting-sign-in-screen", args=[meeting.pk]),
                      reverse("meetings:meeting-update", args=[meeting.pk]),
                      reverse("notifications:group-channels", args=[meeting.group_id]),
                      reverse("notifications:group-channel-create", args=[meeting.group_id]),
                      reverse("work:review-queue", args=[meeting.group_id])]
    if scoping.managed_groups(user).exists():
        pages += [reverse("meetings:meeting-create"), reverse("plans:plan-create"), reverse("reports:review-create"),
                  reverse("meetings:first-agenda-create")]
    notification = _first(Notification.objects.visible_to(user))
    if notification is not None:
        pages.append(reverse("notifications:notification-read", args=[notification.pk]))
    return list(dict.fromkeys(pages))


@pytest.fixture
def full_demo(db):
    call_command("seed_demo", "--without-pdfs", stdout=open("/dev/null", "w"))


def test_under_the_policy_every_main_page_loads_and_the_scripts_work(full_demo, page, subtests):
    """One seed of the whole demo for both checks (it takes most of a minute)."""
    page.add_init_script(LISTEN)
    with subtests.test("every main page of each demo role loads without a violation"):
        every_main_page_loads_without_a_csp_violation(page)
    page.context.clear_cookies()
    with subtests.test("charts, htmx and the data-attribute scripts work"):
        charts_htmx_and_the_data_attribute_scripts_work(page)


def every_main_page_loads_without_a_csp_violation(page):
    from members.models import User

    console = []
    page.on("console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None)
    ARTIFACTS.mkdir(exist_ok=True)
    problems = []
    visited = 0
    for username in ROLES:
        page.context.clear_cookies()
        browser_login(page, username, DEMO_PASSWORD)
        user = User.objects.get(username=username)
        for path in main_pages(user):
            console.clear()
            # "load": scripts of the page have run and reported; waiting for the network to go
            # quiet would cost half a second a page (and never comes on pages that poll).
            response = page.goto(page.base_url + path, wait_until="load")
            visited += 1
            violations = page.evaluate("window.__cspViolations || []")
            if response is None or response.status >= 500:
                problems.append(f"{username} {path}: HTTP {response and response.status}")
            if "content-security-policy" not in (response.headers if response else {}):
                problems.append(f"{username} {path}: no Content-Security-Policy header")
            for violation in violations + console:
                problems.append(f"{username} {path}: {violation}")
        page.screenshot(path=str(ARTIFACTS / f"csp-{username}-last.png"), full_page=True)
    assert visited > 150
    assert not problems, "\n".join(problems)


def charts_htmx_and_the_data_attribute_scripts_work(page):
    from reports.models import Bulletin
    from sessions.models import Meeting

    # The language switch submits itself on change (data-auto-submit, no onchange).
    page.goto(page.base_url + reverse("login"))
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    browser_login(page, "demo-leader", DEMO_PASSWORD)
    # ECharts draws the dashboard's charts (as SVG) under the policy.
    page.goto(page.base_url + reverse("reports:dashboard"))
    page.wait_for_selector(".echart svg")
    assert page.locator(".echart svg").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "csp-dashboard-charts.png"), full_page=True)
    # Opening an issued bulletin posts (htmx, with the CSRF token) that it was opened.
    bulletin = Bulletin.objects.filter(status="issued").first()
    with page.expect_response(lambda r: r.url.endswith(reverse("reports:bulletin-opened", args=[bulletin.pk]))) as opened:
        page.goto(page.base_url + bulletin.get_absolute_url())
    assert opened.value.status == 204

    page.context.clear_cookies()
    browser_login(page, "demo-staff", DEMO_PASSWORD)
    meeting = Meeting.objects.filter(group__organization__name="中共青山县委员会").exclude(status="cancelled").order_by("-starts_at").first()
    # The sign-in screen polls its count with htmx.
    page.goto(page.base_url + reverse("meetings:meeting-sign-in-screen", args=[meeting.pk]))
    with page.expect_response(lambda r: "/sign-in/screen/count/" in r.url, timeout=15000) as polled:
        pass
    assert polled.value.status == 200
    # "Mark everyone present" ticks the rows without a record (data-mark-all, no inline script).
    page.goto(page.base_url + reverse("meetings:meeting-attendance", args=[meeting.pk]))
    page.click("#mark-all-present")
    unticked = page.evaluate(
        "Array.from(document.querySelectorAll('#attendance-form tbody tr')).filter(r => r.querySelector('input[type=radio]') && !r.querySelector('input[type=radio]:checked')).length"
    )
    assert unticked == 0
    assert page.evaluate("window.__cspViolations") == []
