"""Meetings of a study group (集中学习) from notice to archive: materials (学习资料汇编), notices,
attendance with sign-in, leave and make-up study (签到 / 请假 / 补课), minutes (会议记录), speeches,
the publicity report (报道); first-agenda study (第一议题) and observation visits (巡听旁听).

Business rules live in ``sessions.services``; reads shared by pages in ``sessions.selectors``.
Every timestamp that says when something was *entered* is evidence and is never editable.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from members.scoping import (
    GroupScopedQuerySet,
    managed_groups,
    managed_organizations,
    read_organizations,
)
from studygroup.models import Recorded, Timestamped, WorkerBuild
from studygroup.transitions import Move, Transitions


def new_secret() -> str:
    return secrets.token_urlsafe(16)


def backfill_cutoff(meeting_end):
    """Entries made after this moment are backfilled (补记)."""
    return meeting_end + timedelta(days=settings.BACKFILL_AFTER_DAYS)


class MeetingQuerySet(GroupScopedQuerySet):
    group_lookup = "group"

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED)


class Meeting(Recorded):
    """A meeting of a study group: a group study session, a discussion, a lecture..."""

    class Kind(models.TextChoices):
        # The same values as plans.StudyForm, so a topic's study form maps onto a meeting kind.
        GROUP_STUDY = "group_study", _("Group study")
        DISCUSSION = "discussion", _("Thematic discussion")
        LECTURE = "lecture", _("Expert lecture")
        READING_CLASS = "reading_class", _("Reading class")
        ON_SITE = "on_site", _("On-site teaching")
        ONLINE = "online", _("Online study")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        NOTIFIED = "notified", _("Notice sent")
        HELD = "held", _("Held")
        ARCHIVED = "archived", _("Archived")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("study group")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GROUP_STUDY)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # iCalendar's SEQUENCE: raised when the time, place, title or status changes, so calendar
    # programs that subscribed (Outlook) replace the event instead of keeping the old one.
    schedule_revision = models.PositiveIntegerField(_("schedule revision"), default=0, editable=False)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("host"),
    )
    topics = models.ManyToManyField(
        "plans.Topic", blank=True, related_name="meetings", verbose_name=_("plan topics")
    )
    outside_plan = models.BooleanField(_("outside the annual plan"), default=False)
    outside_plan_reason = models.TextField(_("why outside the plan"), blank=True)
    lead_speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_meetings", verbose_name=_("lead speakers")
    )
    expert_name = models.CharField(_("expert's name"), max_length=50, blank=True)
    expert_title = models.CharField(_("expert's title"), max_length=100, blank=True)
    expert_affiliation = models.CharField(_("expert's affiliation"), max_length=150, blank=True)
    session_plan = models.TextField(
        _("session plan"), blank=True,
        help_text=_("The agenda and what to read first (学习方案)."),
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("archived by"),
    )
    signin_secret = models.CharField(_("sign-in secret"), max_length=40, default=new_secret, editable=False)


    history = HistoricalRecords(m2m_fields=[topics, lead_speakers], excluded_fields=["signin_secret"])
    objects = MeetingQuerySet.as_manager()

    # The moves the status allows (studygroup.transitions): services apply them, rules ask them.
    transitions = Transitions({
        # A second notice (after a change) is allowed while the meeting is ahead.
        "notify": Move([Status.PLANNED, Status.NOTIFIED], Status.NOTIFIED,
                       _("A notice can only be sent for a planned meeting.")),
        "hold": Move([Status.NOTIFIED], Status.HELD, _("A meeting that is “%(status)s” cannot be marked as held.")),
        "archive": Move([Status.HELD], Status.ARCHIVED, _("A meeting that is “%(status)s” cannot be archived.")),
        "cancel": Move([Status.PLANNED, Status.NOTIFIED], Status.CANCELLED,
                       _("A meeting that is “%(status)s” cannot be cancelled.")),
        # Its details (time, place, topics) change only while it is ahead.
        "change": Move([Status.PLANNED, Status.NOTIFIED], None, _("A meeting that is “%(status)s” cannot be changed.")),
        # Its record (attendance, minutes, materials) until it is archived or cancelled.
        "record": Move([Status.PLANNED, Status.NOTIFIED, Status.HELD], None,
                       _("This meeting is archived or cancelled; its record can no longer change.")),
    })

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["group", "starts_at"]),
            # The list's and the calendar's order: a province's staff see most meetings.
            models.Index(fields=["-starts_at", "-id"], name="meeting_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("The meeting must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="cancelled_meeting_has_reason",
                violation_error_message=_("Give a reason for cancelling."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:meeting-detail", kwargs={"pk": self.pk})

    @property
    def is_lecture(self) -> bool:
        return self.kind == self.Kind.LECTURE

    @property
    def is_open(self) -> bool:
        """Still being prepared or run: not archived, not cancelled."""
        return self.status in (self.Status.PLANNED, self.Status.NOTIFIED, self.Status.HELD)

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def sign_in_opens_at(self):
        return self.starts_at - timedelta(minutes=settings.SIGN_IN_OPENS_MINUTES_BEFORE)

    @property
    def late_after(self):
        return self.starts_at + timedelta(minutes=settings.SIGN_IN_LATE_AFTER_MINUTES)

    def sign_in_window_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status in (self.Status.PLANNED, self.Status.NOTIFIED, self.Status.HELD)
            and self.sign_in_opens_at <= now <= self.ends_at
        )


class MeetingRecordQuerySet(GroupScopedQuerySet):
    """Records of a meeting (its notices, minutes, speeches, report): scoped by its group."""

    group_lookup = "meeting__group"


class EnteredRecord(models.Model):
    """What staff write down about a meeting (minutes, the publicity report): who entered it and
    when, which shows whether it was written at the time or backfilled (补记)."""

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()

    @property
    def is_backfilled(self) -> bool:
        return self.entered_at > backfill_cutoff(self.meeting.ends_at)


class MeetingNotice(models.Model):
    """A notice sent for a meeting: when, by whom, to whom (the recipients)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="notices", verbose_name=_("meeting"))
    message = models.TextField(_("message"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    history = HistoricalRecords()

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting notice")
        verbose_name_plural = _("meeting notices")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.meeting} · {date_format(timezone.localtime(self.sent_at), 'DATETIME_FORMAT')}"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class NoticeRecipient(models.Model):
    notice = models.ForeignKey(
        MeetingNotice, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("notice")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_notices", verbose_name=_("person")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="one_recipient_row_per_notice")]

    def __str__(self):
        return f"{self.notice} → {self.user}"


class AttendanceQuerySet(GroupScopedQuerySet):
    group_lookup = "meeting__group"

    def owing_makeup(self):
        return self.filter(
            status__in=[Attendance.Status.LEAVE, Attendance.Status.ABSENT], makeup_confirmed_at__isnull=True
        ).exclude(meeting__status=Meeting.Status.CANCELLED)


class Attendance(Timestamped):
    """One member's row for one meeting: present, late, on leave (with reason) or absent, and the
    make-up study (补课) owed by those on leave or absent."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", pgettext_lazy("attendance", "Late")
        LEAVE = "leave", _("On leave")
        ABSENT = "absent", _("Absent")

    class Source(models.TextChoices):
        STAFF = "staff", _("Recorded by staff")
        SIGN_IN = "sign_in", _("Signed in by QR code")
        LEAVE_REQUEST = "leave_request", _("Leave asked by the member")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("person")
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)
    source = models.CharField(_("recorded how"), max_length=20, choices=Source.choices, default=Source.STAFF)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"),
    )

    makeup_content = models.TextField(_("what was studied in make-up"), blank=True)
    makeup_studied_on = models.DateField(_("make-up studied on"), null=True, blank=True)
    makeup_submitted_at = models.DateTimeField(_("make-up entered at"), null=True, blank=True)
    makeup_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("make-up confirmed by"),
    )
    makeup_confirmed_at = models.DateTimeField(_("make-up confirmed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], name="one_attendance_per_member_and_meeting",
                violation_error_message=_("This person already has an attendance row for this meeting."),
            ),
            models.CheckConstraint(
                condition=~Q(status="leave") | ~Q(leave_reason=""),
                name="leave_has_reason",
                violation_error_message=_("Give a reason for the leave."),
            ),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.user} · {self.get_status_display()}"

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()

    @property
    def owes_makeup(self) -> bool:
        return self.status in (self.Status.LEAVE, self.Status.ABSENT) and self.makeup_confirmed_at is None

    @property
    def makeup_waiting(self) -> bool:
        return self.makeup_submitted_at is not None and self.makeup_confirmed_at is None


class Minutes(EnteredRecord):
    """The meeting's minutes (会议记录). ``entered_at`` is when they were first written."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes", verbose_name=_("meeting"))
    text = models.TextField(_("minutes"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return f"{self.meeting} · {self._meta.verbose_name}"


class Speech(Timestamped):
    """A keynote (重点发言) or discussion contribution (研讨发言) at a meeting."""

    class Kind(models.TextChoices):
        KEYNOTE = "keynote", _("Keynote speech")
        DISCUSSION = "discussion", _("Discussion")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="speeches", verbose_name=_("meeting"))
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="speeches", verbose_name=_("speaker")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    history = HistoricalRecords()

    objects = MeetingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("speech")
        verbose_name_plural = _("speeches")
        ordering = ["meeting", "kind", "position", "pk"]

    def __str__(self):
        return f"{self.speaker}：{self.title}"

    def get_absolute_url(self):
        return f"{self.meeting.get_absolute_url()}#speech-{self.pk}"


class PublicityReport(EnteredRecord):
    """The publicity report (报道) of a meeting: text and/or a link, and its date."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="report", verbose_name=_("meeting")
    )
    title = models.CharField(_("headline"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("publicity report")
        verbose_name_plural = _("publicity reports")
        constraints = [
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(link=""),
                name="report_has_text_or_link",
                violation_error_message=_("A report needs its text or a link."),
            )
        ]

    def __str__(self):
        return self.title or str(self.meeting)


def material_upload_to(instance, filename):
    """A generated name: the uploader's file name is kept in the database only."""
    from studygroup.uploads import random_upload_path

    return random_upload_path("materials", filename)


class MaterialQuerySet(GroupScopedQuerySet):
    group_lookup = "group"

    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class Material(models.Model):
    """A file or link of the materials compilation (学习资料汇编), for a meeting or a plan topic."""

    group = models.ForeignKey(
        "members.StudyGroup", on_delete=models.PROTECT, related_name="materials", verbose_name=_("study group")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="materials", verbose_name=_("meeting")
    )
    topic = models.ForeignKey(
        "plans.Topic", on_delete=models.PROTECT, null=True, blank=True, related_name="materials",
        verbose_name=_("plan topic"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_upload_to, blank=True, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    url = models.URLField(_("link"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by")
    )
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MaterialQuerySet.as_manager()

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(topic__isnull=False),
                name="material_for_meeting_or_topic",
                violation_error_message=_("A material belongs to a meeting or a plan topic."),
            ),
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url=""),
                name="material_has_file_or_link",
                violation_error_message=_("Upload a file or give a link."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        if self.file:
            return reverse("meetings:material-download", kwargs={"pk": self.pk})
        return self.url

    @property
    def is_link(self) -> bool:
        return not self.file


class CalendarFeed(models.Model):
    """A person's secret calendar-feed token; resetting it makes the old address stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed", verbose_name=_("person")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_secret)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


# --- first-agenda study (第一议题) -------------------------------------------------------------


class OrganizationScopedQuerySet(models.QuerySet):
    """Staff and leaders read an organisation's records and those below; staff change them."""

    organization_lookup = "organization"

    def visible_to(self, user):
        return self.filter(**{f"{self.organization_lookup}__in": read_organizations(user).values("pk")})

    def editable_by(self, user):
        return self.filter(**{f"{self.organization_lookup}__in": managed_organizations(user).values("pk")})


class FirstAgendaStudy(Timestamped):
    """第一议题: a standing-committee or Party-group meeting that opened with the study of General
    Secretary Xi's latest speeches or instructions."""

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="first_agenda_studies",
        verbose_name=_("organization"),
    )
    held_on = models.DateField(_("date"))
    meeting_name = models.CharField(_("meeting"), max_length=200, help_text=_("e.g. the 12th standing committee meeting"))
    studied = models.CharField(_("what was studied"), max_length=300)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("e.g. Xinhua, Qiushi"))
    source_date = models.DateField(_("date of the speech or instruction"), null=True, blank=True)
    led_by = models.CharField(_("led by"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    history = HistoricalRecords()
    objects = OrganizationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("first-agenda study")
        verbose_name_plural = _("first-agenda studies")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{date_format(self.held_on, 'DATE_FORMAT')} {self.meeting_name}"

    def get_absolute_url(self):
        return reverse("meetings:first-agenda-detail", kwargs={"pk": self.pk})


class FollowUpMeasureQuerySet(OrganizationScopedQuerySet):
    organization_lookup = "study__organization"

    def open(self):
        return self.filter(done=False)


class FollowUpMeasure(Timestamped):
    """A follow-up measure (贯彻落实举措) decided at a first-agenda study."""

    study = models.ForeignKey(
        FirstAgendaStudy, on_delete=models.PROTECT, related_name="measures", verbose_name=_("first-agenda study")
    )
    description = models.TextField(_("measure"))
    owner = models.CharField(_("owner"), max_length=100, help_text=_("The person or unit responsible."))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("how it was done"), blank=True)

    history = HistoricalRecords()
    objects = FollowUpMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up measure")
        verbose_name_plural = _("follow-up measures")
        ordering = ["done", "due_on", "pk"]

    def __str__(self):
        return self.description[:60]

    def get_absolute_url(self):
        return f"{self.study.get_absolute_url()}#measure-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.due_on is not None and self.due_on < timezone.localdate()


# --- observation visits (巡听旁听) -------------------------------------------------------------


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The supervising organisation's staff and leaders, and those who read the visited group
        (its organisation's staff and leaders). Members of the visited group do not see it."""
        readable = read_organizations(user).values("pk")
        return self.filter(Q(organization__in=readable) | Q(meeting__group__organization__in=readable))

    def editable_by(self, user):
        return self.filter(organization__in=managed_organizations(user).values("pk"))

    def answerable_by(self, user):
        return self.filter(meeting__group__in=managed_groups(user).values("pk"))


class Observation(Timestamped):
    """巡听旁听: staff of a supervising organisation visit a subordinate group's meeting."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")
        GOOD = "good", _("Good")
        FAIR = "fair", _("Fair")
        POOR = "poor", _("Poor")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="observations", verbose_name=_("meeting observed")
    )
    organization = models.ForeignKey(
        "members.Organization", on_delete=models.PROTECT, related_name="observations",
        verbose_name=_("observing organization"),
    )
    observers = models.CharField(_("observers"), max_length=200, help_text=_("Who attended as observers."))
    score = models.PositiveSmallIntegerField(_("score (0–100)"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    rectification = models.TextField(_("rectification required"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    history = HistoricalRecords()
    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation visit")
        verbose_name_plural = _("observation visits")
        ordering = ["-meeting__starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="observation_score_at_most_100",
                violation_error_message=_("A score is between 0 and 100."),
            )
        ]

    def __str__(self):
        return f"{self.meeting} · {self.organization}"

    def get_absolute_url(self):
        return reverse("meetings:observation-detail", kwargs={"pk": self.pk})


class ObservationPointQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(observation__in=Observation.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(observation__in=Observation.objects.answerable_by(user).values("pk"))

    def open(self):
        return self.filter(answered_at__isnull=True)


class ObservationPoint(models.Model):
    """A problem found at a visit; the visited group's staff answer it (what they changed)."""

    observation = models.ForeignKey(
        Observation, on_delete=models.PROTECT, related_name="points", verbose_name=_("observation visit")
    )
    text = models.TextField(_("problem found"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ObservationPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation point")
        verbose_name_plural = _("observation points")
        ordering = ["observation", "pk"]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return f"{self.observation.get_absolute_url()}#point-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None



# --- the meeting's materials as one PDF (学习资料汇编) ----------------------------------------------


def bundle_upload_to(instance, filename):
    from studygroup.uploads import random_upload_path

    return random_upload_path("bundles", filename)


class MaterialBundleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whoever sees the meeting downloads its bundle (members read it before the meeting)."""
        return self.filter(meeting__in=Meeting.objects.visible_to(user).values("pk"))


class MaterialBundle(WorkerBuild):
    """学习资料汇编: the meeting's current materials as one PDF with a cover and a table of contents,
    built by the worker (PDFs and pictures merged, Word and Excel files converted by LibreOffice
    where the server has it). ``contents`` names the materials it was built from: a build whose
    materials have changed since is offered again."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="bundles", verbose_name=_("meeting"))
    contents = models.CharField(_("built from"), max_length=200)
    left_out = models.JSONField(_("materials left out"), default=list, blank=True)
    file = models.FileField(_("file"), upload_to=bundle_upload_to, blank=True, max_length=200)

    objects = MaterialBundleQuerySet.as_manager()

    class Meta:
        verbose_name = _("materials compilation")
        verbose_name_plural = _("materials compilations")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.meeting_id} · {self.status}"


def archive_upload_to(instance, filename):
    from studygroup.uploads import random_upload_path

    return random_upload_path("archives", filename)


class ArchiveBuildQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The office's copy holds everyone's attendance and reasons for leave: the staff managing
        the group and the leaders reading its organisation (``selectors.sees_attendance_sheet``)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(meeting__group__in=managed_groups(user).values("pk"))
            | Q(meeting__group__organization__in=read_organizations(user).values("pk"))
        )


class ArchiveBuild(WorkerBuild):
    """The meeting's archive (会议档案) as the office keeps it: one PDF/A of every record, built by
    the worker when the meeting is archived (or when staff ask for it before). ``contents`` says
    what it was built from: once archived, the record no longer changes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="archive_builds", verbose_name=_("meeting"))
    contents = models.CharField(_("built from"), max_length=100)
    file = models.FileField(_("file"), upload_to=archive_upload_to, blank=True, max_length=200)

    objects = ArchiveBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting archive PDF")
        verbose_name_plural = _("meeting archive PDFs")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["meeting", "-requested_at"], name="archive_build_latest")]

    def __str__(self):
        return f"{self.meeting_id} · {self.status}"
