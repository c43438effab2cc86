"""The figures of reviews, bulletins, 述学 and dashboards, for one group or many at once.

``group_figures`` computes every figure for any number of groups in ONE SQL statement: each
figure is a correlated subquery annotated on the StudyGroup queryset (counts by
``COUNT(...)`` in a subquery, never a Python loop over groups). The few things that are lists
(a group's meetings with their seven records, its uncovered topics, the meetings per month)
have their own fixed-count selectors.

Figures are plain JSON values so they can be frozen as a snapshot on submission.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members import scoping
from members.models import Membership, StudyGroup, User, current_q
from reports.models import (
    Bulletin,
    DocumentBuild,
    HalfYearReview,
    Period,
    RectificationItem,
    StudyAccount,
    current_period,
    period_bounds,
    period_months,
)
from studygroup.queries import count_subquery

# --- the list of figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    short: str  # table header
    unit: str = ""


FIGURES = [
    Figure("meetings", _("Group meetings held"), _("Meetings")),
    Figure("meetings_quota", _("Meetings required by the plan"), _("Quota")),
    Figure("discussions", _("Thematic discussions"), _("Discussions")),
    Figure("discussions_quota", _("Discussions required by the plan"), _("Discussion quota")),
    Figure("lectures", _("Expert lectures"), _("Lectures")),
    Figure("reading_classes", _("Reading classes"), _("Reading classes")),
    Figure("attendance_rate", _("Attendance rate"), pgettext_lazy("short header: attendance rate", "Attendance"), "%"),
    Figure("makeup_owed", _("Absences without make-up study"), _("Make-up owed")),
    Figure("topics_planned", _("Planned topics in the period"), _("Topics planned")),
    Figure("topics_covered", _("Planned topics covered"), _("Topics covered")),
    Figure("first_agenda", _("First-agenda studies"), _("First agenda")),
    Figure("reflections", _("Reflections"), _("Reflections")),
    Figure("notes", _("Study notes"), pgettext_lazy("study notes", "Notes")),
    Figure("research_reports", _("Research reports"), _("Research")),
    Figure("articles", _("Articles at city level and above"), _("Articles")),
    Figure("lectures_given", _("Lectures given by members (宣讲)"), _("宣讲")),
    Figure("records_complete", _("Meetings with all seven records"), _("Seven records")),
    Figure("records_rate", _("Seven-records completeness"), _("Seven records %"), "%"),
    Figure("backfilled", _("Meetings with backfilled records"), _("Backfilled")),
    Figure("late_work", _("Work submitted late"), _("Late work")),
    Figure("copy_flagged", _("Work flagged by the copy check"), _("Flagged as copied")),
    Figure("observations", _("Observation visits"), _("Visits")),
    Figure("rect_open", _("Rectification items open"), _("Open items")),
    Figure("rect_overdue", _("Rectification items overdue"), _("Overdue")),
    Figure("rect_confirmed", _("Rectification items confirmed"), _("Confirmed")),
]
FIGURE_LABELS = {f.key: f for f in FIGURES}
# The columns of the bulletin's table (a printed A4 page has room for this many).
TABLE_KEYS = [
    "meetings", "meetings_quota", "discussions", "lectures", "attendance_rate", "topics_covered",
    "first_agenda", "research_reports", "articles", "late_work", "copy_flagged", "records_rate", "backfilled",
    "rect_overdue",
]
HELD = ["held", "archived"]


def _aware(day: date):
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def bounds(year: int, period: str) -> tuple[datetime, datetime]:
    """The period as [start, end) aware datetimes."""
    first, last = period_bounds(year, period)
    return _aware(first), _aware(last + timedelta(days=1))


# ``SELECT COUNT(*) FROM ... WHERE <correlated>``: a scalar subquery, 0 when empty.
_count = count_subquery


def _avg(queryset, field) -> Subquery:
    averaged = queryset.order_by().annotate(_a=Func(F(field), function="AVG", output_field=FloatField())).values("_a")
    return Subquery(averaged, output_field=FloatField())


def _plan_for(year: int):
    """The plan a group follows for a year: the published revision in force, else the current one."""
    from plans.models import AnnualPlan

    return (
        AnnualPlan.objects.filter(group=OuterRef("pk"), year=year)
        .filter(Q(status=AnnualPlan.Status.PUBLISHED) | Q(is_current=True))
        .annotate(_pub=Case(When(status=AnnualPlan.Status.PUBLISHED, then=Value(0)), default=Value(1)))
        .order_by("_pub", "-revision")
    )


def _period_share(year: int, period: str) -> float:
    """Quota share of a period: half the year's quota for a half."""
    return 1.0 if period == Period.YEAR else 0.5


