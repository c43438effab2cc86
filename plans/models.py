"""Annual study plans (年度学习计划): topics (专题), the schedule table (安排表), topic proposals
(议题征集) and topics handed down the hierarchy (上下同题).

Business rules live in ``plans.services``; this module holds fields, constraints, small
properties and the scoped querysets.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from members.models import Membership, current_q
from members.scoping import GroupScopedQuerySet, managed_organizations, read_organizations, visible_groups
from studygroup.numbering import cn_number
from studygroup.transitions import Move, Transitions


def month_name(month: int) -> str:
    return _("Month %(month)s") % {"month": month}


def months_label(months) -> str:
    """Months as a list people read, in the active language: 3月、5月 / Month 3, Month 5."""
    return pgettext("between the items of a list", ", ").join(str(month_name(m)) for m in months)


MONTHS = [(m, lazy(month_name, str)(m)) for m in range(1, 13)]


class NumberingStyle(models.TextChoices):
    """How a plan numbers its topics; ``custom`` keeps the labels as written (or imported)."""

    DI_ZHUANTI = "di_zhuanti", "第一专题、第二专题…"
    ZHUANTI_N = "zhuanti_n", "专题一、专题二…"
    CN_PAREN = "cn_paren", "（一）（二）…"
    CN_DUN = "cn_dun", "一、二、…"
    ARABIC = "arabic", "1. 2. …"
    CUSTOM = "custom", _("As written (keep each label)")


def make_label(style: str, n: int) -> str:
    return {
        NumberingStyle.DI_ZHUANTI: f"第{cn_number(n)}专题",
        NumberingStyle.ZHUANTI_N: f"专题{cn_number(n)}",
        NumberingStyle.CN_PAREN: f"（{cn_number(n)}）",
        NumberingStyle.CN_DUN: f"{cn_number(n)}、",
        NumberingStyle.ARABIC: f"{n}.",
    }.get(style, "")


class StudyForm(models.TextChoices):
    GROUP_STUDY = "group_study", _("Group study")
    DISCUSSION = "discussion", _("Thematic discussion")
    LECTURE = "lecture", _("Expert lecture")
    READING_CLASS = "reading_class", _("Reading class")
    ON_SITE = "on_site", _("On-site teaching")
    ONLINE = "online", _("Online study")


def _group_leader_of(user, group_ref: str) -> Exists:
    """The user is the 组长 (a current membership with role leader) of the referenced group."""
    return Exists(
        Membership.objects.filter(
            current_q(), user=user, group=OuterRef(group_ref), role=Membership.Role.LEADER
        )
    )


def _anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


class AnnualPlanQuerySet(GroupScopedQuerySet):
    group_lookup = "group"

    def visible_to(self, user):
        """Staff and leaders read every plan of their tree; the 组长 also sees a plan once it is
        submitted (to approve it); other members see only published plans of their groups."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        reads_all = Q(group__organization__in=read_organizations(user).values("pk"))
        in_group = Q(group__in=visible_groups(user).values("pk"))
        published = Q(status=AnnualPlan.Status.PUBLISHED)
        leader_sees = Q(status__in=[AnnualPlan.Status.SUBMITTED, AnnualPlan.Status.APPROVED]) & _group_leader_of(
            user, "group"
        )
        return self.filter(reads_all | (in_group & (published | leader_sees)))

    def current(self):
        return self.filter(is_current=True)

    def in_force(self):
        """Published revisions not replaced by a later published revision: what members follow."""
        later = AnnualPlan.objects.filter(
            group=OuterRef("group"),
            year=OuterRef("year"),
            revision__gt=OuterRef("revision"),
            status=AnnualPlan.Status.PUBLISHED,
        )
        return self.filter(status=AnnualPlan.Status.PUBLISHED).exclude(Exists(later))


