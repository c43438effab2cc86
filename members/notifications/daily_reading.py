"""The daily reading push (每日推送, the 移动课 of the study plan).

Staff collect two or three articles a day for a group; the approver (the office director, an
``approver`` assignment) approves them before the cutoff (``DAILY_READING_CUTOFF``, 18:00); at the
cutoff beat pushes the approved items to members' inboxes and the group's robots. Nothing
unapproved is sent. Members mark items read; the reading rate is what the reports use.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.models import Membership, OrganizationAssignment, StudyGroup, User, current_q
from members.notifications.models import DailyReading, DailyReadingItem, DailyReadingRead, NotificationKind
from members.notifications.services import absolute_url, daily_reading_cutoff, group_members, notification_send
from studygroup.mixins import require_perm
from studygroup.services import stamp

MAX_ITEMS_A_DAY = 3


def _require_open(reading: DailyReading) -> None:
    if reading.sent_at is not None:
        raise ValidationError(_("This day's reading has already been pushed."))
    if timezone.now() > daily_reading_cutoff(reading.date):
        raise ValidationError(_("The cutoff for this day has passed."))


@transaction.atomic
def daily_reading_item_add(
    *, group: StudyGroup, by: User, title: str, source: str, link: str, excerpt: str = "", day: date | None = None
) -> DailyReadingItem:
    require_perm(by, "notifications.add_reading_item", group)
    day = day or timezone.localdate()
    reading, _created = DailyReading.objects.get_or_create(group=group, date=day, defaults={"created_by": by})
    reading = DailyReading.objects.select_for_update().get(pk=reading.pk)
    _require_open(reading)
    current = reading.items.current().count()
    if current >= MAX_ITEMS_A_DAY:
        raise ValidationError(
            _("A day's reading has at most %(n)s articles.") % {"n": MAX_ITEMS_A_DAY}
        )
    item = DailyReadingItem(
        reading=reading, title=title, source=source, link=link, excerpt=excerpt, position=current + 1, added_by=by
    )
    item.full_clean()
    stamp(item, by).save()
    return item


@transaction.atomic
def daily_reading_item_withdraw(*, item: DailyReadingItem, by: User) -> DailyReadingItem:
    require_perm(by, "notifications.edit_reading", item)
    item = DailyReadingItem.objects.select_for_update().get(pk=item.pk)
    _require_open(item.reading)
    item.withdrawn_at = timezone.now()
    item.approved_at = None
    item.approved_by = None
    stamp(item, by).save()
    return item


@transaction.atomic
def daily_reading_item_approve(*, item: DailyReadingItem, by: User) -> DailyReadingItem:
    """The approver passes one article; only before the day's cutoff."""
    require_perm(by, "notifications.approve_reading", item)
    item = DailyReadingItem.objects.select_for_update().select_related("reading").get(pk=item.pk)
    _require_open(item.reading)
    if item.withdrawn_at is not None:
        raise ValidationError(_("This article was withdrawn."))
    if item.approved_at is None:
        item.approved_at = timezone.now()
        item.approved_by = by
        stamp(item, by).save()
    return item


@transaction.atomic
def daily_reading_approve(*, reading: DailyReading, by: User) -> int:
    """Approve every article of the day still waiting."""
    require_perm(by, "notifications.approve_reading", reading)
    reading = DailyReading.objects.select_for_update().get(pk=reading.pk)
    _require_open(reading)
    count = 0
    for item in reading.items.current().filter(approved_at__isnull=True):
        item.approved_at = timezone.now()
        item.approved_by = by
        stamp(item, by).save()
        count += 1
    return count


def _push_body(items) -> str:
    lines = []
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. [{item.title}]({absolute_url(item.get_absolute_url())}) —— {item.source}")
        if item.excerpt:
            lines.append(f"> {item.excerpt[:200]}")
    return "\n".join(lines)


@transaction.atomic
def daily_reading_push(*, reading: DailyReading) -> int:
    """At the cutoff: send the approved articles once. Returns how many were pushed."""
    reading = DailyReading.objects.select_for_update().select_related("group").get(pk=reading.pk)
    if reading.sent_at is not None:
        return 0
    items = list(reading.items.approved().order_by("position", "pk"))
    if not items:
        return 0
    notification_send(
        kind=NotificationKind.DAILY_READING,
        obj=reading,
        recipients=group_members(reading.group),
        occasion=reading.date.isoformat(),
        title=_("Daily reading, %(date)s: %(first)s") % {"date": date_format(reading.date, "MONTH_DAY_FORMAT"), "first": items[0].title},
        body=_push_body(items),
        group=reading.group,
    )
    reading.sent_at = timezone.now()
    reading.save(update_fields=["sent_at"])
    return len(items)


@transaction.atomic
def daily_reading_mark_read(*, item: DailyReadingItem, by: User) -> DailyReadingRead:
    if not DailyReadingItem.objects.visible_to(by).filter(pk=item.pk, reading__sent_at__isnull=False).exists():
        raise PermissionDenied
    read, _created = DailyReadingRead.objects.get_or_create(item=item, user=by)
    return read


