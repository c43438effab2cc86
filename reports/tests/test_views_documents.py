import io

import pytest
from django.urls import reverse

from reports import services
from reports.models import Bulletin, DocumentBuild, Period
from reports.tests.factories import YEAR, records_2025_h1

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


@pytest.fixture
def records(world):
    return records_2025_h1(world)


@pytest.fixture
def issued(world, records):
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    bulletin = services.bulletin_update(bulletin=bulletin, by=world.staff, good_practices="教育局党组坚持“第一议题”制度。")
    return services.bulletin_issue(bulletin=bulletin, by=world.staff)


@pytest.fixture
def submitted(world, records):
    review = services.review_create(group=world.groups.bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    return services.review_submit(review=review, by=world.staff)


def _rows(html):
    return [line for line in html.splitlines() if "<tr class=" in line and "<td" in line]


def test_a_group_sees_only_its_own_row_highlighted(world, issued, client_for):
    body = client_for(world.member).get(issued.get_absolute_url()).content.decode()
    own = [row for row in _rows(body) if 'data-own="1"' in row]
    assert len(own) == 1
    assert f'data-group="{world.groups.bureau.pk}"' in own[0]
    assert len(_rows(body)) == 2  # both groups are shown, one highlighted
    body = client_for(world.township_member).get(issued.get_absolute_url()).content.decode()
    own = [row for row in _rows(body) if 'data-own="1"' in row]
    assert len(own) == 1
    assert f'data-group="{world.groups.township.pk}"' in own[0]
    body = client_for(world.staff).get(issued.get_absolute_url()).content.decode()
    assert 'data-own="1"' not in body  # the issuer's own group is not in the table


def test_another_countys_staff_get_404(world, issued, submitted, client_for):
    client = client_for(world.sibling_staff)
    for name, pk in [("bulletin-detail", issued.pk), ("bulletin-pdf", issued.pk), ("review-detail", submitted.pk), ("review-pdf", submitted.pk)]:
        assert client.get(reverse(f"reports:{name}", kwargs={"pk": pk})).status_code == 404


def test_review_page_shows_frozen_figures_and_changes(world, submitted, client_for):
    from datetime import date

    from reports.tests.factories import meeting

    meeting(world.groups.bureau, date(YEAR, 6, 12))
    body = client_for(world.leader).get(submitted.get_absolute_url()).content.decode()
    assert 'data-figure="meetings">3<' in body
    assert 'data-test="changes"' in body
    assert "mark read" in body.lower() or "标记已阅" in body or reverse("reports:review-read", kwargs={"pk": submitted.pk}) in body


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_bulletin_pdf_is_built_once_and_contains_chinese_title_and_figures(world, issued, client_for):
    client = client_for(world.leader)
    url = reverse("reports:bulletin-pdf", kwargs={"pk": issued.pk})
    page = client.get(url)  # nothing built yet: a GET builds nothing, it offers a button
    assert page["Content-Type"].startswith("text/html")
    assert 'data-test="make-pdf"' in page.content.decode()
    assert not DocumentBuild.objects.filter(object_id=issued.pk, kind="bulletin").exists()
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)
    assert "学习通报" in text or "通报" in text
    assert world.bureau.short_name in text.replace("\n", "")
    assert "第一议题" in text
    assert DocumentBuild.objects.filter(object_id=issued.pk, kind="bulletin").count() == 1
    again = client.get(url)  # built: a GET serves the stored file
    assert again["Content-Type"] == "application/pdf"
    assert again.content == response.content
    assert DocumentBuild.objects.filter(object_id=issued.pk, kind="bulletin").count() == 1


def test_review_pdf_has_title_and_figures(world, submitted, client_for):
    response = client_for(world.member).post(reverse("reports:review-pdf", kwargs={"pk": submitted.pk}))
    text = _pdf_text(response.content).replace("\n", "")
    assert "中共青山县教育局党组" in text and "半年" in text or "上半年" in text
    assert "习近平法治思想" in text


def test_word_exports_open_with_python_docx(world, issued, submitted, client_for):
    import docx

    client = client_for(world.leader)
    for url in (reverse("reports:bulletin-docx", kwargs={"pk": issued.pk}), reverse("reports:review-docx", kwargs={"pk": submitted.pk})):
        response = client.get(url)
        assert response.status_code == 200
        document = docx.Document(io.BytesIO(response.content))
        text = "\n".join(p.text for p in document.paragraphs)
        assert "中共青山县" in text or "通报" in text
        assert document.tables
        assert len(document.tables[0].rows) >= 2


