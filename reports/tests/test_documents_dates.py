"""Dates in reviews, bulletins and rectification are written the way the reader's language writes
them: 2025年5月1日 in Chinese, May 1, 2025 in English, 5月20日 where the period already says the
year. The frozen snapshot keeps ISO dates (it is data); the stored PDF of a frozen document is
the official copy, in the site's language whoever asks for it."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from reports import documents, services
from reports.models import Period
from reports.tests.factories import YEAR, records_2025_h1

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


@pytest.fixture
def records(world):
    return records_2025_h1(world)


@pytest.fixture
def submitted(world, records):
    review = services.review_create(group=world.groups.bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    return services.review_submit(review=review, by=world.staff)


@pytest.fixture
def issued(world, records):
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    return services.bulletin_issue(bulletin=bulletin, by=world.staff)


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    data = b"".join(response.streaming_content) if response.streaming else response.content
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_frozen_snapshot_keeps_iso_dates(submitted):
    assert {m["date"] for m in submitted.figures["meetings"]} >= {f"{YEAR}-05-20"}


def test_review_page_gives_meeting_days_as_month_and_day(world, submitted, client_for):
    body = client_for(world.leader).get(submitted.get_absolute_url()).content.decode()
    assert '<td class="text-nowrap">5月20日</td>' in body


def test_review_page_gives_meeting_days_in_english(world, submitted, client_for):
    client = client_for(world.leader)
    client.cookies["django_language"] = "en"
    body = client.get(submitted.get_absolute_url()).content.decode()
    assert '<td class="text-nowrap">May 20</td>' in body


def test_review_pdf_gives_meeting_days_as_month_and_day(world, submitted, client_for):
    response = client_for(world.leader).post(reverse("reports:review-pdf", kwargs={"pk": submitted.pk}))
    assert "5月20日" in _pdf_text(response)


def test_bulletin_page_gives_overdue_deadlines_the_chinese_way(world, issued, client_for):
    body = client_for(world.staff).get(issued.get_absolute_url()).content.decode()
    assert '<td class="text-danger text-nowrap">2025年5月1日</td>' in body


def test_bulletin_page_gives_observation_days_as_month_and_day(world, issued, client_for):
    body = client_for(world.staff).get(issued.get_absolute_url()).content.decode()
    assert '<td class="text-nowrap">3月10日</td>' in body


def test_bulletin_page_gives_overdue_deadlines_in_english(world, issued, client_for):
    client = client_for(world.staff)
    client.cookies["django_language"] = "en"
    body = client.get(issued.get_absolute_url()).content.decode()
    assert '<td class="text-danger text-nowrap">May 1, 2025</td>' in body


def test_month_chart_labels_months_the_chinese_way(submitted):
    with translation.override("zh-hans"):
        month_chart = documents.review_context(submitted)["chart_specs"][1]
    assert month_chart["labels"] == ["1月", "2月", "3月", "4月", "5月", "6月"]


def test_month_chart_labels_months_in_english(submitted):
    with translation.override("en"):
        month_chart = documents.review_context(submitted)["chart_specs"][1]
    assert month_chart["labels"] == ["Month 1", "Month 2", "Month 3", "Month 4", "Month 5", "Month 6"]


def test_stored_bulletin_pdf_is_in_the_site_language_when_an_english_reader_builds_it(world, issued, client_for):
    client = client_for(world.leader)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("reports:bulletin-pdf", kwargs={"pk": issued.pk}))
    text = _pdf_text(response)
    assert "一、总体情况" in text
    assert "1. Overall" not in text


def test_rectification_progress_is_stamped_with_the_day_the_chinese_way(world, records):
    item = services.item_create(
        inspection=records["inspection"], finding="学习记录不全", measures="补齐记录", deadline=date(2099, 1, 1),
        owner=world.member, by=world.staff,
    )
    with translation.override("zh-hans"):
        item = services.item_transition(item=item, action="start", note="已部署", by=world.staff)
    today = timezone.localdate()
    assert item.progress == f"[{today.year}年{today.month}月{today.day}日] 已部署"
