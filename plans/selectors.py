"""Reads of plans that views, exports and later reports share. Each runs a fixed number of
queries whatever the number of topics, entries or plans."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from members import scoping
from members.models import Membership, StudyGroup, User, current_q
from studygroup.queries import count_subquery
from plans.models import (
    MONTHS,
    AnnualPlan,
    CascadedTopic,
    PlanSection,
    ProposalCall,
    ScheduleEntry,
    StudyForm,
    Topic,
    TopicProposal,
    months_label,
)

Status = AnnualPlan.Status


# ---------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------


def plans_for_list(queryset):
    """Plans with their group and counts, one query."""
    return (
        # The approver is fetched for the page's plans: joined, every person was read before sorting.
        queryset.select_related("group__organization")
        .prefetch_related("approved_by")
        .annotate(topic_count=count_subquery(Topic.objects.filter(plan=OuterRef("pk"))))
        .order_by("-year", "group__organization__path", "-revision")
    )


def plans_shown_by_default(queryset):
    """The current revision of each plan and, where it differs, the revision in force."""
    in_force = AnnualPlan.objects.in_force().values("pk")
    return queryset.filter(Q(is_current=True) | Q(pk__in=in_force))


def group_plans(group: StudyGroup, user: User):
    return plans_for_list(plans_shown_by_default(AnnualPlan.objects.visible_to(user).filter(group=group)))


def plans_awaiting_approval(user: User):
    """Submitted plans of groups whose 组长 the user is."""
    leads = Membership.objects.filter(current_q(), user=user, role=Membership.Role.LEADER).values("group")
    return plans_for_list(AnnualPlan.objects.filter(status=Status.SUBMITTED, group__in=leads))


def home_plans(user: User) -> dict:
    """What the home page shows about plans, in a fixed number of queries."""
    mine = Membership.objects.filter(current_q(), user=user).values("group")
    in_force = plans_for_list(AnnualPlan.objects.in_force().filter(group__in=mine))[:10]
    managed = scoping.managed_groups(user).values("pk")
    in_progress = plans_for_list(
        AnnualPlan.objects.filter(group__in=managed, is_current=True).exclude(status=Status.PUBLISHED)
    )[:10]
    return {
        "awaiting": list(plans_awaiting_approval(user)[:10]),
        "in_force": list(in_force),
        "in_progress": list(in_progress),
    }


# ---------------------------------------------------------------------------
# One plan as a document
# ---------------------------------------------------------------------------


@dataclass
class QuotaLine:
    label: str
    quota: int
    planned: int | None  # None: not something the schedule can count

    @property
    def short(self) -> bool:
        return self.planned is not None and self.planned < self.quota


def quota_lines(plan: AnnualPlan, entries: list) -> list[QuotaLine]:
    discussion = sum(1 for e in entries if e.study_form == StudyForm.DISCUSSION)
    meetings = sum(1 for e in entries if e.study_form != StudyForm.ONLINE)
    return [
        QuotaLine(_("Group meetings a year"), plan.meetings_per_year, meetings),
        QuotaLine(_("Thematic discussions a year"), plan.discussions_per_year, discussion),
        QuotaLine(_("Published articles or research reports per member"), plan.articles_per_member, None),
        QuotaLine(_("Research topics per half year"), plan.research_topics_per_half, None),
    ]


def calendar(entries: list) -> list[tuple[int, str, list]]:
    by_month = defaultdict(list)
    for entry in entries:
        by_month[entry.month].append(entry)
    return [(month, label, by_month.get(month, [])) for month, label in MONTHS]


def plan_document(plan: AnnualPlan) -> dict:
    """Everything the plan's page, print view, PDF, Word and Excel show. Five queries."""
    sections = list(plan.sections.all())
    topics = list(
        plan.topics.select_related("cascaded_from__topic__plan__group__organization").prefetch_related(
            Prefetch("lead_members", queryset=User.objects.order_by("name"))
        )
    )
    entries = list(plan.schedule.select_related("topic", "lead").order_by("month", "topic__position", "pk"))
    months = defaultdict(list)
    for entry in entries:
        if entry.month not in months[entry.topic_id]:
            months[entry.topic_id].append(entry.month)
    for topic in topics:
        topic.planned_months = sorted(months.get(topic.pk, []))
        topic.leads = list(topic.lead_members.all())
    return document_context(plan, sections, topics, entries)


def document_context(plan, sections, topics, entries) -> dict:
    """The document from lists (also used for the preview of unsaved changes)."""
    holder = next((s for s in sections if s.holds_topics), None)
    return {
        "plan": plan,
        "sections": sections,
        "topics": topics,
        "entries": entries,
        "topics_after": holder,
        "calendar": calendar(entries),
        "quotas": quota_lines(plan, entries),
    }


def plan_revisions(plan: AnnualPlan, user: User):
    """The revisions of the plan's group and year that the user may read."""
    return (
        AnnualPlan.objects.visible_to(user).filter(group=plan.group_id, year=plan.year)
        .select_related("approved_by", "created_by")
        .order_by("-revision")
    )


