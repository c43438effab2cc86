"""Reminders about members' own work, run by beat.

Each task finds what is due with one query and calls ``notification_send`` with a stable
occasion: running it twice notifies nobody twice.
"""

from datetime import timedelta
from itertools import groupby
from operator import attrgetter

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.notifications.models import NotificationKind
from members.notifications.registry import reminder_rule
from members.notifications.services import escalate, format_day, group_staff, notification_send
from members.work.models import MemberWork, WorkKind, WorkStatus


@reminder_rule
@shared_task(name="work.remind_reflections_due", ignore_result=True)
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
            "title": meeting.title, "date": format_day(timezone.localtime(due_at).date()),
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


@reminder_rule
@shared_task(name="work.remind_review_queue", ignore_result=True)
def remind_review_queue(*, waiting_days: int | None = None, escalate_after_days: int | None = None) -> int:
    """Reviewers (the group's secretaries and staff): one message a week per group while work
    has waited longer than N days (never for their own work), not one per piece, so a long
    queue does not flood the inbox. Each piece waiting past the escalation threshold is told
    once to the supervising staff."""
    waiting = timedelta(days=waiting_days or settings.REVIEW_WAITING_DAYS)
    escalate_after = timedelta(days=escalate_after_days or settings.ESCALATE_AFTER_DAYS)
    now = timezone.now()
    year, week, _day = timezone.localdate().isocalendar()
    rows = (
        MemberWork.objects.filter(status=WorkStatus.SUBMITTED, submitted_at__lt=now - waiting)
        .select_related("group__organization", "author")
        .order_by("group_id", "submitted_at", "pk")
    )
    count = 0
    for group, works in groupby(rows, key=attrgetter("group")):
        works = list(works)
        for reviewer in group_staff(group):
            theirs = [work for work in works if work.author_id != reviewer.pk]
            if not theirs:
                continue
            count += len(
                notification_send(
                    kind=NotificationKind.REVIEW_WAITING, obj=group, recipients=[reviewer],
                    occasion=f"review-queue-{year}-W{week:02d}",
                    title=_("%(group)s: %(count)s pieces of work waiting for review") % {
                        "group": group, "count": len(theirs),
                    },
                    body=_review_queue_text(theirs, now),
                    url=reverse("work:review-queue", kwargs={"pk": group.pk}), group=group, robots=False,
                )
            )
        for work in works:
            if work.submitted_at < now - escalate_after:
                title = _("Waiting for review: %(kind)s “%(title)s” by %(author)s") % {
                    "kind": work.get_kind_display(), "title": work.title, "author": work.author,
                }
                # The supervising staff are not the group's: say which group it is.
                escalate(obj=work, organization=group.organization,
                         title=_("Overdue at %(group)s: %(title)s") % {"group": group, "title": title},
                         occasion=f"submission-{work.submission_count}")
    return count


def _review_queue_text(works, now, *, shown: int = 10) -> str:
    lines = [
        _("%(kind)s “%(title)s” by %(author)s, waiting %(days)s days") % {
            "kind": work.get_kind_display(), "title": work.title, "author": work.author,
            "days": (now - work.submitted_at).days,
        }
        for work in works[:shown]
    ]
    if len(works) > shown:
        lines.append(_("and %(n)s more") % {"n": len(works) - shown})
    return "\n".join(f"- {line}" for line in lines)


@reminder_rule
@shared_task(name="work.remind_tests_closing", ignore_result=True)
def remind_tests_closing(*, hours: int = 24) -> int:
    """Members who have not handed in a published test are reminded once within its last day."""
    from members.work.models import TestAttempt, TheoryTest
    from members.work.theory import test_members

    now = timezone.now()
    count = 0
    for test in TheoryTest.objects.filter(status=TheoryTest.Status.PUBLISHED, opens_at__lte=now,
                                          closes_at__gt=now, closes_at__lte=now + timedelta(hours=hours)):
        done = TestAttempt.objects.filter(test=test, submitted_at__isnull=False).values("person")
        waiting = list(test_members(test).exclude(pk__in=done))
        if not waiting:
            continue
        count += len(notification_send(
            kind=NotificationKind.TEST_OPEN, obj=test, recipients=waiting, occasion="closing",
            title=_("Theory test closing on %(when)s: %(title)s") % {
                "title": test.title, "when": format_day(timezone.localtime(test.closes_at).date()),
            },
            body=_("You have not handed it in yet."), robots=False,
        ))
    return count


@reminder_rule(in_demo=False)
@shared_task(name="work.finish_overdue_attempts", ignore_result=True)
def finish_overdue_attempts() -> int:
    """Hand in the attempts whose time is up."""
    from members.work.theory import attempts_finish_overdue

    return attempts_finish_overdue()
