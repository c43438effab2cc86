"""In the browser: staff issue a bulletin, build its PDF in the worker, a leader opens it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from conftest import browser_login
from members.models import OrganizationAssignment
from members.tests.factories import AssignmentFactory, UserFactory
from reports.tests.factories import records_2025_h1

pytestmark = [pytest.mark.browser]
PASSWORD = "Test@2026pass"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
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
    page.fill("input[name=document_code]", "青宣")  # the 发文字号: the serial is proposed
    assert page.input_value("input[name=document_serial]") == "1"
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("text=已印发")
    page.wait_for_selector("[data-test=document-number]")
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
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    href = phone_page.locator("[data-test=pdf-download]").get_attribute("href")
    pdf = phone_page.request.get(phone_page.base_url + href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"


@pytest.mark.django_db(transaction=True)
def test_bulletin_on_a_phone_has_no_sideways_scroll_and_the_pdf_keeps_the_table(world, phone_page, page):
    """At 390px the annex is a list of cards (the reader's own group highlighted and open), the
    page never scrolls sideways; from md up, in print and in the PDF it is the full table."""
    from reports import documents, services
    from reports.tests.factories import many_groups

    records_2025_h1(world)
    many_groups(world.county, 6)
    bulletin = services.bulletin_create(organization=world.county, year=2025, period="h1", by=world.staff)
    bulletin = services.bulletin_issue(bulletin=bulletin, by=world.staff)
    ARTIFACTS.mkdir(exist_ok=True)

    browser_login(phone_page, "member", PASSWORD)  # 组长 of the bureau's group
    phone_page.goto(phone_page.base_url + bulletin.get_absolute_url())
    phone_page.wait_for_selector(".echart svg")
    phone_page.screenshot(path=str(ARTIFACTS / "reports-bulletin-member-phone.png"), full_page=True)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not phone_page.locator("[data-test=bulletin-table]").is_visible()
    cards = phone_page.locator("[data-test=bulletin-card]")
    assert cards.count() == len(bulletin.figures["rows"])
    own = phone_page.locator("[data-test=bulletin-card][data-own='1']")
    assert own.count() == 1
    assert own.get_attribute("data-group") == str(world.groups.bureau.pk)
    assert own.locator("dl").is_visible()  # the reader's own group is open, with its figures
    other = phone_page.locator("[data-test=bulletin-card]:not([data-own])").first
    assert not other.locator("dl").is_visible()  # the others are closed: a tap opens one
    other.locator("summary").click()
    assert other.locator("dl").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    browser_login(page, "member", PASSWORD)
    page.goto(page.base_url + bulletin.get_absolute_url())
    page.wait_for_selector(".echart svg")
    assert page.locator("[data-test=bulletin-table]").is_visible()
    assert not page.locator("[data-test=bulletin-card]").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "reports-bulletin-member-desktop.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("[data-test=bulletin-table]").is_visible()
    assert not page.locator("[data-test=bulletin-card]").first.is_visible()

    # The PDF is rendered from the same template (studygroup.documents.render_pdf): the table, no cards.
    html = render_to_string("reports/bulletin_detail.html", {**documents.bulletin_context(bulletin, for_pdf=True), "for_pdf": True})
    assert 'data-test="bulletin-table"' in html
    assert 'data-test="bulletin-card"' not in html
