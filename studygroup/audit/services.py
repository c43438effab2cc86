"""Writing the audit trail: the one function every app calls."""

import ipaddress

from django.conf import settings
from django.utils.translation import gettext_noop

from studygroup.audit.models import AuditEntry
from studygroup.audit.organizations import organization_id_of


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
    actor_name: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry. ``actor`` defaults to the request's user; ``obj`` names the object
    (or ``object_type``/``object_id``/``object_repr`` when there is no instance at hand);
    ``organization`` defaults to the object's organisation, else the actor's, so auditors of
    that organisation find it. ``actor_name`` records a name typed at login for an unknown
    account."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if organization is None:
        organization_id = organization_id_of(obj) if obj is not None else None
        if organization_id is None and actor is not None:
            organization_id = getattr(actor, "organization_id", None)
    else:
        organization_id = getattr(organization, "pk", organization)
    name = actor_name if actor_name is not None else (actor.get_username() if actor is not None else "")
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_name=(name or "")[:150],
        organization_id=organization_id,
        changes=changes or {},
        detail=detail,
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:255],
        request_id=(getattr(request, "request_id", "") if request is not None else "")[:64],
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:255],
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)[:64]
        entry.object_repr = (object_repr or str(obj))[:255]
    entry.save(force_insert=True)
    if request is not None:
        # What this request recorded (the export middleware does not add an EXPORT to a DOWNLOAD).
        recorded = getattr(request, "_audit_actions", None)
        if recorded is None:
            recorded = []
            try:
                request._audit_actions = recorded
            except AttributeError:
                pass
        recorded.append(action)
    return entry


# --- two-factor login ----------------------------------------------------------------------------


def two_factor_enrol(*, user, hex_key: str, last_t: int, request=None):
    """Confirm a new authenticator app (replacing an earlier one) and make sure there are
    backup codes; returns ``(device, new_backup_codes or [])``."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from studygroup.audit import twofactor

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=twofactor.AUTHENTICATOR_NAME, key=hex_key, confirmed=True, last_t=last_t)
        device.full_clean()
        device.save()
        codes = []
        if not twofactor.backup_codes_left(user):
            codes = backup_codes_regenerate(user=user, request=request, record=False)
    return device, codes


def backup_codes_regenerate(*, user, request=None, codes: list[str] | None = None, record: bool = True) -> list[str]:
    """New one-time backup codes; the old ones stop working. Returns the codes (shown once)."""
    from django.db import transaction
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from studygroup.audit import twofactor

    codes = codes or twofactor.new_backup_codes()
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=twofactor.BACKUP_NAME, defaults={"confirmed": True}
        )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        device.token_set.all().delete()
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        if record:
            audit_record(
                action=AuditEntry.Action.TWO_FACTOR, request=request, obj=user,
                detail=gettext_noop("New backup codes made; the old ones no longer work"),
            )
    return codes


def two_factor_remove(*, user, by, request=None) -> int:
    """Remove every two-factor device of ``user`` (the person themself, or a security
    administrator for someone who lost their phone). Returns how many were removed."""
    from django.db import transaction
    from django_otp import devices_for_user

    with transaction.atomic():
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
    return removed


# --- lockouts -------------------------------------------------------------------------------------


def account_unlock(*, username: str, by, request=None) -> int:
    """Lift a django-axes lockout before it runs out (安全管理员, within their subtree; the caller
    checked the scope). Returns how many attempt records were removed."""
    from axes.utils import reset

    from members.models import User

    removed = reset(username=username)
    person = User.objects.filter(username=username).first()
    audit_record(
        action=AuditEntry.Action.UNLOCK, actor=by, request=request, obj=person,
        object_type="" if person else "members.user", object_repr="" if person else username,
        changes={"failed_attempt_records": [removed, 0]},
        detail=gettext_noop("Unlocked by a security administrator"),
    )
    return removed


# --- retention ------------------------------------------------------------------------------------


def audit_purge_expired(*, days: int | None = None, batch: int = 5000, using: str = "default") -> int:
    """Delete entries older than the retention (never under 180 days), in batches, through the
    one guarded way (:func:`studygroup.audit.purge.purge_allowed`). Returns how many."""
    from datetime import timedelta

    from django.utils import timezone

    from studygroup.audit.purge import purge_allowed

    keep = max(180, days if days is not None else settings.AUDIT_RETENTION_DAYS)
    cutoff = timezone.now() - timedelta(days=keep)
    deleted = 0
    while True:
        ids = list(AuditEntry.objects.using(using).filter(at__lt=cutoff).order_by("at").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with purge_allowed(using):
            count, _ = AuditEntry.objects.using(using).filter(pk__in=ids).delete()
        deleted += count
