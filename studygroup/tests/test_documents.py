"""The shared document helpers: PDF from a page template, Word, Excel and download responses."""

import copy
import io
import logging
import socket
from urllib.parse import quote, unquote

import docx
import openpyxl
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from pypdf import PdfReader

from studygroup import documents
from studygroup.apps import check_pdf_font_subsetting
from studygroup.fonts import Face, official_faces
from studygroup.documents import (
    DOCX_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    FetchRefused,
    bar_chart_svg,
    content_disposition,
    docx_response,
    file_response,
    new_word_document,
    new_workbook,
    render_pdf,
    static_url_fetcher,
    word_bytes,
    workbook_bytes,
    xlsx_response,
)

# Documents come out the same whatever the database: these run once, on SQLite.
pytestmark = pytest.mark.documents

TITLE = "关于理论学习中心组学习情况的通报"
BODY = "深入学习贯彻习近平新时代中国特色社会主义思想"

# One template, two outputs: the page layout on screen, the print layout for PDF.
SAMPLE = """{% extends for_pdf|yesno:"documents/print_base.html,base.html" %}
{% block title %}""" + TITLE + """{% endblock %}
{% block head %}{% if remote_css %}<link rel="stylesheet" href="{{ remote_css }}">{% endif %}{% endblock %}
{% block content %}
<h1>""" + TITLE + """</h1>
<p>""" + BODY + """。</p>
{% if remote_image %}<img src="{{ remote_image }}" alt="">{% endif %}
{% if local_file %}<img src="{{ local_file }}" alt="">{% endif %}
<table class="table"><thead><tr><th>中心组</th><th class="num">集中学习</th></tr></thead>
<tbody><tr><td>中共青山县教育局党组理论学习中心组</td><td class="num">12</td></tr></tbody></table>
{% if second_page %}<p class="page-break-before">第二部分　下步工作安排</p>{% endif %}
{% endblock %}
"""


