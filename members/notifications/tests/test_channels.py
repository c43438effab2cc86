"""The channels against real servers started by the tests: e-mail through a local SMTP server
(aiosmtpd), DingTalk and WeCom robots through a local HTTP server that checks DingTalk's
signature and records the payloads."""

import json

import pytest

from members.notifications import channels
from members.notifications.models import Delivery, GroupChannel, NotificationKind
from members.notifications.services import notification_send
from members.notifications.tasks import delivery_send

pytestmark = pytest.mark.django_db


def test_email_goes_through_smtp_with_text_and_html(smtp, settings):
    settings.SITE_URL = "https://study.example.gov.cn"
    channels.send_email(to="member@example.org", subject="学习会通知：深入学习", text="时间：周五下午三点\n地点：第一会议室",
                        url="/meetings/7/", kind_label="会议通知")
    [received] = smtp.messages
    message = received.message
    assert received.rcpt == ["member@example.org"]
    assert message["Subject"].strip() == (settings.EMAIL_SUBJECT_PREFIX + "学习会通知：深入学习").strip()
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "周五下午三点" in text
    assert "https://study.example.gov.cn/meetings/7/" in text
    assert "周五下午三点" in html
    assert 'href="https://study.example.gov.cn/meetings/7/"' in html


def test_the_daily_readings_markdown_becomes_links_in_the_email(smtp):
    text = "1. [学习<纲要>](https://example.org/reading/items/1/) —— 求是\n> 摘编：第一段"
    channels.send_email(to="member@example.org", subject="每日推送", text=text, url="/reading/1/")
    message = smtp.messages[0].message
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "学习<纲要> <https://example.org/reading/items/1/>" in plain
    assert "](" not in plain
    assert '<a href="https://example.org/reading/items/1/">学习&lt;纲要&gt;</a>' in html
    assert "摘编：第一段" in html
    assert "&gt; 摘编" not in html
    assert "](" not in html


def test_email_to_an_unreachable_server_raises_for_a_retry(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(channels.ChannelError):
        channels.send_email(to="a@example.org", subject="x", text="y", url="")


def test_dingtalk_post_is_signed_and_in_markdown(robot_server):
    channels.send_dingtalk(webhook_url=robot_server.dingtalk_url, secret=robot_server.secret,
                           title="学习会通知", text="#### 学习会通知\n\n周五下午")
    [post] = robot_server.posts
    assert post.signature_ok is True
    assert post.query["access_token"] == "test-token"
    assert post.body == {"msgtype": "markdown", "markdown": {"title": "学习会通知", "text": "#### 学习会通知\n\n周五下午"}}


def test_dingtalk_with_a_wrong_secret_is_refused(robot_server):
    with pytest.raises(channels.ChannelError, match="310000"):
        channels.send_dingtalk(webhook_url=robot_server.dingtalk_url, secret="SECwrong", title="t", text="t")
    assert robot_server.posts[0].signature_ok is False


def test_dingtalk_signature_matches_the_documented_algorithm():
    # Base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded.
    import base64
    import hashlib
    import hmac
    import urllib.parse

    secret, timestamp = "SEC000", 1700000000000
    expected = urllib.parse.quote_plus(base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()).decode())
    assert channels.dingtalk_sign(secret, timestamp) == expected
    assert channels.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=a", secret, timestamp).endswith(
        f"&timestamp={timestamp}&sign={expected}"
    )


def test_wecom_post_is_markdown(robot_server):
    channels.send_wecom(webhook_url=robot_server.wecom_url, text="#### 每日推送\n1. [文章](https://example.org)")
    [post] = robot_server.posts
    assert post.provider == "wecom"
    assert post.body == {"msgtype": "markdown", "markdown": {"content": "#### 每日推送\n1. [文章](https://example.org)"}}


def test_a_notice_reaches_email_and_both_robots(world, smtp, robot_server, settings):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.localtime() + timedelta(hours=3)
    settings.QUIET_HOURS = (later.strftime("%H:%M"), (later + timedelta(hours=1)).strftime("%H:%M"))
    world.member.email = "member@example.org"
    world.member.save()
    group = world.groups.bureau
    GroupChannel.objects.create(group=group, provider="dingtalk", name="钉钉群", webhook_url=robot_server.dingtalk_url,
                                secret=robot_server.secret)
    GroupChannel.objects.create(group=group, provider="wecom", name="企业微信群", webhook_url=robot_server.wecom_url)
    GroupChannel.objects.create(group=group, provider="wecom", name="只推每日", webhook_url=robot_server.wecom_url,
                                kinds=[NotificationKind.DAILY_READING])
    notification_send(kind=NotificationKind.MEETING_NOTICE, obj=group, recipients=[world.member],
                      occasion="n1", title="学习会通知：专题研讨", body="周五下午", group=group)
    for delivery in Delivery.objects.all():
        assert delivery_send(delivery_id=delivery.pk) == "sent"
    assert Delivery.objects.count() == 3  # e-mail, DingTalk, one WeCom (the other posts daily reading only)
    assert [m.message["To"] for m in smtp.messages] == ["member@example.org"]
    providers = sorted(p.provider for p in robot_server.posts)
    assert providers == ["dingtalk", "wecom"]
    assert all("学习会通知：专题研讨" in str(p.body) for p in robot_server.posts)


def test_new_people_from_a_roster_are_reminded_by_phone_in_their_groups_robots_never_by_link(
    world, robot_server, settings, django_capture_on_commit_callbacks,
):
    """A roster import announces its new people (``members.signals.people_imported``); each robot
    of their groups @-mentions their phones, and the message holds no activation link."""
    from members.signals import people_imported
    from members.tests.factories import MembershipFactory, UserFactory

    settings.QUIET_HOURS = ("00:00", "00:00")
    group = world.groups.bureau
    newcomers = [UserFactory(organization=world.bureau, phone=f"1390000123{n}") for n in range(3)]
    for person in newcomers:
        MembershipFactory(user=person, group=group)
    GroupChannel.objects.create(group=group, provider="dingtalk", name="钉钉群", webhook_url=robot_server.dingtalk_url,
                                secret=robot_server.secret)
    GroupChannel.objects.create(group=group, provider="wecom", name="企业微信群", webhook_url=robot_server.wecom_url)
    GroupChannel.objects.create(group=group, provider="wecom", name="只推每日", webhook_url=robot_server.wecom_url,
                                kinds=[NotificationKind.DAILY_READING])
    with django_capture_on_commit_callbacks(execute=False):
        people_imported.send(sender=None, people=[person.pk for person in newcomers], by=world.staff)
    deliveries = list(Delivery.objects.filter(kind=NotificationKind.ACCOUNT_ACTIVATION))
    assert len(deliveries) == 2  # not the robot that posts the daily reading only
    for delivery in deliveries:
        assert delivery_send(delivery_id=delivery.pk) == "sent"
    phones = sorted(person.phone for person in newcomers)
    dingtalk, = [post for post in robot_server.posts if post.provider == "dingtalk"]
    wecom, = [post for post in robot_server.posts if post.provider == "wecom"]
    assert dingtalk.body["at"] == {"atMobiles": phones, "isAtAll": False}
    assert all(f"@{phone}" in dingtalk.body["markdown"]["text"] for phone in phones)
    assert wecom.body["msgtype"] == "text"
    assert wecom.body["text"]["mentioned_mobile_list"] == phones
    for post in (dingtalk, wecom):
        assert "/activate/" not in json.dumps(post.body)
        assert "http" not in json.dumps(post.body, ensure_ascii=False)
