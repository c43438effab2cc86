"""Where robots may post (the host allow-list and the address check), what the delivery log may
show, permanent errors, the limit of 20 messages a minute, and the robot host list page kept by
the security administrator. Posts go to a real local HTTP server (``robot_server``)."""

import socket
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import force_login_verified
from members.models import OrganizationAssignment
from members.notifications import channels, robot_hosts
from members.notifications import services as notifications
from members.notifications.models import Delivery, GroupChannel, NotificationKind, RobotHost
from members.notifications.tasks import deliveries_sweep
from members.tests.factories import AssignmentFactory, OrganizationFactory, UserFactory
from studygroup.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abc"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"


@pytest.fixture
def not_quiet(settings):
    settings.QUIET_HOURS = ("00:00", "00:00")


def _fake_dns(monkeypatch, answers):
    """``socket.getaddrinfo`` answering ``answers[host]`` (one address or a list, consumed in
    turn when a list of lists); records the hosts asked."""
    asked = []

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:  # an address literal (connecting): as it is
            return real(host, port, *args, **kwargs)
        asked.append(host)
        answer = answers[host]
        if isinstance(answer, list) and answer and isinstance(answer[0], list):
            answer = answer.pop(0)
        addresses = answer if isinstance(answer, list) else [answer]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# --- the allow-list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "provider"),
    [(DINGTALK, "dingtalk"), (WECOM, "wecom"), ("https://OAPI.dingtalk.com./robot/send?access_token=a", "dingtalk")],
)
def test_official_hosts_over_https_are_allowed(url, provider):
    assert robot_hosts.webhook_problem(url, provider) is None


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("http://oapi.dingtalk.com/robot/send?access_token=a", "dingtalk"),  # plain http
        ("https://oapi.dingtalk.com:8443/robot/send?access_token=a", "dingtalk"),  # another port
        (WECOM, "dingtalk"),  # the other service's host
        ("https://127.0.0.1/robot/send", "dingtalk"),
        ("https://169.254.169.254/latest/meta-data/", "wecom"),
        ("https://oapi.dingtalk.com.evil.example/robot/send", "dingtalk"),
        ("https://user:pw@oapi.dingtalk.com/robot/send", "dingtalk"),
        ("ftp://oapi.dingtalk.com/robot/send", "dingtalk"),
        ("https://[::1]/robot/send", "wecom"),
    ],
)
def test_other_hosts_schemes_and_ports_are_refused(url, provider):
    assert robot_hosts.webhook_problem(url, provider)


def test_a_host_on_the_list_or_in_the_setting_is_allowed_even_over_http(world, settings):
    url = "http://dingtalk.example.gov.cn:8080/robot/send?access_token=a"
    assert robot_hosts.webhook_problem(url, "dingtalk")
    RobotHost.objects.create(host="dingtalk.example.gov.cn")
    assert robot_hosts.webhook_problem(url, "dingtalk") is None
    settings.ROBOT_EXTRA_HOSTS = ["10.8.0.5"]
    assert robot_hosts.webhook_problem("https://10.8.0.5/robot/send", "dingtalk") is None


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "224.0.0.1", "240.0.0.1", "100.64.0.1", "::1", "fe80::1",
                                     "fc00::1", "::ffff:127.0.0.1"])
def test_private_loopback_link_local_multicast_and_reserved_addresses_are_refused(address):
    assert robot_hosts.address_refused(address)


def test_public_addresses_are_not_refused():
    assert not robot_hosts.address_refused("203.119.129.1")
    assert not robot_hosts.address_refused("2400:3200::1")


def test_robot_form_refuses_a_host_not_on_the_list_in_chinese_keeping_what_was_typed(world, client):
    force_login_verified(client, world.staff)
    url = reverse("notifications:group-channel-create", args=[world.groups.bureau.pk])
    typed = {"provider": "dingtalk", "name": "钉钉群", "webhook_url": "https://intranet.example/robot/send?access_token=x",
             "secret": "SECtyped-secret", "kinds": ["meeting_notice"], "is_active": "on"}
    response = client.post(url, typed)
    assert response.status_code == 200
    assert not GroupChannel.objects.exists()
    errors = response.context["form"].errors["webhook_url"]
    assert "机器人地址白名单" in errors[0]
    assert "intranet.example" in errors[0]
    page = response.content.decode()
    assert 'value="https://intranet.example/robot/send?access_token=x"' in page
    assert 'value="SECtyped-secret"' in page  # the secret need not be typed again