@pytest.fixture
def sample_template():
    """``documents/test_sample.html`` from memory, next to the real template directories."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["APP_DIRS"] = False
    templates[0]["OPTIONS"]["loaders"] = [
        ("django.template.loaders.locmem.Loader", {"documents/test_sample.html": SAMPLE}),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    with override_settings(TEMPLATES=templates):
        yield "documents/test_sample.html"


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test's expectations (and is recorded)."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


# --- PDF --------------------------------------------------------------------------------------


def test_render_pdf_contains_the_chinese_text(sample_template):
    pdf = render_pdf(sample_template, {})

    assert pdf.startswith(b"%PDF-")
    text = "".join(pages_text(pdf))
    assert TITLE in text
    assert BODY in text
    assert "中共青山县教育局党组理论学习中心组" in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == TITLE


def test_render_pdf_numbers_pages_and_repeats_the_title_in_the_header(sample_template):
    pdf = render_pdf(sample_template, {"second_page": True})

    pages = pages_text(pdf)
    assert len(pages) == 2
    assert "第 1 页 / 共 2 页" in pages[0]
    assert "第 2 页 / 共 2 页" in pages[1]
    assert TITLE in pages[1]  # The running header; page 2 has no <h1>.


def test_render_pdf_embeds_subset_cjk_fonts_within_budget(sample_template):
    pdf = render_pdf(sample_template, {})

    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert any("Noto" in name and "CJK" in name for name in names), names
    # A subset font's name carries a six-letter tag: ABCDEF+Name.
    assert all(name[7] == "+" for name in names), names
    assert len(pdf) < 1_000_000


def test_render_pdf_refuses_remote_and_local_file_urls_and_still_renders(
    sample_template, no_network, caplog
):
    context = {
        "remote_image": "https://example.com/logo.png",
        "remote_css": "http://cdn.example.com/bootstrap.css",
        "local_file": "file:///etc/hostname",
    }
    with caplog.at_level(logging.WARNING, logger="studygroup.documents"):
        pdf = render_pdf(sample_template, context)

    assert TITLE in "".join(pages_text(pdf))
    refused = " ".join(record.getMessage() for record in caplog.records)
    for url in context.values():
        assert url in refused
    assert "print.css" not in refused  # The local stylesheet was served.
    assert no_network == []


def test_render_pdf_with_a_request_serves_static_files_from_the_sites_own_url(sample_template, caplog):
    request = RequestFactory().get("/reports/bulletin/1/pdf/")

    with caplog.at_level(logging.WARNING, logger="studygroup.documents"):
        pdf = render_pdf(sample_template, {}, request=request)

    assert not [r for r in caplog.records if r.name == "studygroup.documents"]
    assert "第 1 页 / 共 1 页" in pages_text(pdf)[0]  # Page numbers come from print.css.


def test_same_template_prints_without_the_site_layout(sample_template):
    html = render_to_string(sample_template, {"for_pdf": True})

    assert "css/print.css" in html
    assert "bootstrap" not in html
    assert "navbar" not in html


def test_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = static_url_fetcher("https://study.example.gov.cn/")

    response = fetcher.fetch("https://study.example.gov.cn/static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.fetch("https://documents.invalid/static/css/print.css").read()
    for url in (
        "https://other.example.com/static/css/print.css",  # Another host.
        "https://study.example.gov.cn/static/../studygroup/settings.py",  # Out of static.
        "https://study.example.gov.cn/static/%2e%2e/studygroup/settings.py",
        "https://study.example.gov.cn/media/upload.png",  # Not static.
        "https://study.example.gov.cn/static/css/missing.css",
        "file:///etc/passwd",
        "ftp://study.example.gov.cn/static/css/print.css",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 7
    assert fetcher.fetch("data:text/plain;base64,5Lit5paH").read() == "中文".encode()


def test_bar_chart_svg_escapes_labels():
    svg = bar_chart_svg(["青山县", "<script>"], [3, 5])

    assert svg.startswith("<svg")
    assert "青山县" in svg
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_benchmark_document_renders_through_render_pdf():
    from studygroup.management.commands.benchmark_pdf import TEMPLATE, bulletin_context

    pdf = render_pdf(TEMPLATE, bulletin_context(groups=5))

    text = "".join(pages_text(pdf))
    assert "学习情况的通报" in text
    assert "理论学习中心组" in text


# --- Word and Excel ---------------------------------------------------------------------------


def test_word_document_opens_with_the_chinese_title_and_fonts():
    document = new_word_document("二〇二六年度理论学习中心组学习计划")
    document.add_heading("一、指导思想", level=1)
    document.add_paragraph(BODY)

    reopened = docx.Document(io.BytesIO(word_bytes(document)))

    assert reopened.paragraphs[0].text == "二〇二六年度理论学习中心组学习计划"
    assert reopened.paragraphs[0].style.name == "Title"
    assert reopened.core_properties.title == "二〇二六年度理论学习中心组学习计划"
    assert BODY in [paragraph.text for paragraph in reopened.paragraphs]
    east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    faces = official_faces()  # the PDF's choice: the official faces, or Noto CJK on this machine
    assert reopened.styles["Normal"].element.rPr.rFonts.get(east_asia) == faces["body"].family
    assert reopened.styles["Title"].element.rPr.rFonts.get(east_asia) == faces["title"].family
    assert reopened.styles["Heading 1"].element.rPr.rFonts.get(east_asia) == faces["heading"].family
    assert reopened.styles["Title"].font.bold is faces["title"].bold
    font_table = next(
        part.blob for part in reopened.part.package.iter_parts()
        if str(part.partname) == "/word/fontTable.xml"
    ).decode()
    # A computer with the official faces uses them: they are the fallbacks named in the table.
    assert "方正小标宋简体" in font_table
    assert "仿宋_GB2312" in font_table
    assert "SimHei" in font_table


def test_official_faces_are_used_where_installed_and_noto_stands_in_otherwise():
    bare = official_faces(frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC"}))
    assert bare["title"] == Face("Noto Serif CJK SC", bold=True, official=False)
    assert bare["body"] == Face("Noto Serif CJK SC", bold=False, official=False)
    assert bare["heading"] == Face("Noto Sans CJK SC", bold=True, official=False)

    office = official_faces(frozenset({"方正小标宋简体", "仿宋", "黑体", "楷体_GB2312", "Noto Serif CJK SC"}))
    assert office["title"] == Face("方正小标宋简体", bold=False, official=True)
    assert office["body"].family == "仿宋"  # 仿宋_GB2312 is missing: the next name of the role
    assert office["subheading"].family == "楷体_GB2312"


def test_workbook_opens_with_title_bold_frozen_headers_and_wide_columns():
    name = "中共青山县人力资源和社会保障局党组理论学习中心组"
    workbook, worksheet = new_workbook("2026年上半年中心组学习情况统计", ["中心组", "集中学习", "参学率%"])
    worksheet.append([name, 12, 98.5])

    reopened = openpyxl.load_workbook(io.BytesIO(workbook_bytes(workbook)))
    sheet = reopened.active

    assert sheet["A1"].value == "2026年上半年中心组学习情况统计"
    assert [cell.value for cell in sheet[2]] == ["中心组", "集中学习", "参学率%"]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet["A3"].value == name
    assert sheet.column_dimensions["A"].width >= 2 * len(name)  # Chinese characters are wide.
    assert sheet.column_dimensions["B"].width >= 8
    assert "A1:C1" in {str(cell_range) for cell_range in sheet.merged_cells.ranges}


# --- Responses --------------------------------------------------------------------------------


def test_file_response_content_disposition_carries_a_chinese_filename():
    filename = "2026年上半年学习通报.pdf"

    response = file_response(b"%PDF-1.7", filename, "application/pdf")

    header = response["Content-Disposition"]
    header.encode("ascii")  # A header must be ASCII: the Chinese is percent-encoded.
    assert header.startswith("attachment; ")
    assert 'filename="download.pdf"' in header  # For clients that ignore filename*.
    assert f"filename*=UTF-8''{quote(filename)}" in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == filename
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7"


def test_content_disposition_of_plain_and_mixed_names():
    assert content_disposition("report.xlsx") == 'attachment; filename="report.xlsx"'
    assert content_disposition("plan.pdf", as_attachment=False) == 'inline; filename="plan.pdf"'
    mixed = content_disposition("Plan 2026 计划.docx")
    assert mixed.startswith('attachment; filename="Plan_2026.docx"; filename*=UTF-8\'\'')
    assert "\n" not in content_disposition("a\r\nSet-Cookie: x.pdf")


def test_docx_and_xlsx_responses():
    document = new_word_document("会议记录")
    workbook, _ = new_workbook("签到表", ["姓名", "签到"])

    word = docx_response(document, "会议记录.docx")
    excel = xlsx_response(workbook, "签到表.xlsx")

    assert word["Content-Type"] == DOCX_CONTENT_TYPE
    assert excel["Content-Type"] == XLSX_CONTENT_TYPE
    assert docx.Document(io.BytesIO(word.content)).paragraphs[0].text == "会议记录"
    assert openpyxl.load_workbook(io.BytesIO(excel.content)).active["A1"].value == "签到表"


# --- Startup check ----------------------------------------------------------------------------


def test_startup_check_warns_when_harfbuzz_subset_is_missing(monkeypatch, caplog):
    monkeypatch.setattr("ctypes.util.find_library", lambda name: None)

    with caplog.at_level(logging.WARNING, logger="studygroup"):
        assert check_pdf_font_subsetting() is False

    assert "libharfbuzz-subset0" in caplog.text


def test_startup_check_is_quiet_when_harfbuzz_subset_is_installed(monkeypatch, caplog):
    monkeypatch.setattr("ctypes.util.find_library", lambda name: f"lib{name}.so.0")

    with caplog.at_level(logging.WARNING, logger="studygroup"):
        assert check_pdf_font_subsetting() is True

    assert caplog.text == ""


def test_pdf_options_subset_and_compress():
    assert documents.PDF_OPTIONS["full_fonts"] is False
    assert documents.PDF_OPTIONS["uncompressed_pdf"] is False


def test_garbage_collection_is_paused_while_rendering_and_restored_after():
    import gc

    from studygroup.documents import paused_garbage_collection

    assert gc.isenabled()
    with paused_garbage_collection():
        assert not gc.isenabled()
        with paused_garbage_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # Only the outermost pause restores the collector.
    assert gc.isenabled()

    with pytest.raises(RuntimeError), paused_garbage_collection():
        raise RuntimeError
    assert gc.isenabled()

    gc.disable()
    try:
        with paused_garbage_collection():
            pass
        assert not gc.isenabled()  # A collector that was off stays off.
    finally:
        gc.enable()


def test_archival_pdfs_are_pdf_a_and_the_check_sees_the_difference(sample_template):
    from studygroup.tests.pdfa import pdfa_problems

    assert "no PDF/A identification in the XMP metadata" in pdfa_problems(render_pdf(sample_template, {}))
    assert pdfa_problems(render_pdf(sample_template, {}, archival=True)) == []
