"""Documents every app produces: PDF (from the page's own template), Word and Excel.

PDF — one template, two outputs
-------------------------------
A page template picks its layout from the ``for_pdf`` flag that :func:`render_pdf` sets::

    {% extends for_pdf|yesno:"documents/print_base.html,base.html" %}
    {% block title %}2026年上半年学习通报{% endblock %}
    {% block content %}
      <h1>…</h1>
      {% if not for_pdf %}<a class="btn" href="?format=pdf">PDF</a>{% endif %}
      …
    {% endblock %}

``documents/print_base.html`` fills the same blocks as ``base.html`` (``title``, ``head``,
``content``) without navigation or scripts, and loads ``static/css/print.css``: A4, the title
block in the page header, "第 X 页 / 共 Y 页" in the footer, Chinese fonts. ECharts does not
run in a PDF: draw charts for print as inline SVG (:func:`bar_chart_svg`).

Resources are fetched by the fetcher of :func:`static_url_fetcher`: ``/static/…`` from
Django's static files, ``data:`` URLs, nothing else — intranets have no internet, and a
template must never make the server read local files or reach other hosts.

Speed and size (measured with ``manage.py benchmark_pdf`` on a 2-vCPU server; a bulletin
with 1000 groups × 12 columns is 32 A4 pages):

- Fonts are the system Noto CJK (``fonts-noto-cjk``, found through fontconfig, never an
  ``@font-face`` file), subset by HarfBuzz (``libharfbuzz-subset0``): 0.1 s per document.
  Without it WeasyPrint falls back to fontTools: about 4 s more per font face (+7.5 s for a
  two-face document, whatever its length). ``StudygroupConfig.ready`` warns when it is missing.
- Each embedded face costs about 150 KB even when subset (Noto CJK keeps its glyph ids), so
  print.css uses two: Noto Serif CJK regular for text, Noto Sans CJK bold for headings, table
  headers and emphasis. The 1000-group bulletin is 0.69 MB; 100 groups 0.38 MB.
- What remains is layout and drawing, about 0.7 ms per table cell: 100 groups 1.3 s, 300
  groups 2.9 s, 1000 groups 8–10 s. The cyclic garbage collector is paused while WeasyPrint
  works (see :func:`paused_garbage_collection`). Give big tables ``class="table-fixed"`` with
  column widths and keep Bootstrap out of print; build very large documents in a Celery task.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import logging
import math
import mimetypes
import posixpath
import re
import threading
import unicodedata
from html import escape
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger("studygroup.documents")

PRINT_BASE_TEMPLATE = "documents/print_base.html"

#: Base URL of a document rendered without a request. ``.invalid`` never resolves (RFC 2606);
#: the fetcher maps ``/static/…`` under it to static files and refuses everything else.
INTERNAL_BASE_URL = "https://documents.invalid/"

#: Options for WeasyPrint's ``write_pdf``, chosen by measurement (see the module docstring):
#: subset fonts (``full_fonts=True`` embeds the whole Noto CJK collection: a 47 MB PDF and 5 s
#: more), no hinting (Noto CJK is CFF: nothing to keep, a little size to lose), compressed
#: streams (``uncompressed_pdf`` makes the PDF about 8 times larger), raster images re-encoded
#: losslessly, no tagged PDF (a third larger and slightly slower).
PDF_OPTIONS = {
    "full_fonts": False,
    "hinting": False,
    "uncompressed_pdf": False,
    "optimize_images": True,
    "pdf_tags": False,
}

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


class FetchRefused(ValueError):
    """A document asked for a resource it may not have (another host, a local file…)."""


@functools.cache
def _static_url_fetcher_class():
    # WeasyPrint takes about a second to import (Pango, HarfBuzz, fontconfig): only on use.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesURLFetcher(URLFetcher):
        """Serve ``STATIC_URL`` from Django's static files and ``data:`` URLs; refuse the rest.

        ``origins`` are the scheme://host prefixes that count as "this site" (the document's
        base URL). Refused URLs raise :class:`FetchRefused`, which WeasyPrint turns into a
        missing resource: the document still renders. They are kept in ``self.refused``.
        """

        def __init__(self, origins=(), **kwargs):
            super().__init__(allowed_protocols=("data", "http", "https"), **kwargs)
            self.origins = {origin.rstrip("/") for origin in origins}
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = self._static_path(url)
            if path is not None:
                data = _read_static(path)
                if data is not None:
                    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    response_headers = {"Content-Type": content_type}
                    if content_type.startswith("text/"):
                        response_headers["Content-Type"] += "; charset=utf-8"
                    return URLFetcherResponse(url, data, response_headers)
            self.refused.append(url)
            logger.warning("Document resource refused (only local static files): %s", url)
            raise FetchRefused(f"not a local static file: {url}")

        def _static_path(self, url):
            """The static file's relative path if ``url`` points into STATIC_URL here."""
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                return None
            origin = f"{parts.scheme}://{parts.netloc}"
            static_url = settings.STATIC_URL or "/static/"
            if urlsplit(static_url).scheme:  # Static files on another host (absolute STATIC_URL).
                prefix = static_url
                full = f"{origin}{parts.path}"
            elif origin in self.origins:
                prefix = "/" + static_url.lstrip("/")
                full = parts.path
            else:
                return None
            if not full.startswith(prefix):
                return None
            relative = unquote(full[len(prefix):])
            normalized = posixpath.normpath(relative)
            if normalized.startswith(("..", "/")) or normalized in ("", "."):
                return None
            return normalized

    return StaticFilesURLFetcher


