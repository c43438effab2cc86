"""What beat reminds people of about meetings. Each task finds what is due with one query and
calls ``members.notifications.services.notification_send`` with a stable occasion, so running it again
(or twice at once) notifies nobody twice. Thresholds come from settings; each task also takes
them as keyword arguments, which superusers can set on the periodic task in the admin.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.notifications.models import NotificationKind
from members.notifications.registry import reminder_rule
from members.notifications.services import (
    escalate,
    format_day,
    format_moment,
    group_members,
    group_staff,
    notification_send,
)
from sessions.models import Attendance, Meeting, Minutes


def _when(moment) -> str:
    return format_moment(moment)


def _meeting_text(meeting: Meeting, message: str = "") -> str:
    lines = [_("Time: %(when)s") % {"when": _when(meeting.starts_at)}]
    if meeting.venue:
        lines.append(_("Venue: %(venue)s") % {"venue": meeting.venue})
    if message:
        lines.append(message)
    return "\n\n".join(lines)


def meeting_notice_sent(*, notice) -> int:
    """Called by ``sessions.services.meeting_notify`` when staff send a notice: its recipients'
    inboxes, e-mail and the group's robots."""
    meeting = notice.meeting
    from django.contrib.auth import get_user_model

    recipients = get_user_model().objects.filter(meeting_notices__notice=notice)
    sent = notification_send(
        kind=NotificationKind.MEETING_NOTICE,
        obj=meeting,
        recipients=recipients,
        occasion=f"notice-{notice.pk}",
        title=_("Meeting notice: %(title)s") % {"title": meeting.title},
        body=_meeting_text(meeting, notice.message),
        group=meeting.group,
        by=notice.sent_by,
    )
    return len(sent)


def _on_leave(meeting: Meeting):
    return Attendance.objects.filter(meeting=meeting, status=Attendance.Status.LEAVE).values("user")


@reminder_rule
@shared_task(name="meetings.remind_upcoming", ignore_result=True)
def remind_upcoming(*, day_before_hours: int | None = None, hour_before_minutes: int | None = None) -> int:
    """A reminder a day before and an hour before a notified meeting (the hour one is urgent:
    quiet hours do not hold it)."""
    day = timedelta(hours=day_before_hours or settings.MEETING_REMINDER_DAY_BEFORE_HOURS)
    hour = timedelta(minutes=hour_before_minutes or settings.MEETING_REMINDER_HOUR_BEFORE_MINUTES)
    now = timezone.now()
    meetings = Meeting.objects.filter(
        status=Meeting.Status.NOTIFIED, starts_at__gt=now, starts_at__lte=now + day
    ).select_related("group")
    count = 0
    for meeting in meetings:
        soon = meeting.starts_at <= now + hour
        recipients = group_members(meeting.group).exclude(pk__in=_on_leave(meeting))
        title = (
            _("Starting soon: %(title)s at %(when)s") if soon else _("Tomorrow: %(title)s at %(when)s")
        ) % {"title": meeting.title, "when": _when(meeting.starts_at)}
        count += len(
            notification_send(
                kind=NotificationKind.MEETING_REMINDER, obj=meeting, recipients=recipients,
                occasion="hour-before" if soon else "day-before", title=title,
                body=_meeting_text(meeting), urgent=soon, group=meeting.group,
            )
        )
    return count


@reminder_rule(in_demo=False)
@shared_task(name="meetings.remind_sign_in", ignore_result=True)
def remind_sign_in() -> int:
    """When sign-in opens: those not signed in yet (nor on leave)."""
    now = timezone.now()
    opens = timedelta(minutes=settings.SIGN_IN_OPENS_MINUTES_BEFORE)
    meetings = Meeting.objects.filter(
        status__in=[Meeting.Status.NOTIFIED, Meeting.Status.HELD],
        starts_at__lte=now + opens,
        ends_at__gte=now,
    ).select_related("group")
    count = 0
    for meeting in meetings:
        # Signed in (present, late) or on leave; a member staff marked absent may still come and
        # sign in (as on the sign-in screen's "not yet" list), so is reminded.
        accounted_for = Attendance.objects.filter(meeting=meeting).exclude(status=Attendance.Status.ABSENT)
        recipients = group_members(meeting.group).exclude(pk__in=accounted_for.values("user"))
        count += len(
            notification_send(
                kind=NotificationKind.SIGN_IN_OPEN, obj=meeting, recipients=recipients, occasion="sign-in",
                title=_("Sign-in is open: %(title)s") % {"title": meeting.title},
                body=_meeting_text(meeting), urgent=True, group=meeting.group, robots=False,
            )
        )
    return count