def _elapsed(year: int, period: str, today: date) -> float:
    """How much of the period has passed (0..1): the expected figure grows with it."""
    first, last = period_bounds(year, period)
    if today >= last:
        return 1.0
    if today < first:
        return 0.0
    return ((today - first).days + 1) / ((last - first).days + 1)


def annotate_figures(groups, *, year: int, period: str):
    """Annotate every figure on a StudyGroup queryset (one statement for any number of groups)."""
    from members.work.models import COUNTED_ARTICLE_LEVELS, MemberWork, SimilarityCheck, WorkKind, WorkStatus
    from plans.models import ScheduleEntry, Topic
    from sessions import selectors as meeting_selectors
    from sessions.models import Attendance, FirstAgendaStudy, Meeting, Observation

    start, end = bounds(year, period)
    first_day, last_day = period_bounds(year, period)
    group = OuterRef("pk")
    held = Meeting.objects.filter(group=group, status__in=HELD, starts_at__gte=start, starts_at__lt=end)
    attendance = Attendance.objects.filter(
        meeting__group=group, meeting__status__in=HELD, meeting__starts_at__gte=start, meeting__starts_at__lt=end
    )
    plans = _plan_for(year)

    # Topics placed in the period's months by the plan's schedule, and those a held meeting
    # (up to the period's end) has covered.
    planned_topics = Topic.objects.filter(plan=OuterRef("plan_id")).filter(
        Exists(ScheduleEntry.objects.filter(topic=OuterRef("pk"), month__in=period_months(period)))
    )
    covering = Meeting.topics.through.objects.filter(
        topic=OuterRef("pk"), meeting__status__in=HELD, meeting__starts_at__lt=end
    )
    seven = meeting_selectors.with_seven_records(held.order_by()).filter(meeting_selectors.records_complete_q())
    records_total = meeting_selectors.with_seven_records(held.order_by()).order_by().annotate(
        _s=Func(F("records_done"), function="SUM", output_field=FloatField()),
        _t=Func(F("records_applicable"), function="SUM", output_field=FloatField()),
    )
    backfilled = held.order_by().annotate(**meeting_selectors.list_annotations()).filter(
        meeting_selectors.backfilled_q()
    )

    in_period = Q(occurred_on__gte=first_day, occurred_on__lte=last_day) | Q(
        occurred_on__isnull=True, first_submitted_at__gte=start, first_submitted_at__lt=end
    )
    work = MemberWork.objects.filter(group=group).filter(in_period)
    counted = work.filter(status=WorkStatus.ACCEPTED)
    handed_in = MemberWork.objects.filter(group=group).filter(in_period).exclude(status__in=[WorkStatus.DRAFT, WorkStatus.WITHDRAWN])
    late = handed_in.with_late().filter(late=True)
    # Flagged: the text's latest copy check found at least WORK_COPY_FLAG_SCORE of it elsewhere.
    latest_check = SimilarityCheck.objects.filter(work=OuterRef("pk")).order_by("-checked_at", "-pk").values("score")[:1]
    flagged = handed_in.annotate(_copy_score=Subquery(latest_check, output_field=FloatField())).filter(
        _copy_score__gte=settings.WORK_COPY_FLAG_SCORE
    )

    observations = Observation.objects.filter(
        meeting__group=group, meeting__starts_at__gte=start, meeting__starts_at__lt=end
    )
    items = RectificationItem.objects.filter(group=group)  # their state now
    today = timezone.localdate()

    return groups.annotate(
        plan_id=Subquery(plans.values("pk")[:1]),
        plan_meetings=Subquery(plans.values("meetings_per_year")[:1]),
        plan_discussions=Subquery(plans.values("discussions_per_year")[:1]),
        plan_articles_per_member=Subquery(plans.values("articles_per_member")[:1]),
        member_count=_count(Membership.objects.filter(current_q(), group=group)),
        f_meetings=_count(held),
        f_discussions=_count(held.filter(kind=Meeting.Kind.DISCUSSION)),
        f_lectures=_count(held.filter(kind=Meeting.Kind.LECTURE)),
        f_reading_classes=_count(held.filter(kind=Meeting.Kind.READING_CLASS)),
        f_on_site=_count(held.filter(kind=Meeting.Kind.ON_SITE)),
        f_online=_count(held.filter(kind=Meeting.Kind.ONLINE)),
        f_group_study=_count(held.filter(kind=Meeting.Kind.GROUP_STUDY)),
        f_attendance_rows=_count(attendance),
        f_attended=_count(attendance.filter(status__in=meeting_selectors.ATTENDED)),
        f_makeup_owed=_count(attendance.filter(status__in=meeting_selectors.MISSED, makeup_confirmed_at__isnull=True)),
        f_topics_planned=_count(planned_topics),
        f_topics_covered=_count(planned_topics.filter(Exists(covering))),
        f_first_agenda=_count(
            FirstAgendaStudy.objects.filter(organization=OuterRef("organization_id"), held_on__gte=first_day, held_on__lte=last_day)
        ),
        f_reflections=_count(counted.filter(kind=WorkKind.REFLECTION)),
        f_notes=_count(counted.filter(kind=WorkKind.NOTE)),
        f_research_reports=_count(counted.filter(kind=WorkKind.RESEARCH)),
        f_articles=_count(counted.filter(kind=WorkKind.ARTICLE, level__in=COUNTED_ARTICLE_LEVELS)),
        f_lectures_given=_count(counted.filter(kind=WorkKind.LECTURE)),
        f_late_work=_count(late),
        f_copy_flagged=_count(flagged),
        f_records_complete=_count(seven),
        f_records_done=Subquery(records_total.values("_s"), output_field=FloatField()),
        f_records_applicable=Subquery(records_total.values("_t"), output_field=FloatField()),
        f_backfilled=_count(backfilled),
        f_observations=_count(observations),
        f_observation_score=_avg(observations.filter(score__isnull=False), "score"),
        f_rect_open=_count(items.filter(status__in=RectificationItem.OPEN_STATUSES + [RectificationItem.Status.REPORTED])),
        f_rect_overdue=_count(items.filter(status__in=RectificationItem.OPEN_STATUSES, deadline__lt=today)),
        f_rect_confirmed=_count(items.filter(status=RectificationItem.Status.CONFIRMED)),
    )


