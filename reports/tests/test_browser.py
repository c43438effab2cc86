"""In the browser: staff issue a bulletin, build its PDF in the worker, a leader opens it."""

import pytest

from conftest import browser_login
from members.models import OrganizationAssignment
from members.tests.factories import AssignmentFactory, UserFactory
from reports.tests.factories import records_2025_h1

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]
PASSWORD = "Test@2026pass"


def test_staff_issue_a_bulletin_build_the_pdf_and_a_leader_opens_it(world, page, phone_page, celery_worker, settings):
    records_2025_h1(world)
    county_leader = UserFactory(username="county_leader", name="县委副书记", organization=world.county)
    AssignmentFactory(user=county_leader, organization=world.county, role=OrganizationAssignment.Role.LEADER)

    browser_login(page, "staff", PASSWORD)
    page.goto(f"{page.base_url}/reports/bulletins/new/")
    page.select_option("select[name=organization]", str(world.county.pk))
    page.fill("input[name=year]", "2025")
    page.select_option("select[name=period]", "h1")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("[data-test=bulletin-table]")
    page.click("text=编辑")
    page.fill("textarea[name=good_practices]", "教育局党组坚持“第一议题”制度。")
    page.click("main form[method=post] button[type=submit]")
    page.click("[data-test=issue]")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("text=已印发")
    page.screenshot(path="test-artifacts/reports-bulletin-staff.png", full_page=True)
    page.click("[data-test=build-pdf]")
    page.wait_for_selector("[data-test=pdf-download]", timeout=120_000)
    bulletin_url = page.url

    browser_login(phone_page, "county_leader", PASSWORD)
    phone_page.goto(f"{phone_page.base_url}/")
    phone_page.wait_for_selector("[data-test=reports-home-card]")
    phone_page.click("[data-test=reports-home-card] >> text=关于")
    assert phone_page.url == bulletin_url
    phone_page.wait_for_selector(".echart svg")  # ECharts drew the charts
    phone_page.screenshot(path="test-artifacts/reports-bulletin-leader-phone.png", full_page=True)
    href = phone_page.locator("[data-test=pdf-download]").get_attribute("href")
    pdf = phone_page.request.get(phone_page.base_url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
