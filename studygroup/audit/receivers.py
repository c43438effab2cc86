"""What the audit trail listens to: logins and logouts, failures and lockouts (django-axes),
permission changes, data changes (django-simple-history), the Django admin's own log, two-factor
devices, and ``members.signals.audit_event`` (members sends, it never imports this app).

Connected in ``AuditConfig.ready``.
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from studygroup.audit import history, purge, twofactor
from studygroup.audit.models import AuditEntry
from studygroup.audit.services import audit_record

Action = AuditEntry.Action


def _user_by_username(username):
    from members.models import User

    if not username:
        return None
    return User.objects.filter(username=username).first()


# --- logins ---------------------------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    previous = (
        AuditEntry.objects.filter(actor=user, action=Action.LOGIN).order_by("-at", "-pk").only("at", "ip").first()
    )
    failures = 0
    if previous is not None:
        failures = AuditEntry.objects.filter(actor=user, action=Action.LOGIN_FAILED, at__gt=previous.at).count()
    device = getattr(user, "otp_device", None)
    detail = (
        gettext_noop("Password and backup code") if device is not None and twofactor.device_kind(device) == "backup_code"
        else gettext_noop("Password and authenticator code") if device is not None
        else gettext_noop("Password")
    )
    audit_record(action=Action.LOGIN, actor=user, request=request, obj=user, detail=detail)
    session = getattr(request, "session", None)
    if session is not None:
        session[twofactor.REQUIRED_KEY] = twofactor.is_required(user)
    _last_login_message(request, previous, failures)


def _last_login_message(request, previous, failures):
    if previous is None:
        text = _("Welcome: this is the first login recorded for this account.")
    else:
        when = formats.date_format(timezone.localtime(previous.at), "DATETIME_FORMAT")
        text = _("Last login: %(when)s, from %(ip)s.") % {"when": when, "ip": previous.ip or _("unknown address")}
        if failures:
            text += " " + _("%(count)s failed login attempts since then.") % {"count": failures}
    messages.info(request, text, fail_silently=True)


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    audit_record(action=Action.LOGOUT, actor=user, request=request, obj=user)


def on_login_failed(sender, credentials=None, request=None, **kwargs):
    credentials = credentials or {}
    username = credentials.get("username") or ""
    user = _user_by_username(username)
    from django.conf import settings

    failures = getattr(request, "axes_failures_since_start", None)
    refused = getattr(request, "axes_locked_out", False) and (failures is None or failures > settings.AXES_FAILURE_LIMIT)
    if refused:
        # Tried while locked (the failure that reached the limit was a wrong password or code).
        detail = gettext_noop("Refused: the account is locked")
    elif credentials.get("second_step"):
        detail = gettext_noop("Wrong two-factor code")
    else:
        detail = gettext_noop("Wrong username or password")
    audit_record(
        action=Action.LOGIN_FAILED, actor=user, actor_name=str(username), request=request,
        obj=user, object_type="" if user else "members.user", object_repr="" if user else str(username),
        detail=detail,
    )


def on_locked_out(sender, request=None, username=None, **kwargs):
    # Axes signals again at every refused attempt during a lockout (each one counts and extends
    # it): only the attempt that reached the limit is the lockout.
    from django.conf import settings

    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    user = _user_by_username(username)
    audit_record(
        action=Action.LOCKOUT, actor=user, actor_name=str(username or ""), request=request, obj=user,
        object_type="" if user else "members.user", object_repr="" if user else str(username or ""),
        detail=gettext_noop("Locked after repeated failed logins"),
    )


# --- permissions outside the history: Django groups and permissions ------------------------------------


def on_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Django groups and permissions (``User.groups``, ``User.user_permissions``,
    ``Group.permissions``), from either side of the relation."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    if reverse and pk_set:
        targets, ids = list(model._default_manager.filter(pk__in=pk_set)), [instance.pk]
    else:
        targets, ids = [instance], sorted(pk_set or [])
    for target in targets:
        audit_record(
            action=Action.PERMISSION_CHANGE, request=history._current_request(), obj=target,
            changes={sender._meta.db_table: {verb: ids}},
            detail=gettext_noop("Django groups or permissions changed"),
        )


# --- the Django admin: changes to models without history ------------------------------------------


def on_admin_log(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    if model is not None and hasattr(model, "history") and hasattr(model._meta, "simple_history_manager_attribute"):
        return  # the history signal already recorded the change with its fields
    action = {1: Action.CREATE, 2: Action.UPDATE, 3: Action.DELETE}.get(instance.action_flag, Action.UPDATE)
    audit_record(
        action=action, actor=instance.user, request=history._current_request(),
        object_type=model._meta.label_lower if model else "", object_id=instance.object_id or "",
        object_repr=instance.object_repr, detail="Django admin: " + instance.get_change_message(),
    )


# --- two-factor devices -------------------------------------------------------------------------------


def on_device_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    detail = (
        gettext_noop("Authenticator app set up") if sender.__name__ == "TOTPDevice" else gettext_noop("Backup codes created")
    )
    audit_record(
        action=Action.TWO_FACTOR, request=history._current_request(), obj=instance.user,
        changes={"device": [None, instance.name]}, detail=detail,
    )


def on_device_deleted(sender, instance, **kwargs):
    detail = (
        gettext_noop("Authenticator app removed") if sender.__name__ == "TOTPDevice" else gettext_noop("Backup codes removed")
    )
    from members.models import User

    user = User.objects.filter(pk=instance.user_id).first()
    audit_record(
        action=Action.TWO_FACTOR, request=history._current_request(), obj=user,
        changes={"device": [instance.name, None]}, detail=detail,
    )


# --- members' own announcements ---------------------------------------------------------------------


def on_audit_event(sender, **kwargs):
    allowed = {
        "action", "actor", "request", "obj", "organization", "changes", "detail", "actor_name",
        "object_type", "object_id", "object_repr",
    }
    audit_record(**{key: value for key, value in kwargs.items() if key in allowed})


def on_post_migrate(sender, using="default", **kwargs):
    """SQLite rebuilds a table (and drops its triggers) when a migration alters it: put the
    append-only triggers back after every migrate."""
    from django.db import DatabaseError, connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    try:
        purge.install_triggers(connection)
    except DatabaseError:  # a partial migrate: the audit table is not there yet
        pass


def connect(app_config):
    from axes.signals import user_locked_out
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Group
    from django.db.backends.signals import connection_created
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from simple_history.signals import post_create_historical_record

    from members.models import User
    from studygroup.signals import audit_event

    uid = "audit-"
    user_logged_in.connect(on_logged_in, dispatch_uid=uid + "logged-in")
    user_logged_out.connect(on_logged_out, dispatch_uid=uid + "logged-out")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "locked-out")
    post_create_historical_record.connect(history.record_history, dispatch_uid=uid + "history")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(on_permissions_changed, sender=through, dispatch_uid=uid + through._meta.db_table)
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid=uid + "admin-log")
    for device in (TOTPDevice, StaticDevice):
        post_save.connect(on_device_saved, sender=device, dispatch_uid=uid + device.__name__ + "-saved")
        post_delete.connect(on_device_deleted, sender=device, dispatch_uid=uid + device.__name__ + "-deleted")
    audit_event.connect(on_audit_event, dispatch_uid=uid + "members-event")
    connection_created.connect(purge.register_sqlite_function, dispatch_uid=uid + "sqlite-function")
    post_migrate.connect(on_post_migrate, sender=app_config, dispatch_uid=uid + "triggers")
