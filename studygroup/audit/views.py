"""Login with a second factor, one's own two-factor settings, the audit log (审计管理员) and the
security page (安全管理员)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, FormView, TemplateView

from studygroup import documents
from studygroup.audit import selectors, services, twofactor
from studygroup.audit.filters import AuditEntryFilter
from studygroup.audit.forms import CodeForm, EnrolForm, UsernameForm
from studygroup.audit.models import AuditEntry
from studygroup.forms import LoginForm

# --- login ----------------------------------------------------------------------------------------


class TwoFactorLoginView(LoginView):
    """The existing login form (django-axes counts its failures); a person with a two-factor
    device is not logged in yet but sent to the second step."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_device(user):
            twofactor.pending_start(self.request, user, self.get_success_url())
            return HttpResponseRedirect(reverse("audit:two-factor-verify"))
        return super().form_valid(form)


def _axes_credentials(user):
    return {"username": user.get_username()}


@method_decorator([login_not_required, never_cache, sensitive_post_parameters("code")], name="dispatch")
class TwoFactorVerify(FormView):
    """The second step: the code after the password (or, for a logged-in person who must use
    two-factor login and has not yet in this session, before going on). Wrong codes count
    towards the lockout like wrong passwords."""

    form_class = CodeForm
    template_name = "audit/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        from axes.handlers.proxy import AxesProxyHandler
        from axes.helpers import get_lockout_response

        self.pending = None
        if request.user.is_authenticated:
            if request.user.is_verified() or not twofactor.has_device(request.user):
                return redirect(twofactor.safe_next(request, request.GET.get("next", "")))
            self.person, self.next_url = request.user, request.GET.get("next", "")
        else:
            self.pending = twofactor.pending_login(request)
            if self.pending is None:
                messages.warning(request, _("Please log in again: the second step must follow the password within a few minutes."))
                return redirect("login")
            self.person, _backend, self.next_url = self.pending
        if AxesProxyHandler.is_locked(request, _axes_credentials(self.person)):
            twofactor.pending_clear(request)
            return get_lockout_response(request, None, _axes_credentials(self.person))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(person=self.person, **kwargs)

    def form_valid(self, form):
        device = twofactor.verify(self.person, form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(
                sender=__name__, credentials={**_axes_credentials(self.person), "second_step": True},
                request=self.request,
            )
            form.add_error("code", _("This code is not right, or it was already used. Try the current code."))
            return self.form_invalid(form)
        target = twofactor.safe_next(self.request, self.next_url)
        if self.pending is not None:
            _user, backend, _next = self.pending
            twofactor.pending_clear(self.request)
            self.person.otp_device = device  # django-otp keeps it in the session at login
            auth_login(self.request, self.person, backend=backend)
        else:
            twofactor.mark_verified(self.request, device)
        return HttpResponseRedirect(target)


# --- one's own two-factor settings -------------------------------------------------------------------


class OwnTwoFactorMixin(LoginRequiredMixin):
    """Changing two-factor settings needs a session that passed the second step, when the
    person has a device (otherwise a stolen password could swap the phone)."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and twofactor.has_device(user):
            return redirect(twofactor.second_step_url(user, request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)


class TwoFactorSettings(OwnTwoFactorMixin, TemplateView):
    template_name = "audit/two_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            authenticator=twofactor.authenticator_of(user),
            backup_left=twofactor.backup_codes_left(user),
            required=twofactor.is_required(user),
            **kwargs,
        )


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class TwoFactorEnrol(OwnTwoFactorMixin, FormView):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""

    form_class = EnrolForm
    template_name = "audit/two_factor_enrol.html"

    def get_context_data(self, **kwargs):
        key = twofactor.enrol_key(self.request)
        uri = twofactor.provisioning_uri(self.request.user, key)
        return super().get_context_data(
            qr_svg=twofactor.qr_svg(uri), key_base32=twofactor.key_base32(key),
            required=twofactor.is_required(self.request.user) and not self.request.user.is_verified(),
            next=self.request.GET.get("next", ""),
            **kwargs,
        )

    def form_valid(self, form):
        key = twofactor.enrol_key(self.request)
        last_t = twofactor.check_enrol_code(key, form.cleaned_data["code"])
        if last_t is None:
            form.add_error("code", _("This code does not match. Check the time on your phone and enter the current code."))
            return self.form_invalid(form)
        device, codes = services.two_factor_enrol(user=self.request.user, hex_key=key, last_t=last_t, request=self.request)
        twofactor.enrol_key_clear(self.request)
        twofactor.mark_verified(self.request, device)
        messages.success(self.request, _("Two-factor login is on. From now on you enter a code from the app after your password."))
        next_url = twofactor.safe_next(self.request, self.request.GET.get("next", "")) if self.request.GET.get("next") else reverse("audit:two-factor")
        if codes:
            return _codes_page(self.request, codes, next_url)
        return HttpResponseRedirect(next_url)


def _codes_page(request, codes, next_url):
    response = render(request, "audit/backup_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(never_cache, name="dispatch")
class BackupCodesRegenerate(OwnTwoFactorMixin, View):
    """POST: new backup codes, shown once."""

    def post(self, request, *args, **kwargs):
        codes = services.backup_codes_regenerate(user=request.user, request=request)
        return _codes_page(request, codes, reverse("audit:two-factor"))


class TwoFactorRemove(OwnTwoFactorMixin, TemplateView):
    template_name = "audit/two_factor_remove.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and twofactor.is_required(request.user):
            messages.error(request, _("Two-factor login is required for your account; it cannot be turned off."))
            return redirect("audit:two-factor")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        services.two_factor_remove(user=request.user, by=request.user, request=request)
        messages.success(request, _("Two-factor login is off for your account."))
        return redirect("audit:two-factor")


# --- the audit log (审计管理员) -------------------------------------------------------------------------


class VerifiedAdministratorMixin(PermissionRequiredMixin):
    """An administrator page: the right permission (403 otherwise) from a session that passed
    the second factor (sent to it otherwise)."""

    raise_exception = True

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not self.has_permission():
            return self.handle_no_permission()
        if not user.is_verified():
            return redirect(twofactor.second_step_url(user, request.get_full_path()))
        return super().dispatch(request, *args, **kwargs)


def _page_number(request) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), 100000)


class AuditLog(VerifiedAdministratorMixin, TemplateView):
    """The trail, newest first. Pages are fetched one row beyond their size to know whether
    another follows: nothing counts the whole table."""

    permission_required = "audit.view_log"
    template_name = "audit/log.html"

    def get_context_data(self, **kwargs):
        entries = selectors.entries_for(self.request.user)
        filterset = AuditEntryFilter(self.request.GET or None, queryset=entries)
        size = settings.AUDIT_PAGE_SIZE
        number = _page_number(self.request)
        offset = (number - 1) * size
        rows = list(filterset.qs[offset : offset + size + 1])
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset, entries=rows[:size], page_number=number, has_next=len(rows) > size,
            has_previous=number > 1, query=query.urlencode(), retention_days=settings.AUDIT_RETENTION_DAYS,
            **kwargs,
        )


class AuditDetail(VerifiedAdministratorMixin, DetailView):
    permission_required = "audit.view_log"
    template_name = "audit/detail.html"
    context_object_name = "entry"

    def get_queryset(self):
        return selectors.entries_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(changes=change_rows(self.object), **kwargs)


def change_rows(entry) -> list[dict]:
    """The before/after of each field, with the field's name and choices as people read them."""
    from django.apps import apps

    model = None
    if entry.object_type:
        try:
            model = apps.get_model(entry.object_type)
        except (LookupError, ValueError):
            model = None
    rows = []
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for name, value in changes.items():
        label, field = name, None
        if model is not None:
            try:
                field = model._meta.get_field(name)
                label = str(getattr(field, "verbose_name", name))
            except Exception:  # noqa: BLE001 - a field that no longer exists keeps its name
                field = None
        if isinstance(value, list) and len(value) == 2:
            before, after = (_readable(field, v) for v in value)
        else:
            before, after = "", _readable(None, value)
        rows.append({"name": name, "label": label, "before": before, "after": after})
    return rows


def _readable(field, value):
    """A stored value as people read it: choices by their label, dates the Chinese way, a
    foreign key by what it names (with its id)."""
    from django.db import models
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_date, parse_datetime

    if value is None:
        return ""
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
            return formats.date_format(moment, "DATETIME_FORMAT")
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        if day is not None:
            return formats.date_format(day, "DATE_FORMAT")
    if isinstance(field, models.ForeignKey) and not isinstance(value, (list, dict)):
        try:
            target = field.related_model._base_manager.filter(pk=value).first()
        except (ValueError, TypeError):
            target = None
        return f"{target} (#{value})" if target is not None else f"#{value}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class AuditExport(VerifiedAdministratorMixin, View):
    """The filtered trail as an Excel file (at most ``AUDIT_EXPORT_MAX_ROWS`` rows); the
    export itself is recorded."""

    permission_required = "audit.view_log"

    def get(self, request, *args, **kwargs):
        from django.utils import timezone

        filterset = AuditEntryFilter(request.GET or None, queryset=selectors.entries_for(request.user))
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("Correct the filter before exporting."))
            return redirect(reverse("audit:log") + "?" + request.GET.urlencode())
        limit = settings.AUDIT_EXPORT_MAX_ROWS
        headers = [
            _("Time"), _("Username"), _("Name"), _("Organization"), _("Action"), _("Object type"),
            _("Object id"), _("Object"), _("IP address"), _("Detail"), _("Changes"),
        ]
        title = _("Audit trail")
        workbook, sheet = documents.new_workbook(title, headers)
        count = 0
        for entry in filterset.qs[: limit + 1].iterator(chunk_size=2000):
            if count == limit:
                sheet.append([_("Only the first %(count)s entries are exported: narrow the filter.") % {"count": limit}])
                break
            count += 1
            sheet.append([timezone.localtime(entry.at).replace(tzinfo=None), *(_text(value) for value in (
                entry.actor_name,
                entry.actor.name if entry.actor else "", entry.organization.name if entry.organization else "",
                entry.get_action_display(), entry.object_type, entry.object_id, entry.object_repr,
                entry.ip or "", _(entry.detail) if entry.detail else "",
                json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
            ))])
        filename = f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
        services.audit_record(
            action=AuditEntry.Action.EXPORT, request=request, object_type="audit.auditentry",
            object_repr=filename, changes={"filters": {k: v for k, v in request.GET.items()}, "rows": count},
        )
        return documents.xlsx_response(documents.workbook_bytes(workbook, fit=count <= 2000), filename)


