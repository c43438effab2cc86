"""Pages of reports: thin views over the scoped querysets, the selectors and the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from members import scoping
from members.views import apply_validation_error
from reports import documents, forms, selectors, services
from reports.downloads import DOCUMENT_BUILD_FILE
from reports.filters import AccountFilter, BulletinFilter, InspectionFilter, ItemFilter, ReviewFilter
from reports.models import (
    Bulletin,
    DocumentBuild,
    HalfYearReview,
    Inspection,
    RectificationItem,
    StudyAccount,
    current_period,
)
from reports.rules import ITEM_SIDES
from studygroup import downloads
from studygroup.actions import ObjectActionView
from studygroup.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, file_response
from studygroup.mixins import (
    EDIT,
    PdfOnPostMixin,
    PermissionRequiredMixin,
    ScopedObjectMixin,
    ScopedQuerysetMixin,
    require_perm,
)

# --- shared pieces ---------------------------------------------------------------------------


class ReportActionView(ObjectActionView):
    """A page that asks for a comment or a confirmation and then calls one service, under the
    section's tabs. ``permission_required`` (reports/rules.py) is checked on the object."""

    requires = EDIT  # where a view names no permission, only those who may edit the object
    nav_template = "reports/_nav.html"

    def get_context_data(self, **kwargs):
        # reports/form.html, which the create and edit pages share, calls the question "intro".
        return super().get_context_data(intro=self.question, **kwargs)


