"""Reads on members' own work shared by pages, exports and reports. Each runs a fixed number of
queries whatever the amount of work (lists, the review queue, a member's figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import scoping
from members.models import Membership, StudyGroup, current_q
from members.work.models import (
    COUNTED_ARTICLE_LEVELS,
    FieldVisit,
    MemberWork,
    ResearchTopic,
    SimilarityCheck,
    WorkKind,
    WorkStatus,
    late_condition,
)

OPEN_STATUSES = [WorkStatus.DRAFT, WorkStatus.SUBMITTED, WorkStatus.RETURNED, WorkStatus.ACCEPTED]


def _latest_check(field: str):
    return Subquery(
        SimilarityCheck.objects.filter(work=OuterRef("pk")).order_by("-checked_at", "-pk").values(field)[:1]
    )


def with_check(queryset):
    """Annotate the latest copy check: ``copy_score``, ``copy_label``, ``copy_check_id``."""
    return queryset.annotate(
        copy_score=_latest_check("score"),
        copy_label=_latest_check("closest_label"),
        copy_check_id=_latest_check("pk"),
    )


def work_for_list(queryset):
    """Work with what a list row shows, in one query."""
    return with_check(
        queryset.select_related("group", "author", "meeting", "topic", "research_topic", "reviewed_by")
        .with_late()
    ).order_by("-created_at", "-pk")


def work_detail(queryset):
    return with_check(
        queryset.select_related(
            "group__organization", "author", "meeting", "topic__plan", "research_topic", "reviewed_by"
        ).with_late()
    ).prefetch_related(
        "topics", Prefetch("field_visits", queryset=FieldVisit.objects.order_by("visited_on", "pk"))
    )


def latest_check(work: MemberWork) -> SimilarityCheck | None:
    return work.similarity_checks.select_related("closest_work__author").order_by("-checked_at", "-pk").first()


def review_queue(group: StudyGroup, user):
    """Submitted work of ``group`` the user may review, oldest first, with its latest check."""
    checks = SimilarityCheck.objects.select_related("closest_work").order_by("-checked_at", "-pk")
    return (
        with_check(
            MemberWork.objects.reviewable_by(user)
            .filter(group=group, status=WorkStatus.SUBMITTED)
            .select_related("group", "author", "meeting", "topic", "research_topic")
            .with_late()
        )
        .prefetch_related(Prefetch("similarity_checks", queryset=checks, to_attr="checks"))
        .order_by("submitted_at", "pk")
    )


def review_counts(user, *, limit: int | None = None) -> list[dict]:
    """For reviewers: each group with work waiting, and how many (one query). With ``limit``:
    the groups with most work waiting, for a card that must stay short."""
    rows = (
        MemberWork.objects.reviewable_by(user)
        .filter(status=WorkStatus.SUBMITTED)
        .values("group", "group__name")
        .annotate(waiting=Count("pk"))
    )
    if limit is None:
        return list(rows.order_by("group__name"))
    return list(rows.order_by("-waiting", "group__name")[:limit])


def my_groups(user):
    return (
        StudyGroup.objects.filter(
            Exists(Membership.objects.filter(current_q(), user=user, group=OuterRef("pk")))
        )
        .select_related("organization")
        .order_by("organization__path")
    )


def plan_for(group: StudyGroup, year: int):
    """The plan whose quotas apply: the published revision in force, else the current draft."""
    from plans.models import AnnualPlan

    plans = AnnualPlan.objects.filter(group=group, year=year)
    return plans.in_force().first() or plans.filter(is_current=True).first()


@dataclass
class Figure:
    label: str
    done: int
    target: int | None = None
    pending: int = 0
    late: int = 0

    @property
    def percent(self) -> int:
        if not self.target:
            return 100 if self.done else 0
        return min(100, round(100 * self.done / self.target))

    @property
    def met(self) -> bool:
        return self.target is not None and self.done >= self.target


def member_figures(user, group: StudyGroup, year: int) -> dict:
    """A member's figures for a year in a group, against the plan's quotas (a few queries)."""
    from sessions.models import Attendance, Meeting

    work = MemberWork.objects.filter(author=user, group=group, year=year)
    late = Q(late_condition())
    accepted, submitted = Q(status=WorkStatus.ACCEPTED), Q(status=WorkStatus.SUBMITTED)
    counted_articles = Q(kind=WorkKind.ARTICLE, level__in=COUNTED_ARTICLE_LEVELS)
    research = Q(kind=WorkKind.RESEARCH)
    c = work.aggregate(
        reflections=Count("pk", filter=accepted & Q(kind=WorkKind.REFLECTION)),
        reflections_pending=Count("pk", filter=submitted & Q(kind=WorkKind.REFLECTION)),
        reflections_late=Count("pk", filter=Q(kind=WorkKind.REFLECTION) & late & (accepted | submitted)),
        notes=Count("pk", filter=accepted & Q(kind=WorkKind.NOTE)),
        notes_pending=Count("pk", filter=submitted & Q(kind=WorkKind.NOTE)),
        published=Count("pk", filter=accepted & (counted_articles | research)),
        published_pending=Count("pk", filter=submitted & (counted_articles | research)),
        articles=Count("pk", filter=accepted & Q(kind=WorkKind.ARTICLE)),
        research=Count("pk", filter=accepted & research),
        lectures=Count("pk", filter=accepted & Q(kind=WorkKind.LECTURE)),
        lectures_pending=Count("pk", filter=submitted & Q(kind=WorkKind.LECTURE)),
        late=Count("pk", filter=late & ~Q(status=WorkStatus.WITHDRAWN)),
        self_study_plans=Count("pk", filter=Q(kind=WorkKind.SELF_STUDY_PLAN) & (accepted | submitted)),
    )
    attended = Attendance.objects.filter(
        user=user, meeting__group=group, meeting__starts_at__year=year,
        status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
    ).exclude(meeting__status=Meeting.Status.CANCELLED).count()
    plan = plan_for(group, year)
    figures = [
        Figure(_("Reflections (for meetings attended)"), c["reflections"], attended, c["reflections_pending"], c["reflections_late"]),
        Figure(
            _("Published articles (city level and above) and research reports"),
            c["published"], plan.articles_per_member if plan else None, c["published_pending"],
        ),
        Figure(_("Study notes"), c["notes"], None, c["notes_pending"]),
        Figure(_("Lectures given"), c["lectures"], None, c["lectures_pending"]),
    ]
    return {
        "group": group, "year": year, "plan": plan, "figures": figures, "counts": c,
        "attended": attended, "has_self_study_plan": c["self_study_plans"] > 0,
    }


def due_for(user, *, today=None) -> dict:
    """What the member owes: reflections for meetings attended, make-up study, this year's
    self-study plan (a few queries)."""
    from sessions.models import Attendance, Meeting

    today = today or timezone.localdate()
    due_days = timedelta(days=settings.REFLECTION_DUE_DAYS)
    written = MemberWork.objects.filter(
        author=user, meeting=OuterRef("meeting"), kind=WorkKind.REFLECTION
    ).exclude(status=WorkStatus.WITHDRAWN)
    reflections = list(
        Attendance.objects.filter(
            user=user, status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
            meeting__ends_at__lte=timezone.now(), meeting__starts_at__year__gte=today.year - 1,
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .exclude(Exists(written))
        .select_related("meeting__group")
        .order_by("meeting__starts_at")
    )
    for attendance in reflections:
        attendance.due_on = timezone.localdate(attendance.meeting.starts_at) + due_days
        attendance.overdue = attendance.due_on < today
    makeup = list(
        Attendance.objects.owing_makeup().filter(user=user).select_related("meeting__group").order_by("meeting__starts_at")
    )
    groups = list(my_groups(user))
    with_plan = set(
        MemberWork.objects.filter(
            author=user, kind=WorkKind.SELF_STUDY_PLAN, year=today.year
        ).exclude(status=WorkStatus.WITHDRAWN).values_list("group_id", flat=True)
    )
    return {
        "reflections": reflections,
        "makeup": makeup,
        "self_study_plans": [g for g in groups if g.pk not in with_plan],
        "total": len(reflections) + len(makeup) + len([g for g in groups if g.pk not in with_plan]),
    }


def my_open_work(user):
    """The member's drafts and returned work, most recent first."""
    return (
        MemberWork.objects.filter(author=user, status__in=[WorkStatus.DRAFT, WorkStatus.RETURNED])
        .select_related("group", "meeting", "reviewed_by")
        .order_by("-updated_at")
    )


