"""The inbox, the navigation's unread count, the home card, robots and daily reading pages."""

import pytest
from django.urls import reverse

from members.notifications.models import GroupChannel, Notification, NotificationKind
from members.notifications.services import notification_send
from members.notifications.tests.factories import notification_world

pytestmark = pytest.mark.django_db


def _notify(world, person, title, occasion):
    return notification_send(kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau, recipients=[person],
                             occasion=occasion, title=title, robots=False)[0]


def test_inbox_lists_only_my_notifications_with_the_unread_count(world, client):
    mine = _notify(world, world.member, "我的通知", "a")
    _notify(world, world.other_member, "别人的通知", "a")
    client.force_login(world.member)
    body = client.get(reverse("notifications:notification-list")).content.decode()
    assert "我的通知" in body
    assert "别人的通知" not in body
    assert 'id="nav-inbox"' in body
    assert 'data-unread="1"' in body
    home = client.get(reverse("home")).content.decode()
    assert 'id="home-inbox"' in home
    assert "我的通知" in home
    assert mine.pk


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(world, client):
    mine = _notify(world, world.member, "我的通知", "a")
    client.force_login(world.member)
    # A GET (an old link) only goes there: it changes nothing.
    response = client.get(reverse("notifications:notification-open", kwargs={"pk": mine.pk}))
    assert response.status_code == 302
    assert response["Location"] == world.groups.bureau.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is None
    # The title in the inbox is a button that posts: that marks it read.
    inbox = client.get(reverse("notifications:notification-list")).content.decode()
    assert f'action="{reverse("notifications:notification-open", kwargs={"pk": mine.pk})}"' in inbox
    response = client.post(reverse("notifications:notification-open", kwargs={"pk": mine.pk}))
    assert response.status_code == 302
    assert response["Location"] == world.groups.bureau.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is not None
    client.post(reverse("notifications:notification-read", kwargs={"pk": mine.pk}), {"read": "0"})
    mine.refresh_from_db()
    assert mine.read_at is None