def _read_static(path):
    """The bytes of static file ``path`` from the finders (source tree) or the storage
    (``collectstatic`` output, where hashed names of the manifest storage live)."""
    try:
        found = finders.find(path)
    except SuspiciousFileOperation:
        return None
    if found:
        with open(found, "rb") as file:
            return file.read()
    try:
        if staticfiles_storage.exists(path):
            with staticfiles_storage.open(path) as file:
                return file.read()
    except (SuspiciousFileOperation, OSError, ValueError):
        return None
    return None


def static_url_fetcher(base_url=INTERNAL_BASE_URL):
    """A fetcher for a document whose base URL is ``base_url`` (see StaticFilesURLFetcher)."""
    parts = urlsplit(base_url)
    origins = {f"{parts.scheme}://{parts.netloc}", INTERNAL_BASE_URL.rstrip("/")}
    return _static_url_fetcher_class()(origins=origins)


def _document_base_url(request=None, base_url=None):
    if base_url:
        return base_url
    if request is not None:
        return request.build_absolute_uri("/")
    return INTERNAL_BASE_URL


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextlib.contextmanager
def paused_garbage_collection():
    """Run the block without Python's cyclic garbage collector, then collect once.

    WeasyPrint builds a graph of millions of small objects and the collector keeps walking
    it: pausing it makes a 1000-group bulletin about 15–25 % faster (10.6/9.1 s → 8.0/8.2 s,
    including the one collection at the end) for about 50 MB more peak memory. Nested and concurrent
    uses (threads) restore the collector only when the last one leaves, and never enable a
    collector that was off before.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            restore = _gc_pauses == 0 and _gc_was_enabled
            if restore:
                gc.enable()
        if restore:
            gc.collect()


#: Documents kept for years (the meeting's archive, bulletins, reviews, 述学) are PDF/A-3b:
#: every font embedded, sRGB output intent, the identification in the XMP metadata, nothing
#: fetched from outside. Links in them are plain text, not references out of the file.
ARCHIVAL_PDF_VARIANT = "pdf/a-3b"


def html_to_pdf(html: str, *, base_url: str | None = None, url_fetcher=None, archival: bool = False) -> bytes:
    """Turn an HTML string into PDF bytes with the local-only fetcher and PDF_OPTIONS
    (as PDF/A with ``archival``)."""
    import weasyprint

    base_url = base_url or INTERNAL_BASE_URL
    fetcher = url_fetcher or static_url_fetcher(base_url)
    options = {**PDF_OPTIONS, "pdf_variant": ARCHIVAL_PDF_VARIANT} if archival else PDF_OPTIONS
    with paused_garbage_collection():
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf(**options)


def render_pdf(template_name: str, context: dict, *, request=None, base_url=None, archival: bool = False) -> bytes:
    """Render ``template_name`` for print (``for_pdf=True``) and return the PDF's bytes.

    ``request`` runs the context processors and makes links in the PDF point at this site;
    without it the document gets an internal base URL. Static files are read locally.
    ``archival`` makes it PDF/A (:data:`ARCHIVAL_PDF_VARIANT`).
    """
    from studygroup.fonts import official_faces

    context = {"official_fonts": official_faces(), **context, "for_pdf": True, "base_template": PRINT_BASE_TEMPLATE}
    html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html, base_url=_document_base_url(request, base_url), archival=archival)


def _nice_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at least ``raw`` (axis steps that read well)."""
    if raw <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def bar_chart_svg(
    labels, values, *, width=640, height=240, color="#b71c1c", value_format="{:g}"
) -> SafeString:
    """A plain vertical bar chart as inline SVG, for print (ECharts needs a browser).

    Labels are drawn under the bars, values above them; negative values are drawn as 0.
    """
    labels, values = list(labels), [max(float(v), 0.0) for v in values]
    color = escape(color)
    left, right, top, bottom = 32, 8, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_step(max(values, default=0) / 4) * 4
    slot = plot_w / max(len(values), 1)
    bar_w = slot * 0.6
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-size="10" '
        f'font-family="Noto Serif CJK SC, Source Han Serif SC, SimSun, serif">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="#666" stroke-width="0.8"/>',
    ]
    for step in range(5):
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" '
            f'stroke-width="0.5"/><text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" '
            f'fill="#555">{escape(value_format.format(top_value * step / 4))}</text>'
        )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = plot_h * value / top_value
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h - bar_h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="{color}"/><text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" '
            f'text-anchor="middle" fill="#333">{escape(value_format.format(value))}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'fill="#333">{escape(str(label))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


# --------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------


def content_disposition(filename: str, *, as_attachment: bool = True) -> str:
    """``attachment; filename="ascii-fallback"; filename*=UTF-8''…`` (RFC 6266 / RFC 5987).

    Browsers that know ``filename*`` (all current ones) use the Chinese name; the quoted
    ASCII name is only for very old clients.
    """
    disposition = "attachment" if as_attachment else "inline"
    filename = filename.replace("\r", "").replace("\n", "").replace("/", "_").replace("\\", "_")
    suffix = PurePosixPath(filename).suffix
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix or "."):
        suffix = ""
    stem = filename[: len(filename) - len(suffix)] if suffix else filename
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._-")
    if not re.search(r"[A-Za-z]", ascii_stem):
        ascii_stem = "download"
    fallback = ascii_stem + suffix
    if fallback == filename:
        return f'{disposition}; filename="{fallback}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(data: bytes, filename: str, content_type: str, *, as_attachment=True, audit_object=None):
    """An HttpResponse carrying ``data`` as a download named ``filename`` (Chinese is fine).

    Every document made here leaves a trace: the audit middleware records an EXPORT of
    ``filename`` by the requesting person (about ``audit_object`` when given, else the object
    of the view's ``pk``)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, as_attachment=as_attachment)
    response["Content-Length"] = str(len(data))
    response.audit_export = filename
    if audit_object is not None:
        response.audit_object = audit_object
    return response


def pdf_response(data: bytes, filename: str, *, as_attachment=False):
    """A PDF response; shown in the browser unless ``as_attachment``."""
    return file_response(data, filename, PDF_CONTENT_TYPE, as_attachment=as_attachment)


def docx_response(document_or_bytes, filename: str):
    """A Word download from a python-docx Document (or its bytes)."""
    data = document_or_bytes if isinstance(document_or_bytes, bytes) else word_bytes(document_or_bytes)
    return file_response(data, filename, DOCX_CONTENT_TYPE)


def xlsx_response(workbook_or_bytes, filename: str):
    """An Excel download from an openpyxl Workbook (or its bytes)."""
    data = workbook_or_bytes if isinstance(workbook_or_bytes, bytes) else workbook_bytes(workbook_or_bytes)
    return file_response(data, filename, XLSX_CONTENT_TYPE)


# --------------------------------------------------------------------------------------------
# Word
# --------------------------------------------------------------------------------------------

#: Latin letters and digits of official documents. The Chinese faces (GB/T 9704: 方正小标宋简体,
#: 仿宋_GB2312, 黑体, 楷体_GB2312, or the Noto CJK stand-ins) come from studygroup.fonts, the
#: same choice as the PDF's; the font table lists the other names of each role, which Word and
#: WPS fall back to on a computer that lacks the first.
WORD_LATIN_FONT = "Times New Roman"


def _set_run_fonts(rpr, east_asia, latin=WORD_LATIN_FONT):
    """Set explicit fonts on an ``w:rPr`` and drop theme fonts, which would win over them."""
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attribute}"), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _style(document, name, *, east_asia, size_pt, bold=False, align=None, space_after_pt=0):
    from docx.shared import Pt, RGBColor

    style = document.styles[name]
    _set_run_fonts(style.element.get_or_add_rPr(), east_asia)
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    paragraph = style.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(space_after_pt)
    if align is not None:
        paragraph.alignment = align
    return style


def _add_font_table_fallbacks(document, faces):
    """Add ``w:altName`` fallbacks for the Chinese fonts to word/fontTable.xml."""
    from docx.oxml.ns import qn
    from lxml import etree

    from studygroup import fonts

    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            break
    else:
        return
    root = etree.fromstring(part.blob)
    known = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    # Noto Serif may stand in for several roles: its entry names every role's official faces.
    names_by_family: dict[str, list[str]] = {}
    for role, face in faces.items():
        names = names_by_family.setdefault(face.family, [])
        names += [name for name in fonts.alternatives(role) if name != face.family and name not in names]
    for family, others in names_by_family.items():
        if family in known:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), family)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), ",".join(others))
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add_page_number_footer(section):
    """"— 1 —" centred in the footer, the way official documents number pages."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def new_word_document(title: str | None = None):
    """A python-docx Document set up for Chinese: A4, official-document margins and fonts.

    Styles: ``Normal`` 仿宋_GB2312 三号 (16 pt), ``Title`` 方正小标宋简体 二号 (22 pt, centred),
    ``Heading 1`` 黑体 三号, ``Heading 2`` 楷体_GB2312 三号 (each the face studygroup.fonts
    chooses); page numbers in the footer. With a ``title`` the document starts with it (Title
    style) and carries it in its properties.
    """
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from studygroup.fonts import official_faces

    document = docx.Document()
    faces = official_faces()

    # Defaults for every run: explicit fonts instead of the template's theme fonts, and
    # Chinese as the East Asian language (line breaking, punctuation).
    styles_root = document.styles.element
    rpr_default = styles_root.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_fonts(rpr_default, faces["body"].family)
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = _style(document, "Normal", east_asia=faces["body"].family, size_pt=16, bold=faces["body"].bold)
    normal.paragraph_format.line_spacing = Pt(28)
    _style(document, "Title", east_asia=faces["title"].family, size_pt=22, bold=faces["title"].bold,
           align=WD_ALIGN_PARAGRAPH.CENTER, space_after_pt=16)
    # The template's Title has a blue bottom border and widened letter spacing.
    title_element = document.styles["Title"].element
    for parent, tag in ((title_element.pPr, "w:pBdr"), (title_element.rPr, "w:spacing")):
        found = parent.find(qn(tag)) if parent is not None else None
        if found is not None:
            parent.remove(found)
    document.styles["Title"].paragraph_format.line_spacing = Pt(36)
    _style(document, "Heading 1", east_asia=faces["heading"].family, size_pt=16, bold=faces["heading"].bold)
    _style(document, "Heading 2", east_asia=faces["subheading"].family, size_pt=16, bold=faces["subheading"].bold)
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.line_spacing = Pt(28)
        document.styles[name].paragraph_format.first_line_indent = Pt(32)
    _add_font_table_fallbacks(document, faces)

    # GB/T 9704: A4, top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _add_page_number_footer(section)

    if title:
        document.core_properties.title = title
        document.add_paragraph(title, style="Title")
    return document


