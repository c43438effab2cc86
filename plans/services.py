"""Writes on plans. Each function takes keyword arguments, checks who may do it, validates with
``full_clean()``, runs in a transaction and records the acting user for the history.

Status: draft → submitted → approved (by the group's 组长, 书记审定) → published. A submitted
plan may go back to draft (withdrawn by staff or returned by the 组长 with a comment). An
approved or published plan is never edited in place: ``plan_revise`` starts a new revision
(a copy, draft) and keeps the earlier one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members import scoping
from members.models import Organization, StudyGroup, User
from plans.models import (
    AnnualPlan,
    CascadedTopic,
    NumberingStyle,
    PlanSection,
    ProposalCall,
    ScheduleEntry,
    Topic,
    TopicProposal,
    make_label,
)
from studygroup.mixins import require_perm
from studygroup.services import save_as, stamp

Status = AnnualPlan.Status

PLAN_FIELDS = (
    "title", "preamble", "numbering_style", "meetings_per_year", "discussions_per_year",
    "articles_per_member", "research_topics_per_half",
)
SECTION_FIELDS = ("heading", "text", "holds_topics")
TOPIC_FIELDS = ("label", "title", "description", "readings", "study_form")


# ---------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------


def _require_manager(by: User, group: StudyGroup) -> None:
    """Staff managing the group (``plans.manage_group_plans``, see plans/rules.py)."""
    require_perm(by, "plans.manage_group_plans", group)


def _move(plan: AnnualPlan, move: str) -> None:
    AnnualPlan.transitions.apply(plan, move)


def _require_editable(plan: AnnualPlan) -> None:
    if not plan.is_current:
        raise ValidationError(_("This is an earlier revision; change the current one."), code="not_current")
    AnnualPlan.transitions.require(plan, "edit")


# ---------------------------------------------------------------------------
# Content: sections, topics, schedule
# ---------------------------------------------------------------------------


def numbering_style_of(labels: list[str]) -> str:
    """The style that produces exactly these labels, or ``custom`` (imported labels are kept)."""
    labels = [label.strip() for label in labels]
    if not labels:
        return NumberingStyle.DI_ZHUANTI
    for style in NumberingStyle.values:
        if style == NumberingStyle.CUSTOM:
            continue
        expected = [make_label(style, n) for n in range(1, len(labels) + 1)]
        variants = {tuple(expected), tuple(e.replace("（", "(").replace("）", ")") for e in expected)}
        if tuple(labels) in variants or tuple(label.rstrip("：:") for label in labels) in variants:
            return style
    return NumberingStyle.CUSTOM


def _renumber(plan: AnnualPlan, by: User) -> None:
    if plan.numbering_style == NumberingStyle.CUSTOM:
        return
    for n, topic in enumerate(plan.topics.order_by("position", "pk"), start=1):
        label = make_label(plan.numbering_style, n)
        if topic.label != label:
            topic.label = label
            stamp(topic, by).save(update_fields=["label"])


def _sync_sections(plan: AnnualPlan, sections: list[dict], by: User) -> None:
    existing = {s.pk: s for s in plan.sections.all()}
    keep = set()
    for position, data in enumerate(sections):
        section = existing.get(data.get("id")) or PlanSection(plan=plan)
        for name in SECTION_FIELDS:
            if name in data:
                setattr(section, name, data[name])
        section.position = position
        save_as(section, by=by)
        keep.add(section.pk)
    for pk, section in existing.items():
        if pk not in keep:
            stamp(section, by).delete()


def _sync_months(topic: Topic, months: Iterable[int], by: User) -> None:
    months = {int(m) for m in months}
    entries = list(topic.schedule_entries.all())
    for entry in entries:
        if entry.month not in months:
            stamp(entry, by).delete()
    have = {e.month for e in entries}
    lead = topic.lead_members.order_by("pk").first()
    for month in sorted(months - have):
        save_as(ScheduleEntry(plan=topic.plan, topic=topic, month=month, study_form=topic.study_form, lead=lead), by=by)


def _sync_topics(plan: AnnualPlan, topics: list[dict], by: User) -> None:
    existing = {t.pk: t for t in plan.topics.all()}
    keep = set()
    for position, data in enumerate(topics):
        topic = existing.get(data.get("id")) or Topic(plan=plan)
        for name in TOPIC_FIELDS:
            if name in data and data[name] is not None:
                setattr(topic, name, data[name])
        topic.position = position
        if plan.numbering_style != NumberingStyle.CUSTOM:
            topic.label = make_label(plan.numbering_style, position + 1)
        save_as(topic, by=by, exclude=["cascaded_from"])
        if "lead_members" in data:
            topic.lead_members.set(data["lead_members"] or [])
        if data.get("months") is not None:
            _sync_months(topic, data["months"], by)
        keep.add(topic.pk)
    for pk, topic in existing.items():
        if pk not in keep:
            stamp(topic, by).delete()


@transaction.atomic
def plan_create(
    *,
    group: StudyGroup,
    year: int,
    title: str,
    by: User,
    sections: list[dict] | None = None,
    topics: list[dict] | None = None,
    **fields,
) -> AnnualPlan:
    """A new draft plan for a group and year (the group must not have one yet)."""
    _require_manager(by, group)
    if AnnualPlan.objects.filter(group=group, year=year, is_current=True).exists():
        raise ValidationError({"year": _("This group already has a plan for this year.")})
    plan = AnnualPlan(group=group, year=year, title=title, created_by=by, **fields)
    save_as(plan, by=by)
    _sync_sections(plan, sections or [], by)
    _sync_topics(plan, topics or [], by)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: AnnualPlan,
    by: User,
    sections: list[dict] | None = None,
    topics: list[dict] | None = None,
    **fields,
) -> AnnualPlan:
    """Change a draft: its fields, and when given the full ordered list of sections / topics
    (items with an ``id`` update that row, without one add a row, rows left out are removed)."""
    _require_manager(by, plan.group)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _require_editable(plan)
    for name, value in fields.items():
        if name not in PLAN_FIELDS:
            raise TypeError(f"plan_update() cannot set {name!r}")
        setattr(plan, name, value)
    save_as(plan, by=by)
    if sections is not None:
        _sync_sections(plan, sections, by)
    if topics is not None:
        _sync_topics(plan, topics, by)
    elif "numbering_style" in fields:
        _renumber(plan, by)
    return plan


@transaction.atomic
def schedule_update(*, plan: AnnualPlan, entries: list[dict], by: User) -> AnnualPlan:
    """Replace the 安排表 with these rows (topic, month, study_form, lead, speaker, note)."""
    _require_manager(by, plan.group)
    _require_editable(plan)
    existing = {e.pk: e for e in plan.schedule.all()}
    keep = set()
    for data in entries:
        if data["topic"].plan_id != plan.pk:
            raise ValidationError({"topic": _("Choose a topic of this plan.")})
        entry = existing.get(data.get("id")) or ScheduleEntry(plan=plan)
        for name in ("topic", "month", "study_form", "lead", "speaker", "note"):
            if name in data:
                setattr(entry, name, data[name] if data[name] is not None else getattr(entry, name))
        if "lead" in data:
            entry.lead = data["lead"]
        save_as(entry, by=by)
        keep.add(entry.pk)
    for pk, entry in existing.items():
        if pk not in keep:
            stamp(entry, by).delete()
    return plan


# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------


@transaction.atomic
def plan_submit(*, plan: AnnualPlan, by: User) -> AnnualPlan:
    """Staff hand the draft to the 组长 for approval."""
    _require_manager(by, plan.group)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    AnnualPlan.transitions.require(plan, "submit")
    if not plan.is_current:
        raise ValidationError(_("This is an earlier revision; change the current one."), code="not_current")
    if not plan.topics.exists():
        raise ValidationError(_("Add at least one topic before submitting the plan."), code="no_topics")
    _move(plan, "submit")
    plan.submitted_by, plan.submitted_at = by, timezone.now()
    plan.review_comment = ""
    return save_as(plan, by=by)


@transaction.atomic
def plan_withdraw(*, plan: AnnualPlan, by: User) -> AnnualPlan:
    """Staff take a submitted plan back to change it."""
    _require_manager(by, plan.group)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _move(plan, "withdraw")
    return save_as(plan, by=by)


@transaction.atomic
def plan_return(*, plan: AnnualPlan, by: User, comment: str) -> AnnualPlan:
    """The 组长 sends the plan back to the staff with what to change."""
    require_perm(by, "plans.review_plan", plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    AnnualPlan.transitions.require(plan, "return")
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be changed.")})
    _move(plan, "return")
    plan.review_comment = comment.strip()
    return save_as(plan, by=by)


@transaction.atomic
def plan_approve(*, plan: AnnualPlan, by: User, comment: str = "") -> AnnualPlan:
    """书记审定: only the group's 组长 approves; who and when are recorded."""
    require_perm(by, "plans.review_plan", plan)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    _move(plan, "approve")
    plan.approved_by, plan.approved_at = by, timezone.now()
    plan.review_comment = comment.strip()
    return save_as(plan, by=by)