def _text(value):
    """Cells are text: a value that looks like a formula (``=``, ``+``, ``-``, ``@``) stays text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


# --- the security page (安全管理员) ------------------------------------------------------------------------


class SecurityOverview(VerifiedAdministratorMixin, TemplateView):
    """Accounts with failed logins now (locked or not) in the administrator's subtree, with an
    unlock button; the security policy in force (read-only)."""

    permission_required = "audit.manage_security"
    template_name = "audit/security.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            lockouts=selectors.lockouts_for(self.request.user), policy=selectors.security_policy(),
            failure_limit=settings.AXES_FAILURE_LIMIT, **kwargs,
        )


class AccountUnlock(VerifiedAdministratorMixin, View):
    permission_required = "audit.manage_security"

    def post(self, request, *args, **kwargs):
        form = UsernameForm(request.POST)
        if not form.is_valid():
            raise Http404
        username = form.cleaned_data["username"]
        if not selectors.username_in_security_scope(request.user, username):
            raise Http404
        services.account_unlock(username=username, by=request.user, request=request)
        messages.success(request, _("%(username)s is unlocked and may log in again.") % {"username": username})
        return redirect("audit:security")


class TwoFactorReset(VerifiedAdministratorMixin, View):
    """A person lost their phone: remove their two-factor devices (they set it up again at the
    next login when it is required)."""

    permission_required = "audit.manage_security"

    def post(self, request, *args, **kwargs):
        form = UsernameForm(request.POST)
        if not form.is_valid():
            raise Http404
        username = form.cleaned_data["username"]
        from members import scoping

        person = selectors.people_in_scope(request.user, scoping.SECURITY_ADMIN).filter(username=username).first()
        if person is None:
            messages.error(request, _("No account %(username)s among the people you administer.") % {"username": username})
            return redirect("audit:security")
        if person.pk == request.user.pk:
            messages.error(request, _("Change your own two-factor login under your account."))
            return redirect("audit:security")
        if not request.user.is_superuser and (person.is_superuser or person.is_staff or twofactor.holds_admin_role(person)):
            # With a password reset as well, that would hand over another administrator's account.
            messages.error(request, _("The two-factor login of an administrator can only be reset by the superuser."))
            return redirect("audit:security")
        removed = services.two_factor_remove(user=person, by=request.user, request=request)
        messages.success(
            request, _("Two-factor login of %(name)s was reset (%(count)s devices removed).") % {"name": person, "count": removed}
        )
        return redirect("audit:security")
