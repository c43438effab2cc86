"""Reads on meetings shared by pages, exports, reports and tasks, built with annotations and
subqueries so the number of queries does not grow with the data.

The seven records (七有) are computed here and only here: ``seven_records_annotations`` for
lists (SQL annotations) and ``seven_records(meeting)`` for one meeting's checklist. The members'
work issue extends ``notes_present`` to count reflections and notes.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Window,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Length, RowNumber, Trim, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members import scoping
from members.models import Membership, StudyGroup, User, current_q
from sessions.models import (
    Attendance,
    CalendarFeed,
    FollowUpMeasure,
    Material,
    Meeting,
    MeetingNotice,
    Minutes,
    NoticeRecipient,
    Observation,
    ObservationPoint,
    PublicityReport,
    Speech,
)

ATTENDED = [Attendance.Status.PRESENT, Attendance.Status.LATE]
MISSED = [Attendance.Status.LEAVE, Attendance.Status.ABSENT]


# --- the seven records (七有) -------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    key: str
    label: str
    short: str
    explanation: str


SEVEN_RECORDS = [
    Record("has_plan", _("Has a plan"), pgettext_lazy("seven records, one character", "Plan"), _("belongs to a topic of the annual plan")),
    Record("has_session_plan", _("Has a session plan"), pgettext_lazy("seven records, one character", "Session plan"),
           _("a session plan (agenda, readings) is written")),
    Record("has_minutes", _("Has minutes"), pgettext_lazy("seven records, one character", "Minutes"), _("minutes are entered")),
    Record("has_attendance", _("Has attendance"), pgettext_lazy("seven records, one character", "Attendance"), _("attendance is recorded")),
    Record("has_discussion", _("Has discussion"), pgettext_lazy("seven records, one character", "Discussion"),
           _("at least one speech is recorded")),
    Record("has_notes", _("Has notes"), pgettext_lazy("seven records, one character", "Notes"), _("members' notes or reflections are present")),
    Record("has_report", _("Has a report"), pgettext_lazy("seven records, one character", "Report"), _("a publicity report is entered")),
]


# The work app (which comes after this one) tells how to see 有笔记: see register_notes_condition.
_notes_condition = None


def register_notes_condition(build) -> None:
    """Called by the work app at start-up with ``build(meeting_ref) -> Exists``: members who
    attended have submitted (or accepted) study notes or reflections linked to the meeting."""
    global _notes_condition
    _notes_condition = build


def notes_present():
    """The 有笔记 expression over ``OuterRef("pk")``; None shows it as not yet applicable (it then
    leaves the counts), as it is when no app records members' notes. Everything else (lists,
    checklist, counts, filters) follows."""
    return None if _notes_condition is None else _notes_condition("pk")


def seven_records_annotations() -> dict:
    """Annotations for a Meeting queryset: one boolean per record and ``records_done`` /
    ``records_applicable`` counts, all in the same SQL statement."""
    meeting = OuterRef("pk")
    exprs = {
        "has_plan": Exists(Meeting.topics.through.objects.filter(meeting=meeting)),
        "has_session_plan": ExpressionWrapper(
            Q(_session_plan_length__gt=0), output_field=BooleanField()
        ),
        "has_minutes": Exists(Minutes.objects.filter(meeting=meeting).exclude(text="")),
        "has_attendance": Exists(Attendance.objects.filter(meeting=meeting, status__in=ATTENDED)),
        "has_discussion": Exists(Speech.objects.filter(meeting=meeting)),
        "has_report": Exists(PublicityReport.objects.filter(meeting=meeting)),
    }
    notes = notes_present()
    if notes is not None:
        exprs["has_notes"] = notes
    done = sum(
        (Case(When(**{name: True}, then=Value(1)), default=Value(0), output_field=IntegerField()) for name in exprs),
        Value(0),
    )
    return {
        "_session_plan_length": Length(Trim("session_plan")),
        **exprs,
        "records_done": done,
        "records_applicable": Value(len(exprs), output_field=IntegerField()),
    }


def with_seven_records(queryset):
    return queryset.annotate(**seven_records_annotations())


def seven_records(meeting: Meeting) -> list[dict]:
    """The checklist of one meeting: label, explanation and True / False / None (not applicable).

    Works on a meeting annotated by ``with_seven_records`` (no query) or fetches the annotations.
    """
    if not hasattr(meeting, "records_done"):
        meeting = with_seven_records(Meeting.objects.filter(pk=meeting.pk)).get()
    return [
        {"key": r.key, "label": r.label, "explanation": r.explanation, "done": getattr(meeting, r.key, None)}
        for r in SEVEN_RECORDS
    ]


def records_complete_q() -> Q:
    """Filter for meetings complete on every applicable record (use on an annotated queryset)."""
    return Q(records_done=F("records_applicable"))


# --- lists ------------------------------------------------------------------------------------


def _cutoff():
    return timedelta(days=settings.BACKFILL_AFTER_DAYS)


def list_annotations() -> dict:
    """Everything a meeting row shows: seven records, backfill flags and attendance counts."""
    meeting = OuterRef("pk")
    attendance_entered = (
        Attendance.objects.filter(meeting=meeting)
        .exclude(status=Attendance.Status.LEAVE)
        .order_by()
        .values("meeting")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    return {
        **seven_records_annotations(),
        "minutes_entered_at": Subquery(Minutes.objects.filter(meeting=meeting).values("entered_at")[:1]),
        "attendance_entered_at": Subquery(attendance_entered, output_field=DateTimeField()),
        "attended_count": Subquery(
            Attendance.objects.filter(meeting=meeting, status__in=ATTENDED)
            .order_by().values("meeting").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        "missed_count": Subquery(
            Attendance.objects.filter(meeting=meeting, status__in=MISSED)
            .order_by().values("meeting").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        "backfill_after": ExpressionWrapper(F("ends_at") + _cutoff(), output_field=DateTimeField()),
    }


def annotate_backfill(meetings):
    """Set ``minutes_backfilled`` / ``attendance_backfilled`` on annotated meetings (no query)."""
    for m in meetings:
        limit = m.ends_at + _cutoff()
        m.minutes_backfilled = bool(m.minutes_entered_at and m.minutes_entered_at > limit)
        m.attendance_backfilled = bool(m.attendance_entered_at and m.attendance_entered_at > limit)
        m.is_backfilled = m.minutes_backfilled or m.attendance_backfilled
    return meetings


def backfilled_q() -> Q:
    """Filter (on a ``list_annotations`` queryset) for meetings with backfilled records."""
    return Q(minutes_entered_at__gt=F("backfill_after")) | Q(attendance_entered_at__gt=F("backfill_after"))


def meeting_list(queryset):
    return (
        queryset.select_related("group__organization")
        .annotate(**list_annotations())
        .order_by("-starts_at", "-pk")
    )


# --- one meeting ------------------------------------------------------------------------------


def meeting_detail(queryset, pk: int) -> Meeting:
    """One meeting with its records, counts and relations loaded in a fixed number of queries."""
    meeting = (
        queryset.filter(pk=pk)
        .select_related("group__organization", "host", "minutes__entered_by", "report__entered_by", "archived_by")
        .prefetch_related(
            "topics__plan",
            "lead_speakers",
            Prefetch("speeches", queryset=Speech.objects.select_related("speaker").order_by("kind", "position", "pk")),
            Prefetch(
                "notices",
                queryset=MeetingNotice.objects.select_related("sent_by").annotate(recipient_count=Count("recipients")),
            ),
        )
        .annotate(**list_annotations())
        .get()
    )
    annotate_backfill([meeting])
    return meeting


def meeting_materials(meeting: Meeting):
    """The meeting's own materials and those of its plan topics, current ones only."""
    return (
        Material.objects.current()
        .filter(Q(meeting=meeting) | Q(topic__in=meeting.topics.values("pk"), meeting__isnull=True))
        .select_related("topic", "uploaded_by")
        .order_by("meeting", "position", "pk")
    )


