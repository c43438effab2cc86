"""Exports of a group's work for a year: the list as Excel, the texts as one Word and one PDF
compilation (心得体会汇编) with a table of contents. Built on ``studygroup.documents``."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.work.models import MemberWork, WorkKind, WorkStatus
from members.work.text import plain_text
from studygroup import documents

COMPILED_KINDS = [WorkKind.REFLECTION, WorkKind.NOTE, WorkKind.RESEARCH, WorkKind.ARTICLE, WorkKind.SELF_STUDY_PLAN]


def _local(value):
    """A moment for a spreadsheet cell: the local time as a real date and time (the sheet sorts
    and filters it, and shows it as 2026年5月20日 14:30); spreadsheets hold no time zone."""
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else None


def _shown_date(value) -> str:
    """A date or moment as people read it, in the active language: 2026年5月20日."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return date_format(value, "DATE_FORMAT")


def _list_title(group, year):
    return _("%(group)s members' work list %(year)s") % {"group": group.name, "year": year}


def _compilation_title(group, year):
    return _("%(group)s compilation of reflections and members' work %(year)s") % {"group": group.name, "year": year}


def work_list_xlsx(group, year: int, work: list[MemberWork]):
    title = _list_title(group, year)
    headers = [
        _("No."), _("Kind"), _("Author"), _("Title"), _("Date"), _("Meeting"), _("Plan topic"),
        _("Research topic"), _("Published in"), pgettext("publication level", "Level"), _("Words"), _("Status"), _("Written at"),
        _("First submitted at"), _("Days after"), pgettext("work submitted late", "Late"), _("Reviewed by"), _("Reviewed at"),
    ]
    workbook, sheet = documents.new_workbook(title, headers)
    for number, item in enumerate(work, start=1):
        sheet.append([
            number, item.get_kind_display(), str(item.author), item.title,
            item.occurred_on,
            item.meeting.title if item.meeting_id else "", str(item.topic) if item.topic_id else "",
            str(item.research_topic) if item.research_topic_id else "", item.outlet,
            item.get_level_display() if item.level else "", item.word_count, item.get_status_display(),
            _local(item.created_at), _local(item.first_submitted_at),
            item.days_after if item.days_after is not None else "",
            _("Yes") if item.is_late else "", str(item.reviewed_by) if item.reviewed_by_id else "",
            _local(item.reviewed_at),
        ])
    return documents.xlsx_response(workbook, f"{title}.xlsx")


def compiled(work: list[MemberWork]) -> list[dict]:
    """The texts of the compilation, grouped by kind, each with its number."""
    sections = []
    number = 0
    for kind in COMPILED_KINDS:
        items = [w for w in work if w.kind == kind and (w.body.strip() or w.kind == WorkKind.ARTICLE)]
        if not items:
            continue
        entries = []
        for item in items:
            number += 1
            entries.append({"number": number, "work": item, "text": plain_text(item.body, item.body_is_html)})
        sections.append({"label": WorkKind(kind).label, "entries": entries})
    return sections


def _meta_line(item: MemberWork) -> str:
    parts = [str(item.author)]
    if item.meeting_id:
        parts.append(item.meeting.title)
    if item.outlet:
        parts.append(f"{item.outlet}（{item.get_level_display()}）")
    if item.occurred_on:
        parts.append(_shown_date(item.occurred_on))
    parts.append(_("written %(written)s, submitted %(submitted)s") % {
        "written": _shown_date(item.created_at), "submitted": _shown_date(item.first_submitted_at),
    })
    if item.is_late:
        parts.append(_("late"))
    if item.status == WorkStatus.SUBMITTED:
        parts.append(_("not yet reviewed"))
    return " · ".join(parts)


def compilation_docx(group, year: int, work: list[MemberWork]):
    from docx.enum.text import WD_BREAK

    title = _compilation_title(group, year)
    document = documents.new_word_document(title)
    sections = compiled(work)
    contents = document.add_paragraph(_("Contents"))
    contents.alignment = 1  # centred
    contents.runs[0].bold = True
    # The headings the field collects: each kind (level 1), each piece (level 2).
    documents.word_table_of_contents(document, [
        (level, text) for section in sections
        for level, text in [(1, str(section["label"])), *((2, f"{entry['number']}. {entry['work'].title}") for entry in section["entries"])]
    ])
    for section in sections:
        document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        document.add_paragraph(section["label"], style="Heading 1")
        for entry in section["entries"]:
            item = entry["work"]
            document.add_paragraph(f"{entry['number']}. {item.title}", style="Heading 2")
            meta = document.add_paragraph(_meta_line(item))
            meta.runs[0].font.size = documents_pt(11)
            for line in entry["text"].split("\n"):
                if line.strip():
                    document.add_paragraph(line.strip()).paragraph_format.first_line_indent = documents_pt(32)
    if not sections:
        document.add_paragraph(_("No submitted work this year."))
    return documents.docx_response(document, f"{title}.docx")