def my_submitted(user, year: int):
    return work_for_list(
        MemberWork.objects.filter(author=user, year=year, status__in=[WorkStatus.SUBMITTED, WorkStatus.ACCEPTED])
    )[:20]


HOME_REVIEW_GROUPS = 8


def home_work(user) -> dict:
    """The home page card: what is due, what was returned, what waits for review."""
    groups = list(my_groups(user))
    returned = list(
        MemberWork.objects.filter(author=user, status=WorkStatus.RETURNED).select_related("reviewed_by")[:5]
    )
    due = due_for(user) if groups else {"total": 0}
    # A province's staff review thousands of groups: the card names the busiest few and counts
    # the rest, from one count by group id (read from the index of waiting work; grouping by
    # name too sorted a province's 250,000 waiting texts on disk), then the few groups' names.
    waiting = dict(
        MemberWork.objects.reviewable_by(user).filter(status=WorkStatus.SUBMITTED).order_by()
        .values_list("group").annotate(n=Count("pk")).values_list("group", "n")
    )
    busiest = sorted(waiting, key=lambda group: (-waiting[group], group))[:HOME_REVIEW_GROUPS]
    names = dict(StudyGroup.objects.filter(pk__in=busiest).values_list("pk", "name"))
    to_review = [{"group": group, "group__name": names.get(group, ""), "waiting": waiting[group]} for group in busiest]
    return {"is_member": bool(groups), "due": due, "returned": returned, "to_review": to_review,
            "review_more_groups": len(waiting) - len(to_review), "review_total": sum(waiting.values())}


