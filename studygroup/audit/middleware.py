"""Before any page: the second factor for people who must have it, and an expired password.
After every page: a document generated on the fly (``studygroup.documents.file_response`` marks
it) is recorded as an export.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from studygroup.audit import twofactor

# Views a person may open before the second factor or a password change.
ALWAYS_OPEN = {"logout", "login", "set_language", "javascript-catalog"}
TWO_FACTOR_OPEN = {"audit:two-factor-enrol", "audit:two-factor-verify", "audit:two-factor-backup-codes"}
PASSWORD_OPEN = {"password_change", "password_change_done"}


def password_expired(user) -> bool:
    days = settings.PASSWORD_EXPIRY_DAYS
    if days <= 0 or not user.is_authenticated or not user.has_usable_password():
        return False
    changed = getattr(user, "password_changed_at", None) or user.date_joined
    return changed <= timezone.now() - timezone.timedelta(days=days)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        filename = getattr(response, "audit_export", None)
        if filename and 200 <= response.status_code < 300:
            self.record_export(request, response, filename)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in ALWAYS_OPEN:
            return None
        required = request.session.get(twofactor.REQUIRED_KEY)
        if required is None:
            required = twofactor.is_required(user)
            request.session[twofactor.REQUIRED_KEY] = required
        if required and not user.is_verified():
            if name in TWO_FACTOR_OPEN:
                return None
            return redirect(twofactor.second_step_url(user, request.get_full_path()))
        if name not in PASSWORD_OPEN and name not in TWO_FACTOR_OPEN and password_expired(user):
            messages.warning(request, _("Your password has expired. Choose a new one to go on."), fail_silently=True)
            return redirect(reverse("password_change"))
        return None

    @staticmethod
    def record_export(request, response, filename):
        from studygroup.audit.models import AuditEntry
        from studygroup.audit.services import audit_record

        recorded = set(getattr(request, "_audit_actions", ()))
        if recorded & {AuditEntry.Action.DOWNLOAD, AuditEntry.Action.EXPORT}:
            return  # the view recorded it itself (a stored file's download, the audit export)
        obj = getattr(response, "audit_object", None)
        kwargs = {}
        if obj is None:
            match = request.resolver_match
            view_class = getattr(getattr(match, "func", None), "view_class", None) if match else None
            model = getattr(view_class, "model", None)
            pk = (match.kwargs.get("pk") if match else None)
            if model is not None and pk is not None:
                try:
                    obj = model._default_manager.filter(pk=pk).first()
                except (ValueError, TypeError, ValidationError):
                    obj = None
        if obj is None:
            kwargs = {"object_repr": str(filename)}
        audit_record(
            action=AuditEntry.Action.EXPORT, request=request, obj=obj,
            changes={"file": str(filename)[:255], "path": request.get_full_path()[:500]},
            detail=str(filename)[:255] if obj is not None else "", **kwargs,
        )