def _percent(part, whole) -> float | None:
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def figures_of(group, *, year: int, period: str, today: date | None = None) -> dict:
    """The figures dict of one annotated group (no query)."""
    today = today or timezone.localdate()
    share = _period_share(year, period)
    elapsed = _elapsed(year, period, today)
    meetings_quota = math.ceil(group.plan_meetings * share) if group.plan_meetings is not None else None
    discussions_quota = (
        math.ceil(group.plan_discussions * share) if group.plan_discussions is not None else None
    )
    articles_quota = (
        math.ceil(group.plan_articles_per_member * group.member_count * share)
        if group.plan_articles_per_member is not None
        else None
    )
    data = {
        "has_plan": group.plan_id is not None,
        "members": group.member_count,
        "meetings": group.f_meetings,
        "meetings_quota": meetings_quota,
        "discussions": group.f_discussions,
        "discussions_quota": discussions_quota,
        "lectures": group.f_lectures,
        "reading_classes": group.f_reading_classes,
        "on_site": group.f_on_site,
        "online": group.f_online,
        "group_study": group.f_group_study,
        "attendance_rows": group.f_attendance_rows,
        "attended": group.f_attended,
        "attendance_rate": _percent(group.f_attended, group.f_attendance_rows),
        "makeup_owed": group.f_makeup_owed,
        "topics_planned": group.f_topics_planned,
        "topics_covered": group.f_topics_covered,
        "first_agenda": group.f_first_agenda,
        "reflections": group.f_reflections,
        "notes": group.f_notes,
        "research_reports": group.f_research_reports,
        "articles": group.f_articles,
        "articles_quota": articles_quota,
        "lectures_given": group.f_lectures_given,
        "late_work": group.f_late_work,
        "copy_flagged": group.f_copy_flagged,
        "records_complete": group.f_records_complete,
        "records_rate": _percent(group.f_records_done or 0, group.f_records_applicable or 0),
        "backfilled": group.f_backfilled,
        "observations": group.f_observations,
        "observation_score": round(group.f_observation_score, 1) if group.f_observation_score is not None else None,
        "rect_open": group.f_rect_open,
        "rect_overdue": group.f_rect_overdue,
        "rect_confirmed": group.f_rect_confirmed,
    }
    behind = []
    if not data["has_plan"]:
        behind.append("no_plan")
    else:
        if data["meetings"] < math.floor(meetings_quota * elapsed):
            behind.append("meetings")
        if data["discussions"] < math.floor(discussions_quota * elapsed):
            behind.append("discussions")
    data["behind"] = behind
    data["score"] = _score(data)
    return data