TABLE_TEXT_STYLE = "Table Text"
#: Left and right margin inside a table cell (Word's default, 1.9 mm, leaves a 15-column table
#: no room for its figures).
WORD_CELL_MARGIN_MM = 1.0


def _table_text_style(document, font_pt: float):
    """A paragraph style for table cells: the body face, ``font_pt``, single spacing, no indent
    (Normal's fixed 28 pt lines and two-character indent would make every row three lines)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    name = f"{TABLE_TEXT_STYLE} {font_pt:g}"
    try:
        return document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(font_pt)
    style.paragraph_format.line_spacing = 1.0
    style.paragraph_format.first_line_indent = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    return style


def word_column_widths(headers, rows, *, width_mm: float, font_pt: float) -> list[float]:
    """Column widths in mm sized to their content: a column is as wide as its longest value
    (a header may take two lines), the widest are cut down until the table fits ``width_mm``
    (their text wraps); a table with room to spare widens every column by up to 60 %."""
    per_unit_mm = font_pt * 0.3528 / 2  # half a Chinese character
    padding_mm = 2 * WORD_CELL_MARGIN_MM + 0.4
    needed = []
    for index, header in enumerate(headers):
        # A header may take two lines (学习/会议), never one character a line.
        head = max(4, -(-text_width(header) // 4) * 2) * per_unit_mm
        longest = max((_text_mm(row[index], font_pt) for row in rows), default=0)
        needed.append(max(head, longest, 3 * per_unit_mm) + padding_mm)
    total = sum(needed)
    if total > width_mm:
        # Lower a cap over the widest columns until the rest fits ("water-filling").
        ordered = sorted(needed, reverse=True)
        cap = ordered[0]
        for count in range(1, len(ordered) + 1):
            rest = sum(ordered[count:])
            candidate = (width_mm - rest) / count
            if count == len(ordered) or candidate >= ordered[count]:
                cap = candidate
                break
        return [min(width, cap) for width in needed]
    # Room to spare: every column a little wider, the table no wider than the type area and
    # centred (a three-column table stretched to 156 mm puts its figures far from their labels).
    return [width * min(width_mm / total, 1.6) for width in needed]


def _text_mm(value, font_pt: float) -> float:
    """How wide ``value`` prints on one line: a Chinese character is one em, a digit or Latin
    letter a little more than half of one (in the Song and Fangsong faces "10月" is 2.1 em)."""
    em = font_pt * 0.3528
    longest = 0.0
    for line in str(value or "").splitlines() or [""]:
        longest = max(longest, sum(em if unicodedata.east_asian_width(ch) in ("W", "F") else 0.56 * em for ch in line))
    return longest


_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _w_text(value: str) -> str:
    """Text for a ``<w:t>``: escaped, one line, without the characters XML cannot hold."""
    return escape(_XML_FORBIDDEN.sub("", value.replace("\r", "").replace("\n", " ")), quote=False)


def word_table(
    document, headers, rows, *, width_mm: float = 156.0, font_pt: float = 10.5, align_right=(), widths_mm=None,
    row_colors=None, header: bool = True, borders: str | None = None,
) -> None:
    """A bordered table of ``headers`` and ``rows`` (strings) sized to its content
    (``word_column_widths``, written to the grid and to every cell), the header row repeated
    on every page and no row split, ``align_right`` the column indexes of figures,
    ``row_colors`` a text colour ("B71C1C") or None for each row. ``header=False`` writes the
    first row as a plain row; ``borders`` replaces the table's borders (``<w:tblBorders>``).

    The table's XML is written as text and put in place when the file is saved
    (:func:`word_bytes`): python-docx's cell objects took 20 s for a 1,000-row table, and
    moving a parsed 10,000-row table into the document another 7 s (lxml reconciles the
    namespaces of every node); this way a province's annex takes about a second."""
    import uuid

    from docx.oxml.ns import nsdecls  # noqa: F401 - the prefixes below are the document's own

    rows = [[("" if value is None else str(value)) for value in row] for row in rows]
    headers = [str(value) for value in headers]
    widths = [round(width * 56.7) for width in (widths_mm or word_column_widths(headers, rows, width_mm=width_mm, font_pt=font_pt))]
    style_id = _table_text_style(document, font_pt).style_id
    right = set(align_right)
    margin = round(WORD_CELL_MARGIN_MM * 56.7)

    def row_xml(values, *, is_header=False, color=None, keep_with_next=False):
        run_pr = "<w:rPr>" + ("<w:b/>" if is_header else "") + (f'<w:color w:val="{color}"/>' if color else "") + "</w:rPr>"
        keep = "<w:keepNext/>" if keep_with_next else ""
        cells = []
        for index, (value, width) in enumerate(zip(values, widths, strict=True)):
            align = '<w:jc w:val="center"/>' if is_header else '<w:jc w:val="right"/>' if index in right else ""
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="{style_id}"/>'
                f'{keep}{align}</w:pPr><w:r>{run_pr}<w:t xml:space="preserve">{_w_text(value)}</w:t></w:r></w:p></w:tc>'
            )
        return "<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if is_header else "") + "</w:trPr>" + "".join(cells) + "</w:tr>"

    colors = row_colors or [None] * len(rows)
    xml = (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:jc w:val="center"/>' + (borders or word_borders_xml()) + '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{margin}" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        "</w:tblPr><w:tblGrid>" + "".join(f'<w:gridCol w:w="{width}"/>' for width in widths) + "</w:tblGrid>"
        + row_xml(headers, is_header=header)
        # The last three rows go over together (keep with next), as in the PDFs: no page holds one row.
        + "".join(
            row_xml(row, color=color, keep_with_next=len(rows) - 3 <= number < len(rows) - 1)
            for number, (row, color) in enumerate(zip(rows, colors, strict=True))
        )
        + "</w:tbl>"
    )
    marker = f"word-table-{uuid.uuid4().hex}"
    document.add_paragraph(marker)
    pending = getattr(document, "_studygroup_tables", None)
    if pending is None:
        pending = document._studygroup_tables = {}
    pending[marker] = xml


