"""Half-year reviews (半年总结), bulletins across groups (学习通报), inspections with their
rectification lists (督导检查 / 整改清单 / 回头看), the annual 述学 and the PDF builds of them.

Business rules live in ``reports.services``; figures come from ``reports.selectors``. A submitted
review, an issued bulletin and a submitted 述学 keep their figures as a JSON snapshot: later edits
to the records do not change what was sent.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Membership, Organization, OrganizationAssignment, current_q
from members.scoping import (  # the private helpers: "leaders of an organisation or above"
    _tree,
    managed_groups,
    managed_organizations,
    read_organizations,
    visible_groups,
)
from studygroup.models import Recorded, Submitted, WorkerBuild
from studygroup.transitions import Move, Transitions


def _anonymous(user) -> bool:
    return user is None or not user.is_authenticated or not user.is_active


class Period(models.TextChoices):
    FIRST_HALF = "h1", _("First half")
    SECOND_HALF = "h2", _("Second half")
    YEAR = "year", _("Full year")


def period_bounds(year: int, period: str) -> tuple[date, date]:
    """First and last day of a period."""
    if period == Period.FIRST_HALF:
        return date(year, 1, 1), date(year, 6, 30)
    if period == Period.SECOND_HALF:
        return date(year, 7, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def period_months(period: str) -> list[int]:
    if period == Period.FIRST_HALF:
        return list(range(1, 7))
    if period == Period.SECOND_HALF:
        return list(range(7, 13))
    return list(range(1, 13))


def current_period(today: date | None = None) -> tuple[int, str]:
    today = today or timezone.localdate()
    return today.year, Period.FIRST_HALF if today.month <= 6 else Period.SECOND_HALF


def period_label(year: int, period: str) -> str:
    """2026年上半年 / first half of 2026, in the active language."""
    from django.utils.translation import gettext

    formats = {
        Period.FIRST_HALF: gettext("first half of %(year)s"),
        Period.SECOND_HALF: gettext("second half of %(year)s"),
        Period.YEAR: gettext("the year %(year)s"),
    }
    return formats.get(period, "%(year)s") % {"year": year}


YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
# A bulletin asked to be issued this long ago and still a draft may be asked for again.
ISSUE_RETRY_AFTER = timedelta(minutes=10)


# --- half-year review ------------------------------------------------------------------------


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff and leaders of the group's tree read every review; the group's members read it
        once it is submitted."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(group__organization__in=read_organizations(user).values("pk"))
            | (Q(group__in=visible_groups(user).values("pk")) & ~Q(status=HalfYearReview.Status.DRAFT))
        )

    def editable_by(self, user):
        return self.filter(group__in=managed_groups(user).values("pk"))

    def readable_as_supervisor_by(self, user):
        """Reviews the user may mark read and comment: submitted to an organisation they read."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(submitted_to__in=read_organizations(user).values("pk"))