def test_robot_form_checks_the_host_even_before_the_service_is_chosen(world, client):
    force_login_verified(client, world.staff)
    url = reverse("notifications:group-channel-create", args=[world.groups.bureau.pk])
    response = client.post(url, {"provider": "", "name": "群", "webhook_url": "http://10.0.0.5/robot/send", "secret": "SECx"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "provider" in form.errors
    assert "10.0.0.5" in form.errors["webhook_url"][0]


def test_robot_form_accepts_a_host_the_administrator_listed(world, client):
    RobotHost.objects.create(host="dingtalk.example.gov.cn")
    force_login_verified(client, world.staff)
    url = reverse("notifications:group-channel-create", args=[world.groups.bureau.pk])
    response = client.post(url, {"provider": "dingtalk", "name": "政务钉钉群", "secret": "SECx",
                                 "webhook_url": "https://dingtalk.example.gov.cn/robot/send?access_token=x",
                                 "kinds": ["meeting_notice"], "is_active": "on"})
    assert response.status_code == 302
    assert GroupChannel.objects.get().webhook_url.startswith("https://dingtalk.example.gov.cn/")


def test_the_service_refuses_a_host_not_on_the_list(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        notifications.group_channel_create(group=world.groups.bureau, by=world.staff, provider="wecom", name="x",
                                           webhook_url="http://127.0.0.1:6379/", secret="", kinds=[], is_active=True)
    assert "webhook_url" in caught.value.message_dict


# --- every delivery checks the address again --------------------------------------------------------------


def _robot(world, url, provider="wecom", secret=""):
    return GroupChannel.objects.create(group=world.groups.bureau, provider=provider, name="群", webhook_url=url,
                                       secret=secret)


def _notice(world, occasion="n1", title="学习会通知"):
    """A notice to the bureau group's robots, sent as after its transaction commits (eager)."""
    notifications.notification_send(kind=NotificationKind.MEETING_NOTICE, obj=world.groups.bureau, recipients=[],
                                    occasion=occasion, title=title, group=world.groups.bureau)
    notifications.deliveries_enqueue()


def test_an_official_host_that_resolves_to_a_private_address_is_refused_for_good(world, monkeypatch, not_quiet):
    _fake_dns(monkeypatch, {"qyapi.weixin.qq.com": "10.0.0.7"})
    _robot(world, WECOM)
    _notice(world)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert "10.0.0.7" in delivery.last_error


def test_a_host_taken_off_the_list_is_refused_at_the_next_delivery(world, robot_server, settings, not_quiet):
    settings.ROBOT_EXTRA_HOSTS = []
    listed = RobotHost.objects.create(host="127.0.0.1")
    _robot(world, robot_server.wecom_url)
    _notice(world, "one")
    assert Delivery.objects.get().status == Delivery.Status.SENT
    listed.delete()
    _notice(world, "two")
    refused = Delivery.objects.get(key__endswith=":two")
    assert refused.status == Delivery.Status.FAILED
    assert len(robot_server.posts) == 1


def test_the_post_goes_to_the_address_that_was_checked(world, robot_server, monkeypatch, not_quiet):
    """DNS rebinding: the name is resolved once, checked, and that very address is connected to;
    a second answer (here a metadata address) is never asked for."""
    RobotHost.objects.create(host="robot.example.gov.cn")
    asked = _fake_dns(monkeypatch, {"robot.example.gov.cn": [["127.0.0.1"], ["169.254.169.254"]]})
    url = robot_server.wecom_url.replace("127.0.0.1", "robot.example.gov.cn")
    _robot(world, url)
    _notice(world)
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert asked == ["robot.example.gov.cn"]
    assert len(robot_server.posts) == 1


def test_a_name_resolving_to_any_refused_address_is_refused(world, monkeypatch):
    _fake_dns(monkeypatch, {"oapi.dingtalk.com": ["203.119.129.1", "127.0.0.1"]})
    with pytest.raises(channels.PermanentChannelError):
        channels.send_dingtalk(webhook_url=DINGTALK, secret="SECx", title="t", text="t")


def test_a_redirect_is_not_followed(world, robot_server, not_quiet):
    robot_server.reply = (302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    _robot(world, robot_server.wecom_url)
    _notice(world)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "302" in delivery.last_error
    assert "169.254" not in delivery.last_error
    assert len(robot_server.posts) == 1


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        ((200, b'{"errcode": 12345, "errmsg": "db password is hunter2"}', {}), "errcode 12345"),
        ((500, b"<html>internal stack trace hunter2</html>", {}), "HTTP 500"),
        ((200, b"<html>hunter2</html>", {}), "JSON"),
    ],
)
def test_the_delivery_log_never_shows_what_another_host_answered(world, robot_server, client, not_quiet, reply, shown):
    robot_server.reply = reply
    _robot(world, robot_server.wecom_url)
    _notice(world)
    delivery = Delivery.objects.get()
    assert shown in delivery.last_error
    assert "hunter2" not in delivery.last_error
    force_login_verified(client, world.staff)
    page = client.get(reverse("notifications:group-channels", args=[world.groups.bureau.pk])).content.decode()
    assert "hunter2" not in page


# --- permanent errors ------------------------------------------------------------------------------------


def test_a_bad_signature_fails_at_once_without_retries(world, robot_server, not_quiet):
    _robot(world, robot_server.dingtalk_url, provider="dingtalk", secret="SECwrong")
    _notice(world)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert "310000" in delivery.last_error
    assert "签名" in delivery.last_error
    assert deliveries_sweep()["queued"] == 0
    assert len(robot_server.posts) == 1


@pytest.mark.parametrize(("provider", "code"), [("dingtalk", 300001), ("wecom", 93000), ("wecom", 40008)])
def test_an_invalid_token_or_key_fails_at_once(world, robot_server, not_quiet, provider, code):
    robot_server.reply = (200, b'{"errcode": %d, "errmsg": "invalid"}' % code, {})
    url = robot_server.dingtalk_url if provider == "dingtalk" else robot_server.wecom_url
    _robot(world, url, provider=provider, secret="SECx" if provider == "dingtalk" else "")
    _notice(world)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert f"errcode {code}" in delivery.last_error


def test_the_services_rate_limit_answer_waits_ten_minutes(world, robot_server, not_quiet):
    robot_server.reply = (200, b'{"errcode": 45009, "errmsg": "api freq out of limit"}', {})
    _robot(world, robot_server.wecom_url)
    _notice(world)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.RETRY
    assert delivery.next_attempt_at > timezone.now() + timedelta(minutes=9)


# --- 20 messages a minute ------------------------------------------------------------------------------------


def _a_minute_passes(channel):
    """Move the robot's recent posts and the waiting deliveries a minute back in time."""
    channel.refresh_from_db()
    GroupChannel.objects.filter(pk=channel.pk).update(
        post_slots=[[slot[0] - 61, slot[1], slot[2]] for slot in channel.post_slots]
    )
    for delivery in Delivery.objects.filter(status=Delivery.Status.PENDING):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.next_attempt_at - timedelta(seconds=61))


def test_the_21st_message_in_a_minute_waits_for_the_next_minute_in_order(world, robot_server, not_quiet):
    channel = _robot(world, robot_server.wecom_url)
    for n in range(1, 26):
        _notice(world, f"n{n}", f"通知{n:02d}")
    assert len(robot_server.posts) == 20
    waiting = list(Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("next_attempt_at"))
    assert [d.title for d in waiting] == [f"通知{n:02d}" for n in range(21, 26)]
    assert all(d.attempts == 0 for d in waiting)
    assert all(timezone.now() + timedelta(seconds=50) < d.next_attempt_at < timezone.now() + timedelta(seconds=70)
               for d in waiting)
    assert "20" in waiting[0].last_error
    assert deliveries_sweep()["queued"] == 0  # not before their minute
    assert len(robot_server.posts) == 20

    _a_minute_passes(channel)
    deliveries_sweep()
    assert len(robot_server.posts) == 25
    sent_titles = [post.body["markdown"]["content"].splitlines()[0] for post in robot_server.posts]
    assert sent_titles == [f"#### 通知{n:02d}" for n in range(1, 26)]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 25


def test_the_limit_counts_each_robot_apart(world, robot_server, not_quiet, settings):
    settings.ROBOT_MESSAGES_PER_MINUTE = 2
    _robot(world, robot_server.wecom_url)
    _robot(world, robot_server.wecom_url.replace("key=test-key", "key=other"))
    for n in range(3):
        _notice(world, f"n{n}")
    assert len(robot_server.posts) == 4  # two each
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 2


def test_a_waiting_message_keeps_its_place_when_asked_early(world):
    channel = _robot(world, WECOM)
    now = 1_000_000.0
    for n in range(20):
        assert notifications.robot_post_slot(channel_id=channel.pk, delivery_id=n, now=now + n / 10) is None
    first = notifications.robot_post_slot(channel_id=channel.pk, delivery_id=100, now=now + 5)
    second = notifications.robot_post_slot(channel_id=channel.pk, delivery_id=101, now=now + 5)
    assert first < second
    assert first.timestamp() == pytest.approx(now + 60.5)
    assert notifications.robot_post_slot(channel_id=channel.pk, delivery_id=100, now=now + 30) == first
    assert notifications.robot_post_slot(channel_id=channel.pk, delivery_id=100, now=now + 60.6) is None
    # The one that came later still waits for its own place.
    assert notifications.robot_post_slot(channel_id=channel.pk, delivery_id=102, now=now + 60.7) > second


# --- the robot host list page ----------------------------------------------------------------------------------


@pytest.fixture
def admins(world):
    province = OrganizationFactory(name="中共江北省委员会")
    root_secadmin = UserFactory(username="root_secadmin", organization=province)
    AssignmentFactory(user=root_secadmin, organization=province, role=OrganizationAssignment.Role.SECURITY_ADMIN)
    county_secadmin = UserFactory(username="county_secadmin", organization=world.county)
    AssignmentFactory(user=county_secadmin, organization=world.county, role=OrganizationAssignment.Role.SECURITY_ADMIN)
    sysadmin = UserFactory(username="root_sysadmin", organization=province)
    AssignmentFactory(user=sysadmin, organization=province, role=OrganizationAssignment.Role.SYSTEM_ADMIN)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    world.admins = {"root_secadmin": root_secadmin, "county_secadmin": county_secadmin, "sysadmin": sysadmin,
                    "superuser": superuser}
    return world


@pytest.mark.parametrize(
    ("who", "status"),
    [("root_secadmin", 200), ("superuser", 200), ("county_secadmin", 403), ("sysadmin", 403), ("staff", 403),
     ("member", 403), ("sibling_staff", 403)],
)
def test_only_the_top_security_administrator_and_superusers_keep_the_list(admins, client, who, status):
    user = admins.admins.get(who) or getattr(admins, who)
    force_login_verified(client, user)
    assert client.get(reverse("notifications:robot-host-list")).status_code == status
    client.post(reverse("notifications:robot-host-list"), {"host": "dingtalk.example.gov.cn"})
    assert RobotHost.objects.filter(host="dingtalk.example.gov.cn").exists() is (status == 200)


def test_adding_and_removing_a_host_is_audited(admins, client):
    secadmin = admins.admins["root_secadmin"]
    force_login_verified(client, secadmin)
    response = client.post(reverse("notifications:robot-host-list"), {"host": " DingTalk.Example.gov.cn ", "note": "省政务钉钉"})
    assert response.status_code == 302
    host = RobotHost.objects.get()
    assert host.host == "dingtalk.example.gov.cn"
    assert host.added_by == secadmin
    added = AuditEntry.objects.get(action=AuditEntry.Action.SETTINGS)
    assert added.action == AuditEntry.Action.SETTINGS
    assert added.actor == secadmin
    assert "dingtalk.example.gov.cn" in added.detail
    page = client.get(reverse("notifications:robot-host-list")).content.decode()
    assert "dingtalk.example.gov.cn" in page
    assert "省政务钉钉" in page

    remove = reverse("notifications:robot-host-remove", args=[host.pk])
    assert client.get(remove).status_code == 200  # asks first
    assert RobotHost.objects.exists()
    assert client.post(remove).status_code == 302
    assert not RobotHost.objects.exists()
    removed = AuditEntry.objects.order_by("-pk").first()
    assert removed.action == AuditEntry.Action.SETTINGS
    assert removed.changes == {"robot_host": ["dingtalk.example.gov.cn", None]}


@pytest.mark.parametrize("typed", ["https://dingtalk.example.gov.cn/robot", "*.example.gov.cn", "a b", "x" * 300])
def test_a_bad_host_gets_a_chinese_error_and_keeps_what_was_typed(admins, client, typed):
    force_login_verified(client, admins.admins["superuser"])
    response = client.post(reverse("notifications:robot-host-list"), {"host": typed, "note": "备注"})
    assert response.status_code == 200
    assert not RobotHost.objects.exists()
    error = response.context["form"].errors["host"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error), error
    assert "备注" in response.content.decode()


def test_a_host_already_listed_is_refused(admins, client):
    RobotHost.objects.create(host="dingtalk.example.gov.cn")
    force_login_verified(client, admins.admins["superuser"])
    response = client.post(reverse("notifications:robot-host-list"), {"host": "DINGTALK.example.gov.cn"})
    assert response.status_code == 200
    assert "已在" in response.context["form"].errors["host"][0]


def test_robot_host_list_queries_do_not_grow_with_hosts(admins, client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secadmin, superuser = admins.admins["root_secadmin"], admins.admins["superuser"]
    notifications.robot_host_add(host="dingtalk.example.gov.cn", note="省政务钉钉", by=secadmin)
    force_login_verified(client, secadmin)
    url = reverse("notifications:robot-host-list")
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        notifications.robot_host_add(host=f"robot{n}.example.gov.cn", note=f"第{n}个", by=superuser if n % 2 else secadmin)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["hosts"]) == 7