def group_year_work(group: StudyGroup, year: int, user, *, accepted_only: bool = False):
    """A group's submitted and accepted work of a year that the user may read, for exports
    (only the accepted pieces with ``accepted_only``: what a compilation prints by default)."""
    statuses = [WorkStatus.ACCEPTED] if accepted_only else [WorkStatus.SUBMITTED, WorkStatus.ACCEPTED]
    return (
        MemberWork.objects.visible_to(user)
        .filter(group=group, year=year, status__in=statuses)
        .select_related("author", "meeting", "topic", "research_topic", "reviewed_by")
        .with_late()
        .prefetch_related(Prefetch("field_visits", queryset=FieldVisit.objects.order_by("visited_on")))
        .order_by("kind", "occurred_on", "author__name", "pk")
    )


def research_topics_for(group: StudyGroup, year: int):
    return ResearchTopic.objects.filter(group=group, year=year).annotate(report_count=Count("reports"))


def meetings_with_notes_q(meeting_ref="pk") -> Exists:
    """有笔记: members who attended the meeting have notes or reflections linked to it (not
    drafts, not withdrawn). Used by ``sessions.selectors.notes_present``."""
    from sessions.models import Attendance

    attended = Attendance.objects.filter(
        meeting=OuterRef("meeting"), user=OuterRef("author"),
        status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
    )
    return Exists(
        MemberWork.objects.filter(
            meeting=OuterRef(meeting_ref), kind__in=[WorkKind.NOTE, WorkKind.REFLECTION],
            status__in=[WorkStatus.SUBMITTED, WorkStatus.ACCEPTED, WorkStatus.RETURNED],
        ).filter(Exists(attended))
    )


def visible_groups_for_filters(user):
    return scoping.visible_groups(user).select_related("organization").order_by("organization__path")


def people_for_filters(user):
    from members.models import User

    return User.objects.visible_to(user).order_by("name")


def review_queue_item(pk: int) -> MemberWork:
    """One row of the review queue after a decision (the htmx response)."""
    checks = SimilarityCheck.objects.select_related("closest_work").order_by("-checked_at", "-pk")
    item = (
        with_check(
            MemberWork.objects.filter(pk=pk)
            .select_related("group", "author", "meeting", "topic", "research_topic", "reviewed_by")
            .with_late()
        )
        .prefetch_related(Prefetch("similarity_checks", queryset=checks, to_attr="checks"))
        .get()
    )
    item.check = item.checks[0] if item.checks else None
    return item


def form_choices(user, group=None) -> dict:
    """What the work form chooses from: the member's groups, their recent meetings, the topics
    of their plans in force, their groups' research topics."""
    from datetime import timedelta

    from plans.models import AnnualPlan, Topic
    from sessions.models import Meeting

    groups = my_groups(user)
    group_ids = [group.pk] if group else groups.values("pk")
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(group__in=group_ids, starts_at__gte=timezone.now() - timedelta(days=400))
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-starts_at")
    )
    topics = (
        Topic.objects.visible_to(user)
        .filter(plan__group__in=group_ids, plan__in=AnnualPlan.objects.in_force().values("pk"))
        .select_related("plan")
        .order_by("-plan__year", "position")
    )
    research_topics = ResearchTopic.objects.visible_to(user).filter(group__in=group_ids).order_by("-year", "title")
    return {"groups": groups, "meetings": meetings, "topics": topics, "research_topics": research_topics}


