"""Reads shared by the audit and security pages."""

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import Length, Substr
from django.utils import timezone

from members import scoping
from members.models import Organization, User
from studygroup.audit.models import AuditEntry


def entries_for(user):
    return AuditEntry.objects.visible_to(user).select_related("actor", "organization")


def organizations_matching(text: str):
    """Organisations whose name or short name contains ``text``, and everything below them."""
    matched = Organization.objects.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    below = matched.filter(path=Substr(OuterRef("path"), 1, Length("path")))
    return Organization.objects.filter(Exists(below))


def people_in_scope(user, role):
    """People whose organisation is in the administrator's subtree (a root administrator also
    has the people without an organisation)."""
    if user.is_superuser:
        return User.objects.all()
    organizations = scoping.administered_organizations(user, role)
    at_root = Exists(organizations.filter(depth=1))
    return User.objects.filter(
        Q(organization__in=organizations.values("pk")) | (Q(organization__isnull=True) & at_root)
    )


def lockouts_for(user, *, limit: int = 200):
    """Usernames with failed logins now counted by django-axes, in the security
    administrator's subtree: failures, the last attempt, locked or not, and the person."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since)
    if not user.is_superuser:
        people = people_in_scope(user, scoping.SECURITY_ADMIN).values("username")
        at_root = scoping.administered_organizations(user, scoping.SECURITY_ADMIN).filter(depth=1).exists()
        known = User.objects.filter(username=OuterRef("username"))
        # A root administrator also sees names that are nobody's account (guessing attempts).
        attempts = attempts.filter(Q(username__in=people) | (Q(~Exists(known)) if at_root else Q(pk__in=[])))
    rows = list(
        attempts.values("username").annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")[:limit]
    )
    people = {p.username: p for p in User.objects.filter(username__in=[r["username"] for r in rows]).select_related("organization")}
    for row in rows:
        row["person"] = people.get(row["username"])
        row["locked"] = row["failures"] >= settings.AXES_FAILURE_LIMIT
        row["until"] = row["last"] + settings.AXES_COOLOFF_TIME
    return rows


def username_in_security_scope(user, username: str) -> bool:
    if user.is_superuser:
        return True
    if people_in_scope(user, scoping.SECURITY_ADMIN).filter(username=username).exists():
        return True
    at_root = scoping.administered_organizations(user, scoping.SECURITY_ADMIN).filter(depth=1).exists()
    return at_root and not User.objects.filter(username=username).exists()


def security_policy() -> dict:
    """The settings in force, for the security administrator's read-only panel."""
    from django.contrib.auth.password_validation import get_default_password_validators

    min_length, min_classes = None, None
    for validator in get_default_password_validators():
        min_length = getattr(validator, "min_length", min_length)
        min_classes = getattr(validator, "min_classes", min_classes)
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES,
        "password_min_length": min_length,
        "password_min_classes": min_classes,
        "password_expiry_days": settings.PASSWORD_EXPIRY_DAYS,
        "otp_required_for_all": settings.OTP_REQUIRED_FOR_ALL,
        "retention_days": settings.AUDIT_RETENTION_DAYS,
        "trusted_proxies": settings.TRUSTED_PROXY_COUNT,
    }


def object_types():
    """(label, name) of every model an entry can be about: bounded, for the filter's select."""
    from django.apps import apps

    project = {"members", "plans", "meetings", "reports", "audit", "auth", "otp_totp", "otp_static"}
    choices = []
    for model in apps.get_models():
        opts = model._meta
        if opts.app_label in project and not opts.label_lower.split(".")[1].startswith("historical"):
            choices.append((opts.label_lower, f"{opts.verbose_name} ({opts.label_lower})"))
    return sorted(choices, key=lambda c: c[0])
