"""The bulletin as an official document (GB/T 9704-2012): the organ in red, the document number
青宣〔2026〕3号 given when issuing, the addressees, numbered headings, signature and imprint."""

import io
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import documents, services
from reports.models import Bulletin, Period
from reports.tests.factories import YEAR, records_2025_h1
from studygroup.fonts import official_faces

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


def pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def draft(world):
    records_2025_h1(world)
    return services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)


def test_a_new_bulletin_proposes_its_organ_and_addressees_from_the_organisation(world, draft):
    assert draft.issuing_organ == f"{world.county.name}理论学习中心组办公室"
    assert draft.addressees == f"{world.county.name}所属各党委（党组）理论学习中心组"
    assert draft.document_number == ""


def test_staff_give_the_document_number_when_issuing_and_it_prints_in_the_frame(
    world, draft, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.staff)
    url = reverse("reports:bulletin-issue", kwargs={"pk": draft.pk})
    form_page = client.get(url).content.decode()
    assert 'name="document_code"' in form_page
    assert 'name="document_serial" value="1"' in form_page  # the organ's first number this year

    with django_capture_on_commit_callbacks(execute=True):  # the worker issues it
        client.post(url, {"document_code": "青宣", "document_serial": "3"})
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.ISSUED
    year = timezone.localdate().year
    assert draft.document_number == f"青宣〔{year}〕3号"

    page = client.get(draft.get_absolute_url()).content.decode()
    assert f"青宣〔{year}〕3号" in page
    assert 'data-test="official-head"' in page
    assert f"{world.county.name}所属各党委（党组）理论学习中心组：" in page

    # The next bulletin of the organ is offered the same code and the next number.
    second = services.bulletin_create(organization=world.county, year=YEAR, period=Period.SECOND_HALF, by=world.staff)
    second_form = client.get(reverse("reports:bulletin-issue", kwargs={"pk": second.pk})).content.decode()
    assert 'name="document_code" value="青宣"' in second_form
    assert 'name="document_serial" value="4"' in second_form


def test_a_number_already_given_or_a_malformed_code_is_refused_in_chinese_keeping_what_was_typed(world, draft, client_for):
    other = services.bulletin_create(organization=world.county, year=YEAR, period=Period.SECOND_HALF, by=world.staff)
    services.bulletin_issue_request(bulletin=other, by=world.staff, document_code="青宣", document_serial=3)
    client = client_for(world.staff)
    url = reverse("reports:bulletin-issue", kwargs={"pk": draft.pk})

    taken = client.post(url, {"document_code": "青宣", "document_serial": "3"})
    assert taken.status_code == 200
    text = taken.content.decode()
    assert f"已用于《{other.title}》，请换一个序号。" in text
    assert 'name="document_code" value="青宣"' in text

    malformed = client.post(url, {"document_code": "青宣〔2026〕", "document_serial": "5"}).content.decode()
    assert "机关代字只填简称" in malformed
    assert 'name="document_serial" value="5"' in malformed

    empty = client.post(url, {"document_code": "", "document_serial": ""}).content.decode()
    assert empty.count("这个字段是必填项。") == 2

    draft.refresh_from_db()
    assert draft.issue_requested_at is None  # nothing was asked for


def test_the_same_serial_may_be_given_again_in_another_year(world, draft):
    services.bulletin_issue_request(bulletin=draft, by=world.staff, document_code="青宣", document_serial=1)
    other_year = services.bulletin_create(organization=world.county, year=YEAR, period=Period.SECOND_HALF, by=world.staff)
    Bulletin.objects.filter(pk=draft.pk).update(document_year=timezone.localdate().year - 1)
    other_year = services.bulletin_issue_request(bulletin=other_year, by=world.staff, document_code="青宣", document_serial=1)
    assert other_year.document_number == f"青宣〔{timezone.localdate().year}〕1号"


def test_headings_are_numbered_over_the_sections_present(world, draft):
    services.bulletin_update(bulletin=draft, by=world.staff, good_practices="", common_problems="各单位进度不一。", requirements="")
    context = documents.bulletin_context(Bulletin.objects.get(pk=draft.pk), for_pdf=True)
    assert context["headings"] == {
        "overall": "一、总体情况", "common_problems": "二、共性问题", "observations": "三、巡听旁听及整改情况",
    }


def test_the_pdf_reads_as_an_official_document_in_the_chosen_faces(world, draft, tmp_path):
    services.bulletin_update(
        bulletin=draft, by=world.staff, issuing_organ="中共青山县委宣传部",
        addressees="各乡镇党委，县直各单位党委（党组）理论学习中心组", requirements="对照通报查找差距。",
    )
    bulletin = services.bulletin_issue(bulletin=Bulletin.objects.get(pk=draft.pk), by=world.staff, document_code="青宣", document_serial=7)
    pdf = documents.pdf(bulletin)
    text = "".join(pages_text(pdf))
    year = timezone.localdate().year
    for expected in (
        "中共青山县委宣传部", f"青宣〔{year}〕7号", "各乡镇党委，县直各单位党委（党组）理论学习中心组：",
        "一、总体情况", "附件：各中心组学习情况统计及排名", "印发",
    ):
        assert expected in text.replace("\n", ""), expected
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    faces = official_faces()
    assert faces["body"].family.replace(" ", "") in fonts.replace(" ", "").replace("-", "")
    assert faces["heading"].family.replace(" ", "") in fonts.replace(" ", "").replace("-", "")


def test_the_bulletin_and_the_review_are_archived_as_pdf_a(world, draft):
    from studygroup.tests.pdfa import pdfa_problems

    bulletin = services.bulletin_issue(bulletin=draft, by=world.staff, document_code="青宣", document_serial=8)
    assert pdfa_problems(documents.pdf(bulletin)) == []
    review = services.review_create(group=world.groups.bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    assert pdfa_problems(documents.pdf(review)) == []


def test_the_bulletin_counts_late_and_copy_flagged_work_per_group_and_states_the_rule(world, draft, settings):
    from members.work.models import MemberWork, SimilarityCheck

    settings.WORK_COPY_FLAG_SCORE = 0.6
    reflection = MemberWork.objects.filter(group=world.groups.bureau, kind="reflection", occurred_on__month=3).first()
    SimilarityCheck.objects.create(work=reflection, score=0.3)
    SimilarityCheck.objects.create(work=reflection, score=0.85)  # the latest check flags it
    cleared = MemberWork.objects.filter(group=world.groups.bureau, kind="research").first()
    SimilarityCheck.objects.create(work=cleared, score=0.9)
    later = SimilarityCheck.objects.create(work=cleared, score=0.2)  # rewritten: the latest check is clean
    SimilarityCheck.objects.filter(pk=later.pk).update(checked_at=later.checked_at.replace(year=later.checked_at.year + 1))

    context = documents.bulletin_context(Bulletin.objects.get(pk=draft.pk), for_pdf=True)
    bureau = next(row for row in context["snapshot"]["rows"] if row["group_id"] == world.groups.bureau.pk)
    assert bureau["figures"]["late_work"] == 1
    assert bureau["figures"]["copy_flagged"] == 1
    assert context["snapshot"]["totals"]["copy_flagged"] == 1
    assert {"逾期成果", "疑似雷同", "补记"} <= set(context["columns"])
    assert "首次提交晚于所属日期30天以上" in context["work_rules"]
    assert "60%以上" in context["work_rules"]
    assert "不计入得分" in context["work_rules"]
