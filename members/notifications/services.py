"""Notifications: the one send service, preferences, quiet hours, escalation.

``notification_send`` is idempotent: a notification's key (kind, object, recipient, occasion) is
unique in the database, and so is each push (``Delivery.key``), so calling it twice, from a
retried task or from beat after a restart, adds nothing. Pushes are sent by ``members.notifications.tasks``
after the transaction commits; those held by quiet hours wait for the sweeper (every minute).
"""

from __future__ import annotations

import logging
import time as time_module
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.models import Membership, Organization, OrganizationAssignment, StudyGroup, User, current_q
from members.notifications.channels import absolute_url  # noqa: F401 (used by other apps)
from members.notifications.models import (
    Delivery,
    GroupChannel,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    RobotHost,
)
from members.signals import audit_event
from studygroup.queue import enqueue

logger = logging.getLogger(__name__)

# Channels a person can choose per kind (the inbox always gets everything; robots are the
# group's, configured by its staff).
PERSONAL_CHANNELS = [NotificationChannel.EMAIL]
# Kinds a person may switch e-mail off for; the rest are set by staff or are tests.
# Security notices about one's own account cannot be switched off; the activation reminder is
# posted by group robots only.
PREFERENCE_KINDS = [
    kind for kind in NotificationKind
    if kind not in (NotificationKind.TEST, NotificationKind.ACCOUNT_CHANGED, NotificationKind.ACCOUNT_ACTIVATION)
]


# --- time ------------------------------------------------------------------------------------


def _parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_hours() -> tuple[time, time]:
    start, end = settings.QUIET_HOURS
    return _parse_hhmm(start), _parse_hhmm(end)


def in_quiet_hours(moment: datetime | None = None) -> bool:
    start, end = quiet_hours()
    local = timezone.localtime(moment or timezone.now()).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 22:00–07:00


def quiet_hours_end(moment: datetime | None = None) -> datetime:
    """The next moment quiet hours end after ``moment`` (the morning)."""
    _start, end = quiet_hours()
    local = timezone.localtime(moment or timezone.now())
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def push_not_before(*, urgent: bool, moment: datetime | None = None) -> datetime:
    """When a push may go out: now, or for a non-urgent one in quiet hours, the morning."""
    moment = moment or timezone.now()
    if not urgent and in_quiet_hours(moment):
        return quiet_hours_end(moment)
    return moment


def daily_reading_cutoff(day=None) -> datetime:
    cutoff = _parse_hhmm(settings.DAILY_READING_CUTOFF)
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.combine(day, cutoff))


# --- who ------------------------------------------------------------------------------------


def group_members(group: StudyGroup, *, roles: Iterable[str] | None = None) -> models.QuerySet:
    """Current, active members of a group."""
    people = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(current_q(), group=group, **({"role__in": roles} if roles else {})).values(
            "user"
        ),
    )
    return people


def _responsible(organization: Organization) -> tuple[list[User], Organization | None]:
    """Staff assigned to the organisation or, failing that, to its nearest ancestor that has
    staff (one query); and that organisation."""
    steplen = Organization.steplen
    paths = [organization.path[:i] for i in range(steplen, len(organization.path) + 1, steplen)]
    assignments = (
        OrganizationAssignment.objects.filter(
            current_q(),
            role=OrganizationAssignment.Role.STAFF,
            organization__path__in=paths,
            user__is_active=True,
        )
        .select_related("user", "organization")
        .order_by("-organization__depth", "user__pk")
    )
    chosen, at = [], None
    for assignment in assignments:
        if at is None:
            at = assignment.organization
        if assignment.organization_id != at.pk:
            break
        chosen.append(assignment.user)
    return chosen, at


def responsible_staff(organization: Organization) -> list[User]:
    return _responsible(organization)[0]


def group_staff(group: StudyGroup) -> list[User]:
    """Who is reminded of a group's chores: its study secretaries and its responsible staff."""
    people = {person.pk: person for person in responsible_staff(group.organization)}
    for person in group_members(group, roles=[Membership.Role.SECRETARY]):
        people.setdefault(person.pk, person)
    return list(people.values())


def supervising_staff(organization: Organization) -> list[User]:
    """Staff of the supervising organisation: the next staff above those responsible."""
    _own, at = _responsible(organization)
    parent = Organization.objects.get_parent(at or organization)
    if parent is None:
        return []
    return responsible_staff(parent)


