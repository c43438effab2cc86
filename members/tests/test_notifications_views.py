"""The inbox, the navigation's unread count, the home card, robots and daily reading pages."""

import pytest
from django.urls import reverse

from members.models import GroupChannel, Notification, NotificationKind
from members.notifications import notification_send
from members.tests.notification_factories import notification_world

pytestmark = pytest.mark.django_db


def _notify(world, person, title, occasion):
    return notification_send(kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau, recipients=[person],
                             occasion=occasion, title=title, robots=False)[0]


def test_inbox_lists_only_my_notifications_with_the_unread_count(world, client):
    mine = _notify(world, world.member, "我的通知", "a")
    _notify(world, world.other_member, "别人的通知", "a")
    client.force_login(world.member)
    body = client.get(reverse("members:notification-list")).content.decode()
    assert "我的通知" in body and "别人的通知" not in body
    assert 'id="nav-inbox"' in body and 'data-unread="1"' in body
    home = client.get(reverse("home")).content.decode()
    assert 'id="home-inbox"' in home and "我的通知" in home
    assert mine.pk


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(world, client):
    mine = _notify(world, world.member, "我的通知", "a")
    client.force_login(world.member)
    response = client.get(reverse("members:notification-open", kwargs={"pk": mine.pk}))
    assert response.status_code == 302 and response["Location"] == world.groups.bureau.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is not None
    client.post(reverse("members:notification-read", kwargs={"pk": mine.pk}), {"read": "0"})
    mine.refresh_from_db()
    assert mine.read_at is None


def test_someone_elses_notification_is_404_and_stays_unread(world, client):
    theirs = _notify(world, world.other_member, "别人的通知", "a")
    client.force_login(world.member)
    assert client.get(reverse("members:notification-open", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("members:notification-read", kwargs={"pk": theirs.pk})).status_code == 404
    client.post(reverse("members:notification-read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_filters_and_paginates(world, client):
    for n in range(30):
        _notify(world, world.member, f"通知{n}", f"o{n}")
    Notification.objects.filter(title="通知0").update(read_at="2026-01-01T00:00:00Z")
    client.force_login(world.member)
    page = client.get(reverse("members:notification-list"), {"state": "unread"})
    assert len(page.context["object_list"]) == 25 and page.context["paginator"].count == 29
    assert client.get(reverse("members:notification-list"), {"state": "read"}).context["paginator"].count == 1


def test_inbox_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    for n in range(20):
        _notify(world, world.member, f"通知{n}", f"o{n}")
    client.force_login(world.member)
    with django_assert_max_num_queries(12):
        client.get(reverse("members:notification-list"))


def test_staff_add_a_signed_dingtalk_robot_and_the_secret_is_never_shown(world, client):
    client.force_login(world.staff)
    url = reverse("members:group-channel-create", kwargs={"pk": world.groups.bureau.pk})
    missing_secret = client.post(url, {"provider": "dingtalk", "name": "钉钉群",
                                       "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=a",
                                       "kinds": ["meeting_notice"], "is_active": "on"})
    assert missing_secret.status_code == 200 and not GroupChannel.objects.exists()
    response = client.post(url, {"provider": "dingtalk", "name": "钉钉群", "secret": "SECabc123",
                                 "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=a",
                                 "kinds": ["meeting_notice", "daily_reading"], "is_active": "on"})
    assert response.status_code == 302
    channel = GroupChannel.objects.get()
    assert channel.secret == "SECabc123" and channel.kinds == ["meeting_notice", "daily_reading"]
    edit = client.get(reverse("members:group-channel-update", kwargs={"pk": channel.pk})).content.decode()
    assert "SECabc123" not in edit
    client.post(reverse("members:group-channel-update", kwargs={"pk": channel.pk}), {
        "provider": "dingtalk", "name": "钉钉群2", "secret": "", "webhook_url": channel.webhook_url,
        "kinds": ["meeting_notice"], "is_active": "on"})
    channel.refresh_from_db()
    assert channel.name == "钉钉群2" and channel.secret == "SECabc123"


def test_daily_reading_pages_for_member_staff_and_phone(world, client):
    objects = notification_world(world)
    client.force_login(world.member)
    detail = client.get(reverse("members:daily-reading-detail", kwargs={"pk": objects.reading.pk})).content.decode()
    assert objects.item.title in detail
    listing = client.get(reverse("members:daily-reading-list")).content.decode()
    assert objects.reading.get_absolute_url() in listing
    client.force_login(world.staff)
    group_page = client.get(world.groups.bureau.get_absolute_url()).content.decode()
    assert 'id="group-reading"' in group_page and reverse("members:group-channels", kwargs={"pk": world.groups.bureau.pk}) in group_page