def my_attendance(meeting: Meeting, user) -> Attendance | None:
    return Attendance.objects.filter(meeting=meeting, user=user).first()


def is_current_member(group: StudyGroup, user) -> bool:
    return Membership.objects.filter(current_q(), group=group, user=user).exists()


@dataclass
class SheetRow:
    user: object
    role: str
    attendance: Attendance | None
    is_member: bool


def attendance_sheet(meeting: Meeting) -> list[SheetRow]:
    """Every current member, plus anyone else who has a row (a member who has since left), in two
    queries whatever the size of the group."""
    memberships = list(
        Membership.objects.filter(current_q(), group=meeting.group_id)
        .select_related("user")
        .order_by("role", "user__name")
    )
    rows = {
        a.user_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related("user", "makeup_confirmed_by")
    }
    order = {Membership.Role.LEADER: 0, Membership.Role.DEPUTY: 1, Membership.Role.MEMBER: 2, Membership.Role.SECRETARY: 3}
    memberships.sort(key=lambda m: (order.get(m.role, 9), m.user.name))
    sheet = [SheetRow(m.user, m.get_role_display(), rows.pop(m.user_id, None), True) for m in memberships]
    sheet += [SheetRow(a.user, "", a, False) for a in sorted(rows.values(), key=lambda a: a.user.name)]
    return sheet