class AnnualPlan(models.Model):
    """One study group's plan for one year. Revisions keep the earlier text: a changed approved
    plan is a new row (``previous`` points back); only one row per group and year is current."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", pgettext_lazy("plan approval", "Approved")
        PUBLISHED = "published", _("Published")

    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="plans", verbose_name=_("study group")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    preamble = models.TextField(_("preamble"), blank=True)
    numbering_style = models.CharField(
        _("topic numbering"), max_length=20, choices=NumberingStyle.choices, default=NumberingStyle.DI_ZHUANTI
    )

    meetings_per_year = models.PositiveSmallIntegerField(
        _("group meetings a year"), default=12, validators=[MaxValueValidator(100)],
        help_text=_("At least this many group study meetings in the year."),
    )
    discussions_per_year = models.PositiveSmallIntegerField(
        _("thematic discussions a year"), default=4, validators=[MaxValueValidator(100)],
        help_text=_("Of the meetings, at least this many thematic discussions."),
    )
    articles_per_member = models.PositiveSmallIntegerField(
        _("articles or research reports per member"), default=2, validators=[MaxValueValidator(20)],
        help_text=_("Published articles or research reports each member writes in the year."),
    )
    research_topics_per_half = models.PositiveSmallIntegerField(
        _("research topics per half year"), default=2, validators=[MaxValueValidator(20)]
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    is_current = models.BooleanField(_("current revision"), default=True)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_revision",
        verbose_name=_("previous revision"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
        verbose_name=_("copied from"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=pgettext_lazy("plan approval", "approved by"),
    )
    approved_at = models.DateTimeField(pgettext_lazy("plan approval", "approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    review_comment = models.TextField(_("comment from the review"), blank=True)
    change_note = models.TextField(_("reason for the revision"), blank=True)

    history = HistoricalRecords()
    objects = AnnualPlanQuerySet.as_manager()

    # The moves the status allows (studygroup.transitions): services apply them, rules ask them.
    transitions = Transitions({
        "edit": Move([Status.DRAFT], None, _(
            "Only a draft can be edited. Start a new revision of an approved plan, or withdraw a submitted one.")),
        "submit": Move([Status.DRAFT], Status.SUBMITTED, _("A plan that is “%(status)s” cannot be submitted.")),
        "withdraw": Move([Status.SUBMITTED], Status.DRAFT, _("A plan that is “%(status)s” cannot be withdrawn.")),
        "return": Move([Status.SUBMITTED], Status.DRAFT, _("A plan that is “%(status)s” cannot be returned.")),
        "approve": Move([Status.SUBMITTED], Status.APPROVED, _("A plan that is “%(status)s” cannot be approved.")),
        "publish": Move([Status.APPROVED], Status.PUBLISHED, _("A plan that is “%(status)s” cannot be published.")),
        "revise": Move([Status.APPROVED, Status.PUBLISHED], None, _("A plan that is “%(status)s” cannot be revised.")),
    })

    class Meta:
        verbose_name = _("annual study plan")
        verbose_name_plural = _("annual study plans")
        ordering = ["-year", "group__organization__path", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year"],
                condition=Q(is_current=True),
                name="one_current_plan_per_group_and_year",
                violation_error_message=_("This group already has a plan for this year."),
            ),
            models.UniqueConstraint(
                fields=["group", "year", "revision"], name="one_plan_revision_number_per_group_and_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="plan_year_in_range"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="plan_revision_from_one"),
        ]

    def __str__(self):
        return self.title or f"{self.group} {self.year}"

    def get_absolute_url(self):
        return reverse("plans:plan-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        """Only drafts are edited in place; an approved plan is changed by a new revision."""
        return self.status == self.Status.DRAFT and self.is_current

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.PUBLISHED)


class PlanSection(models.Model):
    """A narrative section of the plan document (指导思想, 目标要求, 学习形式, 保障措施…)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("plan"))
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    heading = models.CharField(_("heading"), max_length=100)
    text = models.TextField(_("text"), blank=True)
    holds_topics = models.BooleanField(
        _("the topics follow this section"), default=False,
        help_text=_("The topics are printed after this section's text (学习内容)."),
    )

    history = HistoricalRecords()

    class GroupScoped(GroupScopedQuerySet):
        group_lookup = "plan__group"

    objects = GroupScoped.as_manager()

    class Meta:
        verbose_name = _("plan section")
        verbose_name_plural = _("plan sections")
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return self.heading


class PlanPartQuerySet(GroupScopedQuerySet):
    """Parts of a plan (its topics, its schedule's rows): seen by whoever sees the plan."""

    group_lookup = "plan__group"

    def visible_to(self, user):
        return self.filter(plan__in=AnnualPlan.objects.visible_to(user).values("pk"))