def word_borders_xml(**sides) -> str:
    """``<w:tblBorders>`` for ``word_table(borders=…)``: ``sides`` maps top/left/bottom/right/
    insideH/insideV to a width in eighths of a point, 0 for none; sides not named get 0.5 pt."""
    parts = []
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        size = sides.get(side, 4)
        parts.append(f'<w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>' if size else f'<w:{side} w:val="nil"/>')
    return "<w:tblBorders>" + "".join(parts) + "</w:tblBorders>"


def _put_tables_in_place(docx_bytes: bytes, tables: dict[str, str]) -> bytes:
    """Replace each marker paragraph of word/document.xml by its table."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    text = source.read("word/document.xml").decode("utf-8")
    for marker, xml in tables.items():
        found = re.search(r"<w:p>(?:(?!<w:p[ >]).)*?" + marker + r".*?</w:p>", text, flags=re.DOTALL)
        if found is None:
            raise ValueError(f"the table {marker} lost its place in the document")
        text = text[: found.start()] + xml + text[found.end():]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = text.encode("utf-8") if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info, data)
    return buffer.getvalue()


def word_table_of_contents(document, entries, *, levels: str = "1-2") -> None:
    """A real table of contents (a ``TOC`` field over the headings of ``levels``): Word and WPS
    fill in the page numbers when the file is opened (``w:updateFields``); until then, and in
    programs that do not update fields, it shows ``entries`` (``(level, text)``) as written."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def field_char(kind):
        run = OxmlElement("w:r")
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run.append(char)
        return run

    entries = list(entries) or [(1, "")]
    paragraphs = []
    for level, text in entries:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.left_indent = Pt(16 * (level - 1))
        paragraphs.append((paragraph, text))
    first = paragraphs[0][0]._p
    first.append(field_char("begin"))
    instruction = OxmlElement("w:r")
    instr_text = OxmlElement("w:instrText")
    instr_text.set(qn("xml:space"), "preserve")
    instr_text.text = f' TOC \\o "{levels}" \\h \\z \\u '
    instruction.append(instr_text)
    first.append(instruction)
    first.append(field_char("separate"))
    for paragraph, text in paragraphs:
        paragraph.add_run(text)
    paragraphs[-1][0]._p.append(field_char("end"))
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def word_picture(document, png: bytes, *, width_mm: float = 150.0, caption: str = ""):
    """A centred picture (a chart) with its caption below."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    if caption:
        below = document.add_paragraph(caption, style=_table_text_style(document, 12))
        below.alignment = WD_ALIGN_PARAGRAPH.CENTER


def svg_to_png(svg: str, *, dpi: int = 150) -> bytes | None:
    """One chart's SVG as a PNG for Word (see :func:`svgs_to_pngs`)."""
    return svgs_to_pngs((svg,), dpi=dpi)[0]