@transaction.atomic
def plan_publish(*, plan: AnnualPlan, by: User) -> AnnualPlan:
    """Staff publish the approved plan to the group's members."""
    _require_manager(by, plan.group)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    AnnualPlan.transitions.require(plan, "publish")
    if not plan.is_current:
        raise ValidationError(_("This is an earlier revision; change the current one."), code="not_current")
    _move(plan, "publish")
    plan.published_by, plan.published_at = by, timezone.now()
    return save_as(plan, by=by)


# ---------------------------------------------------------------------------
# Revisions and copies
# ---------------------------------------------------------------------------


def _copy_content(source: AnnualPlan, target: AnnualPlan, by: User, *, keep_uids: bool, keep_links: bool) -> None:
    for section in source.sections.all():
        save_as(
            PlanSection(
                plan=target, position=section.position, heading=section.heading, text=section.text,
                holds_topics=section.holds_topics, **({"uid": section.uid} if keep_uids else {}),
            ),
            by=by,
        )
    topic_map = {}
    for topic in source.topics.prefetch_related("lead_members"):
        copy = Topic(
            plan=target, position=topic.position, label=topic.label, title=topic.title,
            description=topic.description, readings=topic.readings, study_form=topic.study_form,
            **({"uid": topic.uid} if keep_uids else {}),
        )
        if keep_links:
            copy.cascaded_from_id, copy.adopted_at = topic.cascaded_from_id, topic.adopted_at
        save_as(copy, by=by, exclude=["cascaded_from"])
        copy.lead_members.set(topic.lead_members.all())
        topic_map[topic.pk] = copy
    for entry in source.schedule.all():
        save_as(
            ScheduleEntry(
                plan=target, topic=topic_map[entry.topic_id], month=entry.month, study_form=entry.study_form,
                lead=entry.lead, speaker=entry.speaker, note=entry.note,
            ),
            by=by,
        )
    if keep_links:
        for proposal in TopicProposal.objects.filter(adopted_topic__plan=source):
            proposal.adopted_topic = topic_map[proposal.adopted_topic_id]
            stamp(proposal, by).save(update_fields=["adopted_topic"])


