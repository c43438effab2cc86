"""The push channels: e-mail through Django's mail (HTML and text), the DingTalk custom robot
(signed with HMAC-SHA256 over the timestamp) and the WeCom group robot, both in markdown.

Each ``send_*`` raises ``ChannelError`` when the message did not go out; the caller (the
delivery task) records it and retries with backoff.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation


class ChannelError(Exception):
    """The channel refused or could not be reached; the message may be retried."""


class PermanentChannelError(ChannelError):
    """Retrying will not help (no address, a robot that says the request is malformed)."""


# --- e-mail ------------------------------------------------------------------------------------


def send_email(*, to: str, subject: str, text: str, url: str, kind_label: str = "") -> None:
    if not to:
        raise PermanentChannelError("no e-mail address")
    from members.notifications import absolute_url

    context = {"subject": subject, "text": text, "url": absolute_url(url), "kind": kind_label}
    with translation.override(settings.LANGUAGE_CODE):
        plain = render_to_string("members/notifications/email.txt", context)
        html = render_to_string("members/notifications/email.html", context)
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


def _post_json(url: str, payload: dict, timeout: float) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (staff-set URL)
            body = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        raise ChannelError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise ChannelError(f"{type(error).__name__}: {error}") from error
    try:
        answer = json.loads(body or "{}")
    except ValueError as error:
        raise ChannelError(f"not JSON: {body[:200]}") from error
    if answer.get("errcode", 0) != 0:
        raise ChannelError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
    return answer


def send_dingtalk(*, webhook_url: str, secret: str, title: str, text: str) -> dict:
    """Post markdown to a DingTalk custom robot (``msgtype`` markdown: title + text)."""
    payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return _post_json(dingtalk_url(webhook_url, secret), payload, settings.DINGTALK_TIMEOUT_SECONDS)


def send_wecom(*, webhook_url: str, text: str) -> dict:
    """Post markdown to a WeCom group robot (``msgtype`` markdown: content, 4096 bytes at most)."""
    content = text.encode("utf-8")[:4096].decode("utf-8", errors="ignore")
    payload = {"msgtype": "markdown", "markdown": {"content": content}}
    return _post_json(webhook_url, payload, settings.WECOM_TIMEOUT_SECONDS)
