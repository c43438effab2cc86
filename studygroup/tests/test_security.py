import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Right@2026pass"
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def person():
    user = UserFactory(username="zhangsan", name="张三")
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_password_shows_a_chinese_error_and_keeps_the_username(client, person):
    response = login(client, "zhangsan", "wrong")
    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名或密码错误" in body
    assert 'value="zhangsan"' in body


def test_sixth_attempt_is_refused_even_with_the_right_password(client, person):
    for _ in range(5):
        login(client, "zhangsan", "wrong")
    response = login(client, "zhangsan", PASSWORD)
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_not_per_office_address(client, person):
    UserFactory(username="lisi").set_password(PASSWORD)
    for _ in range(5):
        login(client, "zhangsan", "wrong")
    other = UserFactory(username="wangwu")
    other.set_password(PASSWORD)
    other.save()
    assert login(client, "wangwu", PASSWORD).status_code == 302


def test_four_failures_then_success_resets_the_count(client, person):
    for _ in range(4):
        login(client, "zhangsan", "wrong")
    assert login(client, "zhangsan", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="zhangsan").exists()


def test_lockout_lasts_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_logins_logouts_and_failures_are_logged(client, person):
    login(client, "zhangsan", "wrong")
    assert AccessFailureLog.objects.filter(username="zhangsan").count() == 1
    login(client, "zhangsan", PASSWORD)
    client.post(reverse("logout"))
    entry = AccessLog.objects.get(username="zhangsan")
    assert entry.logout_time is not None


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Qingshan26", True),  # upper, lower, digit
        ("qingshan2!", True),  # lower, digit, symbol
        ("abcdefgh1", False),  # two kinds only
        ("Ab1!", False),  # too short
        ("ABCDEFGH!", False),  # two kinds
    ],
)
def test_password_policy_needs_eight_characters_of_three_kinds(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_password_policy_messages_are_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        validate_password("abcdefgh")
    text = " ".join(error.value.messages)
    assert "密码至少须包含" in text


def test_password_change_applies_the_policy(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "simplepass", "new_password2": "simplepass"},
    )
    assert response.status_code == 200
    assert "密码至少须包含" in response.content.decode()


def test_sessions_expire_after_thirty_idle_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_every_request_renews_the_idle_timer(client, person):
    client.force_login(person)
    client.get(reverse("home"))
    first = client.session.get_expiry_date()
    client.get(reverse("home"))
    assert client.session.get_expiry_date() >= first


def test_changes_keep_history_with_who_made_them(client, world):
    from members.models import Membership

    client.force_login(world.staff)
    membership = world.other_member.memberships.get()
    client.post(reverse("members:membership-end", kwargs={"pk": membership.pk}), {"ended_on": "2099-01-01"})
    latest = Membership.history.filter(id=membership.pk).latest("history_date")
    assert latest.history_user == world.staff
    assert str(latest.ended_on) == "2099-01-01"


def test_pages_need_a_login(client):
    response = client.get(reverse("members:group-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_check_deploy_prints_no_warning():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studygroup.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50)[:50],
        "ALLOWED_HOSTS": "example.org",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr
    assert "warning" not in result.stdout.lower()


def test_login_records_are_kept_at_least_180_days(settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    settings.AUDIT_RETENTION_DAYS = 30  # too short: the rule's minimum applies
    recent = AccessLog.objects.create(username="a")
    old = AccessLog.objects.create(username="b")
    # attempt_time is set on creation; age the records by hand.
    AccessLog.objects.filter(pk=recent.pk).update(attempt_time=timezone.now() - timedelta(days=179))
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=181))
    call_command("purge_login_log", stdout=open(os.devnull, "w"))
    assert AccessLog.objects.filter(pk=recent.pk).exists()
    assert not AccessLog.objects.filter(pk=old.pk).exists()


def test_no_self_service_password_reset_by_email(client):
    """Whoever may change a person's e-mail could take the account over through an e-mailed
    reset link; resets are the security administrator's (members:person-password-reset)."""
    from django.urls import NoReverseMatch, reverse

    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert client.get("/accounts/password_reset/").status_code in (302, 404)