def sees_attendance_sheet(meeting: Meeting, user) -> bool:
    """Staff managing the group and leaders reading its organisation see everyone's attendance
    with the reasons for leave; a member sees only their own. The meeting page, the archive
    (page and PDF) and the sign-in sheet (Excel and PDF) all follow this one rule."""
    return user.has_perm("meetings.see_attendance_sheet", meeting)


def sign_in_note(row: SheetRow, user, sees_all: bool) -> str:
    """The note of a row of the sign-in sheet: leave and its reason, for those who may see it."""
    attendance = row.attendance
    if attendance is None or attendance.status != Attendance.Status.LEAVE:
        return ""
    if not sees_all and row.user.pk != user.pk:
        return ""
    return str(_("On leave: %(reason)s") % {"reason": attendance.leave_reason})


def sign_in_counts(meeting: Meeting) -> dict:
    """Signed in and not yet, for the live count on the sign-in screen: one query."""
    members = Membership.objects.filter(current_q(), group=meeting.group_id)
    counts = members.aggregate(
        total=Count("user", distinct=True),
        signed=Count(
            "user", distinct=True,
            filter=Q(user__attendances__meeting=meeting, user__attendances__status__in=ATTENDED),
        ),
        leave=Count(
            "user", distinct=True,
            filter=Q(user__attendances__meeting=meeting, user__attendances__status=Attendance.Status.LEAVE),
        ),
    )
    counts["waiting"] = counts["total"] - counts["signed"] - counts["leave"]
    return counts


def sign_in_waiting(meeting: Meeting):
    """Current members who have neither signed in nor been given leave."""
    return (
        Membership.objects.filter(current_q(), group=meeting.group_id)
        .exclude(user__in=Attendance.objects.filter(meeting=meeting).exclude(status=Attendance.Status.ABSENT).values("user"))
        .select_related("user")
        .order_by("user__name")
    )


# --- home page and the user's own meetings ----------------------------------------------------


def my_meetings(user):
    """Meetings of the groups the user currently belongs to."""
    groups = Membership.objects.filter(current_q(), user=user).values("group")
    return Meeting.objects.filter(group__in=groups)


HOME_RECORDS_CHECKED = 500


def home_meetings(user) -> dict:
    """What the home page card shows: upcoming meetings with their notices, make-up study owed,
    and for staff the past meetings still missing attendance or minutes."""
    now = timezone.now()
    unread = NoticeRecipient.objects.filter(notice__meeting=OuterRef("pk"), user=user, read_at__isnull=True)
    upcoming = list(
        my_meetings(user)
        .filter(ends_at__gte=now)
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.PLANNED])
        .select_related("group")
        .annotate(unread_notice=Exists(unread))
        .order_by("starts_at")[:8]
    )
    owed = list(
        Attendance.objects.owing_makeup()
        .filter(user=user)
        .select_related("meeting__group")
        .order_by("meeting__starts_at")[:10]
    )
    needing = []
    managed = scoping.managed_groups(user)
    if managed.exists():
        # The newest open meetings that have ended are checked for records; a province's
        # staff have tens of thousands, and testing each took a quarter of a second.
        recent = (
            Meeting.objects.filter(group__in=managed.values("pk"), ends_at__lt=now)
            .filter(status__in=[Meeting.Status.NOTIFIED, Meeting.Status.HELD, Meeting.Status.PLANNED])
            .order_by("-starts_at", "-pk")
            .values("pk")[:HOME_RECORDS_CHECKED]
        )
        needing = list(
            Meeting.objects.filter(pk__in=recent)
            .annotate(
                has_attendance=Exists(Attendance.objects.filter(meeting=OuterRef("pk"), status__in=ATTENDED)),
                has_minutes=Exists(Minutes.objects.filter(meeting=OuterRef("pk"))),
            )
            .filter(Q(has_attendance=False) | Q(has_minutes=False))
            .select_related("group")
            .order_by("-starts_at")[:10]
        )
    return {"upcoming": upcoming, "owed": owed, "needing": needing, "is_manager": bool(needing) or managed.exists()}


