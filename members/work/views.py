"""Pages of members' own work: 我的学习, lists, writing and submitting, review, search, exports.

Thin: objects come from the scoped querysets (``visible_to`` / ``editable_by`` /
``reviewable_by``), writes go through ``members.work.services``, reads through
``members.work.selectors``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from members.models import StudyGroup
from members.views import apply_validation_error
from members.work import exports, search, selectors, services
from members.work.filters import WorkFilter
from members.work.forms import FieldVisitForm, ReviewForm, SearchForm, WorkForm
from members.work.models import CompilationBuild, MemberWork, WorkKind
from members.work.text import highlight, plain_text, render
from studygroup.mixins import PdfOnPostMixin, ScopedObjectMixin, ScopedQuerysetMixin, require_perm
from studygroup.params import id_param, year_param

KIND_ICONS = {
    WorkKind.SELF_STUDY_PLAN: "bi-calendar2-check",
    WorkKind.NOTE: "bi-journal-text",
    WorkKind.REFLECTION: "bi-chat-square-quote",
    WorkKind.RESEARCH: "bi-geo-alt",
    WorkKind.ARTICLE: "bi-newspaper",
    WorkKind.LECTURE: "bi-megaphone",
}


def _year(request) -> int:
    return year_param(request.GET.get("year"), timezone.localdate().year)


def _form_choices(user, group=None):
    return selectors.form_choices(user, group)


class MyWork(LoginRequiredMixin, TemplateView):
    """我的学习: what is due, drafts, what was returned and why, the year's figures."""

    template_name = "work/my_work.html"

    def get_context_data(self, **kwargs):
        user, year = self.request.user, _year(self.request)
        groups = list(selectors.my_groups(user))
        return super().get_context_data(
            year=year,
            years=range(timezone.localdate().year, timezone.localdate().year - 4, -1),
            groups=groups,
            due=selectors.due_for(user) if groups else None,
            open_work=selectors.my_open_work(user),
            submitted=selectors.my_submitted(user, year),
            standings=[selectors.member_figures(user, group, year) for group in groups],
            online_study=selectors.online_study_of(user, year),
            tests=selectors.tests_of(user, year),
            kinds=[(kind, label, KIND_ICONS[kind]) for kind, label in WorkKind.choices],
            to_review=selectors.review_counts(user, limit=MY_WORK_REVIEW_GROUPS),
            review_more=MY_WORK_REVIEW_GROUPS,
            **kwargs,
        )


# The groups named in "waiting for your review" (most waiting first); the work list has the rest.
MY_WORK_REVIEW_GROUPS = 30