class Topic(models.Model):
    """A themed topic (专题) of a plan."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="topics", verbose_name=_("plan"))
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    label = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    readings = models.TextField(_("readings"), blank=True, help_text=_("Texts to read first, one a line."))
    study_form = models.CharField(
        _("study form"), max_length=20, choices=StudyForm.choices, default=StudyForm.GROUP_STUDY
    )
    lead_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_topics", verbose_name=_("lead members")
    )
    cascaded_from = models.ForeignKey(
        "CascadedTopic", on_delete=models.PROTECT, null=True, blank=True, related_name="adoptions",
        verbose_name=_("same topic as"),
    )
    adopted_at = models.DateTimeField(_("taken up at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[lead_members])
    objects = PlanPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return f"{self.label} {self.title}".strip()

    def get_absolute_url(self):
        return f"{self.plan.get_absolute_url()}#topic-{self.pk}"


class ScheduleEntry(models.Model):
    """A row of the 学习计划安排表: a topic in a month, how it is studied and who leads."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="schedule", verbose_name=_("plan"))
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="schedule_entries", verbose_name=_("topic")
    )
    month = models.PositiveSmallIntegerField(_("month"), choices=MONTHS)
    study_form = models.CharField(
        _("study form"), max_length=20, choices=StudyForm.choices, default=StudyForm.GROUP_STUDY
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("lead speaker"),
    )
    speaker = models.CharField(
        _("guest speaker"), max_length=100, blank=True, help_text=_("An expert from outside the group.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = PlanPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("schedule entry")
        verbose_name_plural = _("schedule entries")
        ordering = ["plan", "month", "topic__position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="schedule_month_1_to_12"),
        ]

    def __str__(self):
        return f"{self.get_month_display()} · {self.topic}"


class CascadedTopicQuerySet(GroupScopedQuerySet):
    group_lookup = "topic__plan__group"

    def for_subordinates_of(self, user):
        """Cascades from groups above a group the user manages: what they may take up."""
        above = managed_organizations(user).filter(
            path__startswith=OuterRef("topic__plan__group__organization__path")
        ).exclude(path=OuterRef("topic__plan__group__organization__path"))
        return self.filter(Exists(above))

    def visible_to(self, user):
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(topic__plan__in=AnnualPlan.objects.visible_to(user).values("pk"))
            | Q(pk__in=CascadedTopic.objects.for_subordinates_of(user).values("pk"))
        )


class CascadedTopic(models.Model):
    """上下同题: a supervising group hands one of its topics down for a month."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="cascades", verbose_name=_("topic"))
    month = models.PositiveSmallIntegerField(_("month"), choices=MONTHS)
    note = models.TextField(_("note to the groups below"), blank=True)
    cascaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
        verbose_name=_("handed down by"),
    )
    cascaded_at = models.DateTimeField(_("handed down at"), default=timezone.now)

    history = HistoricalRecords()
    objects = CascadedTopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("cascaded topic")
        verbose_name_plural = _("cascaded topics")
        ordering = ["-cascaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "month"], name="one_cascade_per_topic_and_month"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="cascade_month_1_to_12"),
        ]

    def __str__(self):
        return _("%(topic)s (%(month)s)") % {"topic": self.topic.title, "month": self.get_month_display()}

    def get_absolute_url(self):
        return reverse("plans:cascade-uptake", kwargs={"pk": self.pk})


class ProposalCallQuerySet(GroupScopedQuerySet):
    group_lookup = "group"

    def visible_to(self, user):
        """The group's people, and staff of the units below it (they propose too)."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        below = managed_organizations(user).filter(path__startswith=OuterRef("group__organization__path"))
        return self.filter(Q(group__in=visible_groups(user).values("pk")) | Exists(below))


class ProposalCall(models.Model):
    """议题征集: staff ask members and the units below for topics for a year's plan."""

    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="proposal_calls", verbose_name=_("study group")
    )
    year = models.PositiveSmallIntegerField(_("plan year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what to propose"), blank=True)
    deadline = models.DateField(_("deadline"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("opened by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    history = HistoricalRecords()
    objects = ProposalCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for topics")
        verbose_name_plural = _("calls for topics")
        ordering = ["-deadline", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:proposal-call-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return timezone.localdate() <= self.deadline


class TopicProposalQuerySet(GroupScopedQuerySet):
    group_lookup = "call__group"

    def visible_to(self, user):
        """Proposers see their own; staff and leaders of the group see all."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(proposed_by=user) | Q(call__group__organization__in=read_organizations(user).values("pk"))
        )


class TopicProposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        ADOPTED = "adopted", _("Adopted")
        DECLINED = "declined", _("Declined")

    call = models.ForeignKey(ProposalCall, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("call"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topic_proposals",
        verbose_name=_("proposed by"),
    )
    on_behalf_of = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("on behalf of the unit"),
    )
    title = models.CharField(_("proposed topic"), max_length=300)
    reason = models.TextField(_("reason"))
    description = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    adopted_topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals",
        verbose_name=_("adopted as"),
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    history = HistoricalRecords()
    objects = TopicProposalQuerySet.as_manager()

    transitions = Transitions({
        "adopt": Move([Status.PENDING], Status.ADOPTED, _("This proposal has already been decided.")),
        "decline": Move([Status.PENDING], Status.DECLINED, _("This proposal has already been decided.")),
    })

    class Meta:
        verbose_name = _("topic proposal")
        verbose_name_plural = _("topic proposals")
        ordering = ["call", "-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.call.get_absolute_url()}#proposal-{self.pk}"
