"""Members' own work (心得体会, 笔记, 调研报告, 文章, 宣讲), research topics and field visits, the search index and the copy check."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from members.models import StudyGroup, User
from studygroup.models import WorkerBuild
from studygroup.transitions import Move, Transitions

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
        # Group ids where they are few, so each branch of the OR takes its own index.
        reviewed = scoping.group_ids_when_few("reviewable", user, scoping.reviewable_groups(user))
        read = scoping.group_ids_when_few("read", user, scoping.read_groups(user))
        return self.filter(
            Q(author=user) | (Q(group__in=reviewed) & shown_to_reviewers) | (Q(group__in=read) & readable)
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
        "work.ResearchTopic", on_delete=models.PROTECT, null=True, blank=True, related_name="reports",
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

    # The moves the status allows (studygroup.transitions): services apply them, rules ask them.
    transitions = Transitions({
        "edit": Move([WorkStatus.DRAFT, WorkStatus.RETURNED], None,
                     _("Only drafts and returned work can be changed.")),
        "submit": Move([WorkStatus.DRAFT, WorkStatus.RETURNED], WorkStatus.SUBMITTED,
                       _("Only drafts and returned work can be submitted.")),
        "accept": Move([WorkStatus.SUBMITTED], WorkStatus.ACCEPTED, _("Only submitted work can be reviewed.")),
        "return": Move([WorkStatus.SUBMITTED], WorkStatus.RETURNED, _("Only submitted work can be reviewed.")),
        "withdraw": Move([WorkStatus.DRAFT, WorkStatus.SUBMITTED, WorkStatus.RETURNED], WorkStatus.WITHDRAWN,
                         _("Accepted work cannot be withdrawn.")),
        # A research report takes field visits until it is accepted or withdrawn.
        "add_visit": Move([WorkStatus.DRAFT, WorkStatus.SUBMITTED, WorkStatus.RETURNED], None,
                          _("This report is closed.")),
    })

    class Meta:
        verbose_name = _("member's work")
        verbose_name_plural = _("members' work")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "year", "kind", "status"]),
            models.Index(fields=["author", "year"]),
            models.Index(fields=["status", "submitted_at"]),
            # The list's order: a province's staff see most rows, read newest first until a page.
            models.Index(fields=["-created_at", "-id"], name="work_newest_first"),
            # Work waiting for review, counted by group on home pages: as many entries as are
            # waiting, not as the group has texts.
            models.Index(
                fields=["group", "author", "id"], condition=Q(status="submitted"), name="work_waiting_review"
            ),
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
        return reverse("work:work-detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.transitions.allows(self, "edit")

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
        return f"{date_format(self.visited_on, 'DATE_FORMAT')} {self.place}"

    def get_absolute_url(self):
        return f"{self.report.get_absolute_url()}#visit-{self.pk}"


class SearchEntry(models.Model):
    """One searchable text (a member's work, a meeting's minutes) as space-separated bigrams,
    kept by ``members.work.search``. On PostgreSQL a GIN index over the bigrams as a tsvector makes
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
    """A MinHash signature of a work's text, for copy detection (``members.work.similarity``)."""

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
        indexes = [models.Index(fields=["group", "year", "band_hash"], name="work_fpband_lookup")]


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


# --- compilations built by the worker ----------------------------------------------------------


def compilation_upload_to(instance, filename):
    from studygroup.uploads import random_upload_path

    return random_upload_path("compilations", filename)


class CompilationBuildQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Builds of the groups whose work the user reads (downloading also needs the export
        permission on the group: ``work.downloads``)."""
        from members.scoping import read_groups, reviewable_groups

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(group__in=reviewable_groups(user).values("pk")) | Q(group__in=read_groups(user).values("pk")))


class CompilationBuild(WorkerBuild):
    """The PDF compilation (心得体会汇编) of a group's year, built by the worker: a long document
    (hundreds of texts) takes tens of seconds, which no request should wait for. ``contents`` says
    what it was built from (how many pieces, the latest change): a build whose pieces have changed
    since is offered again."""

    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("study group"))
    year = models.PositiveSmallIntegerField(_("year"))
    all_pieces = models.BooleanField(_("including pieces waiting for review"), default=False)
    contents = models.CharField(_("built from"), max_length=80)
    pieces = models.PositiveIntegerField(_("pieces"), default=0)
    file = models.FileField(_("file"), upload_to=compilation_upload_to, blank=True, max_length=200)

    objects = CompilationBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("compilation build")
        verbose_name_plural = _("compilation builds")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["group", "year", "all_pieces", "-requested_at"], name="compilation_latest")]

    def __str__(self):
        return f"{self.group_id} {self.year} · {self.status}"


# Online-platform study (学习强国, 干部网络学院) ----------------------------------------------------
# The platforms' administrators export each person's points or hours; staff import them (never
# typed by members). Stored per person, platform and month, as evidence, not as a ranking.


class OnlinePlatform(models.TextChoices):
    XUEXI = "xuexi", _("Xuexi Qiangguo (学习强国)")
    GANBU = "ganbu", _("Cadre online college (干部网络学院)")


class OnlineMeasure(models.TextChoices):
    POINTS = "points", _("points")
    HOURS = "hours", _("hours")


#: What each platform's export counts by default.
PLATFORM_MEASURE = {OnlinePlatform.XUEXI: OnlineMeasure.POINTS, OnlinePlatform.GANBU: OnlineMeasure.HOURS}


def online_study_upload_to(instance, filename):
    from studygroup.uploads import random_upload_path

    return random_upload_path("online-study", filename)


class OnlineStudyImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An import is its importer's (it lists the people it matched)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all() if user.is_superuser else self.filter(created_by=user)


class OnlineStudyImport(models.Model):
    """One platform export staff uploaded for one month: its preview, and once applied, its result."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Imported")

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    platform = models.CharField(_("platform"), max_length=10, choices=OnlinePlatform.choices)
    period = models.DateField(_("month"), help_text=_("The first day of the month the figures are for."))
    original_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to=online_study_upload_to, max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    preview = models.JSONField(_("preview"), default=dict)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = OnlineStudyImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("online-study import")
        verbose_name_plural = _("online-study imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_platform_display()} {self.period:%Y-%m} {self.original_name}"

    def get_absolute_url(self):
        return reverse("work:online-study-import-detail", kwargs={"pk": self.pk})


class OnlineStudyMapping(models.Model):
    """Which columns of a platform's export hold what, as the staff of an organisation last
    imported it (remembered, so the next month's file imports without choosing again)."""

    organization = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=10, choices=OnlinePlatform.choices)
    name_header = models.CharField(_("name column"), max_length=50, blank=True)
    phone_header = models.CharField(_("phone column"), max_length=50, blank=True)
    account_header = models.CharField(_("account column"), max_length=50, blank=True)
    value_header = models.CharField(_("points or hours column"), max_length=50)
    measure = models.CharField(_("counted in"), max_length=10, choices=OnlineMeasure.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("online-study column mapping")
        verbose_name_plural = _("online-study column mappings")
        constraints = [models.UniqueConstraint(fields=["organization", "platform"], name="one_mapping_per_platform")]

    def __str__(self):
        return f"{self.organization} {self.get_platform_display()}"


class OnlineStudyRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """One's own, and those of the people the user may see."""
        from members import scoping

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(person=user) | Q(person__in=scoping.visible_people(user).values("pk")))