@reminder_rule
@shared_task(name="meetings.remind_makeup_owed", ignore_result=True)
def remind_makeup_owed(*, every_days: int | None = None) -> int:
    """Those on leave or absent owe make-up study: reminded every N days until it is done."""
    every = every_days or settings.MAKEUP_REMIND_EVERY_DAYS
    now = timezone.now()
    owing = (
        Attendance.objects.owing_makeup()
        .filter(makeup_submitted_at__isnull=True, meeting__ends_at__lt=now, user__is_active=True)
        .select_related("meeting__group", "user")
    )
    count = 0
    for attendance in owing:
        period = (now - attendance.meeting.ends_at).days // every
        count += len(
            notification_send(
                kind=NotificationKind.MAKEUP_OWED, obj=attendance, recipients=[attendance.user],
                occasion=f"period-{period}",
                title=_("Make-up study owed: %(title)s") % {"title": attendance.meeting.title},
                body=_("You missed this meeting on %(when)s. Study its materials and record your make-up study.")
                % {"when": _when(attendance.meeting.starts_at)},
                url=attendance.meeting.get_absolute_url(), group=attendance.meeting.group, robots=False,
            )
        )
    return count


@reminder_rule
@shared_task(name="meetings.remind_makeup_review", ignore_result=True)
def remind_makeup_review(*, waiting_days: int | None = None, escalate_after_days: int | None = None) -> int:
    """Staff: make-up study entered and waiting for confirmation longer than N days."""
    waiting = timedelta(days=waiting_days or settings.REVIEW_WAITING_DAYS)
    escalate_after = timedelta(days=escalate_after_days or settings.ESCALATE_AFTER_DAYS)
    now = timezone.now()
    # Only rows that still owe make-up (on leave or absent, not cancelled): a row corrected to
    # present keeps its make-up fields, but there is nothing left to confirm.
    rows = (
        Attendance.objects.owing_makeup()
        .filter(makeup_submitted_at__isnull=False, makeup_submitted_at__lt=now - waiting)
        .select_related("meeting__group__organization", "user")
    )
    count = 0
    staff_by_group = {}
    for attendance in rows:
        meeting = attendance.meeting
        if meeting.group_id not in staff_by_group:
            staff_by_group[meeting.group_id] = group_staff(meeting.group)
        title = _("Make-up study waiting for confirmation: %(person)s, %(title)s") % {
            "person": attendance.user, "title": meeting.title,
        }
        count += len(
            notification_send(
                kind=NotificationKind.REVIEW_WAITING, obj=attendance, recipients=staff_by_group[meeting.group_id],
                occasion="makeup-review", title=title, url=meeting.get_absolute_url(), group=meeting.group,
                robots=False,
            )
        )
        if attendance.makeup_submitted_at < now - escalate_after:
            # The supervising staff are not the group's: say which group it is.
            escalate(obj=attendance, organization=meeting.group.organization,
                     title=_("Overdue at %(group)s: %(title)s") % {"group": meeting.group, "title": title},
                     url=meeting.get_absolute_url())
    return count


@reminder_rule
@shared_task(name="meetings.remind_records_missing", ignore_result=True)
def remind_records_missing(*, after_days: int | None = None, escalate_after_days: int | None = None) -> int:
    """Staff: attendance or minutes not entered N days after a meeting, before they would count
    as backfilled; past the escalation threshold the supervising staff are told once."""
    after = timedelta(days=after_days or settings.RECORDS_MISSING_AFTER_DAYS)
    escalate_after = timedelta(days=escalate_after_days or settings.ESCALATE_AFTER_DAYS)
    backfill = timedelta(days=settings.BACKFILL_AFTER_DAYS)
    now = timezone.now()
    has_attendance = Exists(Attendance.objects.filter(meeting=OuterRef("pk")))
    has_minutes = Exists(Minutes.objects.filter(meeting=OuterRef("pk")))
    meetings = (
        Meeting.objects.exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.ARCHIVED])
        .filter(ends_at__lt=now - after, ends_at__gte=now - max(backfill, escalate_after) - timedelta(days=30))
        .annotate(has_attendance=has_attendance, has_minutes=has_minutes)
        .filter(Q(has_attendance=False) | Q(has_minutes=False))
        .select_related("group__organization")
    )
    count = 0
    for meeting in meetings:
        missing = []
        if not meeting.has_attendance:
            missing.append(_("attendance"))
        if not meeting.has_minutes:
            missing.append(_("minutes"))
        title = _("Not entered yet for %(title)s: %(missing)s") % {
            "title": meeting.title, "missing": "、".join(str(m) for m in missing),
        }
        if meeting.ends_at + backfill > now:
            body = _("Enter them before %(date)s, or they count as backfilled.") % {
                "date": format_day(timezone.localtime(meeting.ends_at + backfill).date())
            }
            count += len(
                notification_send(
                    kind=NotificationKind.RECORDS_MISSING, obj=meeting, recipients=group_staff(meeting.group),
                    occasion="records-missing", title=title, body=body, group=meeting.group, robots=False,
                )
            )
        if meeting.ends_at < now - escalate_after:
            escalate(obj=meeting, organization=meeting.group.organization,
                     title=_("Overdue at %(group)s: %(title)s") % {"group": meeting.group, "title": title},
                     occasion="records-missing")
    return count
