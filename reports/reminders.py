"""What beat reminds people of about supervision and reports: rectification items approaching
and past their deadline (escalated once to the supervising organisation's staff when long
overdue), and half-year reviews waiting to be read by the organisation they were submitted to.

Each task finds what is due with one query and notifies through ``notification_send`` with a
stable occasion, so a second run notifies nobody twice.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import OrganizationAssignment, User, current_q
from members.notifications.models import NotificationKind
from members.notifications.registry import reminder_rule
from members.notifications.services import (
    escalate,
    format_day,
    group_staff,
    notification_send,
    responsible_staff,
)
from reports.models import Bulletin, BulletinRead, HalfYearReview, RectificationItem
from reports.selectors import bulletin_readers


@reminder_rule
@shared_task(name="reports.remind_rectification", ignore_result=True)
def remind_rectification(*, within_days: int | None = None, escalate_after_days: int | None = None) -> int:
    within = within_days if within_days is not None else settings.RECTIFICATION_DUE_WITHIN_DAYS
    escalate_after = escalate_after_days or settings.ESCALATE_AFTER_DAYS
    today = timezone.localdate()
    items = RectificationItem.objects.filter(
        status__in=RectificationItem.OPEN_STATUSES, deadline__lte=today + timedelta(days=within)
    ).select_related("group__organization", "organization", "owner")
    count = 0
    for item in items:
        overdue = item.deadline < today
        recipients = group_staff(item.group) + ([item.owner] if item.owner_id else [])
        title = (
            _("Rectification overdue since %(date)s: %(finding)s")
            if overdue
            else _("Rectification due on %(date)s: %(finding)s")
        ) % {"date": format_day(item.deadline), "finding": str(item)}
        count += len(
            notification_send(
                kind=NotificationKind.RECTIFICATION_DUE, obj=item, recipients=recipients,
                occasion=f"{'overdue' if overdue else 'due'}-{item.deadline.isoformat()}", title=title,
                body=item.measures[:500], group=item.group, robots=False,
            )
        )
        if overdue and (today - item.deadline).days > escalate_after:
            escalate(
                obj=item, recipients=responsible_staff(item.organization),
                title=_("Rectification at %(group)s overdue for more than %(days)s days: %(finding)s")
                % {"group": item.group, "days": escalate_after, "finding": str(item)},
                occasion=f"overdue-{item.deadline.isoformat()}",
            )
    return count


@reminder_rule
@shared_task(name="reports.remind_reviews_waiting", ignore_result=True)
def remind_reviews_waiting(*, waiting_days: int | None = None) -> int:
    """Half-year reviews submitted and not read for N days: the staff and leaders of the
    organisation they were submitted to."""
    waiting = timedelta(days=waiting_days or settings.APPROVAL_WAITING_DAYS)
    now = timezone.now()
    reviews = HalfYearReview.objects.filter(
        status=HalfYearReview.Status.SUBMITTED, submitted_at__lt=now - waiting, submitted_to__isnull=False
    ).select_related("group", "submitted_to")
    count = 0
    readers_of = {}  # per organisation submitted to: many groups submit to the same one
    for review in reviews:
        if review.submitted_to_id not in readers_of:
            leaders = User.objects.filter(
                is_active=True,
                assignments__in=OrganizationAssignment.objects.filter(
                    current_q(), organization=review.submitted_to, role=OrganizationAssignment.Role.LEADER
                ),
            )
            readers_of[review.submitted_to_id] = responsible_staff(review.submitted_to) + list(leaders)
        recipients = readers_of[review.submitted_to_id]
        count += len(
            notification_send(
                kind=NotificationKind.APPROVAL_WAITING, obj=review, recipients=recipients,
                occasion=f"submitted-v{review.version}",
                title=_("Waiting to be read: %(title)s") % {"title": review.title}, robots=False,
            )
        )
    return count


def _bulletin_text(bulletin) -> str:
    return _("%(organization)s, %(period)s. Open it to see your group's row, the ranking and what needs doing.") % {
        "organization": bulletin.organization, "period": bulletin.period_label,
    }


@shared_task(name="reports.notify_bulletin_issued", ignore_result=True)
def notify_bulletin_issued(*, bulletin_id: int) -> int:
    """Queued by ``reports.services.bulletin_issue`` once the issue is committed: a province
    bulletin has thousands of readers, so the request answers at once and the worker writes their
    notifications in bulk. Running it twice tells nobody twice (the occasion names the version)."""
    bulletin = Bulletin.objects.filter(pk=bulletin_id, status=Bulletin.Status.ISSUED).select_related(
        "organization", "issued_by"
    ).first()
    return bulletin_issued_notify(bulletin=bulletin) if bulletin is not None else 0


def bulletin_issued_notify(*, bulletin) -> int:
    """The leaders and the groups' heads are told (inbox and e-mail; a bulletin covers many
    groups, so no group robot)."""
    sent = notification_send(
        kind=NotificationKind.BULLETIN_ISSUED, obj=bulletin, recipients=bulletin_readers(bulletin),
        occasion=f"issued-v{bulletin.version}", title=_("Bulletin issued: %(title)s") % {"title": bulletin.title},
        body=_bulletin_text(bulletin), robots=False, by=bulletin.issued_by,
    )
    return len(sent)


@reminder_rule
@shared_task(name="reports.remind_bulletins_unread", ignore_result=True)
def remind_bulletins_unread(*, waiting_days: int | None = None, within_days: int = 60) -> int:
    """Issued bulletins not opened N days after issue: their readers who have not opened them,
    once per version (bulletins issued more than ``within_days`` ago are left alone)."""
    waiting = timedelta(days=waiting_days or settings.APPROVAL_WAITING_DAYS)
    now = timezone.now()
    bulletins = Bulletin.objects.filter(
        status=Bulletin.Status.ISSUED, issued_at__lt=now - waiting, issued_at__gte=now - timedelta(days=within_days)
    ).select_related("organization")
    count = 0
    for bulletin in bulletins:
        unread = bulletin_readers(bulletin).exclude(
            Exists(BulletinRead.objects.filter(bulletin=bulletin, user=OuterRef("pk")))
        )
        count += len(
            notification_send(
                kind=NotificationKind.BULLETIN_ISSUED, obj=bulletin, recipients=unread,
                occasion=f"unread-v{bulletin.version}",
                title=_("Waiting to be read: %(title)s") % {"title": bulletin.title},
                body=_bulletin_text(bulletin), robots=False,
            )
        )
    return count
