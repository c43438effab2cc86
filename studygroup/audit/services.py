"""Writing the audit trail: the one function every app calls."""

import ipaddress

from django.conf import settings

from studygroup.audit.models import AuditEntry


def client_ip(request) -> str | None:
    """The real client address: with ``TRUSTED_PROXY_COUNT`` proxies in front (nginx: 1), the
    address that many hops from the right of X-Forwarded-For; otherwise REMOTE_ADDR. A forged
    header from the client itself is ignored because only the proxies' hops are trusted."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    candidate = request.META.get("REMOTE_ADDR", "")
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    actor=None,
    request=None,
    obj=None,
    organization=None,
    changes: dict | None = None,
    detail: str = "",
) -> AuditEntry:
    """Append one entry. ``actor`` defaults to the request's user; ``obj`` names the object."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "")[:150],
        organization=organization,
        changes=changes or {},
        detail=detail,
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:255],
        request_id=(getattr(request, "request_id", "") if request is not None else "")[:64],
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)[:64]
        entry.object_repr = str(obj)[:255]
    entry.save(force_insert=True)
    return entry