class OnlineStudyRecord(models.Model):
    """A person's points or hours on a platform in a month, as the platform's export gave them."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="online_study", verbose_name=_("person"))
    platform = models.CharField(_("platform"), max_length=10, choices=OnlinePlatform.choices)
    period = models.DateField(_("month"))
    measure = models.CharField(_("counted in"), max_length=10, choices=OnlineMeasure.choices)
    value = models.DecimalField(_("points or hours"), max_digits=10, decimal_places=1)
    source = models.ForeignKey(
        OnlineStudyImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="records",
        verbose_name=_("imported from"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = OnlineStudyRecordQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("online-study record")
        verbose_name_plural = _("online-study records")
        ordering = ["person", "platform", "period"]
        constraints = [
            models.UniqueConstraint(fields=["person", "platform", "period"], name="one_online_record_per_month"),
            models.CheckConstraint(condition=Q(value__gte=0), name="online_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.person} {self.get_platform_display()} {self.period:%Y-%m}: {self.value}"


# Theory tests (考学: 以考促学) -------------------------------------------------------------------
# A question bank per organisation, shared downwards; a test (``TheoryTest``) for chosen groups
# with its paper (fixed questions, or drawn at random by topic, type and difficulty), a window,
# a time limit the server enforces, and one attempt per member unless staff allow more.


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    JUDGE = "judge", _("True or false")
    BLANK = "blank", _("Fill in the blank")
    SHORT = "short", _("Short answer")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A bank is shared downwards: the questions of the organisations the user manages and
        of the organisations above them."""
        from members import scoping
        from members.models import Organization

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        roots = scoping.managed_roots(user)
        above = {path[:end] for path in roots for end in range(Organization.steplen, len(path), Organization.steplen)}
        return self.filter(Q(organization__in=scoping.managed_organizations(user).values("pk")) | Q(organization__path__in=above))

    def editable_by(self, user):
        """Only the owning organisation's staff change its questions."""
        from members import scoping

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organization__in=scoping.managed_organizations(user).values("pk"))