@functools.lru_cache(maxsize=32)
def svgs_to_pngs(svgs: tuple[str, ...], *, dpi: int = 150) -> tuple[bytes | None, ...]:
    """Charts' SVGs as PNGs for Word: drawn by WeasyPrint into one PDF, a chart a page, and
    rasterised by poppler's ``pdftoppm`` in one call. Remembered (the same document's charts
    are asked for again by every reader's download). ``None`` each where ``pdftoppm`` is missing
    (the Word file then leaves the charts out; the PDF has them)."""
    import shutil
    import subprocess
    import tempfile

    if not svgs or shutil.which("pdftoppm") is None:
        return tuple(None for _svg in svgs)
    page = (
        "<html><head><style>@page { size: 160mm 95mm; margin: 0; } body { margin: 0; } "
        "div { break-after: page; } svg { width: 160mm; height: auto; }</style></head><body>"
        + "".join(f"<div>{svg}</div>" for svg in svgs) + "</body></html>"
    )
    pdf = html_to_pdf(page)
    with tempfile.TemporaryDirectory() as folder:
        source = f"{folder}/charts.pdf"
        with open(source, "wb") as handle:
            handle.write(pdf)
        done = subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-l", str(len(svgs)), source, f"{folder}/chart"],
            capture_output=True, timeout=60, check=False,
        )
        if done.returncode != 0:
            logger.warning("pdftoppm could not draw the charts: %s", done.stderr[:200])
            return tuple(None for _svg in svgs)
        images = sorted(Path(folder).glob("chart-*.png"), key=lambda path: int(path.stem.rsplit("-", 1)[1]))
        found = [path.read_bytes() for path in images]
    return tuple(found[index] if index < len(found) else None for index in range(len(svgs)))