class HalfYearReview(Recorded, Submitted):
    """上半年总结及下半年计划: a group's review of a half (or a full year) with its figures."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        READ = "read", _("Read and commented")

    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="reviews", verbose_name=_("study group")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.FIRST_HALF)
    title = models.CharField(_("title"), max_length=200)
    good_practices = models.TextField(_("good practices"), blank=True)
    problems = models.TextField(_("problems and their causes"), blank=True)
    next_plan = models.TextField(_("plan for the next half"), blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    figures = models.JSONField(_("figures at submission"), null=True, blank=True, editable=False)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("read by"),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)


    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    # The moves the status allows (studygroup.transitions): services apply them, rules ask them.
    transitions = Transitions({
        "edit": Move([Status.DRAFT], None, _("A submitted review cannot be changed.")),
        "submit": Move([Status.DRAFT], Status.SUBMITTED, _("Only a draft can be submitted.")),
        "mark_read": Move([Status.SUBMITTED], Status.READ, _("Only a submitted review can be marked read.")),
        "return": Move([Status.SUBMITTED], Status.DRAFT, _("Only a submitted review can be returned.")),
    })

    class Meta:
        verbose_name = _("half-year review")
        verbose_name_plural = _("half-year reviews")
        ordering = ["-year", "-period", "group__organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year", "period"], name="one_review_per_group_and_period",
                violation_error_message=_("This group already has a review for this period."),
            ),
            models.CheckConstraint(
                condition=~Q(status="draft") | Q(figures__isnull=True), name="draft_review_has_no_snapshot",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:review-detail", kwargs={"pk": self.pk})

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.period)


# --- bulletin across groups ------------------------------------------------------------------


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The issuing organisation's staff and leaders (and those above) read every bulletin;
        once issued, everyone who sees a group it covers reads it too."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        covered = visible_groups(user).filter(
            organization__path__startswith=OuterRef("organization__path")
        ).exclude(organization__path=OuterRef("organization__path"))
        return self.filter(
            Q(organization__in=read_organizations(user).values("pk"))
            | (Q(status=Bulletin.Status.ISSUED) & Exists(covered))
        )

    def editable_by(self, user):
        return self.filter(organization__in=managed_organizations(user).values("pk"))


class Bulletin(Recorded):
    """学习通报: the supervising organisation's report on all the groups below it for a period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="bulletins",
        verbose_name=_("issuing organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.FIRST_HALF)
    number = models.CharField(_("issue number"), max_length=40, blank=True, help_text=_("e.g. 2026年第1期"))
    # The official-document frame (GB/T 9704): the organ in red at the head and in the signature,
    # the addressees, and the document number 机关代字〔年〕序号号 that staff give when issuing.
    issuing_organ = models.CharField(
        _("issuing organ"), max_length=60, blank=True,
        help_text=_("Printed in red at the head of the document and as its signature, e.g. 中共青山县委宣传部"),
    )
    addressees = models.CharField(
        _("addressed to"), max_length=300, blank=True,
        help_text=_("主送, e.g. 各乡镇党委，县直各单位党委（党组）理论学习中心组"),
    )
    document_code = models.CharField(_("organ code"), max_length=20, blank=True, help_text=_("机关代字, e.g. 青宣"))
    document_year = models.PositiveSmallIntegerField(_("document year"), null=True, blank=True)
    document_serial = models.PositiveIntegerField(_("document serial number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    good_practices = models.TextField(_("good practice"), blank=True)
    common_problems = models.TextField(_("common problems"), blank=True)
    observation_findings = models.TextField(_("observation-visit findings"), blank=True)
    requirements = models.TextField(_("next steps"), blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    figures = models.JSONField(_("figures at issue"), null=True, blank=True, editable=False)
    # A draft covering many groups shows figures the worker worked out (``services.bulletin_preview``)
    # rather than working them out on every view: seconds for a province.
    preview = models.JSONField(_("figures of the draft"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # Issuing is asked for in the request and done by the worker (a province's figures take
    # seconds to freeze): set while it waits, cleared when it is issued or cannot be.
    issue_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issue asked for by"),
    )
    issue_requested_at = models.DateTimeField(_("issue asked for at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["preview"])  # worked out again on every save
    objects = BulletinQuerySet.as_manager()

    transitions = Transitions({
        "edit": Move([Status.DRAFT], None, _("An issued bulletin cannot be changed.")),
        "issue": Move([Status.DRAFT], Status.ISSUED, _("This bulletin has already been issued.")),
    })

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-year", "-period", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="draft") | Q(figures__isnull=True), name="draft_bulletin_has_no_snapshot",
            ),
            # 青宣〔2026〕3号 is given once by an organ in a year.
            models.UniqueConstraint(
                fields=["organization", "document_year", "document_serial"],
                condition=Q(document_serial__isnull=False), name="one_document_number_per_organ_and_year",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:bulletin-detail", kwargs={"pk": self.pk})

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def issue_is_pending(self) -> bool:
        """Asked to be issued a short while ago and not issued yet: the worker is on it. Past
        ``ISSUE_RETRY_AFTER`` staff may ask again."""
        return (
            self.status == self.Status.DRAFT and self.issue_requested_at is not None
            and timezone.now() - self.issue_requested_at < ISSUE_RETRY_AFTER
        )

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.period)

    @property
    def document_number(self) -> str:
        """发文字号: 青宣〔2026〕3号 (GB/T 9704 7.2.4: hexagonal brackets, no leading zero)."""
        if not (self.document_code and self.document_year and self.document_serial):
            return ""
        return f"{self.document_code}〔{self.document_year}〕{self.document_serial}号"


class BulletinRead(models.Model):
    """When a person first opened an issued bulletin: the leaders' "waiting to be read" list."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="reads", verbose_name=_("bulletin"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("bulletin read")
        verbose_name_plural = _("bulletin reads")
        constraints = [models.UniqueConstraint(fields=["bulletin", "user"], name="one_read_per_bulletin_and_person")]

    def __str__(self):
        return f"{self.bulletin} · {self.user}"


# --- inspections and rectification ---------------------------------------------------------


class SupervisionQuerySet(models.QuerySet):
    """Records of a supervising organisation about a group: its own staff and leaders and those
    of the group's tree read them; the supervising organisation's staff change them."""

    def visible_to(self, user):
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        readable = read_organizations(user).values("pk")
        return self.filter(Q(organization__in=readable) | Q(group__organization__in=readable))

    def editable_by(self, user):
        return self.filter(organization__in=managed_organizations(user).values("pk"))


class Inspection(Recorded):
    """督导检查: supervising staff inspect a group's study; findings become rectification items."""

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="inspections",
        verbose_name=_("inspecting organization"),
    )
    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="inspections", verbose_name=_("inspected group")
    )
    held_on = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    scope = models.TextField(_("scope"), blank=True, help_text=_("What was checked: records, minutes, notes..."))
    findings = models.TextField(_("findings"), blank=True)
    follow_up_on = models.DateField(_("follow-up check (回头看) on"), null=True, blank=True)
    follow_up_notes = models.TextField(_("follow-up conclusions"), blank=True)

    history = HistoricalRecords()
    objects = SupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{date_format(self.held_on, 'DATE_FORMAT')} · {self.group}"

    def get_absolute_url(self):
        return reverse("reports:inspection-detail", kwargs={"pk": self.pk})


class RectificationQuerySet(SupervisionQuerySet):
    def answerable_by(self, user):
        """Items whose progress the user may report: staff of the group concerned."""
        return self.filter(group__in=managed_groups(user).values("pk"))

    def unresolved(self):
        return self.exclude(status=RectificationItem.Status.CONFIRMED)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status__in=RectificationItem.OPEN_STATUSES, deadline__lt=today)


class RectificationItem(Recorded):
    """An item of the rectification list (整改清单): from an inspection finding or from an open
    point of an observation visit (巡听旁听)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To be rectified")
        IN_PROGRESS = "in_progress", _("In progress")
        REPORTED = "reported", _("Reported done")
        CONFIRMED = "confirmed", _("Confirmed at follow-up")
        REOPENED = "reopened", _("Reopened")

    OPEN_STATUSES = [Status.OPEN, Status.IN_PROGRESS, Status.REOPENED]

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="rectification_items",
        verbose_name=_("supervising organization"),
    )
    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="rectification_items",
        verbose_name=_("study group"),
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="items",
        verbose_name=_("inspection"),
    )
    observation_point = models.OneToOneField(
        "meetings.ObservationPoint", on_delete=models.PROTECT, null=True, blank=True,
        related_name="rectification", verbose_name=_("observation point"),
    )
    finding = models.TextField(_("problem found"))
    measures = models.TextField(_("measures"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="rectification_items",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    progress = models.TextField(_("progress and evidence"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    history = HistoricalRecords()
    objects = RectificationQuerySet.as_manager()

    # 整改: open → in progress → reported done → confirmed at the follow-up check (回头看), or
    # reopened. Which side takes each step is in reports/rules.py (ITEM_SIDES).
    transitions = Transitions({
        "start": Move([Status.OPEN, Status.REOPENED], Status.IN_PROGRESS, _("A %(status)s item cannot be moved this way.")),
        "report": Move(OPEN_STATUSES, Status.REPORTED, _("A %(status)s item cannot be moved this way.")),
        "confirm": Move([Status.REPORTED], Status.CONFIRMED, _("A %(status)s item cannot be moved this way.")),
        "reopen": Move([Status.REPORTED, Status.CONFIRMED], Status.REOPENED,
                       _("A %(status)s item cannot be moved this way.")),
        "add_evidence": Move([Status.OPEN, Status.IN_PROGRESS, Status.REPORTED, Status.REOPENED], None,
                             _("The item is already confirmed.")),
    })
    STEPS = ("start", "report", "confirm", "reopen")

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["group", "status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection__isnull=False) | Q(observation_point__isnull=False),
                name="rectification_from_inspection_or_observation",
                violation_error_message=_("A rectification item comes from an inspection or an observation visit."),
            ),
        ]

    def __str__(self):
        return self.finding[:60]

    def get_absolute_url(self):
        return reverse("reports:item-detail", kwargs={"pk": self.pk})

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.deadline < timezone.localdate()


def evidence_upload_to(instance, filename):
    """A generated name: the uploader's file name is kept in ``original_name``."""
    from studygroup.uploads import random_upload_path

    return random_upload_path("rectification", filename)


class RectificationEvidence(models.Model):
    """A file the group attaches as evidence of a rectification (photos, minutes, documents)."""

    item = models.ForeignKey(
        RectificationItem, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("rectification item")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)

    history = HistoricalRecords()

    class Scoped(RectificationQuerySet):
        def visible_to(self, user):
            return self.filter(item__in=RectificationItem.objects.visible_to(user).values("pk"))

        def editable_by(self, user):
            return self.filter(item__in=RectificationItem.objects.answerable_by(user).values("pk"))

    objects = Scoped.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("reports:evidence-download", kwargs={"pk": self.pk})


# --- 述学 ------------------------------------------------------------------------------------


class StudyAccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(group__organization__in=read_organizations(user).values("pk"))
            | Q(group__in=visible_groups(user).values("pk"))
        )

    def editable_by(self, user):
        """The group's staff, and its 组长 and 学习秘书."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        writer = Membership.objects.filter(
            current_q(), user=user, group=OuterRef("group"),
            role__in=[Membership.Role.LEADER, Membership.Role.SECRETARY],
        )
        return self.filter(Q(group__in=managed_groups(user).values("pk")) | Exists(writer))

    def commentable_by(self, user):
        """Leaders of the supervising organisation (or above) comment (点评)."""
        if _anonymous(user):
            return self.none()
        if user.is_superuser:
            return self.filter(status__in=[StudyAccount.Status.SUBMITTED, StudyAccount.Status.COMMENTED])
        leads = Organization.objects.filter(_tree(user, [OrganizationAssignment.Role.LEADER]))
        return self.filter(
            submitted_to__in=leads.values("pk"),
            status__in=[StudyAccount.Status.SUBMITTED, StudyAccount.Status.COMMENTED],
        )


class StudyAccount(Recorded, Submitted):
    """述学: a group reports on its year of study to the supervising committee, whose leader
    comments (点评)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        COMMENTED = "commented", _("Commented")

    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="study_accounts", verbose_name=_("study group")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("report"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    figures = models.JSONField(_("the year's figures"), null=True, blank=True, editable=False)
    comment = models.TextField(_("comment (点评)"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("commented by"),
    )
    commented_at = models.DateTimeField(_("commented at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = StudyAccountQuerySet.as_manager()

    transitions = Transitions({
        "edit": Move([Status.DRAFT], None, _("A submitted 述学 report cannot be changed.")),
        "submit": Move([Status.DRAFT], Status.SUBMITTED, _("Only a draft can be submitted.")),
        "comment": Move([Status.SUBMITTED, Status.COMMENTED], Status.COMMENTED,
                        _("Only a submitted 述学 report can be commented on.")),
    })

    class Meta:
        verbose_name = _("study account (述学)")
        verbose_name_plural = _("study accounts (述学)")
        ordering = ["-year", "group__organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year"], name="one_study_account_per_group_and_year",
                violation_error_message=_("This group already has a 述学 report for this year."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reports:account-detail", kwargs={"pk": self.pk})


# --- PDF builds ------------------------------------------------------------------------------


def build_upload_to(instance, filename):
    """A generated name; the download is named after the document."""
    from studygroup.uploads import random_upload_path

    return random_upload_path("reports", filename)


class DocumentBuildQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Builds of the documents the user may read."""
        return self.filter(
            Q(kind=DocumentBuild.Kind.REVIEW, object_id__in=HalfYearReview.objects.visible_to(user).values("pk"))
            | Q(kind=DocumentBuild.Kind.BULLETIN, object_id__in=Bulletin.objects.visible_to(user).values("pk"))
            | Q(kind=DocumentBuild.Kind.ACCOUNT, object_id__in=StudyAccount.objects.visible_to(user).values("pk"))
        )

    def editable_by(self, user):
        return self.visible_to(user)

    def for_document(self, document):
        return self.filter(kind=DocumentBuild.kind_of(document), object_id=document.pk)


class DocumentBuild(WorkerBuild):
    """One PDF build of one version of a document, by the Celery worker. One row per
    (document, version): a second click while it builds finds this row and starts nothing."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Half-year review")
        BULLETIN = "bulletin", _("Bulletin")
        ACCOUNT = "account", _("Study account (述学)")

    kind = models.CharField(_("document kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("document id"))
    version = models.PositiveIntegerField(_("document version"))
    file = models.FileField(_("file"), upload_to=build_upload_to, blank=True, max_length=200)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = DocumentBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("PDF build")
        verbose_name_plural = _("PDF builds")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "version"], name="one_build_per_document_version"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id} v{self.version} · {self.status}"

    @staticmethod
    def kind_of(document) -> str:
        return {
            HalfYearReview: DocumentBuild.Kind.REVIEW,
            Bulletin: DocumentBuild.Kind.BULLETIN,
            StudyAccount: DocumentBuild.Kind.ACCOUNT,
        }[type(document)]

    @property
    def document_model(self):
        return {
            self.Kind.REVIEW: HalfYearReview,
            self.Kind.BULLETIN: Bulletin,
            self.Kind.ACCOUNT: StudyAccount,
        }[self.kind]