@transaction.atomic
def plan_revise(*, plan: AnnualPlan, by: User, note: str = "") -> AnnualPlan:
    """Start a new revision of an approved or published plan: a draft copy that becomes the
    current revision. The earlier revision stays as it was (members keep reading the published
    one until the new revision is published)."""
    _require_manager(by, plan.group)
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    AnnualPlan.transitions.require(plan, "revise")
    if not plan.is_current:
        raise ValidationError(_("This is an earlier revision; change the current one."), code="not_current")
    plan.is_current = False
    stamp(plan, by).save(update_fields=["is_current"])
    revision = AnnualPlan(
        group=plan.group, year=plan.year, revision=plan.revision + 1, previous=plan, created_by=by,
        change_note=note.strip(), copied_from=plan.copied_from,
        **{name: getattr(plan, name) for name in PLAN_FIELDS},
    )
    save_as(revision, by=by)
    _copy_content(plan, revision, by, keep_uids=True, keep_links=True)
    return revision


@transaction.atomic
def plan_copy(*, source: AnnualPlan, by: User, year: int | None = None, group: StudyGroup | None = None) -> AnnualPlan:
    """Copy a plan (usually last year's) as the draft of another year's plan."""
    group = group or source.group
    year = year or source.year + 1
    _require_manager(by, group)
    if AnnualPlan.objects.filter(group=group, year=year, is_current=True).exists():
        raise ValidationError({"year": _("This group already has a plan for this year.")})
    title = source.title.replace(str(source.year), str(year)) if str(source.year) in source.title else source.title
    plan = AnnualPlan(
        group=group, year=year, created_by=by, copied_from=source,
        **{name: getattr(source, name) for name in PLAN_FIELDS if name != "title"}, title=title,
    )
    save_as(plan, by=by)
    _copy_content(source, plan, by, keep_uids=False, keep_links=False)
    return plan