def word_bytes(document) -> bytes:
    """The .docx file of a python-docx Document (with the tables of :func:`word_table` in place)."""
    buffer = io.BytesIO()
    document.save(buffer)
    tables = getattr(document, "_studygroup_tables", None)
    return _put_tables_in_place(buffer.getvalue(), tables) if tables else buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def text_width(value) -> int:
    """Display width of ``value`` in Excel's column units: Chinese characters count double."""
    if value is None:
        return 0
    text = str(value)
    longest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        longest = max(longest, width)
    return longest


def _shown_width(value) -> int:
    """Width of a cell's value as the sheet shows it (a date as 2026年5月20日)."""
    from datetime import date as date_type
    from datetime import datetime as datetime_type

    if isinstance(value, datetime_type):
        return 20
    if isinstance(value, date_type):
        return 14
    return text_width(value)


def fit_columns(worksheet, *, min_width=6, max_width=50, skip_rows=()):
    """Widen each column of ``worksheet`` to its longest value (never narrows a column).

    Merged cells (the title row) and ``skip_rows`` (row numbers) are not measured.
    """
    from openpyxl.cell.cell import MergedCell
    from openpyxl.utils import get_column_letter

    merged = set()
    for cell_range in worksheet.merged_cells.ranges:
        merged.update(
            (row, col)
            for row in range(cell_range.min_row, cell_range.max_row + 1)
            for col in range(cell_range.min_col, cell_range.max_col + 1)
        )
    widths = {}
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell) or (cell.row, cell.column) in merged or cell.row in skip_rows:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), _shown_width(cell.value))
    for column, width in widths.items():
        dimension = worksheet.column_dimensions[get_column_letter(column)]
        wanted = min(max(width + 2, min_width), max_width)
        if dimension.width is None or dimension.width < wanted:
            dimension.width = wanted