class ReportEditView(ReportActionView):
    """The edit page of a review, bulletin, inspection or 述学 report: its form on the object, one
    service (``perform``), "Saved." and back to the object."""

    template_name = "reports/form.html"
    success_message = gettext_lazy("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def form_fields(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


class DocumentMixin:
    """Build panel and download links of a review, bulletin or 述学 page."""

    def build_context(self, document):
        build = selectors.current_build(document) if document_is_frozen(document) else None
        return {"build": build, "frozen": document_is_frozen(document), "build_url_name": BUILD_URLS[type(document)], "pdf_url_name": PDF_URLS[type(document)]}


def document_is_frozen(document) -> bool:
    if isinstance(document, StudyAccount):
        return document.status != StudyAccount.Status.DRAFT
    return document.is_frozen


BUILD_URLS = {HalfYearReview: "reports:review-build", Bulletin: "reports:bulletin-build", StudyAccount: "reports:account-build"}
PDF_URLS = {HalfYearReview: "reports:review-pdf", Bulletin: "reports:bulletin-pdf", StudyAccount: "reports:account-pdf"}


def panel_context(document, build, *, can_build: bool) -> dict:
    return {
        "object": document, "build": build, "frozen": document_is_frozen(document), "can_build": can_build,
        "build_url_name": BUILD_URLS[type(document)], "pdf_url_name": PDF_URLS[type(document)],
    }


class DocumentPdf(PdfOnPostMixin, ScopedObjectMixin, View):
    """The PDF of the document's current version. A GET serves the stored file when the worker
    has built it, and otherwise a page whose button posts here: building a PDF (or rendering a
    draft's, which is not stored) is heavy work and never starts on a GET."""

    def get(self, request, *args, **kwargs):
        document = self.get_object()
        if document_is_frozen(document):
            build = selectors.current_build(document)
            if build is not None and build.status == DocumentBuild.Status.DONE:
                return self.stored_pdf(document, build)
        self.document = document
        return super().get(request, *args, **kwargs)

    def pdf_title(self):
        return str(self.document)

    def pdf_back_url(self):
        return self.document.get_absolute_url()

    def stored_pdf(self, document, build):
        # The stored file leaves through the one download path (headers, audit, sendfile).
        build._document = document
        return downloads.serve(self.request, build, DOCUMENT_BUILD_FILE, filename=documents.filename(document, "pdf"))

    def pdf_response(self):
        request = self.request
        document = self.get_object()
        filename = documents.filename(document, "pdf")
        if not document_is_frozen(document):
            data = services.render_document_pdf(document, request=request)
            return file_response(data, filename, PDF_CONTENT_TYPE, as_attachment=False)
        build = services.build_now(document=document, by=request.user)
        if build.status != DocumentBuild.Status.DONE:
            return TemplateResponse(
                request, "reports/build_wait.html",
                {"document": document, **panel_context(document, build, can_build=request.user.has_perm("reports.build_document", document))},
                status=503 if build.status == DocumentBuild.Status.FAILED else 202,
            )
        return self.stored_pdf(document, build)


class DocumentDocx(ScopedObjectMixin, View):
    def get(self, request, *args, **kwargs):
        document = self.get_object()
        return file_response(documents.docx(document), documents.filename(document, "docx"), DOCX_CONTENT_TYPE)


class DocumentBuildStart(ScopedObjectMixin, View):
    """Staff click "generate": one build per document version, started once."""

    permission_required = "reports.manage_document"

    def get(self, request, *args, **kwargs):
        """Without JavaScript: a page with the build panel (its button posts here)."""
        document = self.get_object()
        build = selectors.current_build(document)
        return TemplateResponse(request, "reports/build_wait.html", {"document": document, **panel_context(document, build, can_build=True)})

    def post(self, request, *args, **kwargs):
        document = self.get_object()
        require_perm(request.user, "reports.build_document", document)
        build, started = services.build_request(document=document, by=request.user)
        if request.htmx:
            return TemplateResponse(request, "reports/_build_panel.html", panel_context(document, build, can_build=True))
        if started:
            messages.info(request, _("The PDF is being built."))
        return redirect(document)


class BuildStatus(ScopedObjectMixin, DetailView):
    """The build panel, polled by htmx while the worker builds."""

    model = DocumentBuild
    template_name = "reports/_build_panel.html"
    context_object_name = "build"

    def get_context_data(self, **kwargs):
        build = self.object
        document = selectors.build_document(build)
        can_build = self.request.user.has_perm("reports.build_document", document)
        # DetailView passes object=the build: the panel is about the document.
        return super().get_context_data(**{**kwargs, **panel_context(document, self.object, can_build=can_build)})


# --- dashboard -------------------------------------------------------------------------------


class Dashboard(PermissionRequiredMixin, TemplateView):
    """Leaders: their subtree at a glance for the current half. Staff: what needs doing."""

    permission_required = "reports.read_reports"
    template_name = "reports/dashboard.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = forms.PeriodForm(self.request.GET or None)
        year, period = current_period()
        if form.is_valid():
            year = form.cleaned_data["year"] or year
            period = form.cleaned_data["period"] or period
        groups = scoping.visible_groups(user).filter(
            is_active=True, organization__in=scoping.read_organizations(user).values("pk")
        ).order_by("organization__path")
        page = Paginator(groups, self.per_page).get_page(self.request.GET.get("page"))
        board = selectors.dashboard(user, year=year, period=period, groups=groups.filter(pk__in=[g.pk for g in page.object_list]))
        rows = board["rows"]
        chart_specs = documents.bulletin_charts(
            {"rows": rows, "totals": selectors.totals(rows), "monthly": selectors.meetings_by_month(groups, year=year, period=period)}
        )
        roles = scoping.roles_of(user)
        return super().get_context_data(
            form=form, year=year, period=period, period_label=documents.period_label(year, period),
            board=board, page_obj=page, is_paginated=page.has_other_pages(), paginator=page.paginator,
            waiting_count=sum(len(v) for v in board["waiting"].values()),
            chart_specs=chart_specs, charts=[{"spec": spec} for spec in chart_specs], behind_total=selectors.behind_quota_count(groups, year=year, period=period),
            todo=selectors.staff_todo(user) if "staff" in roles else None,
            table_keys=selectors.TABLE_KEYS, labels=selectors.FIGURE_LABELS, **kwargs,
        )


# --- half-year reviews -----------------------------------------------------------------------


class ReviewList(ScopedQuerysetMixin, FilterView):
    model = HalfYearReview
    filterset_class = ReviewFilter
    paginate_by = 25
    template_name = "reports/review_list.html"

    def get_queryset(self):
        return selectors.reviews_for_list(super().get_queryset())


class ReviewCreate(PermissionRequiredMixin, FormView):
    permission_required = "reports.add_review"
    form_class = forms.ReviewCreateForm
    template_name = "reports/form.html"

    def get_form_kwargs(self):
        groups = scoping.managed_groups(self.request.user).filter(is_active=True).select_related("organization").order_by("organization__path")
        initial = {"year": current_period()[0], "period": current_period()[1]}
        if self.request.GET.get("group"):
            initial["group"] = self.request.GET["group"]
        return {**super().get_form_kwargs(), "groups": groups, "initial": initial}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New half-year review"), intro=_("The figures are filled in from the records and a first draft of the text is written from them; you then edit it."), **kwargs)

    def form_valid(self, form):
        try:
            review = services.review_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The review was created with a draft from the figures."))
        return redirect(review)


class ReviewDetail(ScopedObjectMixin, DocumentMixin, DetailView):
    model = HalfYearReview
    template_name = "reports/review_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization", "submitted_to", "submitted_by", "read_by")

    def get_context_data(self, **kwargs):
        review, user = self.object, self.request.user
        ctx = documents.review_context(review)
        changes = []
        if review.is_frozen:
            live = selectors.figures_for_group(review.group, year=review.year, period=review.period)
            changes = selectors.changes_since(review.figures["figures"], live)
        return super().get_context_data(
            **ctx, changes=changes, can_build=user.has_perm("reports.build_document", review),
            **self.build_context(review), **kwargs,
        )


