"""The plan out of the system: PDF (from the print template), Word and the 安排表 as Excel.

Each builder takes the dict of ``selectors.plan_document`` so the page, the PDF, the Word file
and the spreadsheet show the same thing.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from plans.models import months_label
from studygroup.numbering import cn_number


def filename(plan, ext: str, suffix: str = "") -> str:
    base = plan.title or f"{plan.group.name}{plan.year}"
    if plan.revision > 1:
        base += _("(revision %(n)s)") % {"n": plan.revision}
    if suffix:
        base += f"-{suffix}"
    return f"{base}.{ext}"


def download(data: bytes, name: str, content_type: str, *, as_attachment: bool = True) -> HttpResponse:
    from studygroup.documents import file_response

    return file_response(data, name, content_type, as_attachment=as_attachment)


def section_number(n: int) -> str:
    return f"{cn_number(n)}、"


def _leads(topic) -> str:
    return "、".join(p.name or p.username for p in getattr(topic, "leads", []))


def _entry_lead(entry) -> str:
    names = [str(entry.lead)] if entry.lead_id else []
    if entry.speaker:
        names.append(entry.speaker)
    return "、".join(names)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def plan_pdf(plan, *, request=None) -> bytes:
    from plans.selectors import plan_document
    from studygroup.documents import render_pdf

    return render_pdf("plans/plan_print.html", {**plan_document(plan), "for_pdf": True}, request=request)


# ---------------------------------------------------------------------------
# Word
# ---------------------------------------------------------------------------


def plan_docx(doc: dict) -> bytes:
    """The plan as an official-looking Word document (the project's fonts and margins), the
    安排表 on a landscape page at the end."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from studygroup.documents import new_word_document, word_bytes, word_table

    plan = doc["plan"]
    document = new_word_document(plan.title)

    def paragraphs(text):
        for line in (text or "").splitlines():
            if line.strip():
                document.add_paragraph(line.strip()).paragraph_format.first_line_indent = Pt(32)

    def topics():
        for topic in doc["topics"]:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)
            joiner = "" if not topic.label or topic.label.endswith(("、", ".", "）", ")")) else "："
            paragraph.add_run(f"{topic.label}{joiner}{topic.title}。").bold = True
            if topic.description:
                paragraph.add_run(topic.description.replace("\n", ""))
            if topic.readings:
                readings = "；".join(r.strip() for r in topic.readings.splitlines() if r.strip())
                paragraphs(_("Readings: %(readings)s") % {"readings": readings})

    paragraphs(plan.preamble)
    placed = False
    for n, sec in enumerate(doc["sections"], start=1):
        document.add_paragraph(f"{section_number(n)}{sec.heading}", style="Heading 1")
        paragraphs(sec.text)
        if sec.holds_topics and not placed:
            topics()
            placed = True
    if not placed and doc["topics"]:
        document.add_paragraph(f"{section_number(len(doc['sections']) + 1)}{_('Study topics')}", style="Heading 1")
        topics()

    if doc["entries"]:
        # The 安排表 on landscape pages, as printed: sized to its content, its header on every page.
        new = document.add_section()
        new.orientation = WD_ORIENT.LANDSCAPE
        new.page_width, new.page_height = new.page_height, new.page_width
        width_mm = (new.page_width - new.left_margin - new.right_margin) / Mm(1)
        document.add_paragraph(_("Attachment"), style="Heading 1").paragraph_format.first_line_indent = Pt(0)
        caption = document.add_paragraph(schedule_title(plan), style="Title")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        headers = [_("No."), _("Month"), _("Topic"), _("Study form"), _("Lead speaker"), _("Note")]
        rows = [
            (n, entry.get_month_display(), f"{entry.topic.label} {entry.topic.title}".strip(),
             entry.get_study_form_display(), _entry_lead(entry), entry.note)
            for n, entry in enumerate(doc["entries"], start=1)
        ]
        word_table(document, headers, rows, width_mm=width_mm, font_pt=12)
    return word_bytes(document)


def schedule_title(plan) -> str:
    base = plan.title
    for suffix in ("学习计划", "计划"):
        if base.endswith(suffix):
            return base + "安排表"
    return _("%(title)s: schedule") % {"title": base}


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def schedule_xlsx(doc: dict) -> bytes:
    """The 安排表 as a spreadsheet (a second sheet lists the topics with their details)."""
    from openpyxl.styles import Alignment

    from studygroup.documents import add_table_sheet, new_workbook, workbook_bytes

    plan = doc["plan"]
    wrap = Alignment(wrap_text=True, vertical="top")
    headers = [_("No."), _("Month"), _("Topic number"), _("Topic"), _("Study form"), _("Lead speaker"), _("Note")]
    workbook, sheet = new_workbook(schedule_title(plan), headers)
    for n, entry in enumerate(doc["entries"], start=1):
        sheet.append([n, str(entry.get_month_display()), entry.topic.label, entry.topic.title,
                      entry.get_study_form_display(), _entry_lead(entry), entry.note])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    # Widths set, not fitted: the topic wraps in a wide column; 第十一专题 fits its own.
    for column, width in zip("ABCDEFG", (6, 8, 12, 60, 12, 14, 20), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.page_setup.orientation = "landscape"

    topics = add_table_sheet(workbook, f"{plan.title}：{_('Topics')}", [
        _("Topic number"), _("Title"), _("Planned months"), _("Study form"), _("Lead members"), _("Description"), _("Readings"),
    ], sheet_name=str(_("Topics")))
    for topic in doc["topics"]:
        topics.append([topic.label, topic.title, months_label(topic.planned_months),
                       topic.get_study_form_display(), _leads(topic), topic.description, topic.readings])
        for cell in topics[topics.max_row]:
            cell.alignment = wrap
    # One landscape page across (140 characters): the descriptions wrap, no column prints alone.
    for column, width in zip("ABCDEFG", (10, 32, 12, 10, 14, 40, 22), strict=True):
        topics.column_dimensions[column].width = width
    return workbook_bytes(workbook, fit=False)