def _editable_plan_for(group: StudyGroup, year: int, by: User) -> AnnualPlan:
    """The group's current plan for the year, ready to take a topic: a draft is used as it is,
    an approved or published plan gets a new revision, a missing one is created."""
    plan = AnnualPlan.objects.filter(group=group, year=year, is_current=True).first()
    if plan is None:
        return plan_create(
            group=group, year=year, by=by,
            title=_("%(group)s %(year)s annual study plan") % {"group": group.name, "year": year},
        )
    if plan.status == Status.SUBMITTED:
        raise ValidationError(
            _("The plan is waiting for approval; withdraw it before adding topics."), code="submitted"
        )
    if plan.is_locked:
        return plan_revise(plan=plan, by=by, note=_("A topic was added."))
    return plan


def _append_topic(plan: AnnualPlan, by: User, **values) -> Topic:
    last = plan.topics.aggregate(last=Max("position"))["last"]
    position = 0 if last is None else last + 1
    topic = Topic(plan=plan, position=position, **values)
    if plan.numbering_style != NumberingStyle.CUSTOM:
        topic.label = make_label(plan.numbering_style, plan.topics.count() + 1)
    save_as(topic, by=by, exclude=["cascaded_from"])
    return topic


@transaction.atomic
def plan_import(*, group: StudyGroup, by: User, parsed: dict, year: int | None = None, title: str = "") -> AnnualPlan:
    """A draft plan from a parsed document (``ParsedPlan.to_dict()``), labels kept as written."""
    topics = parsed.get("topics") or []
    style = numbering_style_of([t.get("label", "") for t in topics])
    sections = [
        {"heading": s["heading"][:100], "text": s.get("text", ""), "holds_topics": _holds_topics(s["heading"])}
        for s in parsed.get("sections") or []
    ]
    return plan_create(
        group=group, by=by,
        year=year or parsed.get("year") or timezone.localdate().year,
        title=(title or parsed.get("title") or "")[:200] or _("Annual study plan"),
        preamble=parsed.get("preamble") or "",
        numbering_style=style,
        sections=sections,
        topics=[
            {"label": (t.get("label") or "")[:20], "title": (t.get("title") or "")[:300] or (t.get("label") or "?"),
             "description": t.get("description") or ""}
            for t in topics
        ],
    )


def _holds_topics(heading: str) -> bool:
    from plans.importer import CONTENT_KEYWORDS

    return any(word in heading for word in CONTENT_KEYWORDS)


# ---------------------------------------------------------------------------
# 上下同题: cascaded topics
# ---------------------------------------------------------------------------


def subordinate_groups(group: StudyGroup):
    """Study groups of the organisations below the group's own (any depth)."""
    org = group.organization
    return StudyGroup.objects.filter(
        organization__path__startswith=org.path, organization__depth__gt=org.depth, is_active=True
    )


@transaction.atomic
def cascade_create(*, topic: Topic, month: int, by: User, note: str = "") -> CascadedTopic:
    """Hand one of the plan's topics down to the groups below for a month."""
    plan = topic.plan
    _require_manager(by, plan.group)
    if not plan.is_locked:
        raise ValidationError(_("Only topics of an approved or published plan can be handed down."))
    if CascadedTopic.objects.filter(topic__uid=topic.uid, topic__plan__group=plan.group,
                                    topic__plan__year=plan.year, month=month).exists():
        raise ValidationError({"month": _("This topic is already handed down for that month.")})
    return save_as(CascadedTopic(topic=topic, month=month, note=note.strip(), cascaded_by=by), by=by)


