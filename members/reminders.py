"""Reminders about members' own work and the daily reading push, run by beat.

Each task finds what is due with one query and calls ``notification_send`` with a stable
occasion: running it twice notifies nobody twice.
"""

from datetime import timedelta

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import DailyReading, MemberWork, NotificationKind, WorkKind, WorkStatus
from members.notifications import escalate, group_staff, notification_send


@shared_task(name="members.remind_reflections_due", ignore_result=True)
def remind_reflections_due(*, due_days: int | None = None, warn_days: int = 3) -> int:
    """Members who attended a meeting owe a reflection N days after it: reminded a few days
    before it is due and once when it is overdue, until they submit one."""
    Attendance = apps.get_model("meetings", "Attendance")
    due = timedelta(days=due_days or settings.REFLECTION_DUE_DAYS)
    now = timezone.now()
    submitted = MemberWork.objects.filter(
        kind=WorkKind.REFLECTION, meeting=OuterRef("meeting"), author=OuterRef("user"),
        status__in=[WorkStatus.SUBMITTED, WorkStatus.ACCEPTED, WorkStatus.RETURNED],
    )
    rows = (
        Attendance.objects.filter(
            status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
            meeting__ends_at__lt=now - due + timedelta(days=warn_days),
            meeting__ends_at__gte=now - due - timedelta(days=30),
            user__is_active=True,
        )
        .exclude(meeting__status="cancelled")
        .exclude(Exists(submitted))
        .select_related("meeting__group", "user")
    )
    count = 0
    for attendance in rows:
        meeting = attendance.meeting
        due_at = meeting.ends_at + due
        overdue = due_at < now
        title = (_("Reflection overdue: %(title)s") if overdue else _("Reflection due on %(date)s: %(title)s")) % {
            "title": meeting.title, "date": timezone.localtime(due_at).strftime("%Y-%m-%d"),
        }
        count += len(
            notification_send(
                kind=NotificationKind.REFLECTION_DUE, obj=attendance, recipients=[attendance.user],
                occasion="overdue" if overdue else "due-soon", title=title,
                body=_("Write down what you took from the meeting and submit it as a reflection."),
                url=meeting.get_absolute_url(), group=meeting.group, robots=False,
            )
        )
    return count


@shared_task(name="members.remind_review_queue", ignore_result=True)
def remind_review_queue(*, waiting_days: int | None = None, escalate_after_days: int | None = None) -> int:
    """Reviewers (the group's secretaries and staff): work submitted and waiting longer than N
    days; past the escalation threshold the supervising staff are told once."""
    waiting = timedelta(days=waiting_days or settings.REVIEW_WAITING_DAYS)
    escalate_after = timedelta(days=escalate_after_days or settings.ESCALATE_AFTER_DAYS)
    now = timezone.now()
    rows = MemberWork.objects.filter(status=WorkStatus.SUBMITTED, submitted_at__lt=now - waiting).select_related(
        "group__organization", "author"
    )
    count = 0
    staff_by_group = {}
    for work in rows:
        if work.group_id not in staff_by_group:
            staff_by_group[work.group_id] = [p for p in group_staff(work.group)]
        reviewers = [p for p in staff_by_group[work.group_id] if p.pk != work.author_id]
        title = _("Waiting for review: %(kind)s “%(title)s” by %(author)s") % {
            "kind": work.get_kind_display(), "title": work.title, "author": work.author,
        }
        count += len(
            notification_send(
                kind=NotificationKind.REVIEW_WAITING, obj=work, recipients=reviewers,
                occasion=f"submission-{work.submission_count}", title=title, group=work.group, robots=False,
            )
        )
        if work.submitted_at < now - escalate_after:
            escalate(obj=work, organization=work.group.organization, title=title,
                     occasion=f"submission-{work.submission_count}")
    return count


@shared_task(name="members.daily_reading_remind_approvers", ignore_result=True)
def daily_reading_remind_approvers() -> int:
    """Before the cutoff: approvers of groups whose articles of today still wait for them."""
    from members.daily_reading import approvers_of

    today = timezone.localdate()
    readings = (
        DailyReading.objects.filter(date=today, sent_at__isnull=True, items__withdrawn_at__isnull=True,
                                    items__approved_at__isnull=True)
        .distinct()
        .select_related("group__organization")
    )
    count = 0
    for reading in readings:
        count += len(
            notification_send(
                kind=NotificationKind.APPROVAL_WAITING, obj=reading, recipients=approvers_of(reading.group),
                occasion=f"approve-{today.isoformat()}",
                title=_("Daily reading of %(group)s waits for your approval before %(cutoff)s")
                % {"group": reading.group, "cutoff": settings.DAILY_READING_CUTOFF},
                urgent=True, robots=False,
            )
        )
    return count


@shared_task(name="members.daily_reading_push", ignore_result=True)
def daily_reading_push() -> int:
    """At the cutoff: push today's approved articles (nothing unapproved) once per group."""
    from members.daily_reading import daily_reading_push as push

    today = timezone.localdate()
    readings = DailyReading.objects.filter(
        date=today, sent_at__isnull=True, items__approved_at__isnull=False, items__withdrawn_at__isnull=True
    ).distinct()
    return sum(push(reading=reading) for reading in readings)
