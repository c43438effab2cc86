"""What a review, a bulletin or a 述学 shows, for its page, its PDF and its Word file.

The page template and the PDF are the same template (``for_pdf`` switches the layout, see
``studygroup.documents``); a frozen document shows its snapshot, a draft its live figures.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from plans.models import month_name
from reports import charts, selectors
from reports import listing as listing_module
from reports.models import Bulletin, HalfYearReview, StudyAccount, period_label
from studygroup.numbering import numbered_headings

TEMPLATES = {
    HalfYearReview: "reports/review_detail.html",
    Bulletin: "reports/bulletin_detail.html",
    StudyAccount: "reports/account_detail.html",
}


def _figure_rows(figures: dict) -> list[dict]:
    rows = []
    for figure in selectors.FIGURES:
        if figure.key.endswith("_quota"):
            continue
        value = figures.get(figure.key)
        quota = figures.get(f"{figure.key}_quota")
        rows.append(
            {
                "key": figure.key,
                "label": str(figure.label),
                "value": "—" if value is None else f"{value}{figure.unit}",
                "quota": quota,
                "short": quota is not None and value is not None and value < quota,
            }
        )
    return rows


def _kind_chart(f: dict) -> dict:
    labels = [_("Group study"), _("Thematic discussion"), _("Expert lecture"), _("Reading class"), _("On-site teaching"), _("Online study")]
    values = [f.get("group_study", 0), f.get("discussions", 0), f.get("lectures", 0), f.get("reading_classes", 0), f.get("on_site", 0), f.get("online", 0)]
    return charts.chart("bar", _("Meetings by kind"), labels, [{"name": _("Meetings"), "values": values}])


def _month_chart(monthly) -> dict:
    return charts.chart(
        "line", _("Meetings held by month"), [month_name(m) for m, _n in monthly],
        [{"name": _("Meetings"), "values": [n for _m, n in monthly]}],
    )


def review_context(review: HalfYearReview) -> dict:
    snapshot = review.figures if review.is_frozen else selectors.review_snapshot(review.group, year=review.year, period=review.period)
    figures = snapshot["figures"]
    chart_specs = [_kind_chart(figures), _month_chart(snapshot["monthly"])]
    return {
        "review": review,
        "document_title": review.title,
        "period_label": period_label(review.year, review.period),
        "snapshot": snapshot,
        "figures": figures,
        "figure_rows": _figure_rows(figures),
        "behind_labels": [str(selectors.BEHIND_LABELS[b]) for b in figures["behind"]],
        "work_rules": selectors.work_rules_explanation(),
        "charts": [{"spec": spec, "svg": charts.svg(spec)} for spec in chart_specs],
        "chart_specs": chart_specs,
    }


def bulletin_charts(snapshot: dict) -> list[dict]:
    rows = snapshot["rows"]
    t = snapshot["totals"]
    specs = []
    if len(rows) <= 30:
        quota = max((r["figures"]["meetings_quota"] or 0 for r in rows), default=0) or None
        specs.append(
            charts.chart(
                "bar", _("Meetings and discussions per group"), [r["organization"] for r in rows],
                [
                    {"name": _("Meetings"), "values": [r["figures"]["meetings"] for r in rows]},
                    {"name": _("Discussions"), "values": [r["figures"]["discussions"] for r in rows]},
                ],
                marker=quota, marker_label=_("Quota"),
            )
        )
    else:
        buckets = {}
        for r in rows:
            n = min(r["figures"]["meetings"], 12)
            buckets[n] = buckets.get(n, 0) + 1
        top = max(buckets, default=0)
        specs.append(
            charts.chart(
                "bar", _("Groups by number of meetings held"),
                [f"{n}{'+' if n == 12 else ''}" for n in range(0, top + 1)],
                [{"name": _("Groups"), "values": [buckets.get(n, 0) for n in range(0, top + 1)]}],
            )
        )
    specs.append(_kind_chart(t))
    specs.append(_month_chart(snapshot["monthly"]))
    return specs


# Column heads of the printed compact listing: two or three characters each.
TINY = {
    "meetings": gettext_lazy("Mtg"), "meetings_quota": gettext_lazy("Quota"), "discussions": gettext_lazy("Disc"),
    "lectures": gettext_lazy("Lect"), "attendance_rate": gettext_lazy("Att%"), "topics_covered": gettext_lazy("Topic"),
    "first_agenda": gettext_lazy("1st"), "research_reports": gettext_lazy("Res"), "articles": gettext_lazy("Art"),
    "records_rate": gettext_lazy("7rec%"), "backfilled": pgettext_lazy("compact column: backfilled records", "Late"), "rect_overdue": gettext_lazy("Ovd"),
    "late_work": pgettext_lazy("compact column: work handed in late", "Late"), "copy_flagged": pgettext_lazy("compact column: work flagged as copied", "Copy"),
}


# The bulletin's page shows its annex a page of groups at a time: a province's bulletin covers
# 10,000 groups, and the whole table made a 20 MB page. The PDF and Word keep every row.
ANNEX_PER_PAGE = 50


def bulletin_context(
    bulletin: Bulletin, *, highlight: set[int] | None = None, snapshot: dict | None = None, for_pdf: bool = False,
    annex_page=None, annex_name: str = "",
) -> dict:
    """What the bulletin's page, PDF and Word show. On the page (not ``for_pdf``) the annex is cut
    into pages of ``ANNEX_PER_PAGE`` rows, optionally of the groups whose name holds ``annex_name``."""
    from django.core.paginator import Paginator

    preview_at = None
    if snapshot is None:
        if bulletin.is_frozen:
            snapshot = bulletin.figures
        elif selectors.bulletin_is_large(bulletin) and (bulletin.preview is not None or not for_pdf):
            if bulletin.preview is None:  # the worker is still working it out
                return {"bulletin": bulletin, "preparing": True, "period_label": bulletin.period_label}
            snapshot = bulletin.preview
            preview_at = datetime.fromisoformat(snapshot["computed_at"])
        else:
            snapshot = selectors.bulletin_snapshot(bulletin)
    highlight = highlight or set()
    keys = selectors.TABLE_KEYS
    columns = [str(selectors.FIGURE_LABELS[k].short) for k in keys]
    units = {k: selectors.FIGURE_LABELS[k].unit for k in keys}

    def table_row(row):
        f = row["figures"]
        values = ["—" if f.get(k) is None else f"{f[k]:g}{units[k]}" if isinstance(f[k], float) else f"{f[k]}{units[k]}" for k in keys]
        return {
            "rank": row.get("rank"),
            "group_id": row["group_id"],
            "name": row["organization"],
            "values": values,
            "cells": list(zip(columns, values, strict=True)),  # (column head, value): the phone's cards
            "score": f["score"],
            "behind": bool(f["behind"]),
            "behind_text": "、".join(str(selectors.BEHIND_LABELS[b]) for b in f["behind"]),
            "own": row["group_id"] in highlight,
        }

    # The annex reads in rank order (ties keep the tree's order): in tree order the ranks ran
    # 1, 3, 2 down the page.
    rows = sorted(snapshot["rows"], key=lambda row: row.get("rank") or 0)
    annex = None
    if for_pdf:
        table = [table_row(row) for row in rows]
    else:
        annex_name = (annex_name or "").strip()[:50]
        # The row shows the unit's short name; the group's full name carries the county's too.
        shown = [row for row in rows if annex_name in row["organization"] or annex_name in row["name"]] if annex_name else rows
        annex = Paginator(shown, ANNEX_PER_PAGE).get_page(annex_page)
        table = [table_row(row) for row in annex.object_list]
    chart_specs = bulletin_charts(snapshot)
    listing = None
    if for_pdf and len(table) > listing_module.COMPACT_AFTER_ROWS:
        header, lines = listing_module.lines(
            [_("No."), _("Study group"), *[str(TINY[k]) for k in keys], _("Score")],
            [[str(r["rank"]), r["name"], *[v.replace("—", "-") for v in r["values"]], f"{r['score']:g}"] for r in table],
        )
        listing = {"header": header, "rows": [{"line": line, "own": r["own"], "behind": r["behind"]} for line, r in zip(lines, table, strict=True)]}
    totals = snapshot["totals"]
    overall = _(
        "%(groups)s study groups held %(meetings)s group study meetings, of them %(discussions)s thematic "
        "discussions and %(lectures)s expert lectures, and %(first)s first-agenda studies; the attendance rate "
        "was %(rate)s%%. %(behind)s groups are behind their plan."
    ) % {
        "groups": totals["groups"], "meetings": totals["meetings"], "discussions": totals["discussions"],
        "lectures": totals["lectures"], "first": totals["first_agenda"],
        "rate": "—" if totals["attendance_rate"] is None else totals["attendance_rate"], "behind": totals["behind"],
    }
    online = online_study_sentence(snapshot.get("online_study") or [])
    if online:
        overall = f"{overall}{online}"
    return {
        **official_frame(bulletin),
        "overall_text": overall,
        "online_study_text": online,
        # The table's last row: the sum of each column that adds up, blank where a sum means nothing.
        "total_cells": [
            "" if k in ("meetings_quota", "records_rate") or k not in totals
            else f"{'—' if totals[k] is None else totals[k]}{units[k]}"
            for k in keys
        ],
        "work_rules": selectors.work_rules_explanation(),
        "headings": numbered_headings([
            ("overall", _("Overall")),
            ("good_practices", _("Good practice")) if bulletin.good_practices.strip() else None,
            ("common_problems", _("Common problems")) if bulletin.common_problems.strip() else None,
            ("observations", _("Observation visits and rectification")),
            ("requirements", _("Next steps")) if bulletin.requirements.strip() else None,
        ]),
        "listing": listing,
        "preview_at": preview_at,
        "bulletin": bulletin,
        "document_title": bulletin.title,
        "period_label": period_label(bulletin.year, bulletin.period),
        "snapshot": snapshot,
        "totals": snapshot["totals"],
        "columns": columns,
        "table": table,
        "annex": annex,
        "annex_name": annex_name,
        "group_count": len(rows),
        "own_rows": [table_row(row) for row in rows if row["group_id"] in highlight],
        "charts": [{"spec": spec, "svg": charts.svg(spec)} for spec in chart_specs],
        "chart_specs": chart_specs,
        "score_explanation": selectors.SCORE_EXPLANATION,
        "status_labels": {s.value: str(s.label) for s in type(bulletin).Status},
        "rect_labels": _rect_labels(snapshot["rectification"]["counts"]),
    }


# The red masthead fills at most the type area's width (156 mm, about 440 pt) and is never
# larger than 42 pt (about 15 mm a character): a long organ name gets smaller characters.
MASTHEAD_WIDTH_PT = 440
MASTHEAD_MAX_PT = 42


def online_study_sentence(rows: list[dict]) -> str:
    """The bulletin's sentence on online study: participation per platform, never a ranking."""
    parts = [
        _("%(platform)s: %(participants)s of %(members)s members took part (%(rate)s%%)") % {**row, "platform": row["label"]}
        for row in rows
    ]
    return (_("Online study: %(parts)s.") % {"parts": "；".join(parts)}) if parts else ""


