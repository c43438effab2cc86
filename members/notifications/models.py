"""Notifications, preferences, the groups' robots and their deliveries, the daily reading."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from members.models import StudyGroup, User
from members.notifications.choices import NotificationChannel
from studygroup.models import Recorded

# Notifications
# ---------------------------------------------------------------------------------------------
# Every notification lands in its recipient's inbox; pushes (e-mail, the group's DingTalk and
# WeCom robots) are Delivery rows that Celery works through. Services: members.notifications.services;
# channels: members.notifications.channels; tasks: members.notifications.tasks; the daily reading: members.notifications.daily_reading.


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
    ACCOUNT_ACTIVATION = "account_activation", _("New accounts to activate")
    WORK_REVIEWED = "work_reviewed", _("My work accepted or returned")
    MAKEUP_DECIDED = "makeup_decided", _("My make-up study confirmed")
    TEST_OPEN = "test_open", _("Theory tests open, closing and marked")
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
        return reverse("notifications:notification-open", kwargs={"pk": self.pk})

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """Whether a person wants a kind of notification pushed on a channel (the inbox always
    gets it). No row: the default in ``members.notifications.services.DEFAULT_PUSH``."""

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
        NotificationKind.ACCOUNT_ACTIVATION.value,
    ]


class GroupChannel(Recorded):
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

    # The robot's recent posts and the places kept for those waiting: [[unix time, delivery id,
    # "sent" | "held"], …] of the last minute (members.notifications.services.robot_post_slot).
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
        return reverse("notifications:group-channels", kwargs={"pk": self.group_id})

    def clean(self):
        from members.notifications.robot_hosts import webhook_problem

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
    政务钉钉 / 专有钉钉), kept by the security administrator (``members.notifications.robot_hosts``)."""

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
        from members.notifications.robot_hosts import normalize_host

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
    # Robots: the phones the message @-mentions (DingTalk atMobiles, WeCom mentioned_mobile_list).
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
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
        return reverse("notifications:daily-reading-detail", kwargs={"pk": self.pk})


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
        return reverse("notifications:daily-reading-item-detail", kwargs={"pk": self.pk})

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
