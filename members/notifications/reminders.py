"""The daily reading's own reminder rules, run by beat (each app keeps its rules in its own
``reminders.py``; see ``members.notifications.registry``)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from members.notifications.models import DailyReading, NotificationKind
from members.notifications.registry import reminder_rule
from members.notifications.services import notification_send


@reminder_rule(in_demo=False)
@shared_task(name="notifications.daily_reading_remind_approvers", ignore_result=True)
def daily_reading_remind_approvers() -> int:
    """Before the cutoff: approvers of groups whose articles of today still wait for them."""
    from members.notifications.daily_reading import approvers_of

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


@reminder_rule(in_demo=False)
@shared_task(name="notifications.daily_reading_push", ignore_result=True)
def daily_reading_push() -> int:
    """At the cutoff: push today's approved articles (nothing unapproved) once per group."""
    from members.notifications.daily_reading import daily_reading_push as push

    today = timezone.localdate()
    readings = DailyReading.objects.filter(
        date=today, sent_at__isnull=True, items__approved_at__isnull=False, items__withdrawn_at__isnull=True
    ).distinct()
    return sum(push(reading=reading) for reading in readings)