def push_wanted(user_ids: Iterable[int], *, kind: str, channel: str) -> set[int]:
    """Of these people, those who want ``kind`` pushed on ``channel`` (default: yes)."""
    user_ids = set(user_ids)
    declined = NotificationPreference.objects.filter(
        user__in=user_ids, kind=kind, channel=channel, enabled=False
    ).values_list("user_id", flat=True)
    return user_ids - set(declined)


# --- sending --------------------------------------------------------------------------------


def robot_markdown(*, title: str, body: str, url: str) -> str:
    lines = [f"#### {title}", ""]
    if body:
        lines += [body, ""]
    if url:
        lines.append(f"[{pgettext('link', 'Open')}]({absolute_url(url)})")
    return "\n".join(lines)


@transaction.atomic
def notification_send(
    *,
    kind: str,
    obj: models.Model,
    recipients: Iterable[User],
    occasion: str = "",
    title: str,
    body: str = "",
    url: str | None = None,
    urgent: bool = False,
    group: StudyGroup | None = None,
    robots: bool = True,
    by: User | None = None,
) -> list[Notification]:
    """Notify each recipient once per (kind, object, occasion): the inbox, and the pushes they
    and the group chose. Returns the notifications of this key (new or already there)."""
    if kind not in NotificationKind.values:
        raise ValidationError(_("Unknown kind of notification."))
    content_type = ContentType.objects.get_for_model(obj)
    url = obj.get_absolute_url() if url is None and hasattr(obj, "get_absolute_url") else (url or "")
    people = {person.pk: person for person in recipients if person is not None and person.is_active}
    now = timezone.now()
    rows = []
    for person in people.values():
        row = Notification(
            recipient=person, kind=kind, content_type=content_type, object_id=obj.pk, occasion=occasion,
            group=group, title=title[:200], body=body, url=url, urgent=urgent, created_at=now,
        )
        # The keys were given as objects; checking them row by row cost three queries a recipient.
        row.clean_fields(exclude={"recipient", "content_type", "group"})
        rows.append(row)
    key = dict(kind=kind, content_type=content_type, object_id=obj.pk, occasion=occasion)
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    notifications = list(
        Notification.objects.filter(recipient__in=list(people), **key).select_related("recipient")
    )

    not_before = push_not_before(urgent=urgent, moment=now)
    deliveries = []
    wanted = push_wanted(people, kind=kind, channel=NotificationChannel.EMAIL)
    for notification in notifications:
        if notification.recipient_id in wanted and notification.recipient.email:
            deliveries.append(
                Delivery(
                    key=f"email:{notification.pk}", channel=NotificationChannel.EMAIL, notification=notification,
                    kind=kind, title=notification.title, text=notification.body, url=url, urgent=urgent,
                    next_attempt_at=not_before,
                )
            )
    if group is not None and robots:
        text = robot_markdown(title=title, body=body, url=url)
        for channel in GroupChannel.objects.active().filter(group=group):
            if kind not in (channel.kinds or []):
                continue
            deliveries.append(
                Delivery(
                    key=f"{channel.provider}:{channel.pk}:{kind}:{content_type.pk}:{obj.pk}:{occasion}"[:200],
                    channel=channel.provider, group_channel=channel, kind=kind, title=title[:200], text=text,
                    url=url, urgent=urgent, next_attempt_at=not_before,
                )
            )
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        keys = [delivery.key for delivery in deliveries]
        transaction.on_commit(lambda: deliveries_enqueue(keys=keys))
    return notifications


def deliveries_enqueue(*, keys: Iterable[str] | None = None, ids: Iterable[int] | None = None) -> int:
    """Queue a send task for each due delivery of these keys or ids (a held one waits for the
    sweeper). Queueing one twice is harmless: the task claims the row first."""
    due = Delivery.objects.due().order_by("next_attempt_at", "pk")
    if keys is not None:
        due = due.filter(key__in=list(keys))
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    count = 0
    for pk in due.values_list("pk", flat=True):
        enqueue("notifications.delivery_send", delivery_id=pk)
        count += 1
    return count