def feed_meetings(user):
    """The personal calendar feed: the user's groups' meetings from a year back, not cancelled."""
    since = timezone.now() - timedelta(days=366)
    return (
        my_meetings(user)
        .filter(starts_at__gte=since)
        .exclude(status=Meeting.Status.PLANNED)
        .select_related("group")
        .order_by("starts_at")
    )


# --- month calendar ---------------------------------------------------------------------------


CALENDAR_PER_DAY = 6


def month_calendar(queryset, year: int, month: int) -> dict:
    """Weeks of the month (Monday first), each day with its first meetings and how many more:
    two queries."""
    tz = timezone.get_current_timezone()
    first = date(year, month, 1)
    cal = calendar.Calendar(firstweekday=0)
    days = list(cal.itermonthdates(year, month))
    start = datetime.combine(days[0], time.min, tzinfo=tz)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz)
    in_view = queryset.filter(starts_at__gte=start, starts_at__lt=end)
    day = TruncDate("starts_at", tzinfo=tz)
    # A province's calendar holds thousands of meetings a day: each day shows its first few and
    # how many more there are (the list, filtered by that day, shows them all).
    # Ranked by their own columns first; the groups are joined for the shown few only.
    shown = list(
        in_view.order_by()
        .annotate(day_rank=Window(RowNumber(), partition_by=[day], order_by=[F("starts_at").asc(), F("pk").asc()]))
        .filter(day_rank__lte=CALENDAR_PER_DAY)
        .values_list("pk", flat=True)
    )
    meetings = list(
        Meeting.objects.filter(pk__in=shown).select_related("group__organization").order_by("starts_at", "pk")
    )
    per_day = dict(in_view.order_by().annotate(day=day).values("day").annotate(n=Count("pk")).values_list("day", "n"))
    by_day: dict[date, list] = {}
    for m in meetings:
        by_day.setdefault(timezone.localtime(m.starts_at, tz).date(), []).append(m)
    weeks = [
        [{"date": d, "in_month": d.month == month, "meetings": by_day.get(d, []), "today": d == timezone.localdate(),
          "more": per_day.get(d, 0) - len(by_day.get(d, []))}
         for d in days[i : i + 7]]
        for i in range(0, len(days), 7)
    ]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return {"weeks": weeks, "first": first, "previous": previous, "next": following, "count": sum(per_day.values())}


# --- a group's year at a glance ---------------------------------------------------------------


def group_year(group: StudyGroup, year: int) -> dict:
    """Meetings held against the plan's quota, discussions against quota, planned topics covered
    and not, attendance rate per member: a fixed number of queries."""
    from plans.models import AnnualPlan, ScheduleEntry, Topic

    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    year_meetings = Meeting.objects.filter(group=group, starts_at__gte=start, starts_at__lt=end)
    held = year_meetings.filter(status__in=[Meeting.Status.HELD, Meeting.Status.ARCHIVED])
    meetings = annotate_backfill(list(meeting_list(year_meetings).order_by("starts_at")))
    counts = held.aggregate(
        held=Count("pk"),
        discussions=Count("pk", filter=Q(kind=Meeting.Kind.DISCUSSION)),
        lectures=Count("pk", filter=Q(kind=Meeting.Kind.LECTURE)),
    )
    plan = AnnualPlan.objects.filter(group=group, year=year, is_current=True).first()
    topics = []
    if plan is not None:
        covering = Meeting.objects.filter(
            topics=OuterRef("pk"), status__in=[Meeting.Status.HELD, Meeting.Status.ARCHIVED]
        )
        topics = list(
            Topic.objects.filter(plan=plan)
            .annotate(
                covered=Exists(covering),
                covered_on=Subquery(covering.order_by("starts_at").values("starts_at")[:1]),
                planned_months=Subquery(
                    ScheduleEntry.objects.filter(topic=OuterRef("pk"))
                    .order_by().values("topic").annotate(m=Min("month")).values("m")[:1]
                ),
            )
            .order_by("position", "pk")
        )
    attendance = Attendance.objects.filter(meeting__in=held.values("pk"))
    members = list(
        Membership.objects.filter(current_q(), group=group)
        .select_related("user")
        .annotate(
            attended=Count("user__attendances", filter=Q(user__attendances__in=attendance.filter(status__in=ATTENDED))),
            on_leave=Count("user__attendances", filter=Q(user__attendances__in=attendance.filter(status=Attendance.Status.LEAVE))),
            absent=Count("user__attendances", filter=Q(user__attendances__in=attendance.filter(status=Attendance.Status.ABSENT))),
            makeup_owed=Count(
                "user__attendances",
                filter=Q(user__attendances__in=attendance.filter(status__in=MISSED, makeup_confirmed_at__isnull=True)),
            ),
        )
        .order_by("role", "user__name")
    )
    held_count = counts["held"] or 0
    for m in members:
        m.rate = round(100 * m.attended / held_count) if held_count else None
    return {
        "year": year,
        "plan": plan,
        "meetings": meetings,
        "counts": counts,
        "meetings_quota": plan.meetings_per_year if plan else None,
        "discussions_quota": plan.discussions_per_year if plan else None,
        "topics": topics,
        "topics_covered": sum(1 for t in topics if t.covered),
        "members": members,
        "complete": sum(1 for m in meetings if m.records_done == m.records_applicable),
    }