@transaction.atomic
def cascade_adopt(*, cascade: CascadedTopic, group: StudyGroup, by: User) -> Topic:
    """A group below takes the cascaded topic up into its own plan of that year, in one step:
    the topic is copied, linked to its source and placed in the cascade's month."""
    _require_manager(by, group)
    source = cascade.topic
    if not subordinate_groups(source.plan.group).filter(pk=group.pk).exists():
        raise ValidationError({"group": _("This group is not below the group that handed the topic down.")})
    year = source.plan.year
    if Topic.objects.filter(plan__group=group, plan__year=year, plan__is_current=True, cascaded_from=cascade).exists():
        raise ValidationError({"group": _("This group has already taken up this topic.")})
    plan = _editable_plan_for(group, year, by)
    topic = _append_topic(
        plan, by, title=source.title, description=source.description, readings=source.readings,
        study_form=source.study_form, cascaded_from=cascade, adopted_at=timezone.now(),
    )
    save_as(ScheduleEntry(plan=plan, topic=topic, month=cascade.month, study_form=source.study_form,
                        note=_("Same topic as %(group)s") % {"group": source.plan.group.organization.display_name}), by=by)
    return topic


# ---------------------------------------------------------------------------
# 议题征集: calls and proposals
# ---------------------------------------------------------------------------


@transaction.atomic
def call_open(*, group: StudyGroup, year: int, title: str, deadline: date, by: User, description: str = "") -> ProposalCall:
    _require_manager(by, group)
    call = ProposalCall(group=group, year=year, title=title, description=description, deadline=deadline, opened_by=by)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    return save_as(call, by=by)


def proposing_units(user: User, call: ProposalCall):
    """Units the user may propose for: the organisations they manage at or below the group's."""
    return scoping.managed_organizations(user).filter(path__startswith=call.group.organization.path)


@transaction.atomic
def proposal_submit(
    *,
    call: ProposalCall,
    by: User,
    title: str,
    reason: str,
    description: str = "",
    on_behalf_of: Organization | None = None,
) -> TopicProposal:
    require_perm(by, "plans.propose_topic", call)
    if not call.is_open:
        raise ValidationError(_("The call closed on %(date)s.") % {"date": date_format(call.deadline, "DATE_FORMAT")})
    if on_behalf_of is not None and not proposing_units(by, call).filter(pk=on_behalf_of.pk).exists():
        raise ValidationError({"on_behalf_of": _("You can only propose for units you manage.")})
    proposal = TopicProposal(
        call=call, proposed_by=by, title=title.strip(), reason=reason.strip(), description=description.strip(),
        on_behalf_of=on_behalf_of,
    )
    return save_as(proposal, by=by)


@transaction.atomic
def proposal_adopt(*, proposal: TopicProposal, by: User) -> Topic:
    """Take the proposal into the group's plan of the call's year, as a linked topic."""
    call = proposal.call
    _require_manager(by, call.group)
    proposal = TopicProposal.objects.select_for_update().get(pk=proposal.pk)
    TopicProposal.transitions.require(proposal, "adopt")
    plan = _editable_plan_for(call.group, call.year, by)
    topic = _append_topic(
        plan, by, title=proposal.title, description=proposal.description or proposal.reason,
        adopted_at=timezone.now(),
    )
    TopicProposal.transitions.apply(proposal, "adopt")
    proposal.adopted_topic = topic
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    save_as(proposal, by=by)
    return topic


@transaction.atomic
def proposal_decline(*, proposal: TopicProposal, by: User, reason: str) -> TopicProposal:
    """Decline with a reason the proposer sees."""
    _require_manager(by, proposal.call.group)
    proposal = TopicProposal.objects.select_for_update().get(pk=proposal.pk)
    TopicProposal.transitions.require(proposal, "decline")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the proposer a reason.")})
    TopicProposal.transitions.apply(proposal, "decline")
    proposal.decision_reason = reason.strip()
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    return save_as(proposal, by=by)