def documents_pt(value):
    from docx.shared import Pt

    return Pt(value)


def compilation_pdf_bytes(group, year: int, work: list[MemberWork], *, request=None) -> bytes:
    """The PDF compilation (built by the worker: ``services.compilation_build_run``)."""
    return documents.render_pdf(
        "work/compilation.html",
        {"title": _compilation_title(group, year), "group": group, "year": year, "sections": compiled(work),
         "generated_at": timezone.localtime()},
        request=request,
    )


def compilation_filename(group, year: int) -> str:
    return f"{_compilation_title(group, year)}.pdf"


def study_records_xlsx(group, year: int, people: list):
    """个人学习档案 of a group's members, a row each (``selectors.study_record_rows``)."""
    from members.work.models import OnlinePlatform

    title = _("Study records of %(group)s, %(year)s") % {"group": group.name, "year": year}
    headers = [
        _("No."), _("Name"), _("Works in"), _("Position"), _("Meetings"), _("Present"), pgettext("attendance", "Late"),
        _("On leave"), _("Absent"), _("Make-up done"), _("Reflections"), _("Study notes"), _("Research reports"),
        _("Articles"), _("Lectures given"), _("Handed in late"), _("Theory tests taken"), _("Average test score (of 100)"),
        *[str(label) for label in OnlinePlatform.labels],
    ]
    workbook, sheet = documents.new_workbook(title, headers)
    for number, person in enumerate(people, start=1):
        sheet.append([
            number, person.get_full_name(), person.organization.name if person.organization_id else "", person.position,
            person.a_meetings, person.a_present, person.a_late, person.a_leave, person.a_absent, person.a_makeup_done,
            person.w_reflection, person.w_note, person.w_research, person.w_article, person.w_lecture, person.w_late,
            person.t_tests, round(person.t_average, 1) if person.t_average is not None else "",
            *[float(getattr(person, f"o_{platform}")) if getattr(person, f"o_{platform}") is not None else ""
              for platform in OnlinePlatform.values],
        ])
    return documents.xlsx_response(workbook, f"{title}.xlsx")


def test_results_xlsx(test, results: dict):
    """A test's results: a sheet per member, per group and per question."""
    title = _("Results of %(test)s") % {"test": test.title}
    workbook, sheet = documents.new_workbook(title, [
        _("No."), _("Name"), _("Study group"), _("Handed in at"), _("Score"), _("Out of"), _("Passed"), _("To be marked"),
    ])
    for number, row in enumerate(results["people"], start=1):
        attempt = row["attempt"]
        sheet.append([
            number, row["person"].get_full_name(), row["group"].name,
            _local(attempt.submitted_at) if attempt else _("not taken"),
            float(attempt.score) if attempt and attempt.score is not None else "",
            float(attempt.max_score) if attempt else "",
            (_("Yes") if attempt.score is not None and attempt.max_score and float(attempt.score) * 100 >= float(test.pass_score) * float(attempt.max_score) else _("No")) if attempt else "",
            _("Yes") if attempt and attempt.needs_marking else "",
        ])
    groups = documents.add_table_sheet(workbook, _("By group"), [
        _("Study group"), _("Members"), _("Took the test"), _("Participation (%)"), _("Average score"),
    ], sheet_name=_("By group"))
    for row in results["groups"]:
        groups.append([row["group"].name, row["members"], row["took"], row["rate"] if row["rate"] is not None else "",
                       row["average"] if row["average"] is not None else ""])
    questions = documents.add_table_sheet(workbook, _("By question"), [
        _("No."), _("Type"), _("Question"), _("Answered"), _("Right"), _("Correct rate (%)"), _("Wrong answer chosen most"),
    ], sheet_name=_("By question"))
    for number, row in enumerate(results["questions"], start=1):
        question = row["question"]
        questions.append([number, question.get_kind_display(), question.stem, row["answered"], row["right"],
                          row["rate"] if row["rate"] is not None else "", row["most_wrong"]])
    return documents.xlsx_response(workbook, f"{title}.xlsx")