def topics_for_filters(user):
    from plans.models import Topic

    return Topic.objects.visible_to(user).select_related("plan").order_by("-plan__year", "position")


def latest_compilation(group: StudyGroup, year: int, *, all_pieces: bool):
    """The newest compilation build of the group's year (None before the first)."""
    from members.work.models import CompilationBuild

    return (
        CompilationBuild.objects.filter(group=group, year=year, all_pieces=all_pieces)
        .order_by("-requested_at", "-pk").first()
    )


# --- online-platform study ---------------------------------------------------------------------


def online_study_of(person, year: int) -> list[dict]:
    """A person's months on each platform in a year, with the total (one query)."""
    from members.work.models import OnlinePlatform, OnlineStudyRecord

    rows: dict[str, dict] = {}
    for record in OnlineStudyRecord.objects.filter(person=person, period__year=year).order_by("platform", "period"):
        entry = rows.setdefault(record.platform, {
            "platform": record.platform, "label": OnlinePlatform(record.platform).label,
            "measure": record.get_measure_display(), "months": [], "total": 0, "recorded_at": record.recorded_at,
        })
        entry["months"].append((record.period, record.value))
        entry["total"] += record.value
        entry["recorded_at"] = max(entry["recorded_at"], record.recorded_at)
    return list(rows.values())


def online_study_summary(people, first_day, last_day) -> list[dict]:
    """For a set of people (a group's members) over a period: per platform, how many took part,
    the rate, the median of their totals, and those with none. Evidence, not a ranking (one query)."""
    from statistics import median

    from django.db.models import Sum

    from members.work.models import OnlineMeasure, OnlinePlatform, OnlineStudyRecord

    people = list(people)
    totals: dict[str, dict[int, float]] = {platform: {} for platform in OnlinePlatform.values}
    measures: dict[str, str] = {}
    for row in (OnlineStudyRecord.objects.filter(person__in=[p.pk for p in people], period__gte=first_day.replace(day=1),
                                                 period__lte=last_day)
                .values("platform", "person_id", "measure").annotate(total=Sum("value"))):
        totals[row["platform"]][row["person_id"]] = float(row["total"])
        measures[row["platform"]] = str(OnlineMeasure(row["measure"]).label)
    summary = []
    for platform in OnlinePlatform:
        values = totals[platform.value]
        if not values:
            continue
        taking_part = [value for value in values.values() if value > 0]
        summary.append({
            "platform": platform.value, "label": str(platform.label),
            "measure": measures.get(platform.value, ""),
            "members": len(people), "participants": len(taking_part),
            "rate": round(100.0 * len(taking_part) / len(people), 1) if people else None,
            "median": round(median(taking_part), 1) if taking_part else 0,
            "none": [person.get_full_name() for person in people if not values.get(person.pk)],
        })
    return summary


def online_study_participation(groups, first_day, last_day) -> list[dict]:
    """Across groups (a bulletin's): per platform, how many of their current members took part
    in the period and the rate. Two counts a platform, whatever the number of people."""
    from members.models import Membership, User, current_q
    from members.work.models import OnlinePlatform, OnlineStudyRecord

    members = User.objects.filter(
        Exists(Membership.objects.filter(current_q(), group__in=groups.values("pk"), user=OuterRef("pk")))
    )
    total = None
    rows = []
    for platform in OnlinePlatform:
        taking_part = members.filter(Exists(OnlineStudyRecord.objects.filter(
            person=OuterRef("pk"), platform=platform.value, value__gt=0,
            period__gte=first_day.replace(day=1), period__lte=last_day,
        ))).count()
        if not taking_part:
            continue
        total = members.count() if total is None else total
        rows.append({
            "platform": platform.value, "label": str(platform.label), "participants": taking_part, "members": total,
            "rate": round(100.0 * taking_part / total, 1) if total else None,
        })
    return rows


# --- a member's study record (个人学习档案) -------------------------------------------------------

HELD_MEETINGS = ("held", "archived")