def official_frame(bulletin: Bulletin) -> dict:
    """The frame of the official document (GB/T 9704-2012) around the bulletin: the red masthead
    and its size, the date of the signature and the imprint (the day it was issued, today for a
    draft), written the locale's way (2026年7月10日)."""
    organ = bulletin.issuing_organ or bulletin.organization.name
    day = timezone.localdate(bulletin.issued_at) if bulletin.issued_at else timezone.localdate()
    return {
        "organ": organ,
        "masthead_pt": min(MASTHEAD_MAX_PT, MASTHEAD_WIDTH_PT // max(len(organ), 1)),
        "signed_on": date_format(day, "DATE_FORMAT"),
    }


def _rect_labels(counts: dict) -> list[tuple[str, int]]:
    from reports.models import RectificationItem

    return [(str(label), counts.get(value, 0)) for value, label in RectificationItem.Status.choices]


def account_context(account: StudyAccount) -> dict:
    from reports.models import Period

    figures = account.figures if account.figures is not None else selectors.figures_for_group(account.group, year=account.year, period=Period.YEAR)
    return {
        "account": account,
        "document_title": account.title,
        "figures": figures,
        "figure_rows": _figure_rows(figures),
    }


def context(document, **kwargs) -> dict:
    if isinstance(document, HalfYearReview):
        kwargs.pop("for_pdf", None)
        return review_context(document)
    if isinstance(document, Bulletin):
        return bulletin_context(document, **kwargs)
    kwargs.pop("for_pdf", None)
    return account_context(document)


def pdf(document, *, request=None, **kwargs) -> bytes:
    from studygroup.documents import render_pdf

    return render_pdf(TEMPLATES[type(document)], context(document, for_pdf=True, **kwargs), request=request, archival=True)


def filename(document, extension: str) -> str:
    return f"{document.title}.{extension}"


# --- Word ------------------------------------------------------------------------------------


def _paragraphs(document, text: str):
    from docx.shared import Pt

    for line in (text or "").splitlines():
        if line.strip():
            document.add_paragraph(line.strip()).paragraph_format.first_line_indent = Pt(32)  # two characters


def _table(document, headers, rows, **options) -> None:
    from studygroup.documents import word_table

    word_table(document, headers, rows, **options)


def _heading(document, text: str):
    return document.add_paragraph(text, style="Heading 1")


def _bulletin_docx(word, bulletin: Bulletin, ctx: dict) -> None:
    """The bulletin in Word as in the PDF: the official frame, the numbered sections with their
    charts and tables, the annex with its ranking on a page of its own, the imprint."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    from studygroup.documents import word_borders_xml
    from studygroup.fonts import official_faces

    faces = official_faces()
    red = RGBColor(0xE6, 0x00, 0x12)

    def centred(text, *, size=None, font=None, color=None, after=0):
        paragraph = word.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.space_after = Pt(after)
        run = paragraph.add_run(text)
        if size:
            run.font.size = Pt(size)
        if font is not None:
            _east_asian_font(run, font.family)
            run.bold = font.bold
        if color is not None:
            run.font.color.rgb = color
        return paragraph

    masthead = centred(ctx["organ"], size=ctx["masthead_pt"], font=faces["title"], color=red, after=24)
    masthead.paragraph_format.line_spacing = 1.2
    number = centred(bulletin.document_number or bulletin.number or " ")
    _red_rule(number, red)
    title = word.add_paragraph(bulletin.title, style="Title")
    title.paragraph_format.space_before = Pt(28)
    if bulletin.addressees:
        word.add_paragraph(bulletin.addressees + pgettext("after the addressees of a document", ":")).paragraph_format.first_line_indent = Pt(0)
    _paragraphs(word, bulletin.introduction)

    headings = ctx["headings"]
    _heading(word, headings["overall"])
    _paragraphs(word, ctx["overall_text"])
    _charts_docx(word, ctx)
    if ctx["snapshot"].get("theory_tests"):
        _table(word, [_("Study group"), _("Tests"), _("Took part"), _("Participation (%)"), _("Average score (of 100)")], [
            (t["group"], t["tests"], f"{t['took']} / {t['members']}", "—" if t["rate"] is None else t["rate"],
             "—" if t["average"] is None else t["average"])
            for t in ctx["snapshot"]["theory_tests"]
        ], align_right=(1, 2, 3, 4))
    for key, text in (("good_practices", bulletin.good_practices), ("common_problems", bulletin.common_problems)):
        if key in headings:
            _heading(word, headings[key])
            _paragraphs(word, text)
    _heading(word, headings["observations"])
    _paragraphs(word, bulletin.observation_findings)
    snapshot = ctx["snapshot"]
    if snapshot.get("observations"):
        _table(word, [_("Date"), _("Group"), _("Meeting"), _("Score"), _("Comments"), _("Open points")], [
            (_snapshot_day(o["date"]), o["group"], o["meeting"], f"{o['score'] if o['score'] is not None else ''} {o['grade']}".strip(),
             o["comments"], o["open_points"])
            for o in snapshot["observations"]
        ], align_right=(3, 5))
    counts = pgettext("between the items of a list", "; ").join(f"{label} {n}" for label, n in ctx["rect_labels"])
    word.add_paragraph(f"{_('Rectification items:')} {counts}").paragraph_format.first_line_indent = Pt(0)
    if snapshot["rectification"].get("overdue"):
        _table(word, [_("Group"), _("Overdue item"), _("Owner"), _("Deadline")], [
            (i["group"], i["finding"], i["owner"], _snapshot_day(i["deadline"])) for i in snapshot["rectification"]["overdue"]
        ])
    if "requirements" in headings:
        _heading(word, headings["requirements"])
        _paragraphs(word, bulletin.requirements)

    # The signature never stands alone on a page: the last line of text, the annex note, the
    # organ and the date keep together.
    last = word.paragraphs[-1]
    if not last.text.startswith("word-table-"):
        last.paragraph_format.keep_with_next = True
    note = word.add_paragraph(_("Annex: figures and ranking of every group"))
    note.paragraph_format.space_before = Pt(28)
    note.paragraph_format.keep_with_next = True
    for line, indent in ((ctx["organ"], 0), (ctx["signed_on"], 0)):
        signature = word.add_paragraph(line)
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signature.paragraph_format.first_line_indent = Pt(indent)
        signature.paragraph_format.right_indent = Pt(32)
        signature.paragraph_format.keep_with_next = True
    signature.paragraph_format.keep_with_next = False
    signature.paragraph_format.space_after = Pt(0)

    # The annex on landscape pages, as in the PDF: seventeen columns.
    annex_section = word.add_section()
    annex_section.orientation = WD_ORIENT.LANDSCAPE
    annex_section.page_width, annex_section.page_height = annex_section.page_height, annex_section.page_width
    annex_width_mm = (annex_section.page_width - annex_section.left_margin - annex_section.right_margin) / Mm(1)
    label = _heading(word, _("Annex"))
    label.paragraph_format.first_line_indent = Pt(0)
    centred(_("Figures and ranking of every group"), size=18, font=faces["title"], after=6)
    explanation = word.add_paragraph(f"{ctx['score_explanation']} {ctx['work_rules']} {_('Rows in red are behind the plan.')}")
    explanation.style = word.styles[_table_style_name(word, 10.5)]
    headers = [_("Rank"), _("Study group"), *ctx["columns"], _("Score")]
    rows = [(r["rank"], r["name"], *r["values"], f"{r['score']:g}") for r in ctx["table"]]
    rows.append(("", _("Total"), *ctx["total_cells"], ""))
    _table(word, headers, rows, font_pt=9, width_mm=annex_width_mm, align_right=tuple(range(2, len(headers))),
           row_colors=[*("B71C1C" if r["behind"] else None for r in ctx["table"]), None])
    # A paragraph between: two tables in a row would merge into one (and share the imprint's borders).
    word.add_paragraph().paragraph_format.space_after = Pt(12)
    # 版记: the organ one character from the left, the date one from the right (GB/T 9704), a
    # 0.35 mm rule above and below, none between.
    _table(word, ["　" + ctx["organ"], _("printed and issued on %(day)s") % {"day": ctx["signed_on"]} + "　"], [],
           font_pt=14, widths_mm=[annex_width_mm / 2] * 2, align_right=(1,), header=False,
           borders=word_borders_xml(top=8, bottom=8, left=0, right=0, insideH=0, insideV=0))


def _charts_docx(word, ctx: dict) -> None:
    from studygroup.documents import svgs_to_pngs, word_picture

    pngs = svgs_to_pngs(tuple(str(chart["svg"]) for chart in ctx["charts"]))
    for number, (chart, png) in enumerate(zip(ctx["charts"], pngs, strict=True), start=1):
        if png is not None:
            word_picture(word, png, width_mm=150, caption=f"{_('Fig.')} {number}　{chart['spec']['title']}")


def _review_docx(word, review: HalfYearReview, ctx: dict) -> None:
    """The half-year review in Word as on its page: numbered headings, the figures with what the
    plan requires of each (left empty where it requires nothing), the charts, the seven records."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    meta = word.add_paragraph(f"{review.group.name}　{ctx['period_label']}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.paragraph_format.first_line_indent = Pt(0)
    _heading(word, _("1. The figures"))
    if ctx["behind_labels"]:
        _paragraphs(word, f"{_('Behind:')} {'、'.join(ctx['behind_labels'])}")
    _table(word, [_("Figure"), _("Value"), _("Required by the plan")], [
        (r["label"], r["value"], "" if r["quota"] is None else r["quota"]) for r in ctx["figure_rows"]
    ], align_right=(1, 2))
    _paragraphs(word, ctx["work_rules"])
    _charts_docx(word, ctx)
    for heading, text in (
        (_("2. Good practices"), review.good_practices), (_("3. Problems and their causes"), review.problems),
        (_("4. Plan for the next half"), review.next_plan),
    ):
        _heading(word, heading)
        _paragraphs(word, text)
    snapshot = ctx["snapshot"]
    _heading(word, _("Annex: meetings and their seven records"))
    if snapshot.get("meetings"):
        labels = [str(label) for label in snapshot["record_labels"]]
        _table(word, [_("Date"), _("Meeting"), *labels, _("Backfilled")], [
            (_snapshot_day(m["date"]), f"{m['title']} {m['kind']}".strip(), *("✓" if ok else "✗" for ok in m["records"]),
             _("yes") if m["backfilled"] else "")
            for m in snapshot["meetings"]
        ], font_pt=9)
    else:
        _paragraphs(word, _("No meeting was held in the period."))
    if snapshot.get("uncovered_topics"):
        word.add_paragraph(_("Planned topics not yet covered"), style="Heading 2")
        for topic in snapshot["uncovered_topics"]:
            _paragraphs(word, f"· {topic}")


def _table_style_name(word, font_pt: float) -> str:
    from studygroup.documents import _table_text_style

    return _table_text_style(word, font_pt).name


def _snapshot_day(value) -> str:
    from reports.templatetags.reports_tags import snapshot_date

    day = snapshot_date(value)
    return date_format(day, "DATE_FORMAT") if day else ""


def _east_asian_font(run, family: str) -> None:
    from docx.oxml.ns import qn

    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), family)


