"""Objects for the notification tests and the permission walk, built on the ``world`` fixture."""

from types import SimpleNamespace

from django.utils import timezone

from members.notifications.models import (
    DailyReading,
    DailyReadingItem,
    Delivery,
    GroupChannel,
    NotificationChannel,
    NotificationKind,
)


def notification_world(world):
    """Kept on ``world.notifications``: a notification each for ``member`` and ``other_member``
    (about the bureau group), a DingTalk robot of the bureau group with a failed delivery, and a
    pushed daily reading of the bureau group with one approved article."""
    if getattr(world, "notifications", None) is not None:
        return world.notifications
    from members.notifications.services import notification_send

    group = world.groups.bureau
    mine, = notification_send(
        kind=NotificationKind.MEETING_NOTICE, obj=group, recipients=[world.member], occasion="t",
        title="学习会通知", robots=False,
    )
    theirs, = notification_send(
        kind=NotificationKind.MEETING_NOTICE, obj=group, recipients=[world.other_member], occasion="t",
        title="学习会通知", robots=False,
    )
    channel = GroupChannel.objects.create(
        group=group, provider=GroupChannel.Provider.DINGTALK, name="钉钉群",
        webhook_url="http://127.0.0.1:9/robot/send?access_token=x", secret="SECtest",
    )
    failed = Delivery.objects.create(
        key=f"test-failed-{channel.pk}", channel=NotificationChannel.DINGTALK, group_channel=channel,
        kind=NotificationKind.TEST, title="测试", status=Delivery.Status.FAILED, attempts=5,
    )
    reading = DailyReading.objects.create(group=group, date=timezone.localdate(), created_by=world.staff,
                                          sent_at=timezone.now())
    item = DailyReadingItem.objects.create(
        reading=reading, title="深入学习贯彻", source="求是", link="https://example.org/a", added_by=world.staff,
        approved_by=world.staff, approved_at=timezone.now(),
    )
    world.notifications = SimpleNamespace(
        mine=mine, theirs=theirs, channel=channel, failed=failed, reading=reading, item=item
    )
    return world.notifications