class ReviewUpdate(ReportEditView):
    model = HalfYearReview
    permission_required = "reports.manage_review"
    form_class = forms.ReviewForm
    title = gettext_lazy("Edit the review")

    def perform(self, form):
        services.review_update(review=self.object, by=self.request.user, **self.form_fields(form))


class ReviewSubmit(ReportActionView):
    model = HalfYearReview
    permission_required = "reports.manage_review"
    title = gettext_lazy("Submit the review")
    question = gettext_lazy("The figures are frozen as they are now and the review goes to the supervising organization. It cannot be changed afterwards.")
    button = gettext_lazy("Submit")
    success_message = gettext_lazy("The review was submitted; its figures are frozen.")

    def perform(self, form):
        services.review_submit(review=self.object, by=self.request.user)


class ReviewRead(ReportActionView):
    model = HalfYearReview
    permission_required = "reports.read_review"
    note_field = "comment"
    title = gettext_lazy("Mark the review read")
    question = gettext_lazy("Your comment is shown on the review to the group.")
    button = gettext_lazy("Mark read")
    success_message = gettext_lazy("The review is marked read.")

    def perform(self, form):
        services.review_mark_read(review=self.object, by=self.request.user, comment=form.note)


class ReviewReturn(ReviewRead):
    note_field = "comment"
    note_required = True
    title = gettext_lazy("Return the review for changes")
    question = gettext_lazy("The review goes back to draft; its figures are computed again when it is resubmitted.")
    button = gettext_lazy("Return")
    button_class = "btn-outline-danger"
    success_message = gettext_lazy("The review was returned to the group.")

    def perform(self, form):
        services.review_return(review=self.object, by=self.request.user, comment=form.note)


class ReviewPdf(DocumentPdf):
    model = HalfYearReview


class ReviewDocx(DocumentDocx):
    model = HalfYearReview


class ReviewBuild(DocumentBuildStart):
    model = HalfYearReview


# --- bulletins -------------------------------------------------------------------------------


class BulletinList(ScopedQuerysetMixin, FilterView):
    model = Bulletin
    filterset_class = BulletinFilter
    paginate_by = 25
    template_name = "reports/bulletin_list.html"

    def get_queryset(self):
        return selectors.bulletins_for_list(super().get_queryset())