BEHIND_LABELS = {
    "no_plan": _("no plan for the year"),
    "meetings": _("meetings behind the plan"),
    "discussions": _("discussions behind the plan"),
}


def _score(f: dict) -> float:
    """The ranking score (0–100): 40 meetings against quota, 20 discussions against quota,
    20 attendance, 20 seven-records completeness; each overdue rectification item costs 2."""

    def ratio(done, quota):
        if not quota:
            return 1.0 if done else 0.0
        return min(done / quota, 1.0)

    score = (
        40 * ratio(f["meetings"], f["meetings_quota"])
        + 20 * ratio(f["discussions"], f["discussions_quota"])
        + 20 * (f["attendance_rate"] or 0) / 100
        + 20 * (f["records_rate"] or 0) / 100
        - 2 * f["rect_overdue"]
    )
    return round(max(score, 0.0), 1)


SCORE_EXPLANATION = _(
    "Score out of 100: 40 for meetings against the plan's quota, 20 for thematic discussions "
    "against quota, 20 for the attendance rate, 20 for the seven records; each overdue "
    "rectification item takes 2 off."
)


def work_rules_explanation() -> str:
    """How the late, flagged and backfilled columns count (shown, not scored)."""
    return _(
        "Late: work first handed in more than %(days)s days after the date it belongs to. Flagged as "
        "copied: the copy check found %(share)s%% or more of the text elsewhere. Backfilled: meetings "
        "whose records were entered after the fact. These columns are shown, not scored."
    ) % {"days": settings.WORK_LATE_AFTER_DAYS, "share": round(settings.WORK_COPY_FLAG_SCORE * 100)}


def group_figures(groups, *, year: int, period: str, today: date | None = None) -> list[dict]:
    """Every figure of every group of the queryset, in one query: a list of rows in tree order
    with ``group_id``, ``name``, ``organization`` and ``figures``."""
    rows = []
    queryset = annotate_figures(groups.select_related("organization"), year=year, period=period)
    for group in queryset.order_by("organization__path"):
        rows.append(
            {
                "group_id": group.pk,
                "name": group.name,
                "organization": group.organization.display_name,
                "figures": figures_of(group, year=year, period=period, today=today),
            }
        )
    return rows


def figures_for_group(group: StudyGroup, *, year: int, period: str, today: date | None = None) -> dict:
    rows = group_figures(StudyGroup.objects.filter(pk=group.pk), year=year, period=period, today=today)
    return rows[0]["figures"]


def rank(rows: list[dict]) -> list[dict]:
    """Set ``rank`` on each row by score (ties share a rank)."""
    ordered = sorted(rows, key=lambda r: -r["figures"]["score"])
    previous, position = None, 0
    for index, row in enumerate(ordered, start=1):
        if row["figures"]["score"] != previous:
            position, previous = index, row["figures"]["score"]
        row["rank"] = position
    return rows


def totals(rows: list[dict]) -> dict:
    keys = [
        "meetings", "discussions", "lectures", "reading_classes", "on_site", "online", "group_study",
        "attendance_rows", "attended", "first_agenda", "reflections", "notes", "research_reports", "articles",
        "lectures_given", "records_complete", "backfilled", "late_work", "copy_flagged", "observations", "rect_open",
        "rect_overdue", "rect_confirmed", "topics_planned", "topics_covered", "members",
    ]
    result = {key: sum(r["figures"].get(key) or 0 for r in rows) for key in keys}
    result["groups"] = len(rows)
    result["behind"] = sum(1 for r in rows if r["figures"]["behind"])
    result["attendance_rate"] = _percent(result["attended"], result["attendance_rows"])
    return result


# --- lists for one group ---------------------------------------------------------------------


