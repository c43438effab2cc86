"""The bulletin and the half-year review in Word read like the PDF: the official frame, numbered
headings, the charts as pictures, tables sized to their content with the header row repeated,
and, opened in LibreOffice, no page holding only a stray row."""

import io
import shutil

import docx
import pytest
from docx.oxml.ns import qn

from reports import documents, services
from reports.models import Bulletin, Period
from reports.tests.factories import YEAR, records_2025_h1
from studygroup.documents import word_column_widths
from studygroup.tests.office import libreoffice_pdf, needs_libreoffice, pdf_pages_text

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


@pytest.fixture
def issued(world):
    records_2025_h1(world)
    bulletin = services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    services.bulletin_update(
        bulletin=bulletin, by=world.staff, issuing_organ="中共青山县委宣传部",
        addressees="各乡镇党委，县直各单位党委（党组）理论学习中心组", good_practices="坚持“第一议题”制度。",
        common_problems="", requirements="对照通报查找差距。",
    )
    return services.bulletin_issue(bulletin=Bulletin.objects.get(pk=bulletin.pk), by=world.staff, document_code="青宣", document_serial=3)


def _grid_mm(table) -> list[float]:
    return [int(col.get(qn("w:w"))) / 56.7 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_the_bulletin_in_word_has_the_frame_numbered_sections_charts_and_the_ranked_annex(issued):
    word = docx.Document(io.BytesIO(documents.docx(issued)))
    texts = [paragraph.text for paragraph in word.paragraphs]

    assert texts[0] == "中共青山县委宣传部"
    assert word.paragraphs[0].runs[0].font.color.rgb == docx.shared.RGBColor(0xE6, 0x00, 0x12)
    assert texts[1] == issued.document_number
    assert texts[2] == issued.title
    assert texts[3] == "各乡镇党委，县直各单位党委（党组）理论学习中心组："
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["一、总体情况", "二、经验做法", "三、巡听旁听及整改情况", "四、下一步工作要求"]
    assert "附件" in headings
    assert any(text.startswith("2个中心组共开展集中学习") for text in texts)
    assert "附件：各中心组学习情况统计及排名" in texts
    if shutil.which("pdftoppm"):
        assert len(word.inline_shapes) == len(documents.bulletin_context(issued, for_pdf=True)["charts"])

    annex = next(table for table in word.tables if table.rows[0].cells[0].text == "名次")
    ranks = [int(row.cells[0].text) for row in annex.rows[1:-1]]
    assert ranks == sorted(ranks)
    assert annex.rows[-1].cells[1].text == "合计"
    headers = [cell.text for cell in annex.rows[0].cells]
    assert "逾期成果" in headers
    assert "疑似雷同" in headers
    assert "补记" in headers
    assert annex.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    grid = _grid_mm(annex)
    assert grid[1] >= grid[2]  # the names at least as wide as a count (long names: see the widths test)
    assert sum(grid) <= 243.5  # the landscape page's type area
    annex_section = word.sections[-1]
    assert annex_section.page_width > annex_section.page_height
    cells = [int(cell._tc.tcPr.tcW.get(qn("w:w"))) / 56.7 for cell in annex.rows[1].cells]
    assert cells == pytest.approx(grid, abs=0.1)
    imprint = word.tables[-1]
    assert imprint.rows[0].cells[0].text.strip("　") == "中共青山县委宣传部"
    assert imprint.rows[0].cells[1].text.strip("　").endswith("印发")


def test_column_widths_follow_the_content_and_fit_the_type_area():
    headers = ["名次", "中心组", *["学习会议"] * 12, "得分"]
    rows = [["1", "中共青山县农业农村局党组理论学习中心组", *["12"] * 12, "93.8"]]
    widths = word_column_widths(headers, rows, width_mm=156, font_pt=9)
    assert sum(widths) == pytest.approx(156, abs=0.5)
    assert widths[1] == max(widths)  # the name wraps; the figures keep their width
    assert max(widths) >= 2.5 * min(widths)
    assert min(widths) >= 2 * 9 * 0.3528  # two characters at the least: never one a line

    small = word_column_widths(["项目", "数值"], [["参学率", "88%"]], width_mm=156, font_pt=10.5)
    assert sum(small) < 60  # a small table stays small (centred), not stretched across the page


def test_a_word_tables_last_three_rows_go_over_together_and_its_header_repeats():
    from studygroup.documents import new_word_document, word_bytes, word_table

    word = new_word_document("安排表")
    word_table(word, ["序号", "月份", "专题"], [(n, f"{n % 12 + 1}月", f"第{n}专题") for n in range(1, 18)])
    table = docx.Document(io.BytesIO(word_bytes(word))).tables[0]
    keeps = [row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in table.rows[1:]]
    assert keeps[-3:] == [True, True, None]  # the third-last and second-last keep with the next
    assert not any(keeps[:-3])
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    widths = _grid_mm(table)
    assert widths[1] >= 10  # "10月" in one line


def test_the_review_in_word_has_numbered_headings_required_figures_and_the_records_annex(world):
    records_2025_h1(world)
    review = services.review_create(group=world.groups.bureau, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    word = docx.Document(io.BytesIO(documents.docx(review)))
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["一、学习数据", "二、好的做法", "三、存在的问题及原因", "四、下半年学习计划"]
    figures = word.tables[0]
    assert [cell.text for cell in figures.rows[0].cells] == ["项目", "数值", "计划要求"]
    required = [row.cells[2].text for row in figures.rows[1:]]
    assert "" in required  # figures the plan requires nothing of are left empty, not "应学次数"


@needs_libreoffice
def test_libreoffice_opens_the_bulletin_word_and_no_page_holds_only_a_stray_row(issued):
    pages = pdf_pages_text(libreoffice_pdf(documents.docx(issued), ".docx"))
    assert "中共青山县委宣传部" in pages[0]
    assert issued.document_number.replace("〔", "").replace("〕", "")[:2] in pages[0]
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert len(lines) >= 3, f"page {number} holds only {lines}"
    assert "印发" in pages[-1]
    last_row = documents.bulletin_context(issued, for_pdf=True)["table"][-1]["name"]
    assert last_row.replace(" ", "") in pages[-1].replace(" ", "")  # the annex and the imprint end it together
