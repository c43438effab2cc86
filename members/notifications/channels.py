"""The push channels: e-mail through Django's mail (HTML and text), the DingTalk custom robot
(signed with HMAC-SHA256 over the timestamp) and the WeCom group robot, both in markdown.

Each ``send_*`` raises ``ChannelError`` when the message did not go out; the caller (the
delivery task) records it and retries with backoff, except after a ``PermanentChannelError``
(a bad signature, an invalid token: retrying cannot help) and, after a
``RateLimitedChannelError``, only once the service's ten-minute block is over. Robots post only
where ``members.notifications.robot_hosts`` allows, to the address it checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


class ChannelError(Exception):
    """The channel refused or could not be reached; the message may be retried."""


class PermanentChannelError(ChannelError):
    """Retrying will not help (no address, a robot that says the request is malformed)."""


# --- e-mail ------------------------------------------------------------------------------------


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def send_email(*, to: str, subject: str, text: str, url: str, kind_label: str = "") -> None:
    if not to:
        raise PermanentChannelError("no e-mail address")
    context = {"subject": subject, "text": text, "url": absolute_url(url), "kind": kind_label}
    with translation.override(settings.LANGUAGE_CODE):
        plain = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(
        subject=f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        body=plain,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as error:  # smtplib and socket errors: retry later
        raise ChannelError(f"{type(error).__name__}: {error}") from error


# --- robots ----------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's custom-robot signature: Base64(HMAC-SHA256(secret, "timestamp\\nsecret")),
    URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(webhook_url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return webhook_url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    separator = "&" if "?" in webhook_url else "?"
    return f"{webhook_url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


# Answers that retrying cannot fix (the robot's configuration is wrong or it is gone): the
# delivery fails at once and shows as failed. DingTalk: 310000 signature, keyword or IP check
# failed; 300001/300005/400101 no such token; 400013 the chat was dissolved; 43004 bad
# Content-Type; 460101 message too long. WeCom: 93000 invalid webhook key; 93004 robot switched
# off; 40008 invalid message type; 40058 invalid parameter; 44004 empty content; 40001 invalid
# credential.
PERMANENT_ERRCODES = {
    "dingtalk": {310000, 300001, 300005, 400013, 400101, 43004, 460101},
    "wecom": {93000, 93004, 40008, 40058, 44004, 40001},
}
# Too many messages: both services block the robot for ten minutes.
RATE_LIMIT_ERRCODES = {"dingtalk": {130101, 410100}, "wecom": {45009}}
RATE_LIMIT_BLOCK_SECONDS = 600
# The longest answer read from a robot's host (only its JSON status matters).
MAX_ANSWER_BYTES = 65536


class RateLimitedChannelError(ChannelError):
    """The service refused because the robot sent too much: try again after its block."""

    retry_after = RATE_LIMIT_BLOCK_SECONDS


def _pinned_connection(scheme: str, host: str, port: int, address: str, timeout: float):
    """An HTTP(S) connection to ``host`` that connects to ``address`` (checked before) and
    nowhere else; TLS still verifies the certificate against ``host``."""
    import http.client
    import socket
    import ssl

    def connect_to_checked_address(_address, timeout=None, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    if scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection._create_connection = connect_to_checked_address
    return connection


def _post_json(url: str, payload: dict, timeout: float, provider: str) -> dict:
    """POST ``payload`` to the webhook: its host checked against the allow-list, its address
    resolved, checked and connected to, no redirect followed. Errors say what happened in a
    few words of our own: never what another host answered (the delivery log shows them)."""
    from members.notifications.robot_hosts import AddressRefused, pinned_address

    try:
        host, port, address = pinned_address(url, provider)
    except AddressRefused as error:
        raise PermanentChannelError(str(error)) from error
    except OSError as error:
        raise ChannelError(_("The robot's address does not resolve (%(error)s).") % {"error": type(error).__name__}) from error
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    connection = _pinned_connection(parts.scheme, host, port, address, timeout)
    try:
        connection.request(
            "POST", target, body=body, headers={"Content-Type": "application/json; charset=utf-8"}
        )
        response = connection.getresponse()
        status = response.status
        data = response.read(MAX_ANSWER_BYTES)
    except (OSError, ValueError) as error:  # refused, reset, timed out, TLS, a bad status line
        raise ChannelError(_("The robot service could not be reached (%(error)s).") % {"error": type(error).__name__}) from error
    finally:
        connection.close()
    if 300 <= status < 400:
        raise PermanentChannelError(_("HTTP %(status)s: the robot service redirected; redirects are not followed.") % {"status": status})
    if status == 429:
        raise RateLimitedChannelError(f"HTTP {status}")
    if 400 <= status < 500:
        raise PermanentChannelError(f"HTTP {status}")
    if status >= 500 or status < 200:
        raise ChannelError(f"HTTP {status}")
    try:
        answer = json.loads(data.decode("utf-8", errors="replace") or "{}")
    except ValueError as error:
        raise ChannelError(_("The robot service did not answer in JSON.")) from error
    if not isinstance(answer, dict):
        raise ChannelError(_("The robot service did not answer in JSON."))
    code = answer.get("errcode", 0)
    if code in (0, None):
        return {"errcode": 0}
    try:
        code = int(code)
    except (TypeError, ValueError):
        raise ChannelError(_("The robot service did not answer in JSON.")) from None
    summary = errcode_summary(provider, code)
    if code in RATE_LIMIT_ERRCODES.get(provider, ()):
        raise RateLimitedChannelError(summary)
    if code in PERMANENT_ERRCODES.get(provider, ()):
        raise PermanentChannelError(summary)
    raise ChannelError(summary)


def errcode_summary(provider: str, code: int) -> str:
    """``errcode N`` and what it means, in our words."""
    meanings = {
        ("dingtalk", 310000): _("signature, keyword or IP address check failed"),
        ("dingtalk", 300001): _("no such robot (invalid token)"),
        ("dingtalk", 300005): _("no such robot (invalid token)"),
        ("dingtalk", 400101): _("no such robot (invalid token)"),
        ("dingtalk", 400013): _("the chat was dissolved"),
        ("dingtalk", 460101): _("the message is too long"),
        ("dingtalk", 130101): _("too many messages: the robot is blocked for 10 minutes"),
        ("dingtalk", 410100): _("too many messages: the robot is blocked for 10 minutes"),
        ("wecom", 93000): _("no such robot (invalid webhook key)"),
        ("wecom", 93004): _("the robot was switched off"),
        ("wecom", 40008): _("invalid message type"),
        ("wecom", 45009): _("too many messages: the robot is blocked for 10 minutes"),
    }
    meaning = meanings.get((provider, code))
    return f"errcode {code}" + (f" ({meaning})" if meaning else "")


def send_dingtalk(*, webhook_url: str, secret: str, title: str, text: str, mentions=()) -> dict:
    """Post markdown to a DingTalk custom robot (``msgtype`` markdown: title + text); the phones
    in ``mentions`` are @-mentioned (they must also appear as @phone in the text)."""
    payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if mentions:
        payload["at"] = {"atMobiles": list(mentions), "isAtAll": False}
    return _post_json(dingtalk_url(webhook_url, secret), payload, settings.DINGTALK_TIMEOUT_SECONDS, "dingtalk")


def send_wecom(*, webhook_url: str, text: str, mentions=()) -> dict:
    """Post markdown to a WeCom group robot (``msgtype`` markdown: content, 4096 bytes at most);
    with ``mentions``, plain text instead (WeCom @-mentions phones only in text messages)."""
    if mentions:
        content = text.encode("utf-8")[:2048].decode("utf-8", errors="ignore")
        payload = {"msgtype": "text", "text": {"content": content, "mentioned_mobile_list": list(mentions)}}
        return _post_json(webhook_url, payload, settings.WECOM_TIMEOUT_SECONDS, "wecom")
    content = text.encode("utf-8")[:4096].decode("utf-8", errors="ignore")
    payload = {"msgtype": "markdown", "markdown": {"content": content}}
    return _post_json(webhook_url, payload, settings.WECOM_TIMEOUT_SECONDS, "wecom")
