"""Organisations (a tree), their study groups, people and who holds which role where."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet



def current_q(prefix: str = "") -> Q:
    """Rows whose term has not ended: ended_on empty or still in the future."""
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": today})


class OrganizationQuerySet(MP_NodeQuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.visible_organizations(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.managed_organizations(user).values("pk"))


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        # treebeard relies on path order for its tree operations.
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def editable_by(self, user):
        return self.get_queryset().editable_by(user)


class Organization(MP_Node):
    """A Party committee, Party group or working committee (党委 / 党组 / 党工委)."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        PARTY_GROUP = "party_group", _("Party group")
        WORKING_COMMITTEE = "working_committee", _("Party working committee")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        DEPARTMENT = "department", _("Department or bureau")
        TOWNSHIP = "township", _("Township")

    name = models.CharField(_("full name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(pgettext_lazy("organization level", "level"), max_length=20, choices=Level.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # treebeard: 4 characters a level allow 1.6 million children per node.
    steplen = 4
    history = HistoricalRecords(excluded_fields=["numchild"])
    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("members:organization-detail", kwargs={"pk": self.pk})


class StudyGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.visible_groups(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.managed_groups(user).values("pk"))

    def visible_or_administered_by(self, user):
        """The groups the user sees, and those a 系统管理员 administers (the group itself, its
        name and members; not its records)."""
        from members import scoping

        return self.filter(
            Q(pk__in=scoping.visible_groups(user).values("pk"))
            | Q(pk__in=scoping.administered_groups(user).values("pk"))
        )


class StudyGroup(models.Model):
    """An organisation's theory study center group (理论学习中心组)."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        related_name="study_group",
        verbose_name=_("organization"),
    )
    name = models.CharField(pgettext_lazy("name of a group or channel", "name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = StudyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["organization__path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:group-detail", kwargs={"pk": self.pk})


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.visible_people(user))

    def editable_by(self, user):
        from members import scoping

        return self.filter(pk__in=scoping.editable_people(user))


class PersonManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person: group member, staff, leader. Logs in by username."""

    name = models.CharField(pgettext_lazy("name of a person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(pgettext_lazy("job title", "position"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("works in"),
    )
    # Set on every password change (set_password), so passwords can expire
    # (PASSWORD_EXPIRY_DAYS) and the audit trail can tell a change from other edits.
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True, editable=False)

    # Set when someone else reset the password: the person must choose a new one at the next
    # login (studygroup.middleware.ForcePasswordChangeMiddleware).
    must_change_password = models.BooleanField(_("must change the password"), default=False)

    history = HistoricalRecords(excluded_fields=["last_login", "password"])
    objects = PersonManager()

    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "username"]

    def __str__(self):
        return self.name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_full_name(self):
        return self.name or self.username

    def get_short_name(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("members:person-detail", kwargs={"pk": self.pk})

    def has_perm(self, perm, obj=None):
        """Django answers yes to everything a superuser asks. For the object permissions of the
        apps' ``rules.py`` the predicates answer instead (their scope parts already let a
        superuser everywhere), so the status of the object still counts (no "approve" on a draft)
        and what only a person in a role may do (the 组长 approves) stays theirs."""
        import rules

        if obj is not None and self.is_active and self.is_superuser and rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class TermQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current_q())


class MembershipQuerySet(TermQuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(group__in=scoping.visible_groups(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(group__in=scoping.managed_groups(user).values("pk"))


class Membership(models.Model):
    """A person's seat in a study group, for a term. Ended, never deleted: history stays."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Group leader")
        DEPUTY = "deputy", _("Deputy group leader")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Study secretary")

    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("study group")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["group", "role", "user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(ended_on__isnull=True),
                name="one_open_membership_per_person_and_group",
                violation_error_message=_("This person is already a member of this group."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.group}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    def get_absolute_url(self):
        return self.group.get_absolute_url()


class AssignmentQuerySet(TermQuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(organization__in=scoping.visible_organizations(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(organization__in=scoping.managed_organizations(user).values("pk"))


class OrganizationAssignment(models.Model):
    """Staff manage, leaders read: an organisation and everything below it."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff (propaganda department / office)")
        LEADER = "leader", _("Leader (reads the organization and below)")
        # The office director (办公室主任) who approves the daily reading push of the groups of
        # the organisation and below; see members.daily_reading.
        APPROVER = "approver", _("Approver of the daily reading (office director)")
        # The three separated administrator roles (三员分立, 等保 2.0), each acting on the
        # organisation's subtree: accounts and organisations; security (unlocks, password
        # resets, robot hosts); the audit trail (read and export only).
        SYSTEM_ADMIN = "system_admin", _("System administrator")
        SECURITY_ADMIN = "security_admin", _("Security administrator")
        AUDITOR = "auditor", _("Audit administrator")

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization assignment")
        verbose_name_plural = _("organization assignments")
        ordering = ["organization__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=Q(ended_on__isnull=True),
                name="one_open_assignment_per_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})


ADMIN_ROLES = (
    OrganizationAssignment.Role.SYSTEM_ADMIN,
    OrganizationAssignment.Role.SECURITY_ADMIN,
    OrganizationAssignment.Role.AUDITOR,
)


# Members' own work ---------------------------------------------------------------------------
# 个人自学计划, 学习笔记, 心得体会, 调研报告, 理论文章, 宣讲: one table (``MemberWork``) with a
# ``kind``, so one list, one review queue, one search index and one copy check serve all five; a
# proxy model per kind gives each its name. Points "back" to plans and meetings by string label.


class WorkKind(models.TextChoices):
    SELF_STUDY_PLAN = "self_study_plan", _("Self-study plan")
    NOTE = "note", _("Study note")
    REFLECTION = "reflection", _("Reflection")
    RESEARCH = "research", _("Research report")
    ARTICLE = "article", _("Article")
    LECTURE = "lecture", _("Lecture")


class WorkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ArticleLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


# Articles at city level and above count towards the plan's quota.
COUNTED_ARTICLE_LEVELS = [ArticleLevel.NATIONAL, ArticleLevel.PROVINCIAL, ArticleLevel.CITY]


class LectureKind(models.TextChoices):
    PREACHING = "preaching", _("Policy preaching (宣讲)")
    PARTY_CLASS = "party_class", _("Party class (党课)")
    IDEOLOGY_CLASS = "ideology_class", _("Ideological and political class (思政课)")


def work_upload_to(instance, filename):
    """A generated name: the author's file name is kept in ``attachment_original_name``."""
    from studygroup.uploads import random_upload_path

    return random_upload_path("work", filename)


class MemberWorkQuerySet(models.QuerySet):
    """Drafts are the author's alone; reviewers (the group's secretary, staff managing it) see
    what was ever submitted; leaders and staff above read submitted and accepted work."""

    def visible_to(self, user):
        from members import scoping

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        shown_to_reviewers = Q(first_submitted_at__isnull=False) & ~Q(status=WorkStatus.DRAFT)
        readable = Q(status__in=[WorkStatus.SUBMITTED, WorkStatus.ACCEPTED])
        return self.filter(
            Q(author=user)
            | (Q(group__in=scoping.reviewable_groups(user).values("pk")) & shown_to_reviewers)
            | (Q(group__organization__in=scoping.read_organizations(user).values("pk")) & readable)
        )

    def editable_by(self, user):
        """Only the author changes their own work (in draft or returned: see ``is_editable``)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(author=user)

    def reviewable_by(self, user):
        """Work the user may accept or return: their groups to review, never their own."""
        from members import scoping

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(group__in=scoping.reviewable_groups(user).values("pk")).exclude(author=user)

    def counted(self):
        """What counts in figures: accepted work."""
        return self.filter(status=WorkStatus.ACCEPTED)

    def with_late(self):
        """Annotate ``late``: submitted more than WORK_LATE_AFTER_DAYS days after the date the
        work belongs to (the meeting, the publication, the lecture, the start of the year)."""
        from django.db.models import BooleanField, Case, Value, When

        return self.annotate(
            late=Case(When(late_condition(), then=Value(True)), default=Value(False), output_field=BooleanField())
        )


def late_condition():
    """The late rule as a boolean SQL expression (for filters and aggregates): the day of the
    first submission is later than the work's date plus WORK_LATE_AFTER_DAYS."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import DateField, ExpressionWrapper, F, Value
    from django.db.models.functions import TruncDate
    from django.db.models.lookups import GreaterThan

    limit = ExpressionWrapper(
        F("occurred_on") + Value(timedelta(days=settings.WORK_LATE_AFTER_DAYS)), output_field=DateField()
    )
    return GreaterThan(TruncDate("first_submitted_at"), limit)


class MemberWork(models.Model):
    """A piece of a member's own work. ``created_at`` and ``first_submitted_at`` are set by the
    server and never edited: they show when a record was really written."""

    kind = models.CharField(_("kind"), max_length=20, choices=WorkKind.choices)
    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="work", verbose_name=_("study group")
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="work", verbose_name=_("author"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    body_is_html = models.BooleanField(_("formatted text"), default=False, editable=False)
    word_count = models.PositiveIntegerField(_("words"), default=0, editable=False)
    occurred_on = models.DateField(
        _("date"), null=True, blank=True,
        help_text=_("The meeting, publication or lecture date the work belongs to."),
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="member_work",
        verbose_name=_("meeting"),
    )
    topic = models.ForeignKey(
        "plans.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="member_work",
        verbose_name=_("plan topic"),
    )
    topics = models.ManyToManyField(
        "plans.Topic", blank=True, related_name="self_study_plans", verbose_name=_("plan topics")
    )
    attachment = models.FileField(_("file"), upload_to=work_upload_to, blank=True, max_length=200)
    attachment_original_name = models.CharField(_("file name"), max_length=255, blank=True)

    # Research reports (调研报告)
    research_topic = models.ForeignKey(
        "members.ResearchTopic", on_delete=models.PROTECT, null=True, blank=True, related_name="reports",
        verbose_name=_("research topic"),
    )
    adopted = models.BooleanField(_("adopted or published"), default=False)
    adoption_note = models.TextField(_("how the result was used"), blank=True)
    # Articles (理论文章)
    outlet = models.CharField(_("published in"), max_length=150, blank=True)
    level = models.CharField(pgettext_lazy("publication level", "level"), max_length=20, choices=ArticleLevel.choices, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # Lectures (宣讲 / 讲党课 / 思政课)
    lecture_kind = models.CharField(_("lecture kind"), max_length=20, choices=LectureKind.choices, blank=True)
    place = models.CharField(_("place"), max_length=150, blank=True)
    audience = models.CharField(_("audience"), max_length=150, blank=True)
    audience_size = models.PositiveIntegerField(_("audience size"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.DRAFT)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submission_count = models.PositiveSmallIntegerField(_("times submitted"), default=0, editable=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)

    history = HistoricalRecords(m2m_fields=[topics])
    objects = MemberWorkQuerySet.as_manager()

    class Meta:
        verbose_name = _("member's work")
        verbose_name_plural = _("members' work")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "year", "kind", "status"]),
            models.Index(fields=["author", "year"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="returned_work_has_comment",
                violation_error_message=_("Say why the work is returned."),
            ),
            models.CheckConstraint(
                condition=~Q(reviewed_by=models.F("author")),
                name="work_reviewer_is_not_author",
                violation_error_message=_("Nobody reviews their own work."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("members:work-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in (WorkStatus.DRAFT, WorkStatus.RETURNED)

    @property
    def is_late(self) -> bool:
        """The same rule as ``MemberWorkQuerySet.with_late``, for a single object."""
        from datetime import timedelta

        from django.conf import settings

        if getattr(self, "late", None) is not None:
            return self.late
        if not self.first_submitted_at or not self.occurred_on:
            return False
        submitted_on = timezone.localdate(self.first_submitted_at)
        return submitted_on > self.occurred_on + timedelta(days=settings.WORK_LATE_AFTER_DAYS)

    @property
    def days_after(self) -> int | None:
        """Days between the date the work belongs to and its first submission."""
        if not self.first_submitted_at or not self.occurred_on:
            return None
        return (timezone.localdate(self.first_submitted_at) - self.occurred_on).days

    @property
    def counts_for_quota(self) -> bool:
        if self.kind == WorkKind.RESEARCH:
            return True
        return self.kind == WorkKind.ARTICLE and self.level in COUNTED_ARTICLE_LEVELS

    @property
    def has_text(self) -> bool:
        return bool(self.body.strip())


class _KindManager(models.Manager.from_queryset(MemberWorkQuerySet)):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class SelfStudyPlan(MemberWork):
    """个人自学计划: what the member will read and research in a year."""

    objects = _KindManager(WorkKind.SELF_STUDY_PLAN)

    class Meta:
        proxy = True
        verbose_name = _("self-study plan")
        verbose_name_plural = _("self-study plans")


class StudyNote(MemberWork):
    """学习笔记."""

    objects = _KindManager(WorkKind.NOTE)

    class Meta:
        proxy = True
        verbose_name = _("study note")
        verbose_name_plural = _("study notes")


class Reflection(MemberWork):
    """心得体会."""

    objects = _KindManager(WorkKind.REFLECTION)

    class Meta:
        proxy = True
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")


class ResearchReport(MemberWork):
    """调研报告."""

    objects = _KindManager(WorkKind.RESEARCH)

    class Meta:
        proxy = True
        verbose_name = _("research report")
        verbose_name_plural = _("research reports")


class Article(MemberWork):
    """理论文章."""

    objects = _KindManager(WorkKind.ARTICLE)

    class Meta:
        proxy = True
        verbose_name = _("article")
        verbose_name_plural = _("articles")


class Lecture(MemberWork):
    """宣讲 / 讲党课 / 思政课."""

    objects = _KindManager(WorkKind.LECTURE)

    class Meta:
        proxy = True
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")


class ResearchTopicQuerySet(models.QuerySet):
    def visible_to(self, user):
        from members import scoping

        return self.filter(group__in=scoping.visible_groups(user).values("pk"))

    def editable_by(self, user):
        from members import scoping

        return self.filter(
            Q(created_by=user) | Q(group__in=scoping.reviewable_groups(user).values("pk"))
        )


class ResearchTopic(models.Model):
    """调研课题: a research question of a group's year, which several members may share."""

    class Half(models.IntegerChoices):
        FIRST = 1, _("First half")
        SECOND = 2, _("Second half")

    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="research_topics", verbose_name=_("study group")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half year"), choices=Half.choices, default=Half.FIRST)
    title = models.CharField(_("research topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = ResearchTopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["-year", "half", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year", "title"], name="one_research_topic_title_per_group_year",
                violation_error_message=_("This group already has this research topic this year."),
            )
        ]

    def __str__(self):
        return self.title


class FieldVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__in=MemberWork.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(report__author=user)


class FieldVisit(models.Model):
    """A field visit of a research report (基层调研): when, where, whom the member met."""

    report = models.ForeignKey(
        MemberWork, on_delete=models.PROTECT, related_name="field_visits", verbose_name=_("research report")
    )
    visited_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=150)
    met_whom = models.CharField(_("whom they met"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = FieldVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["report", "visited_on", "pk"]

    def __str__(self):
        return f"{self.visited_on} {self.place}"

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#visit-{self.pk}"


class SearchEntry(models.Model):
    """One searchable text (a member's work, a meeting's minutes) as space-separated bigrams,
    kept by ``members.search``. On PostgreSQL a GIN index over the bigrams as a tsvector makes
    two-character Chinese words fast to find (see the migration)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+", verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    group = models.ForeignKey(
        StudyGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("study group")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    bigrams = models.TextField(_("bigrams"))
    updated_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_search_entry_per_object")
        ]

    def __str__(self):
        return self.title


class TextFingerprint(models.Model):
    """A MinHash signature of a work's text, for copy detection (``members.similarity``)."""

    work = models.OneToOneField(
        MemberWork, on_delete=models.CASCADE, related_name="fingerprint", verbose_name=_("work")
    )
    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("study group"))
    year = models.PositiveSmallIntegerField(_("year"))
    signature = models.BinaryField(_("signature"))
    shingle_count = models.PositiveIntegerField(_("shingles"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("text fingerprint")
        verbose_name_plural = _("text fingerprints")

    def __str__(self):
        return f"{self.work_id}"


class FingerprintBand(models.Model):
    """One LSH band of a fingerprint: texts sharing a band hash are candidates to compare."""

    fingerprint = models.ForeignKey(TextFingerprint, on_delete=models.CASCADE, related_name="bands")
    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    band_hash = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["group", "year", "band_hash"], name="members_fpband_lookup")]


class SimilarityCheck(models.Model):
    """The result of comparing a submitted text with the group's year and the meeting's
    materials: the closest match, the overlap and the shared passages."""

    work = models.ForeignKey(
        MemberWork, on_delete=models.CASCADE, related_name="similarity_checks", verbose_name=_("work")
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    closest_work = models.ForeignKey(
        MemberWork, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("closest match"),
    )
    closest_label = models.CharField(_("closest match"), max_length=250, blank=True)
    score = models.FloatField(_("overlap"), default=0)
    own_passages = models.JSONField(_("shared passages in this text"), default=list)
    other_passages = models.JSONField(_("shared passages in the other text"), default=list)
    other_text = models.TextField(_("text of the closest match"), blank=True)
    candidates = models.PositiveIntegerField(_("texts compared"), default=0)
    elapsed_ms = models.FloatField(_("time taken (ms)"), default=0)

    class Meta:
        verbose_name = _("copy check")
        verbose_name_plural = _("copy checks")
        ordering = ["-checked_at", "-pk"]

    def __str__(self):
        return f"{self.work_id}: {self.score:.0%}"

    @property
    def flagged(self) -> bool:
        from django.conf import settings

        return self.score >= settings.WORK_COPY_FLAG_SCORE


# Notifications
# ---------------------------------------------------------------------------------------------
# Every notification lands in its recipient's inbox; pushes (e-mail, the group's DingTalk and
# WeCom robots) are Delivery rows that Celery works through. Services: members.notifications;
# channels: members.channels; tasks: members.tasks; the daily reading: members.daily_reading.


class NotificationKind(models.TextChoices):
    MEETING_NOTICE = "meeting_notice", _("Meeting notice")
    MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
    SIGN_IN_OPEN = "sign_in_open", _("Sign-in open")
    MAKEUP_OWED = "makeup_owed", _("Make-up study owed")
    REFLECTION_DUE = "reflection_due", _("Reflection due")
    REVIEW_WAITING = "review_waiting", _("Review queue waiting")
    RECORDS_MISSING = "records_missing", _("Attendance or minutes not entered")
    QUOTA_BEHIND = "quota_behind", _("Behind the plan's pace")
    RECTIFICATION_DUE = "rectification_due", _("Rectification deadline")
    PROPOSAL_CALL_CLOSING = "proposal_call_closing", _("Call for topics closing")
    APPROVAL_WAITING = "approval_waiting", _("Waiting for approval or reading")
    BULLETIN_ISSUED = "bulletin_issued", _("Bulletin issued")
    ESCALATION = "escalation", _("Overdue item escalated")
    DAILY_READING = "daily_reading", _("Daily reading")
    ACCOUNT_CHANGED = "account_changed", _("Your account was changed")
    TEST = "test", _("Test message")


class NotificationQuerySet(models.QuerySet):
    """A person's inbox is theirs alone: nobody else sees or marks their notifications."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def editable_by(self, user):
        return self.visible_to(user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person. The key (kind, object, recipient, occasion) is unique, so
    whatever runs twice (a retried task, beat after a restart) never notifies twice."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", verbose_name=_("about")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    occasion = models.CharField(_("occasion"), max_length=64, blank=True)
    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications",
        verbose_name=_("study group"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False, help_text=_("Sent even in quiet hours."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "occasion"],
                name="one_notification_per_key",
            )
        ]

    def __str__(self):
        return f"{self.recipient} · {self.title}"

    def get_absolute_url(self):
        return reverse("members:notification-open", kwargs={"pk": self.pk})

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


class NotificationPreference(models.Model):
    """Whether a person wants a kind of notification pushed on a channel (the inbox always
    gets it). No row: the default in ``members.notifications.DEFAULT_PUSH``."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference_per_kind_and_channel")
        ]

    def __str__(self):
        return f"{self.user} · {self.kind} · {self.channel}: {self.enabled}"


class GroupChannelQuerySet(models.QuerySet):
    """Robot webhooks are secrets: only the staff who manage the group see them."""

    def visible_to(self, user):
        from members import scoping

        return self.filter(group__in=scoping.managed_groups(user).values("pk"))

    def editable_by(self, user):
        return self.visible_to(user)

    def active(self):
        return self.filter(is_active=True)


def default_robot_kinds():
    return [
        NotificationKind.MEETING_NOTICE.value,
        NotificationKind.MEETING_REMINDER.value,
        NotificationKind.DAILY_READING.value,
    ]


class GroupChannel(models.Model):
    """A study group's chat robot: a DingTalk custom robot or a WeCom group robot."""

    class Provider(models.TextChoices):
        DINGTALK = NotificationChannel.DINGTALK.value, NotificationChannel.DINGTALK.label
        WECOM = NotificationChannel.WECOM.value, NotificationChannel.WECOM.label

    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="channels", verbose_name=_("study group")
    )
    provider = models.CharField(_("robot"), max_length=20, choices=Provider.choices)
    name = models.CharField(pgettext_lazy("name of a group or channel", "name"), max_length=100, help_text=_("e.g. the group's DingTalk chat"))
    webhook_url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("DingTalk: the robot's signing secret (starts with SEC). WeCom: leave empty."),
    )
    kinds = models.JSONField(_("what is posted"), default=default_robot_kinds, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The robot's recent posts and the places kept for those waiting: [[unix time, delivery id,
    # "sent" | "held"], …] of the last minute (members.notifications.robot_post_slot).
    post_slots = models.JSONField(_("recent posts"), default=list, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["secret", "post_slots"])
    objects = GroupChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("group chat robot")
        verbose_name_plural = _("group chat robots")
        ordering = ["group", "provider", "pk"]

    def __str__(self):
        return f"{self.group} · {self.name}"

    def get_absolute_url(self):
        return reverse("members:group-channels", kwargs={"pk": self.group_id})

    def clean(self):
        from members.robot_hosts import webhook_problem

        problem = webhook_problem(self.webhook_url, self.provider) if self.webhook_url else None
        if problem:
            raise ValidationError({"webhook_url": problem})
        if self.provider == self.Provider.DINGTALK and self.secret and not self.secret.startswith("SEC"):
            raise ValidationError({"secret": _("A DingTalk signing secret starts with SEC.")})
        valid = set(NotificationKind.values)
        if not isinstance(self.kinds, list) or not set(self.kinds) <= valid:
            raise ValidationError({"kinds": _("Choose kinds of notification from the list.")})


class RobotHost(models.Model):
    """A host robot webhooks may post to besides the official ones (a private deployment such as
    政务钉钉 / 专有钉钉), kept by the security administrator (``members.robot_hosts``)."""

    host = models.CharField(
        pgettext_lazy("network", "host"), max_length=253, unique=True,
        help_text=_("The host name or IP address alone, e.g. dingtalk.example.gov.cn (no https://, no path)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("e.g. the province's government DingTalk"))
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("robot host")
        verbose_name_plural = _("robot hosts")
        ordering = ["host"]

    def __str__(self):
        return self.host

    def clean(self):
        from members.robot_hosts import normalize_host

        try:
            self.host = normalize_host(self.host)
        except ValueError:
            raise ValidationError({"host": _("Enter a host name or IP address alone, e.g. dingtalk.example.gov.cn.")})


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the delivery log of the groups they manage."""
        from members import scoping

        groups = scoping.managed_groups(user).values("pk")
        return self.filter(Q(group_channel__group__in=groups) | Q(notification__group__in=groups))

    def editable_by(self, user):
        return self.visible_to(user)

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY], next_attempt_at__lte=now)


class Delivery(models.Model):
    """One push of one message on one channel, and what became of it.

    ``key`` is unique: an e-mail per notification, a robot post per (robot, kind, object,
    occasion). The task claims a row by a conditional UPDATE (pending → sending) before it
    sends, so a task run twice or redelivered after a crash never sends twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Failed, will retry")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted (may not have arrived)")
        SKIPPED = "skipped", _("Skipped")

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannel.choices)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries",
        verbose_name=_("notification"),
    )
    group_channel = models.ForeignKey(
        GroupChannel, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries",
        verbose_name=_("group chat robot"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification__isnull=False) | Q(group_channel__isnull=False),
                name="delivery_to_person_or_robot",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.title} · {self.get_status_display()}"


class DailyReadingQuerySet(models.QuerySet):
    """Staff and leaders of the tree and the approvers see every day's reading; members see
    what was pushed to their groups."""

    def visible_to(self, user):
        from members import scoping

        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        readers = scoping.read_organizations(user).values("pk")
        approves = scoping.approver_groups(user).values("pk")
        members = scoping.visible_groups(user).values("pk")
        return self.filter(
            Q(group__organization__in=readers)
            | Q(group__in=approves)
            | (Q(group__in=members) & Q(sent_at__isnull=False))
        )

    def editable_by(self, user):
        from members import scoping

        return self.filter(group__in=scoping.managed_groups(user).values("pk"))

    def approvable_by(self, user):
        from members import scoping

        return self.filter(group__in=scoping.approver_groups(user).values("pk"))


class DailyReading(models.Model):
    """A group's daily reading push (每日推送, the 移动课) for one day: its items are collected by
    staff, approved by the approver before the cutoff, and pushed at the cutoff."""

    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="daily_readings", verbose_name=_("study group")
    )
    date = models.DateField(_("date"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("pushed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DailyReadingQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily reading")
        verbose_name_plural = _("daily readings")
        ordering = ["-date", "group__organization__path"]
        constraints = [models.UniqueConstraint(fields=["group", "date"], name="one_daily_reading_per_group_and_day")]

    def __str__(self):
        return f"{self.group} · {self.date}"

    def get_absolute_url(self):
        return reverse("members:daily-reading-detail", kwargs={"pk": self.pk})


class DailyReadingItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(reading__in=DailyReading.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(reading__in=DailyReading.objects.editable_by(user).values("pk"))

    def approvable_by(self, user):
        return self.filter(reading__in=DailyReading.objects.approvable_by(user).values("pk"))

    def current(self):
        return self.filter(withdrawn_at__isnull=True)

    def approved(self):
        return self.current().filter(approved_at__isnull=False)


class DailyReadingItem(models.Model):
    """An article of the day: title, source, link and an excerpt."""

    reading = models.ForeignKey(
        DailyReading, on_delete=models.PROTECT, related_name="items", verbose_name=_("daily reading")
    )
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=100, help_text=_("e.g. Qiushi, People's Daily"))
    link = models.URLField(_("link"), max_length=500)
    excerpt = models.TextField(_("excerpt"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=pgettext_lazy("daily reading approval", "approved by"),
    )
    approved_at = models.DateTimeField(pgettext_lazy("daily reading approval", "approved at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DailyReadingItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily reading item")
        verbose_name_plural = _("daily reading items")
        ordering = ["reading", "position", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("members:daily-reading-item-detail", kwargs={"pk": self.pk})

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class DailyReadingRead(models.Model):
    """A member has read an item: the group's reading rate counts these."""

    item = models.ForeignKey(
        DailyReadingItem, on_delete=models.PROTECT, related_name="reads", verbose_name=_("item")
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily reading read")
        verbose_name_plural = _("daily reading reads")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="one_read_per_item_and_person")]

    def __str__(self):
        return f"{self.user} · {self.item}"