class BulletinCreate(PermissionRequiredMixin, FormView):
    permission_required = "reports.add_bulletin"
    form_class = forms.BulletinCreateForm
    template_name = "reports/form.html"

    def get_form_kwargs(self):
        organizations = scoping.managed_organizations(self.request.user).order_by("path")
        year, period = current_period()
        return {**super().get_form_kwargs(), "organizations": organizations, "initial": {"year": year, "period": period}}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New bulletin"), intro=_("A bulletin covers every study group below the issuing organization. Its table, ranking and charts come from the records; you write the text."), **kwargs)

    def form_valid(self, form):
        try:
            bulletin = services.bulletin_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(bulletin)


class BulletinDetail(ScopedObjectMixin, DocumentMixin, DetailView):
    model = Bulletin
    template_name = "reports/bulletin_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "issued_by", "issue_requested_by")

    def get_context_data(self, **kwargs):
        bulletin, user = self.object, self.request.user
        if bulletin.issue_is_pending:
            # The worker is freezing the figures: the page waits for them rather than working
            # them out live on every refresh (seconds for a province).
            ctx = {"bulletin": bulletin, "waiting": True, "period_label": bulletin.period_label}
        else:
            ctx = documents.bulletin_context(
                bulletin, highlight=selectors.own_group_ids(user),
                annex_page=self.request.GET.get("annex_page"), annex_name=self.request.GET.get("group_name", ""),
            )
        return super().get_context_data(
            **ctx, can_build=user.has_perm("reports.build_document", bulletin), **self.build_context(bulletin), **kwargs
        )


class BulletinOpened(ScopedObjectMixin, View):
    """An issued bulletin's page posts here when it opens (htmx, with the CSRF token): the reader
    has opened it (their "to read" reminder forgets it). A GET of the page changes nothing."""

    model = Bulletin
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.bulletin_mark_opened(bulletin=self.get_object(), by=request.user)
        return HttpResponse(status=204)


class BulletinUpdate(ReportEditView):
    model = Bulletin
    permission_required = "reports.manage_bulletin"
    form_class = forms.BulletinForm
    title = gettext_lazy("Edit the bulletin")

    def perform(self, form):
        services.bulletin_update(bulletin=self.object, by=self.request.user, **self.form_fields(form))