# --- first-agenda study and observation visits -----------------------------------------------


def first_agenda_list(queryset):
    return (
        queryset.select_related("organization")
        .annotate(
            measure_count=Count("measures", distinct=True),
            open_count=Count("measures", filter=Q(measures__done=False), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


def first_agenda_summary(studies) -> dict:
    totals = studies.aggregate(studies=Count("pk", distinct=True), measures=Count("measures", distinct=True))
    open_measures = (
        FollowUpMeasure.objects.filter(study__in=studies.values("pk"), done=False)
        .select_related("study__organization")
        .order_by("due_on", "pk")
    )
    return {**totals, "open_measures": open_measures[:50], "open_total": open_measures.count()}


def observation_list(queryset):
    return (
        queryset.select_related("meeting__group__organization", "organization")
        .annotate(
            point_count=Count("points", distinct=True),
            open_count=Count("points", filter=Q(points__answered_at__isnull=True), distinct=True),
        )
        .order_by("-meeting__starts_at", "-pk")
    )


def open_points_for(user):
    """Points of visits to groups the user manages that are still unanswered."""
    return ObservationPoint.objects.open().filter(
        observation__in=Observation.objects.answerable_by(user).values("pk")
    )


def meeting_observations(meeting: Meeting, user):
    return observation_list(Observation.objects.visible_to(user).filter(meeting=meeting))



# --- choices for forms ------------------------------------------------------------------------


def meeting_form_choices(group: StudyGroup) -> dict:
    """Topics of the group's current plans, and its current members (host, lead speakers)."""
    from plans.models import Topic

    topics = (
        Topic.objects.filter(plan__group=group, plan__is_current=True)
        .select_related("plan")
        .order_by("-plan__year", "position", "pk")
    )
    people = User.objects.filter(
        pk__in=Membership.objects.filter(current_q(), group=group).values("user")
    ).order_by("name")
    return {"topics": topics, "people": people}


def speakers(group: StudyGroup):
    """Anyone who has been a member of the group (a speech may be entered after someone left)."""
    return User.objects.filter(pk__in=Membership.objects.filter(group=group).values("user")).order_by("name")


def feed_of(user):
    """The person's calendar feed, or None while they have not asked for an address."""
    return CalendarFeed.objects.filter(user=user).first()


def feed_user(token: str):
    feed = CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user").first()
    return feed.user if feed else None


def group_section(group: StudyGroup, user) -> dict:
    """The group page's meetings: the next ones and the latest held, six at most."""
    now = timezone.now()
    base = Meeting.objects.visible_to(user).filter(group=group).exclude(status=Meeting.Status.CANCELLED)
    upcoming = list(base.filter(ends_at__gte=now).order_by("starts_at")[:3])
    recent = list(base.filter(ends_at__lt=now).order_by("-starts_at")[: 6 - len(upcoming)])
    return {"meetings": upcoming[::-1] + recent}


def latest_archive_build(meeting: Meeting):
    """The newest build of the office's copy of the meeting's archive (None before the first)."""
    from sessions.models import ArchiveBuild

    return ArchiveBuild.objects.filter(meeting=meeting).order_by("-requested_at", "-pk").first()


def latest_material_bundle(meeting: Meeting):
    """The newest 学习资料汇编 of the meeting (None before the first)."""
    from sessions.models import MaterialBundle

    return MaterialBundle.objects.filter(meeting=meeting).order_by("-requested_at", "-pk").first()