def test_someone_elses_notification_is_404_and_stays_unread(world, client):
    theirs = _notify(world, world.other_member, "别人的通知", "a")
    client.force_login(world.member)
    assert client.get(reverse("notifications:notification-open", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("notifications:notification-read", kwargs={"pk": theirs.pk})).status_code == 404
    client.post(reverse("notifications:notification-read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_filters_and_paginates(world, client):
    for n in range(30):
        _notify(world, world.member, f"通知{n}", f"o{n}")
    Notification.objects.filter(title="通知0").update(read_at="2026-01-01T00:00:00Z")
    client.force_login(world.member)
    page = client.get(reverse("notifications:notification-list"), {"state": "unread"})
    assert len(page.context["object_list"]) == 25
    assert page.context["paginator"].count == 29
    assert client.get(reverse("notifications:notification-list"), {"state": "read"}).context["paginator"].count == 1


def test_inbox_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    for n in range(20):
        _notify(world, world.member, f"通知{n}", f"o{n}")
    client.force_login(world.member)
    with django_assert_max_num_queries(12):
        client.get(reverse("notifications:notification-list"))


def test_staff_add_a_signed_dingtalk_robot_and_the_secret_is_never_shown(world, client):
    client.force_login(world.staff)
    url = reverse("notifications:group-channel-create", kwargs={"pk": world.groups.bureau.pk})
    missing_secret = client.post(url, {"provider": "dingtalk", "name": "钉钉群",
                                       "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=a",
                                       "kinds": ["meeting_notice"], "is_active": "on"})
    assert missing_secret.status_code == 200
    assert not GroupChannel.objects.exists()
    response = client.post(url, {"provider": "dingtalk", "name": "钉钉群", "secret": "SECabc123",
                                 "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=a",
                                 "kinds": ["meeting_notice", "daily_reading"], "is_active": "on"})
    assert response.status_code == 302
    channel = GroupChannel.objects.get()
    assert channel.secret == "SECabc123"
    assert channel.kinds == ["meeting_notice", "daily_reading"]
    edit = client.get(reverse("notifications:group-channel-update", kwargs={"pk": channel.pk})).content.decode()
    assert "SECabc123" not in edit
    client.post(reverse("notifications:group-channel-update", kwargs={"pk": channel.pk}), {
        "provider": "dingtalk", "name": "钉钉群2", "secret": "", "webhook_url": channel.webhook_url,
        "kinds": ["meeting_notice"], "is_active": "on"})
    channel.refresh_from_db()
    assert channel.name == "钉钉群2"
    assert channel.secret == "SECabc123"


def test_daily_reading_pages_for_member_staff_and_phone(world, client):
    objects = notification_world(world)
    client.force_login(world.member)
    detail = client.get(reverse("notifications:daily-reading-detail", kwargs={"pk": objects.reading.pk})).content.decode()
    assert objects.item.title in detail
    listing = client.get(reverse("notifications:daily-reading-list")).content.decode()
    assert objects.reading.get_absolute_url() in listing
    client.force_login(world.staff)
    group_page = client.get(world.groups.bureau.get_absolute_url()).content.decode()
    assert 'id="group-reading"' in group_page
    assert reverse("notifications:group-channels", kwargs={"pk": world.groups.bureau.pk}) in group_page


# --- one vs many: the list pages' queries do not grow with what they list ----------------------------


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def _reading(world, group, day, titles, *, pushed=True, readers=()):
    from django.utils import timezone

    from members.notifications.models import DailyReading, DailyReadingItem, DailyReadingRead

    reading = DailyReading.objects.create(group=group, date=day, created_by=world.staff,
                                          sent_at=timezone.now() if pushed else None)
    for position, title in enumerate(titles, start=1):
        item = DailyReadingItem.objects.create(
            reading=reading, title=title, source="求是", link=f"https://example.org/{reading.pk}/{position}",
            position=position, added_by=world.staff, approved_by=world.staff, approved_at=timezone.now(),
        )
        for person in readers:
            DailyReadingRead.objects.create(item=item, user=person)
    return reading


def test_inbox_queries_one_vs_many(world, client, django_assert_num_queries):
    _notify(world, world.member, "通知", "first")
    client.force_login(world.member)
    url = reverse("notifications:notification-list")
    few = _count(client, url)
    for n in range(30):
        notification_send(kind=[NotificationKind.MEETING_NOTICE, NotificationKind.MAKEUP_OWED][n % 2],
                          obj=world.groups.bureau, recipients=[world.member], occasion=f"o{n}", title=f"通知{n}",
                          robots=False, group=world.groups.bureau)
    with django_assert_num_queries(few):
        client.get(url)
    with django_assert_num_queries(few):
        client.get(url + "?state=unread&kind=makeup_owed")


def test_daily_reading_list_queries_one_vs_many(world, client, django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    _reading(world, world.groups.bureau, today, ["第一篇"], readers=[world.member])
    client.force_login(world.staff)
    url = reverse("notifications:daily-reading-list")
    filtered = f"{url}?group={world.groups.bureau.pk}&status=sent"
    few, few_filtered = _count(client, url), _count(client, filtered)
    for days in range(1, 25):
        group = [world.groups.bureau, world.groups.township, world.groups.county][days % 3]
        _reading(world, group, today - timedelta(days=days), ["甲", "乙", "丙"],
                 readers=[world.member, world.other_member] if group == world.groups.bureau else [])
    with django_assert_num_queries(few):
        client.get(url)
    with django_assert_num_queries(few_filtered):
        client.get(filtered)


def test_daily_reading_day_queries_one_vs_many(world, client, django_assert_num_queries):
    from django.utils import timezone

    from members.notifications.models import DailyReadingItem, DailyReadingRead

    reading = _reading(world, world.groups.bureau, timezone.localdate(), ["第一篇"], readers=[world.member])
    url = reverse("notifications:daily-reading-detail", kwargs={"pk": reading.pk})
    for person in (world.staff, world.member):
        client.force_login(person)
        few = _count(client, url)
        if person == world.staff:
            for position, title in enumerate(["第二篇", "第三篇"], start=2):
                item = DailyReadingItem.objects.create(
                    reading=reading, title=title, source="人民日报", link=f"https://example.org/{position}",
                    position=position, added_by=world.staff, approved_by=world.staff,
                    approved_at=timezone.now(),
                )
                DailyReadingRead.objects.create(item=item, user=world.member)
        with django_assert_num_queries(few):
            client.get(url)


def test_group_robots_and_delivery_log_queries_one_vs_many(world, client, django_assert_num_queries):
    from members.notifications.models import Delivery, NotificationChannel

    group = world.groups.bureau
    wecom = GroupChannel.objects.create(group=group, provider="wecom", name="企业微信群",
                                        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a")
    Delivery.objects.create(key="robot-one", channel=NotificationChannel.WECOM, group_channel=wecom,
                            kind=NotificationKind.MEETING_NOTICE, title="推送", status=Delivery.Status.FAILED)
    client.force_login(world.staff)
    url = reverse("notifications:group-channels", kwargs={"pk": group.pk})
    filtered = url + "?status=failed&page=2"
    few, few_filtered = _count(client, url), _count(client, filtered)
    channels = [
        GroupChannel.objects.create(group=group, provider="dingtalk", name=f"钉钉群{n}", secret="SECx",
                                    webhook_url=f"https://oapi.dingtalk.com/robot/send?access_token={n}")
        for n in range(3)
    ]
    for n in range(40):
        if n % 2:
            Delivery.objects.create(key=f"robot-{n}", channel=NotificationChannel.DINGTALK,
                                    group_channel=channels[n % 3], kind=NotificationKind.MEETING_NOTICE,
                                    title=f"推送{n}", status=Delivery.Status.FAILED, last_error="超时")
        else:
            person = [world.member, world.other_member][n % 4 // 2]
            notification = notification_send(kind=NotificationKind.MEETING_NOTICE, obj=group, recipients=[person],
                                              occasion=f"log{n}", title=f"通知{n}", robots=False, group=group)[0]
            Delivery.objects.create(key=f"email-{n}", channel=NotificationChannel.EMAIL, notification=notification,
                                    kind=NotificationKind.MEETING_NOTICE, title=f"通知{n}",
                                    status=Delivery.Status.SENT)
    with django_assert_num_queries(few):
        page = client.get(url)
    assert page.context["paginator"].count == 41
    assert len(page.context["deliveries"]) == 25
    with django_assert_num_queries(few_filtered):
        client.get(filtered)


def test_the_daily_reading_list_shows_only_what_is_in_scope(world, client):
    from django.utils import timezone

    _reading(world, world.groups.bureau, timezone.localdate(), ["青山县的文章"])
    _reading(world, world.groups.sibling_bureau, timezone.localdate(), ["白水县的文章"])
    client.force_login(world.sibling_staff)
    page = client.get(reverse("notifications:daily-reading-list"))
    groups = {reading.group for reading in page.context["object_list"]}
    assert groups == {world.groups.sibling_bureau}
    assert world.groups.bureau not in page.context["rates"]
    assert world.groups.bureau.name not in page.content.decode()
    # Naming a group out of scope in the filter shows nothing of it.
    page = client.get(reverse("notifications:daily-reading-list"), {"group": world.groups.bureau.pk})
    assert world.groups.bureau.name not in page.content.decode()