class BulletinIssue(ReportActionView):
    model = Bulletin
    permission_required = "reports.manage_bulletin"
    title = gettext_lazy("Issue the bulletin")
    question = gettext_lazy("The table, ranking and charts are frozen as they are now; the leaders and every group covered can then read it. It cannot be changed afterwards.")
    button = gettext_lazy("Issue")
    success_message = gettext_lazy("The bulletin is being issued: once its figures are frozen its readers are told.")
    form_class = forms.BulletinIssueForm

    def dispatch(self, request, *args, **kwargs):
        # An old link to the issue page of a bulletin issued since: its page, which gives its number.
        if request.user.is_authenticated and self.object.status != Bulletin.Status.DRAFT:
            messages.info(request, _("This bulletin has already been issued."))
            return redirect(self.object.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        code, serial = services.bulletin_next_document_number(self.object)
        return {"document_code": code, "document_serial": serial}

    def perform(self, form):
        services.bulletin_issue_request(bulletin=self.object, by=self.request.user, **form.cleaned_data)


class BulletinPdf(DocumentPdf):
    model = Bulletin


class BulletinDocx(DocumentDocx):
    model = Bulletin


class BulletinBuild(DocumentBuildStart):
    model = Bulletin


# --- inspections and rectification -----------------------------------------------------------


class InspectionList(PermissionRequiredMixin, ScopedQuerysetMixin, FilterView):
    permission_required = "reports.read_reports"
    model = Inspection
    filterset_class = InspectionFilter
    paginate_by = 25
    template_name = "reports/inspection_list.html"


    def get_queryset(self):
        return selectors.inspections_for_list(super().get_queryset())

    def get_context_data(self, **kwargs):
        user = self.request.user
        points = (
            selectors.observation_points_trackable_by(user)
            .select_related("observation__meeting__group__organization")
            .order_by("created_at")[:20]
        )
        return super().get_context_data(open_points=points, **kwargs)


class InspectionCreate(PermissionRequiredMixin, FormView):
    permission_required = "reports.add_inspection"
    form_class = forms.InspectionForm
    template_name = "reports/form.html"

    def get_form_kwargs(self):
        user = self.request.user
        initial = {"inspectors": user.name}
        if self.request.GET.get("group"):
            initial["group"] = self.request.GET["group"]
        return {
            **super().get_form_kwargs(), "initial": initial,
            "organizations": scoping.managed_organizations(user).order_by("path"),
            "groups": selectors.inspectable_groups(user),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Record an inspection"), **kwargs)

    def form_valid(self, form):
        try:
            inspection = services.inspection_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The inspection was recorded. Add its rectification items."))
        return redirect(inspection)


class InspectionDetail(ScopedObjectMixin, DetailView):
    model = Inspection
    template_name = "reports/inspection_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization", "organization", "created_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            items=selectors.items_for_list(self.object.items.all()),
            **kwargs,
        )


class InspectionUpdate(ReportEditView):
    model = Inspection
    permission_required = "reports.change_inspection"
    form_class = forms.InspectionUpdateForm
    title = gettext_lazy("Edit the inspection")

    def perform(self, form):
        services.inspection_update(inspection=self.object, by=self.request.user, **form.cleaned_data)


class ItemCreate(ReportActionView):
    model = Inspection
    permission_required = "reports.change_inspection"
    form_class = forms.ItemForm
    template_name = "reports/form.html"
    title = gettext_lazy("Add a rectification item")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "owners": selectors.group_owners(self.object.group)}

    success_message = gettext_lazy("The item was added to the rectification list.")

    def perform(self, form):
        services.item_create(inspection=self.object, by=self.request.user, **form.cleaned_data)

    def get_success_url(self, result=None):
        if "add_another" in self.request.POST:
            return reverse("reports:item-create", kwargs={"pk": self.object.pk})
        return self.object.get_absolute_url()


class PointItemCreate(ReportActionView):
    """An open point of an observation visit goes on the rectification list."""

    form_class = forms.PointItemForm
    template_name = "reports/form.html"
    title = gettext_lazy("Track the observation point as a rectification item")
    permission_required = "reports.track_point"

    def get_queryset(self):
        return selectors.observation_points_visible_to(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "owners": selectors.group_owners(self.object.observation.meeting.group)}

    success_message = gettext_lazy("The point is on the rectification list.")

    @property
    def question(self):
        return self.object.text

    def perform(self, form):
        return services.item_from_observation_point(point=self.object, by=self.request.user, **form.cleaned_data)

    def get_success_url(self, item=None):
        return item.get_absolute_url()


class ItemList(PermissionRequiredMixin, ScopedQuerysetMixin, FilterView):
    """The rectification list: the inspector's items and the items of the user's groups."""

    permission_required = "reports.read_reports"
    model = RectificationItem
    filterset_class = ItemFilter
    paginate_by = 30
    template_name = "reports/item_list.html"


    def get_queryset(self):
        return selectors.items_for_list(super().get_queryset())


class ItemDetail(ScopedObjectMixin, DetailView):
    model = RectificationItem
    template_name = "reports/item_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "group__organization", "organization", "inspection", "owner", "observation_point__observation__meeting"
        )

    def get_context_data(self, **kwargs):
        item, user = self.object, self.request.user
        return super().get_context_data(
            actions=[name for name in RectificationItem.STEPS if user.has_perm(f"reports.{name}_item", item)],
            evidence=item.evidence.select_related("uploaded_by"),
            history=item.history.select_related("history_user").order_by("-history_date")[:20],
            **kwargs,
        )