def escalate(
    *, obj: models.Model, organization: Organization | None = None, recipients: Iterable[User] | None = None,
    title: str, body: str = "", url: str | None = None, occasion: str = "overdue",
) -> list[Notification]:
    """Tell the supervising organisation's staff of an overdue item, once per item and occasion
    (whoever is staff there later is not told again). ``organization`` is the one whose
    supervisors are told; or give the ``recipients``."""
    content_type = ContentType.objects.get_for_model(obj)
    already = Notification.objects.filter(
        kind=NotificationKind.ESCALATION, content_type=content_type, object_id=obj.pk, occasion=occasion
    )
    if already.exists():
        return []
    recipients = list(recipients) if recipients is not None else supervising_staff(organization)
    if not recipients:
        return []
    return notification_send(
        kind=NotificationKind.ESCALATION, obj=obj, recipients=recipients, occasion=occasion,
        title=title, body=body, url=url, group=None,
    )


def format_day(day) -> str:
    """A date as people read it in messages: 2026年11月23日 in Chinese."""
    return date_format(day, "DATE_FORMAT")


def format_moment(moment) -> str:
    """A moment in local time as people read it in messages: 2026年11月23日 15:00 in Chinese."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


# --- the inbox and preferences ----------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: User, read: bool = True) -> Notification:
    if notification.recipient_id != by.pk:
        raise PermissionDenied
    value = timezone.now() if read else None
    if read and notification.read_at is not None:
        return notification
    Notification.objects.filter(pk=notification.pk).update(read_at=value)
    notification.read_at = value
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: User) -> int:
    return Notification.objects.visible_to(by).unread().update(read_at=timezone.now())


@transaction.atomic
def preferences_update(*, by: User, enabled: dict[tuple[str, str], bool]) -> None:
    """Save a person's choices: ``{(kind, channel): enabled}``."""
    for (kind, channel), on in enabled.items():
        if kind not in NotificationKind.values or channel not in NotificationChannel.values:
            raise ValidationError(_("Unknown kind of notification."))
        NotificationPreference.objects.update_or_create(
            user=by, kind=kind, channel=channel, defaults={"enabled": on}
        )


def preferences_of(user: User) -> dict[tuple[str, str], bool]:
    stored = {
        (p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=user)
    }
    return {
        (kind.value, channel.value): stored.get((kind.value, channel.value), True)
        for kind in PREFERENCE_KINDS
        for channel in PERSONAL_CHANNELS
    }


# --- group robots ------------------------------------------------------------------------------


def _require_manages(by: User, group: StudyGroup) -> None:
    from members import scoping

    if not scoping.managed_groups(by).filter(pk=group.pk).exists():
        raise PermissionDenied


@transaction.atomic
def group_channel_create(*, group: StudyGroup, by: User, **fields) -> GroupChannel:
    _require_manages(by, group)
    channel = GroupChannel(group=group, created_by=by, **fields)
    channel.full_clean()
    channel._history_user = by
    channel.save()
    return channel


@transaction.atomic
def group_channel_update(*, channel: GroupChannel, by: User, **fields) -> GroupChannel:
    _require_manages(by, channel.group)
    for name, value in fields.items():
        if name == "secret" and not value:
            continue  # an empty secret field keeps the stored one (it is never shown)
        setattr(channel, name, value)
    channel.full_clean()
    channel._history_user = by
    channel.save()
    return channel


