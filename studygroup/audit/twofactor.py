"""Two-factor login (django-otp): who must have it, the login's second step, enrolment.

Devices: one authenticator app (``TOTPDevice`` named "authenticator") and one set of one-time
backup codes (``StaticDevice`` named "backup"). A person with a confirmed device is asked for a
code after the password; a person who must have two-factor login (``is_required``) and has no
device is sent to enrolment before any other page (``studygroup.audit.middleware``).
"""

import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from members.models import OrganizationAssignment, current_q

AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup"
ADMIN_ROLES = (
    OrganizationAssignment.Role.SYSTEM_ADMIN,
    OrganizationAssignment.Role.SECURITY_ADMIN,
    OrganizationAssignment.Role.AUDITOR,
)

# Session keys.
PENDING_KEY = "audit_pending_login"  # password passed, second step not yet
REQUIRED_KEY = "audit_2fa_required"  # computed at login: this person must use two-factor login
ENROL_KEY_SESSION = "audit_enrol_key"  # the authenticator key being set up, until confirmed


def is_required(user) -> bool:
    """Superusers, Django-admin staff and the three administrator roles must use two-factor
    login; everyone when ``OTP_REQUIRED_FOR_ALL``."""
    if user is None or not user.is_authenticated:
        return False
    if settings.OTP_REQUIRED_FOR_ALL or user.is_superuser or user.is_staff:
        return True
    return holds_admin_role(user)


def holds_admin_role(user) -> bool:
    return OrganizationAssignment.objects.filter(current_q(), user=user, role__in=ADMIN_ROLES).exists()


def has_device(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def authenticator_of(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def backup_device_of(user):
    return StaticDevice.objects.filter(user=user, name=BACKUP_NAME).first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise(token: str) -> str:
    """What people type: spaces and dashes dropped, backup codes in lower case."""
    return "".join(ch for ch in (token or "") if ch not in " -\t").lower()


def verify(user, token: str):
    """The device that accepts ``token`` (a backup code is used up), or None."""
    token = normalise(token)
    if not token or len(token) > 16:
        return None
    return match_token(user, token)


def device_kind(device) -> str:
    return "backup_code" if isinstance(device, StaticDevice) else "authenticator"


# --- the login's second step ---------------------------------------------------------------------


def pending_start(request, user, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "at": time.time(),
        "next": next_url,
    }


def pending_login(request):
    """``(user, backend, next)`` of a login waiting for its second step, or None (expired)."""
    from members.models import User

    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.OTP_LOGIN_TIMEOUT_MINUTES * 60:
        pending_clear(request)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        pending_clear(request)
        return None
    return user, pending.get("backend"), pending.get("next") or ""


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def safe_next(request, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse(settings.LOGIN_REDIRECT_URL)


def second_step_url(user, next_url: str = "") -> str:
    """Where a logged-in person who still owes the second factor goes: the code page when they
    have a device, enrolment when they have none."""
    name = "audit:two-factor-verify" if has_device(user) else "audit:two-factor-enrol"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def mark_verified(request, device) -> None:
    """This session passed the second step with ``device`` (django-otp's ``otp_login``)."""
    from django_otp import login as otp_login

    otp_login(request, device)


def session_is_verified(request) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


# --- enrolment -------------------------------------------------------------------------------


def enrol_key(request, *, new: bool = False) -> str:
    """The key (hex) of the authenticator being set up: kept in the session until the person
    confirms it with a code, so nothing is written before that."""
    key = request.session.get(ENROL_KEY_SESSION)
    if new or not key:
        key = default_key()
        request.session[ENROL_KEY_SESSION] = key
    return key


def enrol_key_clear(request) -> None:
    request.session.pop(ENROL_KEY_SESSION, None)


def key_base32(hex_key: str) -> str:
    return b32encode(unhexlify(hex_key)).decode()


def provisioning_uri(user, hex_key: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    device = TOTPDevice(user=user, key=hex_key, name=AUTHENTICATOR_NAME)
    return device.config_url


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG (segno; nothing leaves the server)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def check_enrol_code(hex_key: str, token: str):
    """The TOTP time step that ``token`` matches for the new key (one step either side), or None."""
    token = normalise(token)
    if not token.isdigit() or len(token) != 6:
        return None
    totp = TOTP(unhexlify(hex_key), step=30, t0=0, digits=6, drift=0)
    now = time.time()
    for offset in (0, -1, 1):
        totp.time = now + offset * 30
        if totp.token() == int(token):
            return totp.t()
    return None


def new_backup_codes(count: int | None = None) -> list[str]:
    return [StaticToken.random_token() for _ in range(count or settings.OTP_BACKUP_CODE_COUNT)]