class ItemAction(ReportActionView):
    model = RectificationItem
    form_class = forms.ItemActionForm
    action = ""
    TITLES = {
        "start": gettext_lazy("Start the rectification"),
        "report": gettext_lazy("Report the rectification done"),
        "confirm": gettext_lazy("Confirm at the follow-up check (回头看)"),
        "reopen": gettext_lazy("Reopen the item"),
    }

    def check_object_permission(self, obj):
        """The side that takes this step: the group's staff (start, report) or the inspecting
        organisation's (confirm, reopen)."""
        side = "reports.answer_item" if ITEM_SIDES[self.action] == "group" else "reports.inspect_item"
        require_perm(self.request.user, side, obj)

    @property
    def title(self):
        return self.TITLES[self.action]

    button = title

    @property
    def question(self):
        return self.object.finding

    @property
    def button_class(self):
        return "btn-outline-danger" if self.action == "reopen" else "btn-party"

    def takes_evidence(self) -> bool:
        return self.action in ("start", "report")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.takes_evidence():
            del form.fields["evidence"]  # evidence comes with starting or reporting, not later
        return form

    def perform(self, form):
        data = form.cleaned_data
        if data.get("evidence"):
            services.evidence_add(item=self.object, upload=data["evidence"], by=self.request.user)
        services.item_transition(item=self.object, action=self.action, note=data.get("note", ""), by=self.request.user)


# --- 述学 ------------------------------------------------------------------------------------


class AccountList(ScopedQuerysetMixin, FilterView):
    model = StudyAccount
    filterset_class = AccountFilter
    paginate_by = 25
    template_name = "reports/account_list.html"

    def get_queryset(self):
        return selectors.accounts_for_list(super().get_queryset())


class AccountCreate(PermissionRequiredMixin, FormView):
    permission_required = "reports.add_account"
    form_class = forms.AccountCreateForm
    template_name = "reports/form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "groups": selectors.accountable_groups(self.request.user), "initial": {"year": current_period()[0]}}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New 述学 report"), intro=_("The year's figures are attached automatically when you submit."), **kwargs)

    def form_valid(self, form):
        try:
            account = services.account_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(reverse("reports:account-update", kwargs={"pk": account.pk}))


class AccountDetail(ScopedObjectMixin, DocumentMixin, DetailView):
    model = StudyAccount
    template_name = "reports/account_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization", "submitted_to", "commented_by", "submitted_by")

    def get_context_data(self, **kwargs):
        account, user = self.object, self.request.user
        return super().get_context_data(
            **documents.account_context(account), can_build=user.has_perm("reports.build_document", account),
            **self.build_context(account), **kwargs,
        )


class AccountUpdate(ReportEditView):
    model = StudyAccount
    permission_required = "reports.manage_account"
    form_class = forms.AccountForm
    title = gettext_lazy("Write the 述学 report")

    def perform(self, form):
        services.account_update(account=self.object, by=self.request.user, **self.form_fields(form))


class AccountSubmit(ReportActionView):
    model = StudyAccount
    permission_required = "reports.manage_account"
    title = gettext_lazy("Submit the 述学 report")
    question = gettext_lazy("The year's figures are attached as they are now and the report goes to the supervising committee.")
    button = gettext_lazy("Submit")
    success_message = gettext_lazy("The 述学 report was submitted.")

    def perform(self, form):
        services.account_submit(account=self.object, by=self.request.user)


class AccountComment(ReportActionView):
    model = StudyAccount
    permission_required = "reports.comment_account"
    note_field = "comment"
    note_required = True
    title = gettext_lazy("Comment (点评)")
    button = gettext_lazy("Save the comment")
    success_message = gettext_lazy("The comment was saved.")

    def get_initial(self):
        return {"comment": self.object.comment}

    def perform(self, form):
        services.account_comment(account=self.object, by=self.request.user, comment=form.note)


class AccountPdf(DocumentPdf):
    model = StudyAccount


class AccountDocx(DocumentDocx):
    model = StudyAccount


class AccountBuild(DocumentBuildStart):
    model = StudyAccount

