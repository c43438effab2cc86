"""Data changes into the audit trail, from django-simple-history.

Every model with ``HistoricalRecords`` writes a historical row on each create, change and
delete; ``post_create_historical_record`` turns it into an audit entry with the before/after
of the fields that changed (diffed against the previous historical row). Secrets (password
hashes, robot secrets, tokens, keys) are never copied: such a field shows as changed, without
its values.

The organisation of an entry (what auditors filter by) is found by following the object's
foreign keys to an ``Organization`` (e.g. a meeting → its group → the group's organisation).
"""

import datetime
import decimal
import hashlib
import json
import re
import uuid

from django.db import models
from django.utils.translation import gettext_noop

from members.models import OrganizationAssignment, User

SECRET_FIELD = re.compile(r"(password(?!_changed_at)|secret|token|(^|_)key$|otp|signin_code)", re.IGNORECASE)
URL_WITH_SECRET_FIELD = re.compile(r"webhook", re.IGNORECASE)
PERMISSION_FIELDS = {"is_superuser", "is_staff", "is_active", "groups", "user_permissions"}
MAX_VALUE_CHARS = 2000
HIDDEN = "******"

# --- values ---------------------------------------------------------------------------------


def plain(value):
    """A JSON value for the audit trail."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "…"
    return text


def _m2m_ids(value):
    """simple-history gives m2m values as lists of through-row dicts: keep the far ends' ids."""
    ids = []
    for row in value or []:
        if isinstance(row, dict):
            far = [v for k, v in row.items() if k not in ("id", "history", "history_id")]
            ids.append(far[-1] if far else None)
        else:
            ids.append(plain(row))
    return sorted(ids, key=lambda x: (x is None, str(x)))


def recorded(value):
    """``plain(value)``, but structured data longer than ``MAX_VALUE_CHARS`` when written out (a
    province bulletin's frozen figures are 7 MB) is recorded by its size and SHA-256: the trail
    says what changed and can prove which version it was; the data stays in the record."""
    value = plain(value)
    if isinstance(value, (dict, list)):
        encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
        if len(encoded) > MAX_VALUE_CHARS:
            return {"chars": len(encoded), "sha256": hashlib.sha256(encoded.encode()).hexdigest()}
    return value


def _masked(field_name: str, old, new):
    if SECRET_FIELD.search(field_name):
        return [HIDDEN if old not in (None, "") else "", HIDDEN if new not in (None, "") else ""]
    if URL_WITH_SECRET_FIELD.search(field_name):
        return [_strip_query(old), _strip_query(new)]
    return None


def _strip_query(url):
    if not url:
        return url
    text = str(url)
    return text.split("?", 1)[0] + ("?" + HIDDEN if "?" in text else "")


def field_changes(history_instance, previous) -> dict:
    """``{field: [before, after]}`` between two historical rows (``previous`` None: created)."""
    changes = {}
    # Every tracked field (also non-editable ones such as password_changed_at) but the key and
    # the "updated at" stamps that change on every save.
    tracked = {
        f.name: f for f in history_instance.tracked_fields
        if not f.primary_key and not getattr(f, "auto_now", False)
    }
    m2m_names = {f.name for f in getattr(history_instance, "_history_m2m_fields", [])}
    if previous is None:
        for name, field in tracked.items():
            new = getattr(history_instance, field.attname, None)
            if new in (None, "", False) and not isinstance(new, bool):
                continue
            masked = _masked(name, None, new)
            changes[name] = masked if masked is not None else [None, recorded(new)]
        return changes
    for name, field in tracked.items():
        old, new = getattr(previous, field.attname, None), getattr(history_instance, field.attname, None)
        if old != new:
            masked = _masked(name, old, new)
            changes[name] = masked if masked is not None else [recorded(old), recorded(new)]
    if m2m_names:
        for change in history_instance.diff_against(previous, included_fields=sorted(m2m_names)).changes:
            old, new = _m2m_ids(change.old), _m2m_ids(change.new)
            if old != new:
                changes[change.field] = [old, new]
    return changes


# --- the signal handler -------------------------------------------------------------------------


def _current_request():
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def record_history(sender, instance, history_instance, history_user=None, **kwargs):
    """``post_create_historical_record``: one audit entry for the create, change or delete."""
    from studygroup.audit.models import AuditEntry
    from studygroup.audit.services import audit_record

    kind = history_instance.history_type
    model = type(instance)
    if kind == "+":
        changes = field_changes(history_instance, None)
        action = AuditEntry.Action.CREATE
    elif kind == "-":
        # The deletion's row holds the last values: they are the "before".
        changes = {name: [after, None] for name, (_none, after) in field_changes(history_instance, None).items()}
        action = AuditEntry.Action.DELETE
    else:
        previous = history_instance.prev_record
        changes = field_changes(history_instance, previous) if previous is not None else {}
        if not changes:
            return  # saved without changing anything
        action = AuditEntry.Action.UPDATE

    actor = history_user if history_user is not None and getattr(history_user, "is_authenticated", False) else None
    detail = ""
    if issubclass(model, OrganizationAssignment):
        action = AuditEntry.Action.PERMISSION_CHANGE
        detail = {
            "+": gettext_noop("Role granted"), "-": gettext_noop("Role removed"),
        }.get(kind, gettext_noop("Role changed"))
    elif issubclass(model, User) and kind == "~":
        if PERMISSION_FIELDS & set(changes):
            action = AuditEntry.Action.PERMISSION_CHANGE
        elif "password_changed_at" in changes:
            action = (
                AuditEntry.Action.PASSWORD_CHANGE
                if actor is None or actor.pk == instance.pk
                else AuditEntry.Action.PASSWORD_RESET
            )
    elif issubclass(model, User) and kind == "+" and (instance.is_superuser or instance.is_staff):
        action = AuditEntry.Action.PERMISSION_CHANGE
        detail = gettext_noop("Account created with administrator rights")
    audit_record(
        action=action, actor=actor, request=_current_request(), obj=instance, changes=changes, detail=detail,
    )