def plan_cascades(plan: AnnualPlan):
    """Cascades issued from this plan's topics (any revision), with how many groups took them up."""
    taken = Topic.objects.filter(cascaded_from=OuterRef("pk"), plan__is_current=True)
    return (
        CascadedTopic.objects.filter(topic__plan__group=plan.group_id, topic__plan__year=plan.year)
        .select_related("topic")
        .annotate(uptake=Subquery(
            taken.order_by().values("cascaded_from").annotate(n=Count("plan__group", distinct=True)).values("n")[:1]
        ))
        .order_by("month", "topic__position")
    )


# ---------------------------------------------------------------------------
# Differences between revisions
# ---------------------------------------------------------------------------


def inline_diff(old: str, new: str) -> str:
    """Character-level difference, marked with <del> and <ins> (Chinese has no word breaks)."""
    old, new = old or "", new or ""
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(old[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(old[i1:i2])}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(out))


def value_diff(old, new) -> str:
    """Short values (numbers, choices, month lists) replaced whole; long text diffed inline."""
    old, new = str(old or ""), str(new or "")
    if max(len(old), len(new)) > 24:
        return inline_diff(old, new)
    return mark_safe(
        (f"<del>{escape(old)}</del> " if old else "") + (f"<ins>{escape(new)}</ins>" if new else "")
    )


@dataclass
class ItemChange:
    kind: str  # added | removed | changed
    name: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (field label, diff html)
    moved: bool = False


def _compare(old_items, new_items, fields, name_of) -> list[ItemChange]:
    old_by_uid = {item.uid: item for item in old_items}
    new_uids = {item.uid for item in new_items}
    old_order = [i.uid for i in old_items if i.uid in new_uids]
    new_order = [i.uid for i in new_items if i.uid in old_by_uid]
    changes = []
    for item in new_items:
        before = old_by_uid.get(item.uid)
        if before is None:
            changes.append(ItemChange("added", name_of(item)))
            continue
        diffs = [
            (label, value_diff(getter(before), getter(item)))
            for label, getter in fields
            if getter(before) != getter(item)
        ]
        moved = old_order.index(item.uid) != new_order.index(item.uid)
        if diffs or moved:
            changes.append(ItemChange("changed", name_of(item), diffs, moved))
    for item in old_items:
        if item.uid not in new_uids:
            changes.append(ItemChange("removed", name_of(item)))
    return changes


def _schedule_rows(entries) -> set:
    return {
        (e.topic.uid, e.month, e.get_study_form_display(), str(e.lead or e.speaker or ""))
        for e in entries
    }


def plan_diff(old: AnnualPlan, new: AnnualPlan) -> dict:
    """What changed from one revision to another: plan fields, sections, topics, schedule."""
    old_doc, new_doc = plan_document(old), plan_document(new)
    plan_fields = [
        (AnnualPlan._meta.get_field(name).verbose_name, name)
        for name in ("title", "preamble", "numbering_style", "meetings_per_year", "discussions_per_year",
                     "articles_per_member", "research_topics_per_half")
    ]
    def shown(plan, name):
        display = getattr(plan, f"get_{name}_display", None)
        return display() if display else getattr(plan, name)

    field_changes = [
        (label, value_diff(shown(old, name), shown(new, name)))
        for label, name in plan_fields
        if getattr(old, name) != getattr(new, name)
    ]
    sections = _compare(
        old_doc["sections"], new_doc["sections"],
        [(_("heading"), lambda s: s.heading), (_("text"), lambda s: s.text)],
        lambda s: s.heading,
    )
    topics = _compare(
        old_doc["topics"], new_doc["topics"],
        [
            (_("number"), lambda t: t.label), (_("title"), lambda t: t.title),
            (_("description"), lambda t: t.description), (_("readings"), lambda t: t.readings),
            (_("study form"), lambda t: t.get_study_form_display()),
            (_("months"), lambda t: months_label(t.planned_months)),
            (_("lead members"), lambda t: "、".join(str(u) for u in t.leads)),
        ],
        lambda t: f"{t.label} {t.title}".strip(),
    )
    titles = {t.uid: f"{t.label} {t.title}".strip() for t in old_doc["topics"] + new_doc["topics"]}
    before, after = _schedule_rows(old_doc["entries"]), _schedule_rows(new_doc["entries"])
    schedule = [("removed", titles.get(r[0], ""), *r[1:]) for r in sorted(before - after, key=lambda r: (r[1], str(r)))]
    schedule += [("added", titles.get(r[0], ""), *r[1:]) for r in sorted(after - before, key=lambda r: (r[1], str(r)))]
    return {
        "old": old,
        "new": new,
        "fields": field_changes,
        "sections": sections,
        "topics": topics,
        "schedule": schedule,
        "unchanged": not (field_changes or sections or topics or schedule),
    }


# ---------------------------------------------------------------------------
# 上下同题
# ---------------------------------------------------------------------------


