"""Two-factor login: enrolment with a QR code, the second step with a code or a backup code,
required for administrators, counted by the lockout; the last-login message; password expiry."""

import re
import time
from binascii import unhexlify
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from studygroup.audit import services, twofactor
from studygroup.audit.models import AuditEntry
from studygroup.audit.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def test_the_right_code_right_after_a_typo_is_accepted(client, world):
    """The lockout bounds guessing; no extra delay refuses the right code after a typo."""
    give_backup_codes(world.member, ["code0001"])
    login(client, "member")
    client.post(reverse("audit:two-factor-verify"), {"code": "typo0001"})
    assert client.post(reverse("audit:two-factor-verify"), {"code": "code0001"}).status_code == 302


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def code_for(key_hex: str, *, steps_ahead: int = 0) -> str:
    totp = TOTP(unhexlify(key_hex))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def give_backup_codes(user, codes=("code0001", "code0002")):
    return services.backup_codes_regenerate(user=user, codes=list(codes), record=False)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- who must ------------------------------------------------------------------------------------


def test_administrator_roles_and_superusers_must_use_two_factor(world, admins):
    assert twofactor.is_required(admins.sysadmin)
    assert twofactor.is_required(admins.secadmin)
    assert twofactor.is_required(admins.county_auditor)
    assert twofactor.is_required(admins.superuser)


def test_everyone_else_may_choose(world, settings):
    assert not twofactor.is_required(world.member)
    assert not twofactor.is_required(world.staff)
    settings.OTP_REQUIRED_FOR_ALL = True
    assert twofactor.is_required(world.member)


def test_an_administrator_without_a_device_is_sent_to_enrolment_before_any_page(client, world, admins):
    response = login(client, "sysadmin")
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("audit:two-factor-enrol"))
    assert client.get(reverse("members:person-list")).status_code == 302
    assert client.get(reverse("audit:two-factor-enrol")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_a_member_without_a_device_logs_in_with_the_password_alone(client, world):
    response = login(client, "member")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_required_for_all_sends_a_member_to_enrolment(client, world, settings):
    settings.OTP_REQUIRED_FOR_ALL = True
    login(client, "member")
    assert client.get(reverse("home"))["Location"].startswith(reverse("audit:two-factor-enrol"))


# --- enrolment --------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code_from_the_key(client, world, admins):
    login(client, "sysadmin")
    page = client.get(reverse("audit:two-factor-enrol"))
    body = page.content.decode()
    assert "<svg" in body
    assert "otpauth" not in body  # the address is only in the QR code
    key_base32 = re.search(r'id="totp-key">([A-Z2-7]+)<', body)[1]
    key_hex = client.session[twofactor.ENROL_KEY_SESSION]
    assert twofactor.key_base32(key_hex) == key_base32
    assert not TOTPDevice.objects.filter(user=admins.sysadmin).exists()  # nothing written before confirming

    wrong = client.post(reverse("audit:two-factor-enrol"), {"code": "000000" if code_for(key_hex) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "不对" in wrong.content.decode() or "不匹配" in wrong.content.decode()

    done = client.post(reverse("audit:two-factor-enrol"), {"code": code_for(key_hex)})
    assert done.status_code == 200  # the backup codes, shown once
    codes = re.findall(r'<span class="border rounded px-2 py-1 d-inline-block">(\w+)</span>', done.content.decode())
    assert len(codes) == 10
    device = TOTPDevice.objects.get(user=admins.sysadmin)
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR, object_id=str(admins.sysadmin.pk)).exists()


def test_login_after_enrolment_asks_for_the_code(client, world):
    key = TOTPDevice(user=world.member).key
    services.two_factor_enrol(user=world.member, hex_key=key, last_t=0)
    response = login(client, "member")
    assert response["Location"] == reverse("audit:two-factor-verify")
    assert not is_logged_in(client)
    page = client.get(reverse("audit:two-factor-verify"))
    assert page.status_code == 200
    response = client.post(reverse("audit:two-factor-verify"), {"code": code_for(key)})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.get(reverse("home")).status_code == 200
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert entry.detail == "Password and authenticator code"


def test_a_backup_code_logs_in_once_only(client, world):
    give_backup_codes(world.member, ["code0001"])
    login(client, "member")
    assert client.post(reverse("audit:two-factor-verify"), {"code": " CODE-0001 "}).status_code == 302
    assert is_logged_in(client)
    assert AuditEntry.objects.get(action=Action.LOGIN).detail == "Password and backup code"
    client.post(reverse("logout"))
    login(client, "member")
    response = client.post(reverse("audit:two-factor-verify"), {"code": "code0001"})
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert not StaticToken.objects.filter(token="code0001").exists()


def test_a_wrong_code_is_refused_audited_and_counts_towards_the_lockout(client, world):
    give_backup_codes(world.member)
    login(client, "member", "wrong")  # one wrong password
    login(client, "member", REMOTE_ADDR="10.8.8.8")
    for _ in range(3):
        response = client.post(reverse("audit:two-factor-verify"), {"code": "123456"}, REMOTE_ADDR="10.8.8.8")
        assert response.status_code == 200
        assert "这个验证码不对" in response.content.decode()
    failed = AuditEntry.objects.filter(action=Action.LOGIN_FAILED, detail="Wrong two-factor code")
    assert failed.count() == 3
    assert failed.first().ip == "10.8.8.8"
    response = client.post(reverse("audit:two-factor-verify"), {"code": "654321"})
    assert response.status_code == 429  # the fifth failure: locked
    assert AuditEntry.objects.filter(action=Action.LOCKOUT).count() == 1
    # Locked: even the right code (and the password step) are refused now.
    assert login(client, "member").status_code == 429
    assert not is_logged_in(client)


def test_the_second_step_expires(client, world, settings):
    give_backup_codes(world.member)
    login(client, "member")
    session = client.session
    session[twofactor.PENDING_KEY]["at"] -= settings.OTP_LOGIN_TIMEOUT_MINUTES * 60 + 1
    session.save()
    response = client.post(reverse("audit:two-factor-verify"), {"code": "code0001"})
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not is_logged_in(client)


def test_the_second_step_without_a_password_first_goes_to_login(client, world):
    response = client.get(reverse("audit:two-factor-verify"))
    assert response["Location"] == reverse("login")


def test_the_second_step_keeps_a_safe_next_and_drops_a_foreign_one(client, world):
    give_backup_codes(world.member, ["code0001", "code0002"])
    client.post(reverse("login") + "?next=/groups/", {"username": "member", "password": PASSWORD, "next": "/groups/"})
    assert client.post(reverse("audit:two-factor-verify"), {"code": "code0001"})["Location"] == "/groups/"
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "member", "password": PASSWORD, "next": "https://evil.example/"})
    assert client.post(reverse("audit:two-factor-verify"), {"code": "code0002"})["Location"] == reverse("home")