def study_record(person, year: int) -> dict:
    """One member's year of study, for the annual evaluation (年度考核): meetings and how they
    were attended (make-ups done), their accepted work with its late and copy flags, articles by
    level, lectures, online study, each quota met or not, with the dates the records were
    written. A fixed number of queries."""
    from sessions.models import Attendance

    from members.work.models import ArticleLevel

    attendance = list(
        Attendance.objects.filter(user=person, meeting__starts_at__year=year, meeting__status__in=HELD_MEETINGS)
        .select_related("meeting__group").order_by("meeting__starts_at", "pk")
    )
    counts = {status: 0 for status in Attendance.Status.values}
    for row in attendance:
        counts[row.status] += 1
    missed = [row for row in attendance if row.status in (Attendance.Status.LEAVE, Attendance.Status.ABSENT)]
    work = list(
        with_check(MemberWork.objects.filter(author=person, year=year, status=WorkStatus.ACCEPTED).with_late())
        .select_related("group", "reviewed_by").order_by("kind", "occurred_on", "pk")
    )
    for piece in work:
        piece.copy_flagged = (piece.copy_score or 0) >= settings.WORK_COPY_FLAG_SCORE
    by_kind: dict[str, list] = {}
    for piece in work:
        by_kind.setdefault(piece.kind, []).append(piece)
    articles_by_level = [
        (str(label), sum(1 for piece in by_kind.get(WorkKind.ARTICLE, []) if piece.level == level))
        for level, label in ArticleLevel.choices
    ]
    groups = list(my_groups(person)) if person.is_active else []
    quotas = [member_figures(person, group, year) for group in groups]
    return {
        "person": person, "year": year,
        "attendance": attendance,
        "counts": {
            "meetings": len(attendance), "present": counts[Attendance.Status.PRESENT], "late": counts[Attendance.Status.LATE],
            "leave": counts[Attendance.Status.LEAVE], "absent": counts[Attendance.Status.ABSENT],
            "makeup_done": sum(1 for row in missed if row.makeup_confirmed_at), "makeup_owed": sum(1 for row in missed if not row.makeup_confirmed_at),
            "reflections": len(by_kind.get(WorkKind.REFLECTION, [])), "notes": len(by_kind.get(WorkKind.NOTE, [])),
            "research": len(by_kind.get(WorkKind.RESEARCH, [])), "articles": len(by_kind.get(WorkKind.ARTICLE, [])),
            "lectures": len(by_kind.get(WorkKind.LECTURE, [])),
            "late_work": sum(1 for piece in work if piece.late), "copy_flagged": sum(1 for piece in work if piece.copy_flagged),
        },
        "work": work,
        "articles_by_level": articles_by_level,
        "online_study": online_study_of(person, year),
        "tests": tests_of(person, year),
        "quotas": quotas,
    }


def study_record_rows(group, year: int) -> list[dict]:
    """A row per current member of a group for the annual evaluation export: the same figures
    as ``study_record``, for every member in a fixed number of queries."""
    from django.db.models import DecimalField, Sum

    from sessions.models import Attendance

    from members.models import Membership, User, current_q
    from members.work.models import OnlinePlatform, OnlineStudyRecord
    from studygroup.queries import count_subquery

    person = OuterRef("pk")
    attendance = Attendance.objects.filter(user=person, meeting__starts_at__year=year, meeting__status__in=HELD_MEETINGS)
    accepted = MemberWork.objects.filter(author=person, year=year, status=WorkStatus.ACCEPTED)
    annotations = {
        "a_meetings": count_subquery(attendance),
        "a_present": count_subquery(attendance.filter(status=Attendance.Status.PRESENT)),
        "a_late": count_subquery(attendance.filter(status=Attendance.Status.LATE)),
        "a_leave": count_subquery(attendance.filter(status=Attendance.Status.LEAVE)),
        "a_absent": count_subquery(attendance.filter(status=Attendance.Status.ABSENT)),
        "a_makeup_done": count_subquery(attendance.filter(status__in=["leave", "absent"], makeup_confirmed_at__isnull=False)),
        "w_late": count_subquery(accepted.filter(late_condition())),
    }
    for kind in (WorkKind.REFLECTION, WorkKind.NOTE, WorkKind.RESEARCH, WorkKind.ARTICLE, WorkKind.LECTURE):
        annotations[f"w_{kind}"] = count_subquery(accepted.filter(kind=kind))
    from django.db.models import Avg, ExpressionWrapper, F, FloatField

    from members.work.models import TestAttempt

    handed_in = TestAttempt.objects.filter(person=person, submitted_at__isnull=False, test__opens_at__year=year, max_score__gt=0)
    from django.db.models import Count, IntegerField, Value
    from django.db.models.functions import Coalesce

    annotations["t_tests"] = Coalesce(Subquery(
        handed_in.order_by().values("person").annotate(n=Count("test", distinct=True)).values("n")[:1],
        output_field=IntegerField(),
    ), Value(0))
    annotations["t_average"] = Subquery(
        handed_in.order_by().values("person").annotate(
            average=Avg(ExpressionWrapper(F("score") * 100.0 / F("max_score"), output_field=FloatField()))
        ).values("average")[:1], output_field=FloatField(),
    )
    for platform in OnlinePlatform.values:
        annotations[f"o_{platform}"] = Subquery(
            OnlineStudyRecord.objects.filter(person=person, platform=platform, period__year=year)
            .order_by().values("person").annotate(total=Sum("value")).values("total")[:1],
            output_field=DecimalField(),
        )
    members = (
        User.objects.filter(Exists(Membership.objects.filter(current_q(), group=group, user=OuterRef("pk"))))
        .select_related("organization").annotate(**annotations).order_by("name", "pk")
    )
    return list(members)