class Question(models.Model):
    """试题: one question of an organisation's bank."""

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="questions", verbose_name=_("organization"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    stem = models.TextField(_("question"), max_length=2000)
    options = models.JSONField(_("options"), default=list, blank=True)
    # "B" (single), "ABD" (multiple), true/false (judge), ["人民", "共同富裕"] (blank), reference text (short)
    answer = models.JSONField(_("answer"))
    explanation = models.TextField(_("explanation"), blank=True)
    topic = models.ForeignKey(
        "plans.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="questions", verbose_name=_("plan topic"),
    )
    topic_name = models.CharField(_("topic"), max_length=200, blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by"))
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = QuestionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["organization", "kind", "pk"]
        indexes = [models.Index(fields=["organization", "kind", "difficulty"], name="question_draw")]

    def __str__(self):
        return self.stem[:60]

    def get_absolute_url(self):
        return reverse("work:question-list") + f"?q={self.pk}"

    @property
    def topic_label(self) -> str:
        return str(self.topic) if self.topic_id else self.topic_name

    def answer_display(self) -> str:
        if self.kind == QuestionKind.JUDGE:
            return str(_("True")) if self.answer else str(_("False"))
        if self.kind == QuestionKind.BLANK:
            return "；".join(self.answer or [])
        return str(self.answer or "")


class TheoryTestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the tests of the organisations they manage; members the published tests
        of their groups."""
        from members import scoping

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        managed = Q(organization__in=scoping.managed_organizations(user).values("pk"))
        taking = Q(status__in=["published", "closed"], groups__in=scoping.member_groups(user).values("pk"))
        return self.filter(Q(pk__in=self.model.objects.filter(managed | taking).values("pk")))

    def editable_by(self, user):
        from members import scoping

        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(organization__in=scoping.managed_organizations(user).values("pk"))


class TheoryTest(models.Model):
    """考学: a theory test for the members of chosen groups."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class PaperMode(models.TextChoices):
        FIXED = "fixed", _("Fixed questions")
        RANDOM = "random", _("Drawn at random for each member")

    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="theory_tests",
                                     verbose_name=_("organization"))
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    groups = models.ManyToManyField(StudyGroup, related_name="theory_tests", verbose_name=_("study groups"))
    topic = models.ForeignKey("plans.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("plan topic"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_limit_minutes = models.PositiveSmallIntegerField(_("time limit (minutes)"), default=30)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    shuffle = models.BooleanField(_("shuffle questions and options for each member"), default=True)
    one_per_screen = models.BooleanField(_("one question a screen"), default=True)
    paper_mode = models.CharField(_("paper"), max_length=10, choices=PaperMode.choices, default=PaperMode.FIXED)
    # Random papers: [{"kind": "single", "difficulty": 2 or null, "topic": id or null, "count": 5, "points": 2}]
    draw_rules = models.JSONField(_("draw rules"), default=list, blank=True)
    pass_score = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=1, default=60)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = TheoryTestQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[groups])
    transitions = Transitions({
        "edit": Move([Status.DRAFT], None, _("Only a draft test can be changed: members may have taken it.")),
        "publish": Move([Status.DRAFT], Status.PUBLISHED, _("Only a draft test can be published.")),
        "close": Move([Status.PUBLISHED], Status.CLOSED, _("Only a published test can be closed.")),
    })

    class Meta:
        verbose_name = _("theory test")
        verbose_name_plural = _("theory tests")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="test_closes_after_opening"),
            models.CheckConstraint(condition=Q(time_limit_minutes__gte=1), name="test_time_limit_positive"),
            models.CheckConstraint(condition=Q(attempts_allowed__gte=1), name="test_at_least_one_attempt"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("work:theory-test-detail", kwargs={"pk": self.pk})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at


class TestPaper(models.Model):
    """One question of a fixed paper (试卷), in its place, with its points."""

    __test__ = False  # not a test case (pytest collects classes named Test*)

    test = models.ForeignKey(TheoryTest, on_delete=models.CASCADE, related_name="paper", verbose_name=_("theory test"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    position = models.PositiveSmallIntegerField(pgettext_lazy("sort order", "position"), default=0)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, default=2)

    class Meta:
        verbose_name = _("paper question")
        verbose_name_plural = _("paper questions")
        ordering = ["test", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["test", "question"], name="question_once_on_a_paper")]


class TestAttemptQuerySet(models.QuerySet):
    def visible_to(self, user):
        """One's own attempts, and those of the tests the user manages."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(person=user) | Q(test__in=TheoryTest.objects.editable_by(user).values("pk")))


class TestAttempt(models.Model):
    """答卷: one member's attempt at a test: the questions they were given (in their order, with
    their options shuffled), what they answered as they went, and the marks."""

    __test__ = False  # not a test case (pytest collects classes named Test*)

    test = models.ForeignKey(TheoryTest, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("theory test"))
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="test_attempts", verbose_name=_("person"))
    group = models.ForeignKey(StudyGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("study group"))
    number = models.PositiveSmallIntegerField(_("attempt"), default=1)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline_at = models.DateTimeField(_("must be handed in by"))
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    auto_submitted = models.BooleanField(_("handed in at the time limit"), default=False)
    # [{"q": question id, "points": "2.0", "order": [2, 0, 1, 3]}]: the options as shown, by index
    questions = models.JSONField(_("questions"), default=list)
    answers = models.JSONField(_("answers"), default=dict, blank=True)  # {"<question id>": answer}
    # {"<question id>": {"points": "1.5", "comment": "…"}}: the marks given, objective ones at once
    marks = models.JSONField(_("marks"), default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, null=True, blank=True)
    max_score = models.DecimalField(_("out of"), max_digits=6, decimal_places=1, default=0)
    needs_marking = models.BooleanField(_("short answers to mark"), default=False)
    marked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("marked by"))
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)

    objects = TestAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("test attempt")
        verbose_name_plural = _("test attempts")
        ordering = ["test", "person", "number"]
        constraints = [models.UniqueConstraint(fields=["test", "person", "number"], name="attempt_numbered_once")]
        indexes = [models.Index(fields=["submitted_at", "deadline_at"], name="attempt_open")]

    def __str__(self):
        return f"{self.person} · {self.test}"

    def get_absolute_url(self):
        return reverse("work:attempt-take", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None
