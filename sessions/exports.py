"""Documents of a meeting: the archive (page and PDF, one template), the sign-in sheet (签到表,
Excel and PDF with a signature column) and calendar files (.ics)."""

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from sessions import selectors
from sessions.models import Meeting
from studygroup import documents


def _local(dt):
    return timezone.localtime(dt)


def _date_label(meeting: Meeting) -> str:
    """When the meeting is, in the active language: 2026年5月20日 09:00–11:00."""
    start, end = _local(meeting.starts_at), _local(meeting.ends_at)
    return f"{date_format(start, 'DATE_FORMAT')} {time_format(start, 'TIME_FORMAT')}–{time_format(end, 'TIME_FORMAT')}"


def archive_context(meeting: Meeting, *, viewer) -> dict:
    """Everything the archive shows to ``viewer``; ``meeting`` comes from
    ``selectors.meeting_detail``. Attendance as on the meeting page: staff and leaders see every
    row with the reasons for leave, a member only their own row (and the counts). ``viewer=None``:
    the office's copy (every row), which the worker stores."""
    whole_sheet = selectors.attendance_sheet(meeting)
    sees_whole_sheet = viewer is None or selectors.sees_attendance_sheet(meeting, viewer)
    sheet = whole_sheet if sees_whole_sheet else [row for row in whole_sheet if row.user.pk == viewer.pk]
    return {
        "meeting": meeting,
        "records": selectors.seven_records(meeting),
        "materials": selectors.meeting_materials(meeting),
        "withdrawn_materials": meeting.materials.filter(withdrawn_at__isnull=False),
        "sheet": sheet,
        "sees_whole_sheet": sees_whole_sheet,
        "sheet_counts": _sheet_counts(whole_sheet),
        "notices": list(meeting.notices.all()),
        "date_label": _date_label(meeting),
        "printed_at": timezone.localtime(),
    }


def _sheet_counts(sheet) -> dict:
    counts = {"present": 0, "late": 0, "leave": 0, "absent": 0, "unrecorded": 0}
    for row in sheet:
        key = row.attendance.status if row.attendance else "unrecorded"
        counts[key] += 1
    return counts


def _filename(meeting: Meeting, what: str, suffix: str) -> str:
    day = _local(meeting.starts_at).strftime("%Y%m%d")
    return f"{day}-{meeting.title}-{what}{suffix}"


def archive_pdf_response(meeting: Meeting, *, request):
    """A member's own copy (their row of the sheet), made in the request: the office's copy is
    built by the worker (``services.archive_build_request``)."""
    context = archive_context(meeting, viewer=request.user)
    data = documents.render_pdf("meetings/meeting_archive.html", context, request=request, archival=True)
    return documents.pdf_response(data, archive_filename(meeting))


def archive_filename(meeting: Meeting) -> str:
    return _filename(meeting, _("archive"), ".pdf")


def archive_office_html(meeting: Meeting) -> str:
    """The office's copy as the PDF prints it, without the print time: what a build is made from."""
    from django.template.loader import render_to_string

    context = {**archive_context(meeting, viewer=None), "printed_at": None, "for_pdf": True,
               "base_template": documents.PRINT_BASE_TEMPLATE}
    return render_to_string("meetings/meeting_archive.html", context)


def archive_office_pdf(meeting: Meeting) -> bytes:
    return documents.render_pdf("meetings/meeting_archive.html", archive_context(meeting, viewer=None), archival=True)


# --- sign-in sheet ----------------------------------------------------------------------------


@dataclass
class SignInLine:
    user: object
    role: str
    note: str


def sign_in_rows(meeting: Meeting, *, viewer) -> list[SignInLine]:
    """Current members in the group's order, with what is already known (leave): the reason
    only where ``viewer`` sees it on the meeting page (staff and leaders: all; a member: their own)."""
    sees_all = selectors.sees_attendance_sheet(meeting, viewer)
    return [
        SignInLine(row.user, row.role, selectors.sign_in_note(row, viewer, sees_all))
        for row in selectors.attendance_sheet(meeting)
        if row.is_member
    ]


