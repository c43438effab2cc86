"""Pages of online-platform study: staff import a platform's monthly export (preview, then
import); the figures show on the member's page, the study record, the review and the bulletin."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView

from members.views import apply_validation_error
from members.work import services
from members.work.forms import OnlineStudyImportForm
from members.work.models import OnlineStudyImport
from studygroup.actions import ObjectActionView
from studygroup.mixins import PermissionRequiredMixin, ScopedObjectMixin

ROWS_PER_PAGE = 100


class OnlineStudyImportStart(PermissionRequiredMixin, FormView):
    permission_required = "work.import_online_study"
    form_class = OnlineStudyImportForm
    template_name = "work/online_study_import.html"

    def get_context_data(self, **kwargs):
        recent = OnlineStudyImport.objects.visible_to(self.request.user).only(
            "pk", "platform", "period", "original_name", "created_at", "status",
        )[:10]
        return super().get_context_data(recent=recent, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            record, _plan = services.online_study_preview(
                by=self.request.user, data=upload.read(), filename=upload.name,
                platform=form.cleaned_data["platform"], period=form.cleaned_data["period"], columns=form.columns(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(record)


class OnlineStudyImportDetail(ScopedObjectMixin, DetailView):
    """The preview (before staff confirm) or the result: counts, unmatched rows, errors, rows."""

    model = OnlineStudyImport
    permission_required = "work.view_online_study_import"
    template_name = "work/online_study_import_detail.html"
    ACTIONS = {
        "create": gettext_lazy("New"), "update": gettext_lazy("Changed"), "unchanged": gettext_lazy("Left as it is"),
        "unmatched": gettext_lazy("Not matched"), "error": gettext_lazy("Left out (error)"),
    }

    def get_context_data(self, **kwargs):
        record = self.object
        summary = record.result if record.status == OnlineStudyImport.Status.APPLIED else record.preview
        action = self.request.GET.get("action", "")
        rows = [row for row in summary.get("rows", []) if not action or row["action"] == action]
        page = Paginator(rows, ROWS_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            summary=summary, page_obj=page, paginator=page.paginator, is_paginated=page.has_other_pages(),
            rows=page.object_list, action=action, actions=self.ACTIONS, errors=summary.get("errors", []), **kwargs,
        )


class OnlineStudyImportApply(ObjectActionView):
    model = OnlineStudyImport
    permission_required = "work.apply_online_study_import"
    title = gettext_lazy("Import the platform's figures")
    question = gettext_lazy(
        "Write the points or hours the preview shows, in one go? Unmatched rows and rows with errors are left out."
    )
    button = gettext_lazy("Import")

    def perform(self, form):
        record, _plan = services.online_study_apply(by=self.request.user, online_import=self.object)
        return record

    def get_success_message(self, record):
        return _("The figures were imported: %(n)s people written.") % {"n": record.result.get("written", 0)}