# --- reads for pages and reports ---------------------------------------------------------------


def approvers_of(group: StudyGroup) -> list[User]:
    """The people who approve a group's daily reading (an approver at its organisation or above)."""
    org = group.organization
    steplen = org.steplen
    paths = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)]
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=OrganizationAssignment.objects.filter(
                current_q(), role=OrganizationAssignment.Role.APPROVER, organization__path__in=paths
            ).values("user"),
        )
    )


def _sent_items(since: datetime | date | None, until: datetime | date | None):
    items = DailyReadingItem.objects.approved().filter(reading__sent_at__isnull=False)
    if since is not None:
        items = items.filter(reading__date__gte=since)
    if until is not None:
        items = items.filter(reading__date__lte=until)
    return items


def groups_with_reading_rate(groups: models.QuerySet, *, since=None, until=None) -> models.QuerySet:
    """Annotate groups with ``reading_items`` (pushed), ``reading_members`` (current),
    ``reading_reads`` (reads by current members of pushed items): one query, whatever the
    number of groups. The rate is reads / (items × members)."""
    items = _sent_items(since, until)
    item_count = (
        items.filter(reading__group=OuterRef("pk")).order_by().values("reading__group")
        .annotate(n=Count("pk")).values("n")
    )
    member_count = (
        Membership.objects.filter(current_q(), group=OuterRef("pk")).order_by().values("group")
        .annotate(n=Count("user", distinct=True)).values("n")
    )
    read_count = (
        DailyReadingRead.objects.filter(
            item__in=items.values("pk"),
            item__reading__group=OuterRef("pk"),
            user__in=Membership.objects.filter(current_q(), group=OuterRef(OuterRef("pk"))).values("user"),
        )
        .order_by().values("item__reading__group").annotate(n=Count("pk")).values("n")
    )
    zero = Value(0, output_field=IntegerField())
    return groups.annotate(
        reading_items=Coalesce(Subquery(item_count, output_field=IntegerField()), zero),
        reading_members=Coalesce(Subquery(member_count, output_field=IntegerField()), zero),
        reading_reads=Coalesce(Subquery(read_count, output_field=IntegerField()), zero),
    )


def reading_rate(group: StudyGroup, *, since=None, until=None) -> dict:
    """A group's reading rate (0–1, or None when nothing was pushed)."""
    row = groups_with_reading_rate(StudyGroup.objects.filter(pk=group.pk), since=since, until=until).get()
    possible = row.reading_items * row.reading_members
    return {
        "items": row.reading_items,
        "members": row.reading_members,
        "reads": row.reading_reads,
        "possible": possible,
        "rate": (row.reading_reads / possible) if possible else None,
        "pct": round(100 * row.reading_reads / possible) if possible else None,
    }


def readings_for(user, *, group=None, status=None):
    """The daily readings a user may see, newest first, with their items counted."""
    readings = DailyReading.objects.visible_to(user).select_related("group")
    if group is not None:
        readings = readings.filter(group=group)
    if status == "sent":
        readings = readings.filter(sent_at__isnull=False)
    elif status == "waiting":
        readings = readings.filter(sent_at__isnull=True)
    return readings.annotate(
        item_count=Count("items", filter=Q(items__withdrawn_at__isnull=True), distinct=True),
        approved_count=Count(
            "items", filter=Q(items__withdrawn_at__isnull=True, items__approved_at__isnull=False), distinct=True
        ),
    ).order_by("-date", "group__organization__path")


def thirty_days_ago() -> date:
    return timezone.localdate() - timedelta(days=30)


def cutoff_of(reading: DailyReading) -> datetime:
    return daily_reading_cutoff(reading.date)


def is_open(reading: DailyReading) -> bool:
    """Articles may still be added and approved: not pushed, before the cutoff."""
    return reading.sent_at is None and timezone.now() <= daily_reading_cutoff(reading.date)


def items_for(user, reading: DailyReading, *, drafts: bool):
    """The articles of a day: all current ones for staff and approvers, the approved (pushed)
    ones for members."""
    items = DailyReadingItem.objects.visible_to(user).filter(reading=reading).select_related("reading", "approved_by", "added_by")
    items = items.filter(withdrawn_at__isnull=True) if drafts else items.approved()
    return items.order_by("position", "pk")


def read_item_ids(user, reading: DailyReading) -> set[int]:
    return set(
        DailyReadingRead.objects.filter(user=user, item__reading=reading).values_list("item_id", flat=True)
    )


def with_rate_pct(group):
    """Set ``rate_pct`` (0–100, or None) on a group from ``groups_with_reading_rate``."""
    possible = group.reading_items * group.reading_members
    group.rate_pct = round(100 * group.reading_reads / possible) if possible else None
    return group