# --- theory tests (考学) --------------------------------------------------------------------------


def attempt_paper(attempt) -> list[dict]:
    """The attempt's questions as the member sees them: options in their shuffled order with the
    letter shown and the original letter the form posts, the answer given and the marks."""
    from members.work.models import Question
    from members.work.questions import LETTERS

    questions = {q.pk: q for q in Question.objects.filter(pk__in=[item["q"] for item in attempt.questions])}
    paper = []
    for number, item in enumerate(attempt.questions, start=1):
        question = questions[item["q"]]
        answer = attempt.answers.get(str(question.pk))
        options = [
            {"shown": LETTERS[position], "value": LETTERS[original], "text": question.options[original],
             "chosen": bool(answer) and isinstance(answer, str) and LETTERS[original] in answer,
             "right": isinstance(question.answer, str) and LETTERS[original] in question.answer}
            for position, original in enumerate(item["order"]) if original < len(question.options)
        ]
        blanks = len(question.answer) if question.kind == "blank" else 0
        given_blanks = list(answer or []) + [""] * blanks if question.kind == "blank" else []
        paper.append({
            "number": number, "question": question, "points": item["points"], "options": options, "answer": answer,
            "blanks": given_blanks[:blanks], "mark": attempt.marks.get(str(question.pk)),
            "shown_answer": "".join(option["shown"] for option in options if option["right"]),
        })
    return paper


def test_results(test) -> dict:
    """A test's results: per member (their best handed-in attempt), per group (participation and
    average score), per question (correct rate, the wrong option chosen most). A fixed number of
    queries; the per-question figures read the handed-in attempts once."""
    from collections import Counter, defaultdict

    from members.models import Membership, current_q
    from members.work.models import Question, TestAttempt

    attempts = list(
        TestAttempt.objects.filter(test=test, submitted_at__isnull=False).select_related("person", "group")
        .order_by("person_id", "-score", "number")
    )
    best: dict[int, object] = {}
    for attempt in attempts:
        best.setdefault(attempt.person_id, attempt)
    seats = (
        Membership.objects.filter(current_q(), group__in=test.groups.all(), user__is_active=True)
        .select_related("user", "group").order_by("group__name", "user__name")
    )
    groups = defaultdict(lambda: {"members": 0, "took": 0, "scores": []})
    people = []
    seen = set()
    for seat in seats:
        row = groups[seat.group]
        row["members"] += 1
        attempt = best.get(seat.user_id)
        if attempt is not None:
            row["took"] += 1
            if attempt.score is not None:
                row["scores"].append(float(attempt.score))
        if seat.user_id not in seen:
            seen.add(seat.user_id)
            people.append({"person": seat.user, "group": seat.group, "attempt": attempt})
    per_group = [
        {"group": group, "members": row["members"], "took": row["took"],
         "rate": round(100.0 * row["took"] / row["members"], 1) if row["members"] else None,
         "average": round(sum(row["scores"]) / len(row["scores"]), 1) if row["scores"] else None}
        for group, row in groups.items()
    ]
    counted = list(best.values())
    answered, right, wrong = Counter(), Counter(), defaultdict(Counter)
    for attempt in counted:  # one pass: a thousand attempts of a hundred questions stay quick
        for item in attempt.questions:
            key = str(item["q"])
            answered[item["q"]] += 1
            mark = attempt.marks.get(key)
            if mark is not None and float(mark["points"]) >= float(item["points"]):
                right[item["q"]] += 1
            elif mark is not None and isinstance(attempt.answers.get(key), str):
                wrong[item["q"]][attempt.answers[key]] += 1
    questions = {q.pk: q for q in Question.objects.filter(pk__in=list(answered))}
    per_question = []
    for pk in sorted(answered):
        question = questions[pk]
        choices = [(given, n) for given, n in wrong[pk].most_common() if isinstance(given, str) and given] \
            if question.kind in ("single", "multiple") else []
        per_question.append({
            "question": question, "answered": answered[pk], "right": right[pk],
            "rate": round(100.0 * right[pk] / answered[pk], 1), "most_wrong": choices[0][0] if choices else "",
        })
    scores = [float(a.score) for a in counted if a.score is not None]
    return {
        "people": people, "groups": per_group, "questions": per_question,
        "took": len(counted), "members": len(seen),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "to_mark": sum(1 for attempt in attempts if attempt.needs_marking),
    }