# --- own settings ----------------------------------------------------------------------------------


def test_backup_codes_regenerated_replace_the_old_ones(client_for, world):
    give_backup_codes(world.member, ["old00001"])
    client = client_for(world.member)
    session = client.session
    session["otp_device_id"] = StaticDevice.objects.get(user=world.member).persistent_id
    session.save()
    response = client.post(reverse("audit:two-factor-backup-codes"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not StaticToken.objects.filter(token="old00001").exists()
    assert StaticToken.objects.filter(device__user=world.member).count() == 10
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR, detail__startswith="New backup codes").exists()


def test_changing_two_factor_needs_a_verified_session(client_for, world):
    give_backup_codes(world.member)
    client = client_for(world.member)  # logged in without the second step (as force_login does)
    response = client.post(reverse("audit:two-factor-backup-codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:two-factor-verify"))


def test_a_member_may_turn_two_factor_off_an_administrator_may_not(client_for, world, admins):
    client = client_for(world.member)
    give_backup_codes(world.member)
    session = client.session
    session["otp_device_id"] = StaticDevice.objects.get(user=world.member).persistent_id
    session.save()
    assert client.post(reverse("audit:two-factor-remove")).status_code == 302
    assert not StaticDevice.objects.filter(user=world.member).exists()
    client = client_for(admins.sysadmin)
    client.post(reverse("audit:two-factor-remove"))
    assert StaticDevice.objects.filter(user=admins.sysadmin).exists()


def test_own_two_factor_page_opens(client_for, world):
    response = client_for(world.member).get(reverse("audit:two-factor"))
    assert response.status_code == 200
    assert "设置身份验证器" in response.content.decode()


# --- the Django admin ------------------------------------------------------------------------------


def test_the_django_admin_refuses_a_superuser_without_the_second_step(client, admins):
    client.force_login(admins.superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:two-factor-enrol"))
    # Even past the middleware (a session flagged otherwise), the admin site itself insists.
    session = client.session
    session["audit_2fa_required"] = False
    session.save()
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    follow = client.get(response["Location"])
    assert follow["Location"].startswith(reverse("audit:two-factor-enrol"))


def test_the_django_admin_opens_after_the_second_step(client_for, admins):
    assert client_for(admins.superuser).get(reverse("admin:index")).status_code == 200


def test_the_django_admin_sends_anonymous_visitors_to_the_app_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_administrator_roles_are_not_django_admin_staff(client_for, admins):
    response = client_for(admins.sysadmin).get(reverse("admin:index"))
    assert response.status_code in (302, 403)
    assert client_for(admins.sysadmin).get(reverse("admin:members_organizationassignment_add")).status_code in (302, 403)


# --- last login ------------------------------------------------------------------------------------


def test_after_login_the_page_says_when_and_from_where_the_last_login_was(client, world):
    login(client, "member", REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"))
    login(client, "member", "wrong", REMOTE_ADDR="10.6.6.6")
    response = login(client, "member", REMOTE_ADDR="10.9.9.9")
    page = client.get(response["Location"]).content.decode()
    assert "上次登录：" in page
    assert "来自 10.1.2.3" in page
    assert "10.9.9.9" not in page
    assert "此后有 1 次登录失败" in page


def test_the_first_login_says_so(client, world):
    response = login(client, "member")
    assert "首次登录" in client.get(response["Location"]).content.decode()


def test_last_login_is_in_the_chinese_date_format(client, world):
    login(client, "member", REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"))
    response = login(client, "member")
    page = client.get(response["Location"]).content.decode()
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in page


# --- password expiry --------------------------------------------------------------------------------


def test_an_expired_password_must_be_changed_first(client, world, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    world.member.password_changed_at = timezone.now() - timedelta(days=91)
    world.member.save()
    login(client, "member")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200
    client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Fresh@2026pass", "new_password2": "Fresh@2026pass",
    })
    assert client.get(reverse("home")).status_code == 200


def test_a_recent_password_does_not_expire(client, world, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    login(client, "member")
    assert client.get(reverse("home")).status_code == 200


def test_passwords_do_not_expire_by_default(client, world, settings):
    assert settings.PASSWORD_EXPIRY_DAYS == 0
    world.member.password_changed_at = timezone.now() - timedelta(days=3650)
    world.member.save()
    login(client, "member")
    assert client.get(reverse("home")).status_code == 200


def test_set_password_stamps_the_change(world):
    before = timezone.now()
    world.member.set_password("Another@2026pass")
    assert world.member.password_changed_at >= before