@transaction.atomic
def group_channel_test(*, channel: GroupChannel, by: User) -> Delivery:
    """Queue a test post to the robot, now (test posts are urgent: quiet hours do not apply)."""
    _require_manages(by, channel.group)
    now = timezone.now()
    title = _("Test message from the study group system")
    delivery = Delivery.objects.create(
        key=f"test:{channel.pk}:{now.timestamp()}", channel=channel.provider, group_channel=channel,
        kind=NotificationKind.TEST, title=title,
        text=robot_markdown(title=title, body=_("If you can read this, the robot works."), url=""),
        urgent=True, next_attempt_at=now,
    )
    transaction.on_commit(lambda: deliveries_enqueue(ids=[delivery.pk]))
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by: User) -> Delivery:
    """Staff send a failed or interrupted push again."""
    if not Delivery.objects.editable_by(by).filter(pk=delivery.pk).exists():
        raise PermissionDenied
    updated = Delivery.objects.filter(
        pk=delivery.pk, status__in=[Delivery.Status.FAILED, Delivery.Status.INTERRUPTED]
    ).update(status=Delivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0, claimed_at=None)
    if not updated:
        raise ValidationError(_("Only failed or interrupted deliveries can be sent again."))
    transaction.on_commit(lambda: deliveries_enqueue(ids=[delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# --- the robot host list (机器人地址白名单) ------------------------------------------------------------


def _require_robot_host_admin(by: User) -> None:
    if by is None or not by.has_perm("notifications.manage_robot_hosts"):
        raise PermissionDenied


def robot_hosts_for(user: User):
    """The hosts robots may post to besides the official ones, for those who keep the list."""
    _require_robot_host_admin(user)
    return RobotHost.objects.select_related("added_by").order_by("host")


@transaction.atomic
def robot_host_add(*, host: str, note: str = "", by: User, request=None) -> RobotHost:
    _require_robot_host_admin(by)
    robot_host = RobotHost(host=host, note=note, added_by=by)
    robot_host.full_clean(validate_unique=False)  # clean() normalises the host first
    if RobotHost.objects.filter(host=robot_host.host).exists():
        raise ValidationError({"host": _("%(host)s is already on the list.") % {"host": robot_host.host}})
    robot_host.save()
    audit_event.send(
        sender=RobotHost, action="settings", actor=by, request=request, obj=robot_host,
        changes={"robot_host": [None, robot_host.host]},
        detail=_("Robot host added: %(host)s") % {"host": robot_host.host}
        + (f" ({robot_host.note})" if robot_host.note else ""),
    )
    return robot_host


@transaction.atomic
def robot_host_remove(*, robot_host: RobotHost, by: User, request=None) -> None:
    """Take a host off the list: robots that post there fail from their next message on (and
    their form asks for another address)."""
    _require_robot_host_admin(by)
    audit_event.send(
        sender=RobotHost, action="settings", actor=by, request=request, obj=robot_host,
        changes={"robot_host": [robot_host.host, None]},
        detail=_("Robot host removed: %(host)s") % {"host": robot_host.host},
    )
    RobotHost.objects.filter(pk=robot_host.pk).delete()


# --- the robots' limit of messages a minute ---------------------------------------------------------


# Held posts go out this long after a place frees up (the services' clocks are not ours).
ROBOT_WINDOW_MARGIN_SECONDS = 0.5
# A message whose place has come keeps later ones behind it this long (its task is starting).
ROBOT_HELD_GRACE_SECONDS = 5


def robot_post_slot(*, channel_id: int, delivery_id: int, now: float | None = None) -> datetime | None:
    """May this robot post now? None: yes (the post is counted). Otherwise the moment its place
    comes up, which is kept for it: DingTalk and WeCom block a robot for ten minutes after 20
    messages (``ROBOT_MESSAGES_PER_MINUTE``) in a minute, so the rest wait for the next minute,
    in the order they asked, none dropped.

    The robot's posts of the last minute and the places kept are a short list on its row,
    changed only under a row lock: several workers count the same posts, and so does the eager
    default (no broker, no Redis)."""
    limit = max(1, settings.ROBOT_MESSAGES_PER_MINUTE)
    window = max(1, settings.ROBOT_WINDOW_SECONDS)
    with transaction.atomic():
        channel = GroupChannel.objects.select_for_update().only("pk", "post_slots").get(pk=channel_id)
        now = time_module.time() if now is None else now
        slots = [list(slot) for slot in channel.post_slots or [] if slot[0] > now - window]
        mine = next((slot for slot in slots if slot[1] == delivery_id and slot[2] == "held"), None)
        if mine is not None and mine[0] <= now + ROBOT_WINDOW_MARGIN_SECONDS:
            mine[0], mine[2] = now, "sent"  # its place came up
            wait_until = None
        elif mine is not None:
            wait_until = mine[0]  # too early: its place stays where it was
        else:
            times = sorted(slot[0] for slot in slots)
            # Those waiting whose place is still to come, or just came (their task is on its way).
            ahead = sorted(slot[0] for slot in slots if slot[2] == "held" and slot[0] > now - ROBOT_HELD_GRACE_SECONDS)
            if len(times) < limit and not ahead:
                slots.append([now, delivery_id, "sent"])
                wait_until = None
            else:
                moment = now
                if len(times) >= limit:
                    moment = max(moment, times[-limit] + window + ROBOT_WINDOW_MARGIN_SECONDS)
                if ahead:
                    moment = max(moment, ahead[-1] + 0.001, now + 0.001)  # after those already waiting
                slots.append([moment, delivery_id, "held"])
                wait_until = moment
        GroupChannel.objects.filter(pk=channel_id).update(post_slots=slots)
    if wait_until is None:
        return None
    return datetime.fromtimestamp(wait_until, tz=dt_timezone.utc)


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def latest_unread(user, limit: int = 5):
    return list(Notification.objects.visible_to(user).unread().order_by("-created_at", "-pk")[:limit])



def group_channels(user, group: StudyGroup):
    return GroupChannel.objects.visible_to(user).filter(group=group).order_by("provider", "pk")


def group_deliveries(user, group: StudyGroup, *, status: str = ""):
    """The delivery log of a group (its robots and the pushes to its people), newest first."""
    from django.db.models import Q

    deliveries = (
        Delivery.objects.visible_to(user)
        .filter(Q(group_channel__group=group) | Q(notification__group=group))
        .select_related("notification__recipient", "group_channel")
        .order_by("-created_at", "-pk")
    )
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries


# --- announcements members sends as signals (members never imports this module) ---------------


def announce_contact_change(sender, *, person: User, by: User, changes: dict, **kwargs) -> None:
    """Receiver of ``members.signals.person_contact_changed``: tell the person that someone else
    changed their e-mail or phone, in the inbox (and by e-mail to the current address, as every
    notification) and by e-mail to the OLD address, so a takeover does not go unnoticed."""
    from django.utils import translation

    from members.notifications import channels

    labels = {"email": _("E-mail"), "phone": _("Phone")}
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("%(field)s: %(old)s → %(new)s")
            % {"field": labels.get(field, field), "old": old or "—", "new": new or "—"}
            for field, (old, new) in changes.items()
        ]
        title = _("Your contact details were changed")
        body = "\n".join(
            [
                _("%(who)s changed the contact details of your account on %(when)s:")
                % {"who": by.get_full_name(), "when": format_moment(timezone.now())},
                *lines,
                _("If you did not expect this, tell your organization's staff or the security administrator."),
            ]
        )
    occasion = f"contact:{timezone.now():%Y%m%d%H%M%S%f}"
    notification_send(
        kind=NotificationKind.ACCOUNT_CHANGED, obj=person, recipients=[person], occasion=occasion,
        title=title, body=body, url=person.get_absolute_url(), robots=False, by=by,
    )
    old_email = changes.get("email", (None, None))[0]
    if old_email:
        try:
            channels.send_email(
                to=old_email, subject=title, text=body, url=person.get_absolute_url(),
                kind_label=str(NotificationKind.ACCOUNT_CHANGED.label),
            )
        except channels.ChannelError:
            logger.exception("Could not tell the old address of person %s about the change", person.pk)


def remind_new_people(sender, *, people: list[int], by: User, **kwargs) -> None:
    """Receiver of ``members.signals.people_imported``: each group robot that posts this kind
    @-mentions the phones of its new members and tells them where their activation link is
    (their e-mail, or the slip staff hand out). Never the link: a chat is not the person alone."""
    from django.utils import translation

    seats = (
        Membership.objects.filter(current_q(), user_id__in=people, user__is_active=True)
        .exclude(user__phone="").values_list("group_id", "user__phone")
    )
    phones_by_group: dict[int, list[str]] = {}
    for group_id, phone in seats:
        phones_by_group.setdefault(group_id, []).append(phone)
    if not phones_by_group:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = _("New accounts to activate")
        intro = _(
            "Accounts were made for the colleagues below. Activate yours with the link in your e-mail, "
            "or the activation slip your organization's staff hand you; then log in."
        )
    deliveries = []
    moment = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for channel in GroupChannel.objects.active().filter(group_id__in=list(phones_by_group)):
        if NotificationKind.ACCOUNT_ACTIVATION not in (channel.kinds or []):
            continue
        phones = sorted(set(phones_by_group[channel.group_id]))
        for start in range(0, len(phones), 50):  # a chat message names a few dozen people at most
            batch = phones[start:start + 50]
            text = f"### {title}\n\n{intro}\n\n" + " ".join(f"@{phone}" for phone in batch)
            deliveries.append(Delivery(
                key=f"{channel.provider}:{channel.pk}:activation:{moment}:{start}"[:200],
                channel=channel.provider, group_channel=channel, kind=NotificationKind.ACCOUNT_ACTIVATION,
                title=title, text=text, url="", mentions=batch, next_attempt_at=push_not_before(urgent=False),
            ))
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        keys = [delivery.key for delivery in deliveries]
        transaction.on_commit(lambda: deliveries_enqueue(keys=keys))
