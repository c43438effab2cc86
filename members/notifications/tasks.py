"""Celery tasks that push notifications out.

Exactly once: ``delivery_send`` first claims its Delivery row with a conditional UPDATE
(pending/retry and due → sending). Only the run that changed the row sends; a duplicate task, a
task queued twice or one redelivered after its worker died finds the row no longer claimable and
does nothing. A worker killed between claim and result leaves the row "sending"; the sweeper
marks it "interrupted" after a lease (it may or may not have arrived: it is shown to staff, who
can send it again) instead of guessing and sending twice.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from members.notifications.channels import (
    ChannelError,
    PermanentChannelError,
    RateLimitedChannelError,
    send_dingtalk,
    send_email,
    send_wecom,
)
from members.notifications.models import Delivery, NotificationChannel, NotificationKind

logger = logging.getLogger(__name__)


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… times the base, at most a day."""
    seconds = settings.NOTIFICATION_RETRY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86400))


def _send(delivery: Delivery) -> None:
    if delivery.channel == NotificationChannel.EMAIL:
        recipient = delivery.notification.recipient
        send_email(
            to=recipient.email, subject=delivery.title, text=delivery.text, url=delivery.url,
            kind_label=str(NotificationKind(delivery.kind).label),
        )
        return
    channel = delivery.group_channel
    if channel is None or not channel.is_active:
        raise PermanentChannelError("the robot was removed or switched off")
    if delivery.channel == NotificationChannel.DINGTALK:
        send_dingtalk(
            webhook_url=channel.webhook_url, secret=channel.secret, title=delivery.title, text=delivery.text,
            mentions=delivery.mentions,
        )
    elif delivery.channel == NotificationChannel.WECOM:
        send_wecom(webhook_url=channel.webhook_url, text=delivery.text, mentions=delivery.mentions)
    else:
        raise PermanentChannelError(f"unknown channel {delivery.channel}")


ROBOT_CHANNELS = (NotificationChannel.DINGTALK, NotificationChannel.WECOM)


def _send_later(delivery_id: int, moment) -> None:
    """Queue the task again for ``moment`` when a worker runs it (the sweeper also finds it: with
    the eager default, or a wait longer than Redis keeps a countdown)."""
    from celery import current_app

    delay = max((moment - timezone.now()).total_seconds(), 0)
    if not current_app.conf.task_always_eager and delay < 3000:
        delivery_send.apply_async(kwargs={"delivery_id": delivery_id}, countdown=delay)


@shared_task(name="notifications.delivery_send", acks_late=True)
def delivery_send(*, delivery_id: int) -> str:
    from members.notifications.services import push_not_before, robot_post_slot

    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRY],
        next_attempt_at__lte=now,
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not claimable"
    delivery = Delivery.objects.select_related("notification__recipient", "group_channel").get(pk=delivery_id)
    sending = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING)
    if delivery.channel in ROBOT_CHANNELS and delivery.group_channel_id:
        wait_until = robot_post_slot(channel_id=delivery.group_channel_id, delivery_id=delivery_id)
        if wait_until is not None:
            # Over the robot's limit a minute: it waits for its place (not an attempt).
            sending.update(
                status=Delivery.Status.PENDING, attempts=F("attempts") - 1, claimed_at=None,
                next_attempt_at=wait_until, last_error=_("Waiting: at most %(n)s messages a minute to a robot.")
                % {"n": settings.ROBOT_MESSAGES_PER_MINUTE},
            )
            _send_later(delivery_id, wait_until)
            return "queued"
    try:
        _send(delivery)
    except PermanentChannelError as error:
        sending.update(status=Delivery.Status.FAILED, last_error=str(error)[:2000])
        logger.warning("Delivery %s failed for good: %s", delivery_id, error)
        return "failed"
    except ChannelError as error:
        if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            sending.update(status=Delivery.Status.FAILED, last_error=str(error)[:2000])
            logger.warning("Delivery %s failed after %s attempts: %s", delivery_id, delivery.attempts, error)
            return "failed"
        wait = _backoff(delivery.attempts)
        if isinstance(error, RateLimitedChannelError):
            wait = max(wait, timedelta(seconds=error.retry_after))
        next_at = push_not_before(urgent=delivery.urgent, moment=timezone.now() + wait)
        sending.update(status=Delivery.Status.RETRY, last_error=str(error)[:2000], next_attempt_at=next_at)
        _send_later(delivery_id, next_at)
        return "retry"
    sending.update(status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


@shared_task(name="notifications.deliveries_sweep", ignore_result=True)
def deliveries_sweep(*, limit: int = 500) -> dict:
    """Every minute: mark pushes whose worker died mid-send as interrupted, and queue those due
    (held by quiet hours, waiting for a retry, or whose task was lost)."""
    from members.notifications.services import deliveries_enqueue

    lease = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE_SECONDS)
    interrupted = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=lease).update(
        status=Delivery.Status.INTERRUPTED,
        last_error="The worker stopped while sending: it may or may not have arrived.",
    )
    due_ids = list(Delivery.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    queued = deliveries_enqueue(ids=due_ids) if due_ids else 0
    return {"interrupted": interrupted, "queued": queued}