class WorkList(ScopedQuerysetMixin, FilterView):
    model = MemberWork
    filterset_class = WorkFilter
    paginate_by = 25
    template_name = "work/work_list.html"

    def get_queryset(self):
        # What a row shows (the latest copy check, late) is worked out for the page's rows only.
        return super().get_queryset().order_by("-created_at", "-pk")

    def get_filterset_kwargs(self, filterset_class):
        user = self.request.user
        return {
            **super().get_filterset_kwargs(filterset_class),
            "groups": selectors.visible_groups_for_filters(user),
            "people": selectors.people_for_filters(user),
            "topics": selectors.topics_for_filters(user),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(kinds=WorkKind.choices, **kwargs)
        page = [work.pk for work in context["object_list"]]
        rows = {work.pk: work for work in selectors.work_for_list(MemberWork.objects.filter(pk__in=page))}
        context["object_list"] = [rows[pk] for pk in page]
        return context


class WorkCreate(LoginRequiredMixin, FormView):
    form_class = WorkForm
    template_name = "work/work_form.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in WorkKind.values:
            raise Http404
        self.kind = kwargs["kind"]
        if request.user.is_authenticated:
            require_perm(request.user, "work.add_work")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        for name in ("meeting", "topic"):
            if id_param(self.request.GET.get(name)) is not None:
                initial[name] = id_param(self.request.GET.get(name))
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": self.kind, **_form_choices(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind_label=WorkKind(self.kind).label, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            fields = form.service_fields()
            if self.kind == WorkKind.RESEARCH and data.get("new_research_topic"):
                fields["research_topic"] = services.research_topic_get_or_create(
                    by=user, group=data["group"], year=timezone.localdate().year,
                    title=data["new_research_topic"], half=data.get("half") or 1,
                )
            work = services.work_create(
                by=user, kind=self.kind, group=data["group"], year=data.get("year"),
                topics=data.get("topics") or (), **fields,
            )
            if "submit" in self.request.POST:
                services.work_submit(work=work, by=user)
                messages.success(self.request, _("Submitted for review."))
            else:
                messages.success(self.request, _("Saved as a draft."))
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(work)


class WorkDetail(ScopedObjectMixin, DetailView):
    model = MemberWork
    template_name = "work/work_detail.html"
    context_object_name = "work"

    def get_queryset(self):
        return selectors.work_detail(super().get_queryset())

    def get_context_data(self, **kwargs):
        work, user = self.object, self.request.user
        is_reviewer = user.has_perm("work.see_similarity", work)
        check = selectors.latest_check(work) if is_reviewer else None
        return super().get_context_data(
            body=render(work.body, work.body_is_html),
            is_author=work.author_id == user.pk,
            check=check,
            check_view=_check_view(work, check) if check else None,
            review_form=ReviewForm(),
            visit_form=FieldVisitForm() if work.kind == WorkKind.RESEARCH else None,
            icon=KIND_ICONS[work.kind],
            **kwargs,
        )


def _check_view(work, check):
    return {
        "own": highlight(plain_text(work.body, work.body_is_html), check.own_passages),
        "other": highlight(check.other_text, check.other_passages),
    }


class WorkUpdate(ScopedObjectMixin, FormView):
    model = MemberWork
    permission_required = "work.change_work"
    form_class = WorkForm
    template_name = "work/work_form.html"

    object_name = "work"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(), "kind": self.work.kind, "instance": self.work,
            **_form_choices(self.request.user, self.work.group),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(work=self.work, kind_label=self.work.get_kind_display(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            fields = form.service_fields()
            if self.work.kind == WorkKind.RESEARCH and data.get("new_research_topic"):
                fields["research_topic"] = services.research_topic_get_or_create(
                    by=user, group=self.work.group, year=self.work.year,
                    title=data["new_research_topic"], half=data.get("half") or 1,
                )
            if data.get("year"):
                fields["year"] = data["year"]
            work = services.work_update(work=self.work, by=user, topics=data.get("topics"), **fields)
            if "submit" in self.request.POST:
                services.work_submit(work=work, by=user)
                messages.success(self.request, _("Submitted for review."))
            else:
                messages.success(self.request, _("Saved."))
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(work)


class _AuthorAction(ScopedObjectMixin, View):
    model = MemberWork
    permission_required = "work.own_work"
    http_method_names = ["post"]
    service = None
    done_message = ""

    def post(self, request, *args, **kwargs):
        work = self.get_object()
        try:
            type(self).service(work=work, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done_message)
        return redirect(work)


class WorkSubmit(_AuthorAction):
    service = services.work_submit
    done_message = _("Submitted for review.")

    def post(self, request, *args, **kwargs):
        self.done_message = _("Submitted for review.")
        return super().post(request, *args, **kwargs)


class WorkWithdraw(_AuthorAction):
    service = services.work_withdraw

    def post(self, request, *args, **kwargs):
        self.done_message = _("Withdrawn. The record stays, marked withdrawn.")
        return super().post(request, *args, **kwargs)


class WorkReview(ScopedObjectMixin, View):
    """Accept or return submitted work; with htmx the queue's row is replaced in place."""

    model = MemberWork
    permission_required = "work.review_work"

    def get(self, request, *args, **kwargs):
        work = self.get_object()
        item = selectors.review_queue_item(work.pk)
        item.check_view = _check_view(item, item.check) if item.check else None
        return TemplateResponse(request, "work/review.html", {"item": item})

    def post(self, request, *args, **kwargs):
        work = self.get_object()
        form = ReviewForm(request.POST)
        form.is_valid()
        comment = form.cleaned_data.get("comment", "")
        error = None
        try:
            if request.POST.get("decision") == "accept":
                work = services.work_accept(work=work, by=request.user, comment=comment)
            elif request.POST.get("decision") == "return":
                work = services.work_return(work=work, by=request.user, comment=comment)
            else:
                raise ValidationError(_("Choose to accept or return."))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if request.htmx:
            item = selectors.review_queue_item(work.pk)
            item.check_view = _check_view(item, item.check) if item.check else None
            return TemplateResponse(
                request, "work/_review_row.html",
                {"item": item, "error": error, "comment": comment, "reviewed": error is None},
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Review saved."))
        return redirect(work)


class ReviewQueue(ScopedObjectMixin, DetailView):
    """A group's submitted work, oldest first, to accept or return in place."""

    model = StudyGroup
    template_name = "work/review_queue.html"
    context_object_name = "group"
    permission_required = "work.review_group_work"

    def get_context_data(self, **kwargs):
        items = list(selectors.review_queue(self.object, self.request.user))
        for item in items:
            item.check = item.checks[0] if item.checks else None
            item.check_view = _check_view(item, item.check) if item.check else None
        year = id_param(self.request.GET.get("year")) or timezone.localdate().year
        all_pieces = self.request.GET.get("pieces") == "all"
        return super().get_context_data(
            items=items, year=year, all_pieces=all_pieces,
            build=selectors.latest_compilation(self.object, year, all_pieces=all_pieces), **kwargs
        )


class CompilationStatus(ScopedObjectMixin, DetailView):
    """The compilation panel, polled by the review queue while the worker builds."""

    model = CompilationBuild
    permission_required = "work.export_group_work"
    template_name = "work/_compilation_panel.html"
    context_object_name = "build"

    def get_queryset(self):
        return super().get_queryset().select_related("group")

    def check_object_permission(self, obj):
        require_perm(self.request.user, self.permission_required, obj.group)

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.object.group, year=self.object.year, **kwargs)


class FieldVisitCreate(ScopedObjectMixin, FormView):
    model = MemberWork
    permission_required = "work.own_work"
    form_class = FieldVisitForm
    template_name = "work/field_visit_form.html"

    object_name = "work"

    def get_queryset(self):
        # Field visits belong to research reports only: another kind's id is not found.
        return super().get_queryset().filter(kind=WorkKind.RESEARCH)

    def get_context_data(self, **kwargs):
        return super().get_context_data(work=self.work, **kwargs)

    def form_valid(self, form):
        try:
            services.field_visit_add(report=self.work, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Field visit added."))
        return redirect(self.work)


class WorkSearch(LoginRequiredMixin, TemplateView):
    template_name = "work/search.html"

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET or None)
        query = form.cleaned_data["q"].strip() if form.is_valid() else ""
        return super().get_context_data(
            form=form, query=query, hits=search.search(self.request.user, query) if query else [], **kwargs
        )


class WorkExport(PdfOnPostMixin, ScopedObjectMixin, View):
    """A group's work of a year: Excel list, Word and PDF compilations (心得体会汇编)."""

    model = StudyGroup
    permission_required = "work.export_group_work"

    def get(self, request, *args, **kwargs):
        group = self.get_object()
        year, fmt = kwargs["year"], kwargs["fmt"]
        if fmt == "pdf":
            # Building the PDF compilation is heavy work: a button posts for it.
            return PdfOnPostMixin.get(self, request, *args, **kwargs)
        if fmt == "xlsx":  # the list shows every piece handed in, with its status
            return exports.work_list_xlsx(group, year, list(selectors.group_year_work(group, year, request.user)))
        if fmt == "docx":
            return exports.compilation_docx(group, year, self.compiled_work(group, year, request.GET))
        raise Http404

    def compiled_work(self, group, year, params):
        """A compilation prints the accepted pieces; staff may ask for the waiting ones too."""
        accepted_only = params.get("pieces") != "all"
        return list(selectors.group_year_work(group, year, self.request.user, accepted_only=accepted_only))

    def post(self, request, *args, **kwargs):
        """The PDF compilation is built by the worker (hundreds of texts take tens of seconds):
        the request asks for it and the review queue shows its progress and then the download."""
        group = self.get_object()
        year, fmt = kwargs["year"], kwargs["fmt"]
        if fmt != "pdf":
            return HttpResponseNotAllowed(["GET"])
        all_pieces = request.POST.get("pieces") == "all"
        build, started = services.compilation_build_request(group=group, year=year, all_pieces=all_pieces, by=request.user)
        if request.htmx:
            return TemplateResponse(request, "work/_compilation_panel.html", {"build": build, "group": group, "year": year})
        if started:
            messages.info(request, _("The PDF compilation is being built: its progress shows below."))
        queue = reverse("work:review-queue", args=[group.pk])
        return redirect(f"{queue}?year={year}{'&pieces=all' if all_pieces else ''}#compilation")

    def pdf_title(self):
        return _("Compilation of the group's work, %(year)s") % {"year": self.kwargs["year"]}

    def pdf_back_url(self):
        return reverse("work:review-queue", args=[self.kwargs["pk"]])