def cascade_uptake(cascade: CascadedTopic) -> list[dict]:
    """Each group below the source group: whether, when and into which plan it took the topic up."""
    from plans.services import subordinate_groups

    source_group = cascade.topic.plan.group
    adopted = Topic.objects.filter(
        cascaded_from=cascade, plan__group=OuterRef("pk"), plan__is_current=True
    ).order_by("adopted_at")
    groups = (
        subordinate_groups(source_group)
        .select_related("organization")
        .annotate(
            adopted_at=Subquery(adopted.values("adopted_at")[:1]),
            adopted_plan=Subquery(adopted.values("plan")[:1]),
            adopted_plan_status=Subquery(adopted.values("plan__status")[:1]),
        )
        .order_by("organization__path")
    )
    status_labels = dict(Status.choices)
    return [
        {
            "group": g,
            "adopted_at": g.adopted_at,
            "plan_id": g.adopted_plan,
            "plan_status": status_labels.get(g.adopted_plan_status, ""),
        }
        for g in groups
    ]


def cascades_for_subordinate_staff(user: User) -> list[dict]:
    """Cascaded topics the user may take up, each with the user's groups below its source and
    whether each has taken it up. Three queries."""
    cascades = list(
        CascadedTopic.objects.for_subordinates_of(user)
        .filter(topic__plan__status__in=[Status.APPROVED, Status.PUBLISHED])
        .select_related("topic__plan__group__organization")
        .order_by("-topic__plan__year", "month", "pk")
    )
    groups = list(scoping.managed_groups(user).filter(is_active=True).select_related("organization"))
    taken = set(
        Topic.objects.filter(cascaded_from__in=[c.pk for c in cascades], plan__is_current=True,
                             plan__group__in=[g.pk for g in groups])
        .values_list("cascaded_from", "plan__group")
    )
    rows = []
    for cascade in cascades:
        source_org = cascade.topic.plan.group.organization
        below = [
            g for g in groups
            if g.organization.path.startswith(source_org.path) and g.organization.depth > source_org.depth
        ]
        rows.append({
            "cascade": cascade,
            "groups": [(g, (cascade.pk, g.pk) in taken) for g in below],
        })
    return rows


def cascades_watched_by(user: User):
    """Cascades whose source plan the user reads (the groups below see only their own side)."""
    return CascadedTopic.objects.filter(topic__plan__in=AnnualPlan.objects.visible_to(user).values("pk"))


def cascades_issued_by(user: User):
    """Cascades from groups the user manages (they watch the uptake)."""
    return (
        CascadedTopic.objects.filter(topic__plan__group__in=scoping.managed_groups(user).values("pk"))
        .select_related("topic__plan__group")
        .order_by("-topic__plan__year", "month", "pk")
    )


# ---------------------------------------------------------------------------
# 议题征集
# ---------------------------------------------------------------------------


def calls_for_list(queryset):
    return queryset.select_related("group__organization").annotate(
        proposal_count=Count("proposals", distinct=True),
        pending_count=Count("proposals", filter=Q(proposals__status=TopicProposal.Status.PENDING), distinct=True),
    )


def call_proposals(call: ProposalCall, user: User):
    return (
        TopicProposal.objects.visible_to(user)
        .filter(call=call)
        .select_related("call", "proposed_by", "on_behalf_of", "decided_by", "adopted_topic__plan")
        .order_by("status", "-created_at")
    )


def my_proposals(user: User):
    return (
        TopicProposal.objects.filter(proposed_by=user)
        .select_related("call__group", "decided_by", "adopted_topic")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------------------
# 月计划
# ---------------------------------------------------------------------------


def monthly_plan(group: StudyGroup, year: int, month: int, user: User) -> dict:
    """What the group plans for one month: the schedule rows of its plan for the year (the
    current revision for those who see it, else the one in force). Meetings join in a later
    issue."""
    visible = AnnualPlan.objects.visible_to(user).filter(group=group, year=year)
    plan = plans_shown_by_default(visible).order_by("-is_current", "-revision").first()
    entries = []
    if plan is not None:
        entries = list(
            ScheduleEntry.objects.filter(plan=plan, month=month)
            .select_related("topic__cascaded_from__topic__plan__group__organization", "lead")
            .prefetch_related("topic__lead_members")
            .order_by("topic__position", "pk")
        )
    return {"group": group, "year": year, "month": month, "plan": plan, "entries": entries}


def plan_sections(plan: AnnualPlan):
    return PlanSection.objects.filter(plan=plan).order_by("position", "pk")


def group_members_for_leads(group: StudyGroup):
    """Current members of the group, to choose lead speakers from."""
    return User.objects.filter(
        Exists(Membership.objects.filter(current_q(), group=group, user=OuterRef("pk")))
    ).order_by("name")


def latest_plan_of(group: StudyGroup, user: User):
    return AnnualPlan.objects.visible_to(user).filter(group=group).order_by("-year", "-revision").first()