def _red_rule(paragraph, color) -> None:
    """The red rule under the document number: the paragraph's bottom border."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", "18"), ("space", "6"), ("color", str(color))):
        bottom.set(qn(f"w:{name}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def docx(document) -> bytes:
    from studygroup.documents import new_word_document, word_bytes

    ctx = context(document, for_pdf=True)  # every row of the annex, as in the PDF
    # The bulletin's title follows its masthead and document number.
    word = new_word_document(None if isinstance(document, Bulletin) else document.title)
    word.core_properties.title = document.title
    if isinstance(document, HalfYearReview):
        _review_docx(word, document, ctx)
    elif isinstance(document, Bulletin):
        _bulletin_docx(word, document, ctx)
    else:
        _account_docx(word, document, ctx)
    return word_bytes(word)


def _account_docx(word, account: StudyAccount, ctx: dict) -> None:
    """述学 in Word as on its page and in its PDF: the group and year, the report, the leader's
    comment (点评) with who gave it and when, then the year's figures."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    from django.utils.formats import date_format

    meta = word.add_paragraph(f"{account.group.name}　{account.year}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.paragraph_format.first_line_indent = Pt(0)
    _paragraphs(word, account.text)
    if account.comment:
        _heading(word, _("Comment (点评) by %(who)s, %(when)s") % {
            "who": account.commented_by.name if account.commented_by else "",
            "when": date_format(timezone.localtime(account.commented_at), "DATE_FORMAT") if account.commented_at else "",
        })
        _paragraphs(word, account.comment)
    _heading(word, _("The figures of %(year)s") % {"year": account.year})
    if not account.figures:
        _paragraphs(word, _("Live figures; they are attached as they are when the report is submitted."))
    _table(word, [_("Figure"), _("Value")], [(r["label"], r["value"]) for r in ctx["figure_rows"]], align_right=(1,))