def test_generate_button_starts_one_build(world, issued, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.staff)
    url = reverse("reports:bulletin-build", kwargs={"pk": issued.pk})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url)
        client.post(url)
    assert len(callbacks) == 1  # the second click enqueued nothing
    builds = DocumentBuild.objects.filter(kind="bulletin", object_id=issued.pk)
    assert builds.count() == 1
    assert builds.get().status == DocumentBuild.Status.DONE  # eager in tests
    panel = client.get(reverse("reports:build-status", kwargs={"pk": builds.get().pk})).content.decode()
    assert reverse("reports:bulletin-pdf", kwargs={"pk": issued.pk}) in panel
    assert client_for(world.member).post(url).status_code == 403


def test_pages_render_for_every_role(world, issued, submitted, client_for):
    for user in (world.staff, world.leader, world.member):
        client = client_for(user)
        for name in ("reports:review-list", "reports:bulletin-list", "reports:account-list", "home"):
            assert client.get(reverse(name)).status_code == 200
        assert client.get(reverse("members:group-detail", kwargs={"pk": world.groups.bureau.pk})).status_code == 200
    for user in (world.staff, world.leader):
        client = client_for(user)
        for name in ("reports:dashboard", "reports:inspection-list", "reports:item-list"):
            assert client.get(reverse(name)).status_code == 200


def test_the_page_shows_the_annex_a_page_at_a_time_and_finds_a_group_by_name(world, issued, client_for, monkeypatch):
    """A province's bulletin covers thousands of groups: the page cuts its annex into pages and
    finds a group by name; the reader's own row is named above whatever page is shown; Word and
    PDF keep every row."""
    import docx

    from reports import documents

    monkeypatch.setattr(documents, "ANNEX_PER_PAGE", 1)
    client = client_for(world.township_member)
    url = issued.get_absolute_url()
    ranked = [row["group_id"] for row in sorted(issued.figures["rows"], key=lambda row: row["rank"])]
    first = client.get(url).content.decode()
    assert [f'data-group="{ranked[0]}"' in row for row in _rows(first)] == [True]
    assert "共 2 个中心组 · 第 1/2 页" in first
    assert "annex_page=2#annex" in first
    second = client.get(url, {"annex_page": "2"}).content.decode()
    assert [f'data-group="{ranked[1]}"' in row for row in _rows(second)] == [True]
    township = next(row["organization"] for row in issued.figures["rows"] if row["group_id"] == world.groups.township.pk)
    found = client.get(url, {"group_name": f" {township} "}).content.decode()
    assert [f'data-group="{world.groups.township.pk}"' in row for row in _rows(found)] == [True]
    assert f'value="{township}"' in found
    assert 'data-test="annex-pages"' not in found
    by_group_name = client.get(url, {"group_name": world.groups.township.name}).content.decode()
    assert [f'data-group="{world.groups.township.pk}"' in row for row in _rows(by_group_name)] == [True]
    nothing = client.get(url, {"group_name": "不存在的单位", "annex_page": "x"}).content.decode()
    assert _rows(nothing) == []
    assert 'data-test="annex-empty"' in nothing
    # The own-row note counts every group, whichever page is shown.
    assert 'data-test="own-row-note"' in second
    assert "2" in second.split('data-test="own-row-note"')[1][:400]
    word = docx.Document(io.BytesIO(client_for(world.leader).get(reverse("reports:bulletin-docx", kwargs={"pk": issued.pk})).content))
    annex = next(table for table in word.tables if table.rows[0].cells[0].text == "名次")
    assert len(annex.rows) == 4  # the header, both groups and the total


def test_the_annex_reads_in_rank_order_on_the_page_in_print_and_in_word(world, issued, client_for):
    """Rows are frozen in tree order; the annex lists them by rank (it read 1, 3, 2)."""
    import copy

    from reports import documents

    snapshot = copy.deepcopy(issued.figures)
    first, second = snapshot["rows"]
    first["rank"], second["rank"] = 2, 1  # the tree's first group ranks second
    for for_pdf in (False, True):
        table = documents.bulletin_context(issued, snapshot=snapshot, for_pdf=for_pdf)["table"]
        assert [row["rank"] for row in table] == [1, 2]
        assert table[0]["group_id"] == second["group_id"]
    Bulletin.objects.filter(pk=issued.pk).update(figures=snapshot)
    word = docx_document(client_for(world.leader).get(reverse("reports:bulletin-docx", kwargs={"pk": issued.pk})).content)
    annex = next(table for table in word.tables if table.rows[0].cells[0].text == "名次")
    assert [row.cells[0].text for row in annex.rows[1:-1]] == ["1", "2"]


def docx_document(data: bytes):
    import docx

    return docx.Document(io.BytesIO(data))