def new_workbook(title: str, headers):
    """A workbook with one sheet: ``title`` merged over row 1, bold ``headers`` in row 2
    (frozen, repeated on every printed page), columns wide enough for Chinese headers.

    Append data rows with ``ws.append([...])``; :func:`workbook_bytes` widens the columns to
    fit them. Returns ``(workbook, worksheet)``.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.title = title
    return workbook, table_sheet(workbook.active, title, headers)


def add_table_sheet(workbook, title: str, headers, *, sheet_name: str | None = None):
    """Another sheet laid out as :func:`new_workbook`'s (a title, a header row, printed and
    finished the same way); returns it."""
    return table_sheet(workbook.create_sheet(), title, headers, sheet_name=sheet_name)


def table_sheet(worksheet, title: str, headers, *, sheet_name: str | None = None):
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    headers = list(headers)
    worksheet.title = (_SHEET_TITLE_FORBIDDEN.sub("_", sheet_name or title).strip("'") or "Sheet1")[:31]

    columns = max(len(headers), 1)
    worksheet.cell(row=1, column=1, value=title)
    worksheet.cell(row=1, column=1).font = Font(name="宋体", bold=True, size=14)
    worksheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    if columns > 1:
        worksheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    worksheet.row_dimensions[1].height = 28

    thin = Side(style="thin", color="999999")
    for column, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=2, column=column, value=header)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = PatternFill("solid", fgColor="EDEDED")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        worksheet.column_dimensions[get_column_letter(column)].width = min(max(text_width(header) + 4, 8), 50)

    seen = set()
    for header in headers:
        if str(header) in seen:
            raise ValueError(f"two columns are headed {header!r}: a filter and a reader cannot tell them apart")
        seen.add(str(header))

    worksheet.freeze_panes = "A3"
    worksheet.print_title_rows = "2:2"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    worksheet.studygroup_table = True  # workbook_bytes finishes it (finish_table_sheet)
    return worksheet

#: How dates and moments show in a cell (the cell holds a real date: it sorts and filters).
EXCEL_DATE_FORMAT = 'yyyy"年"m"月"d"日"'
EXCEL_DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
#: Character widths that fit one A4 page across at 100 %, portrait and landscape.
PORTRAIT_WIDTH, LANDSCAPE_WIDTH = 95, 140


def finish_table_sheet(worksheet) -> None:
    """What a printed and filtered list needs, done the same way for every export: borders on
    every cell of the table, a filter on the header row, dates shown as dates, landscape and
    as many pages across as the columns need (never shrunk to a quarter), page numbers."""
    from datetime import date as date_type
    from datetime import datetime as datetime_type

    from openpyxl.styles import Border, Side
    from openpyxl.utils import get_column_letter

    header_row = int(str(worksheet.print_title_rows or "2:2").split(":")[0].lstrip("$") or 2)
    last_column = max(worksheet.max_column, 1)
    last_row = worksheet.max_row
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in worksheet.iter_rows(min_row=header_row + 1, max_row=last_row, max_col=last_column):
        for cell in row:
            cell.border = border
            if isinstance(cell.value, datetime_type):
                cell.number_format = EXCEL_DATETIME_FORMAT
            elif isinstance(cell.value, date_type):
                cell.number_format = EXCEL_DATE_FORMAT
    if last_row > header_row:
        worksheet.auto_filter.ref = f"A{header_row}:{get_column_letter(last_column)}{last_row}"
    width = sum((worksheet.column_dimensions[get_column_letter(c)].width or 9) for c in range(1, last_column + 1))
    setup = worksheet.page_setup
    if width > PORTRAIT_WIDTH:
        setup.orientation = "landscape"
    across = PORTRAIT_WIDTH if setup.orientation != "landscape" else LANDSCAPE_WIDTH
    setup.fitToWidth = max(1, math.ceil(width / across))
    if setup.fitToWidth > 1:
        # Several pages across: the title starts at the left of the first page (merged over every
        # column it was cut in two at the page edge) and names the sheet on every page.
        for merged in list(worksheet.merged_cells.ranges):
            if merged.min_row == 1:
                worksheet.unmerge_cells(str(merged))
        from openpyxl.styles import Alignment

        worksheet.cell(row=1, column=1).alignment = Alignment(horizontal="left", vertical="center")
        worksheet.oddHeader.left.text = str(worksheet.cell(row=1, column=1).value or "").replace("&", "&&")


#: What makes a spreadsheet program read a cell's text as a formula, or as a command (DDE):
#: text beginning with one of these is written as text, whatever a person typed.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(cell) -> None:
    """Make ``cell`` text, never a formula, if its text begins like one: a string cell (openpyxl
    turns ``"=…"`` into a formula) with Excel's "quote prefix", so the text stays text even
    when someone edits the cell and presses Enter. Numbers and dates stay what they are."""
    value = cell.value
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise_formulas(workbook) -> None:
    """Every cell of every sheet through :func:`text_cell`. Exports never write formulas: their
    cells hold what people typed (titles, names, reasons), which must not run in Excel or WPS."""
    from openpyxl.cell.cell import MergedCell

    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if not isinstance(cell, MergedCell):
                    text_cell(cell)


def workbook_bytes(workbook, *, fit=True) -> bytes:
    """The .xlsx file of an openpyxl Workbook; with ``fit``, columns widened to their content.

    The one way a workbook leaves the application (every export goes through here or
    :func:`xlsx_response`): text that begins like a formula is written as text
    (:func:`neutralise_formulas`)."""
    neutralise_formulas(workbook)
    if fit:
        for worksheet in workbook.worksheets:
            fit_columns(worksheet)
    for worksheet in workbook.worksheets:
        if getattr(worksheet, "studygroup_table", False):
            finish_table_sheet(worksheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "DOCX_CONTENT_TYPE",
    "INTERNAL_BASE_URL",
    "PDF_CONTENT_TYPE",
    "PDF_OPTIONS",
    "PRINT_BASE_TEMPLATE",
    "XLSX_CONTENT_TYPE",
    "FORMULA_TRIGGERS",
    "FetchRefused",
    "bar_chart_svg",
    "content_disposition",
    "docx_response",
    "file_response",
    "fit_columns",
    "html_to_pdf",
    "new_word_document",
    "neutralise_formulas",
    "new_workbook",
    "add_table_sheet",
    "pdf_response",
    "render_pdf",
    "static_url_fetcher",
    "text_cell",
    "text_width",
    "word_bytes",
    "workbook_bytes",
    "xlsx_response",
]
