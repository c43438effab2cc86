"""Where robot webhooks may post: the allow-list of hosts and the check of the address connected to.

A group's staff type a webhook address; the server then posts to it on every notice. Left open,
that would let anyone who manages a group make the server reach into the intranet (a database
port, a cloud metadata address) and read the answer in the delivery log. So:

- the host must be an official one (DingTalk ``oapi.dingtalk.com``, WeCom
  ``qyapi.weixin.qq.com``, both over https on the standard port) or on the administrators' list:
  ``ROBOT_EXTRA_HOSTS`` in the environment plus the hosts the security administrator keeps in the
  application (``RobotHost``: private deployments such as 政务钉钉 / 专有钉钉);
- only a listed host may be reached over plain http or on another port, and only a listed host
  may resolve to a loopback, private, link-local, multicast or reserved address;
- every delivery resolves the host again, checks the address and connects to that very address
  (``pinned_address``): a DNS answer that changes between check and connection (DNS rebinding)
  changes nothing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.notifications.choices import NotificationChannel

OFFICIAL_HOSTS = {
    NotificationChannel.DINGTALK.value: "oapi.dingtalk.com",
    NotificationChannel.WECOM.value: "qyapi.weixin.qq.com",
}
# What a service's address looks like, for the error message.
OFFICIAL_EXAMPLES = {
    NotificationChannel.DINGTALK.value: "https://oapi.dingtalk.com/robot/send?access_token=…",
    NotificationChannel.WECOM.value: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
}

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")


def normalize_host(value: str) -> str:
    """A host as stored and compared: lower case, IDNA (punycode), no trailing dot, an IPv6
    address without brackets. Raises ``ValueError`` for anything that is not a bare host
    (a URL, a port, a wildcard, spaces)."""
    text = (value or "").strip().lower().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if not text or len(text) > 253:
        raise ValueError(value)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValueError(value) from error
    if not _HOSTNAME_RE.match(text):
        raise ValueError(value)
    return text


def listed_hosts() -> set[str]:
    """The administrators' hosts: the setting and the list kept in the application."""
    hosts = set()
    for value in getattr(settings, "ROBOT_EXTRA_HOSTS", []) or []:
        try:
            hosts.add(normalize_host(value))
        except ValueError:
            continue
    # By label: the models use this module to check addresses.
    hosts.update(apps.get_model("notifications", "RobotHost").objects.values_list("host", flat=True))
    return hosts


def webhook_problem(url: str, provider: str) -> str | None:
    """Why ``url`` may not be a ``provider`` robot's webhook (a sentence for its form), or None."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
        host = normalize_host(parts.hostname or "")
    except ValueError:
        return _("Enter the robot's webhook address as the chat shows it, starting with https://.")
    if parts.scheme not in ("http", "https"):
        return _("Enter the robot's webhook address as the chat shows it, starting with https://.")
    if parts.username or parts.password:
        return _("A webhook address never contains a user name or password.")
    if host in listed_hosts():
        return None
    if provider not in OFFICIAL_HOSTS:  # the robot's service is not chosen yet: either one
        if host in OFFICIAL_HOSTS.values() and parts.scheme == "https" and port in (None, 443):
            return None
        return _(
            "Robots may post only to DingTalk or WeCom (https://oapi.dingtalk.com/…, "
            "https://qyapi.weixin.qq.com/…) or to a host on the robot host list. %(host)s is not on it: "
            "if it is your own deployment of the service (a government DingTalk, for example), ask the "
            "security administrator to add it."
        ) % {"host": host}
    official = OFFICIAL_HOSTS.get(provider)
    if host == official:
        if parts.scheme != "https" or port not in (None, 443):
            return _("The address of %(service)s must start with https://%(host)s/ (no other port).") % {
                "service": NotificationChannel(provider).label, "host": official,
            }
        return None
    if host in OFFICIAL_HOSTS.values():
        return _("This is an address of another service: a %(service)s robot's address looks like %(example)s") % {
            "service": NotificationChannel(provider).label, "example": OFFICIAL_EXAMPLES.get(provider, ""),
        }
    return _(
        "Robots may post only to %(service)s (%(example)s) or to a host on the robot host list. "
        "%(host)s is not on it: if it is your own deployment of the service (a government DingTalk, "
        "for example), ask the security administrator to add it."
    ) % {"service": NotificationChannel(provider).label, "example": OFFICIAL_EXAMPLES.get(provider, ""), "host": host}


def check_webhook(url: str, provider: str) -> None:
    problem = webhook_problem(url, provider)
    if problem:
        raise ValidationError({"webhook_url": problem})


def address_refused(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified or otherwise not a
    public internet address (an IPv4-mapped IPv6 address is judged as the IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or not ip.is_global
    )


class AddressRefused(Exception):
    """The webhook's host is not allowed, or resolves to an address it may not use."""


def pinned_address(url: str, provider: str) -> tuple[str, int, str]:
    """Check ``url`` now and resolve it: ``(host, port, address)``, the address to connect to.

    Raises ``AddressRefused`` when the host is no longer allowed or an address it resolves to is
    refused; ``OSError`` (``socket.gaierror``) when it does not resolve (a retry may help)."""
    problem = webhook_problem(url, provider)
    if problem:
        raise AddressRefused(problem)
    parts = urlsplit(url)
    host = normalize_host(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    listed = host in listed_hosts()
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise OSError(f"{host} does not resolve")
    if not listed:
        refused = [address for address in addresses if address_refused(address)]
        if refused:
            raise AddressRefused(
                _("%(host)s resolves to an address robots may not post to (%(address)s).")
                % {"host": host, "address": refused[0]}
            )
    return host, port, addresses[0]