def sign_in_sheet_xlsx(meeting: Meeting, *, viewer) -> bytes:
    from openpyxl.styles import Alignment, Border, Side

    title = _("Sign-in sheet: %(title)s") % {"title": meeting.title}
    workbook, sheet = documents.new_workbook(
        title, [_("No."), _("Name"), _("Position"), _("Role"), _("Signature"), _("Note")]
    )
    sheet.insert_rows(2)
    sheet.cell(row=2, column=1, value=f"{_date_label(meeting)}  {meeting.venue}")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=6)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for number, row in enumerate(sign_in_rows(meeting, viewer=viewer), start=1):
        sheet.append([number, row.user.name, row.user.position, row.role, "", row.note])
        sheet.row_dimensions[sheet.max_row].height = 30
        for cell in sheet[sheet.max_row]:
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    # Room to sign by hand, a note column that wraps: widths set, not fitted to the (empty) cells.
    for column, width in zip("ABCDEF", SIGN_IN_WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    return documents.workbook_bytes(workbook, fit=False)


#: Columns of the printed sign-in sheet, in characters: 序号, 姓名, 职务, 组内职务, 签名, 备注.
SIGN_IN_WIDTHS = (6, 12, 24, 10, 24, 16)


def sign_in_sheet_xlsx_response(meeting: Meeting, *, viewer):
    data = sign_in_sheet_xlsx(meeting, viewer=viewer)
    return documents.xlsx_response(data, _filename(meeting, _("sign-in sheet"), ".xlsx"))


def sign_in_sheet_pdf_response(meeting: Meeting, *, request):
    rows = sign_in_rows(meeting, viewer=request.user)
    context = {"meeting": meeting, "rows": rows, "date_label": _date_label(meeting)}
    data = documents.render_pdf("meetings/sign_in_sheet.html", context, request=request)
    return documents.pdf_response(data, _filename(meeting, _("sign-in sheet"), ".pdf"))


# --- calendars --------------------------------------------------------------------------------


# Control characters (C0 but tab and line feed, DEL, C1) have no place in a calendar file.
_ICS_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def ics_text(value, *, one_line: bool = False) -> str:
    """Text as a calendar file may carry it: line breaks of any kind become "\\n" for the
    library to escape (or a space on a one-line field such as a title), tabs a space, other
    control characters dropped. What people typed never breaks the file."""
    text = str(value or "").replace("\r\n", "\n")
    text = re.sub(r"[\r\v\f\x1c-\x1e\x85\u2028\u2029]", "\n", text)
    text = _ICS_CONTROL.sub("", text).replace("\t", " ")
    if one_line:
        text = " ".join(part.strip() for part in text.split("\n") if part.strip())
    return text


def ics_bytes(meetings, *, request=None, name: str = "") -> bytes:
    """An iCalendar file of ``meetings``: a cancelled one is sent as cancelled, so calendar
    programs that subscribed remove it."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//studygroup//meetings//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", ics_text(name, one_line=True))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    # UIDs name this deployment (SITE_URL's host): two systems' meeting 11 are two events.
    domain = urlsplit(settings.SITE_URL).hostname or "studygroup.invalid"
    now = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"meeting-{meeting.pk}@{domain}")
        event.add("sequence", meeting.schedule_revision)
        event.add("summary", ics_text(meeting.title, one_line=True))
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at)
        event.add("dtstamp", now)  # when this file was made (RFC 5545), not the last edit
        event.add("last-modified", meeting.updated_at or now)
        if meeting.venue:
            event.add("location", ics_text(meeting.venue, one_line=True))
        url = reverse("meetings:meeting-detail", kwargs={"pk": meeting.pk})
        if request is not None:
            url = request.build_absolute_uri(url)
            event.add("url", url)
        description = [meeting.group.name]
        if meeting.session_plan:
            description.append(meeting.session_plan)
        description.append(url)
        event.add("description", ics_text("\n".join(description)))
        cancelled = meeting.status == Meeting.Status.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if not cancelled and meeting.starts_at > timezone.now():
            from icalendar import Alarm

            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", ics_text(meeting.title, one_line=True))
            alarm.add("trigger", -timedelta(hours=1))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def ics_response(data: bytes, filename: str, *, as_attachment: bool = True) -> HttpResponse:
    if as_attachment:
        return documents.file_response(data, filename, "text/calendar; charset=utf-8")
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