def meetings_by_month(groups, *, year: int, period: str) -> list[list]:
    """[[month, held meetings], ...] across the groups: one query."""
    from django.db.models import Count
    from django.db.models.functions import ExtractMonth

    from sessions.models import Meeting

    start, end = bounds(year, period)
    counts = dict(
        Meeting.objects.filter(group__in=groups.values("pk"), status__in=HELD, starts_at__gte=start, starts_at__lt=end)
        .annotate(m=ExtractMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("m")
        .annotate(n=Count("pk"))
    )
    return [[m, counts.get(m, 0)] for m in period_months(period)]


def group_meetings(group: StudyGroup, *, year: int, period: str) -> list[dict]:
    """The group's held meetings of the period with their seven records: one query."""
    from sessions import selectors as meeting_selectors
    from sessions.models import Meeting

    start, end = bounds(year, period)
    meetings = meeting_selectors.meeting_list(
        Meeting.objects.filter(group=group, status__in=HELD, starts_at__gte=start, starts_at__lt=end)
    ).order_by("starts_at")
    rows = []
    for m in meeting_selectors.annotate_backfill(list(meetings)):
        rows.append(
            {
                "title": m.title,
                "date": timezone.localtime(m.starts_at).date().isoformat(),
                "kind": str(m.get_kind_display()),
                "records": [bool(getattr(m, r.key, False)) for r in meeting_selectors.SEVEN_RECORDS],
                "records_done": m.records_done,
                "records_applicable": m.records_applicable,
                "backfilled": m.is_backfilled,
                "attended": m.attended_count or 0,
                "missed": m.missed_count or 0,
            }
        )
    return rows


def uncovered_topics(group: StudyGroup, *, year: int, period: str) -> list[str]:
    """Titles of topics the plan placed in the period that no held meeting has covered."""
    from plans.models import ScheduleEntry, Topic
    from sessions.models import Meeting

    _, end = bounds(year, period)
    plan_id = StudyGroup.objects.filter(pk=group.pk).annotate(p=Subquery(_plan_for(year).values("pk")[:1])).values("p")
    covering = Meeting.topics.through.objects.filter(topic=OuterRef("pk"), meeting__status__in=HELD, meeting__starts_at__lt=end)
    topics = (
        Topic.objects.filter(plan__in=plan_id)
        .filter(Exists(ScheduleEntry.objects.filter(topic=OuterRef("pk"), month__in=period_months(period))))
        .exclude(Exists(covering))
        .order_by("position", "pk")
    )
    return [str(t) for t in topics]


def seven_record_labels() -> list[str]:
    from sessions import selectors as meeting_selectors

    return [str(r.label) for r in meeting_selectors.SEVEN_RECORDS]


def review_snapshot(group: StudyGroup, *, year: int, period: str) -> dict:
    """Everything a review shows that comes from the records; frozen on submission."""
    from members.work.selectors import online_study_summary, test_participation

    figures = figures_for_group(group, year=year, period=period)
    first_day, last_day = period_bounds(year, period)
    members = User.objects.filter(
        Exists(Membership.objects.filter(current_q(), group=group, user=OuterRef("pk")))
    ).only("pk", "name", "username").order_by("name")
    return {
        "figures": figures,
        "online_study": online_study_summary(members, first_day, last_day),
        "theory_tests": test_participation(StudyGroup.objects.filter(pk=group.pk), first_day, last_day),
        "meetings": group_meetings(group, year=year, period=period),
        "record_labels": seven_record_labels(),
        "uncovered_topics": uncovered_topics(group, year=year, period=period),
        "monthly": meetings_by_month(StudyGroup.objects.filter(pk=group.pk), year=year, period=period),
        "computed_at": timezone.now().isoformat(),
    }


# --- bulletin --------------------------------------------------------------------------------


def bulletin_groups(organization):
    """The groups a bulletin covers: active groups of the organisations below the issuer."""
    return StudyGroup.objects.filter(
        is_active=True,
        organization__path__startswith=organization.path,
        organization__depth__gt=organization.depth,
    )


# A draft bulletin covering more groups than this shows the worker's preview of its figures.
LIVE_GROUPS = 300


def bulletin_is_large(bulletin: Bulletin) -> bool:
    return bulletin_groups(bulletin.organization)[LIVE_GROUPS : LIVE_GROUPS + 1].exists()


def bulletin_readers(bulletin: Bulletin):
    """Who is told of an issued bulletin and reminded to read it: the leaders of the issuing
    organisation and of those below it, and the 组长 and study secretaries of the groups it
    covers; never the person who issued it. One lazy queryset."""
    from members.models import OrganizationAssignment, User

    leaders = OrganizationAssignment.objects.filter(
        current_q(), role=OrganizationAssignment.Role.LEADER,
        organization__path__startswith=bulletin.organization.path,
    ).values("user")
    heads = Membership.objects.filter(
        current_q(), role__in=[Membership.Role.LEADER, Membership.Role.SECRETARY],
        group__in=bulletin_groups(bulletin.organization).values("pk"),
    ).values("user")
    readers = User.objects.filter(Q(pk__in=leaders) | Q(pk__in=heads), is_active=True)
    if bulletin.issued_by_id:
        readers = readers.exclude(pk=bulletin.issued_by_id)
    return readers


def observation_findings(groups, *, year: int, period: str, limit: int = 30) -> list[dict]:
    from django.db.models import Count

    from sessions.models import Observation

    start, end = bounds(year, period)
    observations = (
        Observation.objects.filter(
            meeting__group__in=groups.values("pk"), meeting__starts_at__gte=start, meeting__starts_at__lt=end
        )
        .select_related("meeting__group__organization")
        .annotate(
            open_points=Count("points", filter=Q(points__answered_at__isnull=True), distinct=True),
            points_total=Count("points", distinct=True),
        )
        .order_by("meeting__starts_at", "pk")[:limit]
    )
    return [
        {
            "group": o.meeting.group.organization.display_name,
            "date": timezone.localtime(o.meeting.starts_at).date().isoformat(),
            "meeting": o.meeting.title,
            "score": o.score,
            "grade": str(o.get_grade_display()) if o.grade else "",
            "comments": o.comments,
            "points": o.points_total,
            "open_points": o.open_points,
        }
        for o in observations
    ]


def rectification_overview(groups, *, limit: int = 40) -> dict:
    """Status counts of the groups' rectification items and the overdue ones, two queries."""
    from django.db.models import Count

    items = RectificationItem.objects.filter(group__in=groups.values("pk"))
    counts = dict(items.order_by().values_list("status").annotate(n=Count("pk")))
    overdue = items.overdue().select_related("group__organization", "owner").order_by("deadline", "pk")[:limit]
    return {
        "counts": {status: counts.get(status, 0) for status in RectificationItem.Status.values},
        "overdue": [
            {
                "group": i.group.organization.display_name,
                "finding": i.finding,
                "owner": i.owner.name if i.owner else "",
                "deadline": i.deadline.isoformat(),
                "status": str(i.get_status_display()),
            }
            for i in overdue
        ],
    }


def bulletin_snapshot(bulletin: Bulletin, *, groups=None) -> dict:
    """The bulletin's table, totals, charts data, observation findings and rectification: a fixed
    number of queries whatever the number of groups."""
    from members.work.selectors import online_study_participation, test_participation

    groups = bulletin_groups(bulletin.organization) if groups is None else groups
    rows = rank(group_figures(groups, year=bulletin.year, period=bulletin.period))
    first_day, last_day = period_bounds(bulletin.year, bulletin.period)
    return {
        "rows": rows,
        "totals": totals(rows),
        "online_study": online_study_participation(groups, first_day, last_day),
        "theory_tests": test_participation(groups, first_day, last_day),
        "monthly": meetings_by_month(groups, year=bulletin.year, period=bulletin.period),
        "observations": observation_findings(groups, year=bulletin.year, period=bulletin.period),
        "rectification": rectification_overview(groups),
        "computed_at": timezone.now().isoformat(),
    }


# --- what changed since the snapshot ---------------------------------------------------------


def changes_since(frozen: dict, live: dict) -> list[dict]:
    """Figures whose live value differs from the frozen one."""
    changes = []
    for figure in FIGURES:
        before, now = frozen.get(figure.key), live.get(figure.key)
        if before != now:
            changes.append({"label": figure.label, "before": before, "now": now, "unit": figure.unit})
    return changes


# --- lists, dashboards and the home card -----------------------------------------------------


def reviews_for_list(queryset):
    return queryset.select_related("group__organization", "submitted_to", "read_by").order_by(
        "-year", "-period", "group__organization__path"
    )


def bulletins_for_list(queryset):
    # A province's frozen figures are megabytes of JSON: lists never read them.
    return queryset.select_related("organization", "issued_by").defer("figures", "preview").order_by("-year", "-period", "-pk")


def items_for_list(queryset):
    return queryset.select_related("group__organization", "owner", "inspection", "organization").order_by(
        "deadline", "pk"
    )


def inspections_for_list(queryset):
    from django.db.models import Count

    today = timezone.localdate()
    return (
        queryset.select_related("group__organization", "organization")
        .annotate(
            item_count=Count("items", distinct=True),
            open_count=Count(
                "items",
                filter=~Q(items__status=RectificationItem.Status.CONFIRMED),
                distinct=True,
            ),
            overdue_count=Count(
                "items",
                filter=Q(items__status__in=RectificationItem.OPEN_STATUSES, items__deadline__lt=today),
                distinct=True,
            ),
        )
        .order_by("-held_on", "-pk")
    )


def accounts_for_list(queryset):
    return queryset.select_related("group__organization", "submitted_to", "commented_by").order_by(
        "-year", "group__organization__path"
    )


def builds_of(document):
    return DocumentBuild.objects.for_document(document).order_by("-version")


def current_build(document) -> DocumentBuild | None:
    return DocumentBuild.objects.filter(
        kind=DocumentBuild.kind_of(document), object_id=document.pk, version=document.version
    ).first()


def waiting_to_read(user) -> dict:
    """Documents waiting for this user (a supervising leader or staff) to read: three queries."""
    reviews = HalfYearReview.objects.readable_as_supervisor_by(user).filter(status=HalfYearReview.Status.SUBMITTED)
    bulletins = (
        Bulletin.objects.visible_to(user)
        .filter(status=Bulletin.Status.ISSUED)
        .exclude(Exists(_read_by(user)))
        .exclude(issued_by=user)
    )
    accounts = StudyAccount.objects.commentable_by(user).filter(status=StudyAccount.Status.SUBMITTED)
    return {
        "reviews": list(reviews_for_list(reviews)[:20]),
        "bulletins": list(bulletins_for_list(bulletins)[:20]),
        "accounts": list(accounts_for_list(accounts)[:20]),
    }


def _read_by(user):
    from reports.models import BulletinRead

    return BulletinRead.objects.filter(bulletin=OuterRef("pk"), user=user)


def staff_todo(user) -> dict:
    """What needs doing for staff: reviews to write or submit, items to confirm or chase."""
    year, period = current_period()
    managed = scoping.managed_groups(user)
    previous_year, previous_period = (year, Period.FIRST_HALF) if period == Period.SECOND_HALF else (year - 1, Period.SECOND_HALF)
    missing_reviews = managed.filter(is_active=True).exclude(
        Exists(HalfYearReview.objects.filter(group=OuterRef("pk"), year=previous_year, period=previous_period).exclude(status=HalfYearReview.Status.DRAFT))
    )
    items = RectificationItem.objects.editable_by(user)
    to_confirm = items.filter(status=RectificationItem.Status.REPORTED)
    my_groups_items = RectificationItem.objects.answerable_by(user)
    return {
        "review_year": previous_year,
        "review_period": previous_period,
        "missing_review_count": missing_reviews.count(),
        "missing_reviews": list(missing_reviews.select_related("organization").order_by("organization__path")[:10]),
        "draft_reviews": list(reviews_for_list(HalfYearReview.objects.editable_by(user).filter(status=HalfYearReview.Status.DRAFT))[:10]),
        "draft_bulletins": list(bulletins_for_list(Bulletin.objects.editable_by(user).filter(status=Bulletin.Status.DRAFT))[:10]),
        "to_confirm": list(items_for_list(to_confirm)[:10]),
        "to_confirm_count": to_confirm.count(),
        "overdue": list(items_for_list(my_groups_items.overdue())[:10]),
        "overdue_count": my_groups_items.overdue().count(),
        "failed_builds": DocumentBuild.objects.filter(requested_by=user, status=DocumentBuild.Status.FAILED).count(),
    }


def dashboard(user, *, year: int, period: str, groups) -> dict:
    """The leaders' dashboard over a page of groups: figures per group in one query, totals
    over the whole subtree in one more, plus the overdue items and documents to read."""
    rows = group_figures(groups, year=year, period=period)
    overdue = items_for_list(RectificationItem.objects.visible_to(user).overdue())
    return {
        "rows": rows,
        "behind": [r for r in rows if r["figures"]["behind"]],
        "overdue": list(overdue[:20]),
        "overdue_count": overdue.count(),
        "waiting": waiting_to_read(user),
    }


def home_card(user) -> dict:
    """The home page card: a fixed number of queries."""
    roles = scoping.roles_of(user)
    card = {"is_leader": "leader" in roles, "is_staff": "staff" in roles}
    if card["is_leader"] or card["is_staff"]:
        card["waiting"] = waiting_to_read(user)
        card["waiting_count"] = sum(len(v) for v in card["waiting"].values())
    if card["is_staff"]:
        card["todo"] = staff_todo(user)
    if card["is_leader"]:
        year, period = current_period()
        readable = StudyGroup.objects.filter(
            is_active=True, organization__in=scoping.read_organizations(user).values("pk")
        )
        card["behind_count"] = behind_quota_count(readable, year=year, period=period)
        card["overdue_count"] = RectificationItem.objects.visible_to(user).overdue().count()
    return card


def behind_quota_count(groups, *, year: int, period: str) -> int:
    """Groups behind their plan's quota so far: one query (only the plan and meeting counts)."""
    from sessions.models import Meeting

    start, end = bounds(year, period)
    share = _period_share(year, period)
    elapsed = _elapsed(year, period, timezone.localdate())
    plans = _plan_for(year)
    held = Meeting.objects.filter(group=OuterRef("pk"), status__in=HELD, starts_at__gte=start, starts_at__lt=end)
    rows = groups.annotate(
        q=Subquery(plans.values("meetings_per_year")[:1]),
        qd=Subquery(plans.values("discussions_per_year")[:1]),
        n=_count(held),
        nd=_count(held.filter(kind="discussion")),
    ).values_list("q", "qd", "n", "nd")
    behind = 0
    for q, qd, n, nd in rows:
        if q is None or n < math.floor(math.ceil(q * share) * elapsed) or nd < math.floor(math.ceil(qd * share) * elapsed):
            behind += 1
    return behind


def group_section(group: StudyGroup, user) -> dict:
    """The reports section of a group's page: its reviews and its unresolved items."""
    items = RectificationItem.objects.visible_to(user).filter(group=group).unresolved()
    return {
        "reviews": list(HalfYearReview.objects.visible_to(user).filter(group=group).order_by("-year", "-period")[:6]),
        "items": list(items_for_list(items)[:20]),
        "overdue_count": items.overdue().count(),
    }


def own_group_ids(user) -> set[int]:
    """The groups that are the user's own in a bulletin: those they belong to and those of the
    organisations they are assigned to (one query)."""
    from members.models import OrganizationAssignment

    if not user.is_authenticated:
        return set()
    assigned = OrganizationAssignment.objects.filter(current_q(), user=user).values("organization")
    return set(
        StudyGroup.objects.filter(
            Q(Exists(Membership.objects.filter(current_q(), user=user, group=OuterRef("pk"))))
            | Q(organization__in=assigned)
        ).values_list("pk", flat=True)
    )


def accountable_groups(user):
    """Groups whose 述学 the user may write: the groups they manage, and those where they are
    组长 or 学习秘书."""
    writer = Membership.objects.filter(
        current_q(), user=user, group=OuterRef("pk"), role__in=[Membership.Role.LEADER, Membership.Role.SECRETARY]
    )
    return StudyGroup.objects.filter(
        Q(pk__in=scoping.managed_groups(user).values("pk")) | Q(Exists(writer))
    ).select_related("organization").order_by("organization__path")


def inspectable_groups(user):
    """Groups below an organisation the user manages (an organisation inspects those below it)."""
    from django.db.models.functions import Length, Substr

    manager_above = scoping.managed_organizations(user).filter(
        path=Substr(OuterRef("organization__path"), 1, Length("path")),
        depth__lt=OuterRef("organization__depth"),
    )
    return StudyGroup.objects.filter(Exists(manager_above)).select_related("organization").order_by("organization__path")


# --- what the user may do (for the views, which never touch managers) -----------------------


def observation_points_visible_to(user):
    from sessions.models import ObservationPoint

    return ObservationPoint.objects.visible_to(user).select_related("observation__meeting__group", "observation__organization")


def observation_points_trackable_by(user):
    """Open points of visits the user's organisations made, not yet on a rectification list."""
    from sessions.models import Observation, ObservationPoint

    return ObservationPoint.objects.open().filter(
        observation__in=Observation.objects.editable_by(user).values("pk"), rectification__isnull=True
    )


def build_document(build: DocumentBuild):
    return build.document_model.objects.get(pk=build.object_id)


def group_owners(group: StudyGroup):
    """Current members of the group, who may own a rectification item."""
    from members.models import User

    return User.objects.filter(
        pk__in=Membership.objects.filter(current_q(), group=group).values("user")
    ).order_by("name")