def my_attempts(test, user) -> list:
    from members.work.models import TestAttempt

    return list(TestAttempt.objects.filter(test=test, person=user).order_by("number"))


def test_participation(groups, first_day, last_day) -> list[dict]:
    """Per group that had theory tests opening in the period: the tests, how many of its members
    handed one in, the rate, and the average score as a percentage of the full marks. A fixed
    number of queries whatever the number of groups (for the review and the bulletin)."""
    from django.db.models import Avg, Count, ExpressionWrapper, F, FloatField

    from members.models import Membership, current_q
    from members.work.models import TestAttempt, TheoryTest

    start = timezone.make_aware(datetime.combine(first_day, time.min))
    end = timezone.make_aware(datetime.combine(last_day, time.max))
    group_ids = list(groups.values_list("pk", flat=True)) if hasattr(groups, "values_list") else [g.pk for g in groups]
    tests = (
        TheoryTest.groups.through.objects.filter(
            studygroup_id__in=group_ids, theorytest__status__in=["published", "closed"],
            theorytest__opens_at__gte=start, theorytest__opens_at__lte=end,
        ).values("studygroup_id").annotate(n=Count("theorytest_id", distinct=True))
    )
    tests = {row["studygroup_id"]: row["n"] for row in tests}
    if not tests:
        return []
    percent = ExpressionWrapper(F("score") * 100.0 / F("max_score"), output_field=FloatField())
    taken = {
        row["group_id"]: row for row in TestAttempt.objects.filter(
            group_id__in=list(tests), submitted_at__isnull=False, max_score__gt=0,
            test__opens_at__gte=start, test__opens_at__lte=end,
        ).values("group_id").annotate(took=Count("person", distinct=True), average=Avg(percent))
    }
    members = {
        row["group_id"]: row["n"] for row in Membership.objects.filter(current_q(), group_id__in=list(tests))
        .values("group_id").annotate(n=Count("user", distinct=True))
    }
    names = dict(StudyGroup.objects.filter(pk__in=list(tests)).values_list("pk", "name"))
    rows = []
    for group_id in sorted(tests, key=lambda pk: names.get(pk, "")):
        took = taken.get(group_id, {}).get("took", 0)
        average = taken.get(group_id, {}).get("average")
        rows.append({
            "group": names.get(group_id, ""), "tests": tests[group_id], "members": members.get(group_id, 0), "took": took,
            "rate": round(100.0 * took / members[group_id], 1) if members.get(group_id) else None,
            "average": round(average, 1) if average is not None else None,
        })
    return rows


def tests_of(person, year: int) -> list:
    """A person's handed-in attempts of a year, the best of each test (for the study record)."""
    from members.work.models import TestAttempt

    best = {}
    for attempt in (TestAttempt.objects.filter(person=person, submitted_at__isnull=False, test__opens_at__year=year)
                    .select_related("test").order_by("test_id", "-score", "number")):
        best.setdefault(attempt.test_id, attempt)
    return sorted(best.values(), key=lambda attempt: attempt.submitted_at)
