"""Pages of the plans app. Thin: objects come through the scoped querysets (``visible_to`` /
``editable_by`` via the mixins), writes go through ``plans.services``, reads through
``plans.selectors``."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from members import scoping
from members.models import StudyGroup
from plans import exports, selectors, services
from plans.filters import PlanFilter, ProposalCallFilter
from plans.forms import (
    CascadeAdoptForm,
    CascadeForm,
    CommentForm,
    DeclineForm,
    PlanCopyForm,
    PlanForm,
    PlanImportForm,
    ProposalCallForm,
    ProposalForm,
    ScheduleFormSet,
    SectionFormSet,
    TopicFormSet,
)
from plans.models import AnnualPlan, CascadedTopic, PlanSection, ProposalCall, ScheduleEntry, Topic, TopicProposal
from studygroup.actions import ObjectActionView
from studygroup.forms import apply_validation_error
from studygroup.mixins import PdfOnPostMixin, PermissionRequiredMixin, ScopedObjectMixin, ScopedQuerysetMixin

IMPORT_SESSION_KEY = "plans_import"


class PlanObjectMixin(ScopedObjectMixin):
    """One plan, fetched once per request with its group (for the pages about one plan)."""

    model = AnnualPlan

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization", "approved_by", "submitted_by",
                                                     "published_by", "previous")

    object_name = "plan"

    def object_loaded(self, plan):
        self.object = plan

    def get_context_data(self, **kwargs):
        kwargs.setdefault("plan", self.plan)
        kwargs.setdefault("object", self.plan)
        return super().get_context_data(**kwargs)


# ---------------------------------------------------------------------------
# Lists and the document
# ---------------------------------------------------------------------------


class PlanList(ScopedQuerysetMixin, FilterView):
    model = AnnualPlan
    filterset_class = PlanFilter
    paginate_by = 20
    template_name = "plans/plan_list.html"

    def get_queryset(self):
        return selectors.plans_for_list(super().get_queryset())

    def get_filterset_kwargs(self, filterset_class):
        groups = scoping.visible_groups(self.request.user).select_related("organization").order_by("organization__path")
        return {**super().get_filterset_kwargs(filterset_class), "groups": groups}

class PlanDetail(PlanObjectMixin, DetailView):
    template_name = "plans/plan_detail.html"

    def get_context_data(self, **kwargs):
        plan, user = self.plan, self.request.user
        shows_cascades = plan.is_locked or user.has_perm("plans.manage_plan", plan)
        return super().get_context_data(
            **selectors.plan_document(plan),
            revisions=list(selectors.plan_revisions(plan, user)),
            cascades=list(selectors.plan_cascades(plan)) if shows_cascades else [],
            today=timezone.localdate(),
            **kwargs,
        )


class PlanPrint(PlanObjectMixin, DetailView):
    """The plan as the document it is: the same template the PDF is made from."""

    template_name = "plans/plan_print.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**selectors.plan_document(self.plan), for_pdf=False, **kwargs)


class PlanPdf(PdfOnPostMixin, PlanObjectMixin, DetailView):
    def pdf_title(self):
        return self.plan.title

    def pdf_back_url(self):
        return self.plan.get_absolute_url()

    def pdf_response(self):
        data = exports.plan_pdf(self.plan, request=self.request)
        return exports.download(data, exports.filename(self.plan, "pdf"), "application/pdf", as_attachment=False)


class PlanDocx(PlanObjectMixin, DetailView):
    def get(self, request, *args, **kwargs):
        data = exports.plan_docx(selectors.plan_document(self.plan))
        return exports.download(
            data, exports.filename(self.plan, "docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )


class ScheduleXlsx(PlanObjectMixin, DetailView):
    def get(self, request, *args, **kwargs):
        data = exports.schedule_xlsx(selectors.plan_document(self.plan))
        return exports.download(
            data, exports.filename(self.plan, "xlsx", suffix=_("schedule")),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class PlanChanges(PlanObjectMixin, TemplateView):
    """What changed from the previous revision (or a chosen one) to this one."""

    template_name = "plans/plan_changes.html"

    def get_context_data(self, **kwargs):
        revisions = selectors.plan_revisions(self.plan, self.request.user)
        wanted = self.request.GET.get("from") or self.plan.previous_id
        other = revisions.filter(pk=wanted).first() if str(wanted or "").isdigit() else None
        diff = selectors.plan_diff(other, self.plan) if other else None
        return super().get_context_data(diff=diff, other=other, revisions=list(revisions), **kwargs)


# ---------------------------------------------------------------------------
# Entering the plan: one page with the plan, its sections and topics
# ---------------------------------------------------------------------------


class PlanFormMixin:
    """The plan form with its section and topic formsets, and a preview of the document."""

    template_name = "plans/plan_form.html"

    def people(self):
        return None

    def build_forms(self, data=None, initial=None, sections=None, topics=None):
        people = self.people()
        form = PlanForm(data, **self.plan_form_kwargs(initial))
        section_formset = SectionFormSet(data, prefix="sections", initial=sections)
        topic_formset = TopicFormSet(data, prefix="topics", initial=topics,
                                     form_kwargs={"people": people} if people is not None else {})
        return form, section_formset, topic_formset

    @staticmethod
    def rows(formset, fields):
        out = []
        for f in formset.ordered_forms:
            row = {name: f.cleaned_data.get(name) for name in fields if name in f.cleaned_data}
            if f.cleaned_data.get("id"):
                row["id"] = f.cleaned_data["id"]
            out.append(row)
        return out

    def section_rows(self, formset):
        return self.rows(formset, ("heading", "text", "holds_topics"))

    def topic_rows(self, formset):
        return self.rows(formset, ("label", "title", "description", "readings", "study_form", "lead_members", "months"))

    @staticmethod
    def rows_in_order(formset):
        """The rows as the user last arranged them (after an error the page keeps their order)."""
        if not formset.is_bound:
            return list(formset.forms)

        def key(item):
            index, f = item
            value = f["ORDER"].value()
            return (0, int(value), index) if str(value or "").isdigit() else (1, 0, index)

        return [f for _, f in sorted(enumerate(formset.forms), key=key)]

    def render_forms(self, form, sections, topics, **extra):
        return self.render_to_response(self.get_context_data(
            form=form, section_formset=sections, topic_formset=topics,
            section_rows=self.rows_in_order(sections), topic_rows=self.rows_in_order(topics), **extra
        ))

    def preview(self, form, section_formset, topic_formset, group):
        """The document as it would print, from the unsaved input (nothing is written)."""
        from plans.models import NumberingStyle, make_label

        plan = AnnualPlan(group=group, year=form.cleaned_data.get("year") or getattr(self, "plan", None).year,
                          **form.plan_fields())
        sections = [PlanSection(plan=plan, **{k: v for k, v in row.items() if k != "id"})
                    for row in self.section_rows(section_formset)]
        topics, entries = [], []
        for n, row in enumerate(self.topic_rows(topic_formset), start=1):
            topic = Topic(plan=plan, position=n, label=row.get("label") or "", title=row["title"],
                          description=row.get("description") or "", readings=row.get("readings") or "",
                          study_form=row.get("study_form") or "group_study")
            if plan.numbering_style != NumberingStyle.CUSTOM:
                topic.label = make_label(plan.numbering_style, n)
            topic.leads = row.get("lead_members") or []
            topic.planned_months = sorted(row.get("months") or [])
            topics.append(topic)
            for month in topic.planned_months:
                entries.append(ScheduleEntry(plan=plan, topic=topic, month=month, study_form=topic.study_form,
                                             lead=topic.leads[0] if topic.leads else None))
        entries.sort(key=lambda e: (e.month, e.topic.position))
        return selectors.document_context(plan, sections, topics, entries)

    def post(self, request, *args, **kwargs):
        form, section_formset, topic_formset = self.build_forms(request.POST)
        valid = form.is_valid() & section_formset.is_valid() & topic_formset.is_valid()
        if not valid:
            messages.error(request, _("Please correct the errors below; nothing was saved yet."))
            return self.render_forms(form, section_formset, topic_formset)
        if "_preview" in request.POST:
            group = form.cleaned_data.get("group") or self.plan.group
            return self.render_forms(form, section_formset, topic_formset,
                                     preview=self.preview(form, section_formset, topic_formset, group))
        try:
            plan = self.save(form, section_formset, topic_formset)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render_forms(form, section_formset, topic_formset)
        messages.success(request, _("The plan was saved."))
        return redirect(plan)


class PlanCreate(PermissionRequiredMixin, PlanFormMixin, TemplateView):
    """A new plan, empty, or pre-filled from an imported document (``?import=<token>``)."""

    permission_required = "plans.add_plan"

    def imported(self):
        token = self.request.GET.get("import") or self.request.POST.get("import_token")
        data = self.request.session.get(IMPORT_SESSION_KEY, {})
        return token, (data.get(token) if token else None)

    def managed_groups(self):
        return list(scoping.managed_groups(self.request.user).filter(is_active=True).select_related("organization"))

    def plan_form_kwargs(self, initial):
        return {"groups": self.managed_groups(), "initial": initial or {}}

    def get(self, request, *args, **kwargs):
        token, parsed = self.imported()
        if token and parsed is None:
            messages.warning(request, _("The imported document is no longer at hand; please import it again."))
        if parsed:
            topics = parsed["topics"]
            initial = {
                "group": parsed.get("group"), "title": parsed.get("title"), "year": parsed.get("year"),
                "preamble": parsed.get("preamble"),
                "numbering_style": services.numbering_style_of([t["label"] for t in topics]),
            }
            sections = [{"heading": s["heading"][:100], "text": s["text"],
                         "holds_topics": services._holds_topics(s["heading"])} for s in parsed["sections"]]
            topic_rows = [{"label": t["label"][:20], "title": t["title"][:300], "description": t["description"]}
                          for t in topics]
            form, section_formset, topic_formset = self.build_forms(None, initial, sections, topic_rows)
            return self.render_forms(form, section_formset, topic_formset, imported=parsed, import_token=token)
        return self.render_forms(*self.build_forms(None, {}))

    def render_forms(self, form, sections, topics, **extra):
        if "imported" not in extra:
            token, parsed = self.imported()
            extra.update(imported=parsed, import_token=token if parsed else None)
        return super().render_forms(form, sections, topics, **extra)

    def save(self, form, section_formset, topic_formset):
        data = form.cleaned_data
        plan = services.plan_create(
            group=data["group"], year=data["year"], by=self.request.user,
            sections=self.section_rows(section_formset), topics=self.topic_rows(topic_formset),
            **form.plan_fields(),
        )
        token, parsed = self.imported()
        if parsed:
            self.request.session[IMPORT_SESSION_KEY].pop(token, None)
            self.request.session.modified = True
        return plan


class PlanUpdate(PlanObjectMixin, PlanFormMixin, TemplateView):
    permission_required = "plans.manage_plan"

    def people(self):
        return list(selectors.group_members_for_leads(self.plan.group))

    def plan_form_kwargs(self, initial):
        return {"instance": self.plan}

    def get(self, request, *args, **kwargs):
        if not self.plan.is_editable:
            return self.render_to_response(self.get_context_data(locked=True))
        doc = selectors.plan_document(self.plan)
        sections = [{"id": s.pk, "heading": s.heading, "text": s.text, "holds_topics": s.holds_topics}
                    for s in doc["sections"]]
        topics = [
            {"id": t.pk, "label": t.label, "title": t.title, "description": t.description, "readings": t.readings,
             "study_form": t.study_form, "lead_members": t.leads, "months": t.planned_months}
            for t in doc["topics"]
        ]
        return self.render_forms(*self.build_forms(None, None, sections, topics))

    def post(self, request, *args, **kwargs):
        if not self.plan.is_editable:
            return self.render_to_response(self.get_context_data(locked=True))
        return super().post(request, *args, **kwargs)

    def save(self, form, section_formset, topic_formset):
        return services.plan_update(
            plan=self.plan, by=self.request.user, sections=self.section_rows(section_formset),
            topics=self.topic_rows(topic_formset), **form.plan_fields(),
        )


class ScheduleUpdate(PlanObjectMixin, FormView):
    """The 安排表 as an editable table: one row per topic and month."""

    permission_required = "plans.manage_plan"
    template_name = "plans/schedule_form.html"

    def get_form(self, form_class=None):
        self.topics = list(self.plan.topics.all())
        people = list(selectors.group_members_for_leads(self.plan.group))
        initial = None
        if self.request.method == "GET":
            initial = [
                {"id": e.pk, "topic": e.topic, "month": e.month, "study_form": e.study_form, "lead": e.lead,
                 "speaker": e.speaker, "note": e.note}
                for e in self.plan.schedule.select_related("topic", "lead").order_by("month", "topic__position")
            ]
        return ScheduleFormSet(self.request.POST if self.request.method == "POST" else None, prefix="schedule",
                               initial=initial, form_kwargs={"topics": self.topics, "people": people})

    def get(self, request, *args, **kwargs):
        if not self.plan.is_editable:
            return self.render_to_response(self.get_context_data(locked=True, form=None))
        return super().get(request, *args, **kwargs)

    def form_valid(self, formset):
        rows = []
        for f in formset.forms:
            if not f.has_changed() and not f.cleaned_data.get("id") or f.cleaned_data.get("DELETE"):
                continue
            rows.append({k: v for k, v in f.cleaned_data.items() if k != "DELETE" and (k != "id" or v)})
        try:
            services.schedule_update(plan=self.plan, entries=rows, by=self.request.user)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return self.form_invalid(formset)
        messages.success(self.request, _("The schedule was saved."))
        return redirect(self.plan)

    def form_invalid(self, formset):
        messages.error(self.request, _("Please correct the errors below; nothing was saved yet."))
        return super().form_invalid(formset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["formset"] = context.get("form")
        return context


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


class PlanImport(PermissionRequiredMixin, FormView):
    """Upload a .docx / .txt or paste the text; the parsed plan opens as a form to review."""

    permission_required = "plans.add_plan"
    form_class = PlanImportForm
    template_name = "plans/plan_import.html"

    def get_form_kwargs(self):
        groups = list(scoping.managed_groups(self.request.user).filter(is_active=True).select_related("organization"))
        return {**super().get_form_kwargs(), "groups": groups}

    def form_valid(self, form):
        parsed = form.parse()
        if parsed is None:
            return self.form_invalid(form)
        parsed["group"] = str(form.cleaned_data["group"].pk)
        token = uuid.uuid4().hex[:12]
        stash = self.request.session.get(IMPORT_SESSION_KEY, {})
        # Keep the last few imports only: the session is not a store.
        stash = dict(list(stash.items())[-2:])
        stash[token] = parsed
        self.request.session[IMPORT_SESSION_KEY] = stash
        messages.info(
            self.request,
            _("Found %(sections)s sections and %(topics)s topics. Check them, then save the draft.")
            % {"sections": len(parsed["sections"]), "topics": len(parsed["topics"])},
        )
        return redirect(reverse("plans:plan-create") + f"?import={token}")


# ---------------------------------------------------------------------------
# Status changes: each a small confirmation page with an optional comment
# ---------------------------------------------------------------------------


class PlanAction(PlanObjectMixin, ObjectActionView):
    """Base for status changes: the confirmation (with the leader's comment where one is asked
    for), then the service; its result (the plan, or what was made from it) is the next page."""

    permission_required = "plans.manage_plan"
    summary_template = "plans/_plan_summary.html"

    def get_success_url(self, result=None):
        return result.get_absolute_url()


class LeaderActionMixin:
    """Only the group's 组长 may; others who see the plan get 403."""

    permission_required = "plans.review_plan"


class PlanSubmit(PlanAction):
    title = gettext_lazy("Submit the plan for approval")
    button = gettext_lazy("Submit to the group leader")
    success_message = gettext_lazy("The plan was submitted to the group leader for approval.")

    def perform(self, form):
        return services.plan_submit(plan=self.plan, by=self.request.user)


class PlanWithdraw(PlanAction):
    title = gettext_lazy("Withdraw the plan to change it")
    button = gettext_lazy("Withdraw")
    button_class = "btn-outline-secondary"
    success_message = gettext_lazy("The plan is a draft again.")

    def perform(self, form):
        return services.plan_withdraw(plan=self.plan, by=self.request.user)


class PlanApprove(LeaderActionMixin, PlanAction):
    title = gettext_lazy("Approve the plan")
    button = pgettext_lazy("plan approval", "Approve")
    note_field = "comment"
    success_message = gettext_lazy("The plan was approved.")

    def perform(self, form):
        return services.plan_approve(plan=self.plan, by=self.request.user, comment=form.note)


class PlanReturn(LeaderActionMixin, PlanAction):
    title = gettext_lazy("Return the plan for changes")
    button = gettext_lazy("Return for changes")
    button_class = "btn-outline-danger"
    note_field = "comment"
    note_required = True
    note_label = gettext_lazy("What should be changed")
    success_message = gettext_lazy("The plan was returned to the staff.")

    def perform(self, form):
        return services.plan_return(plan=self.plan, by=self.request.user, comment=form.note)


class PlanPublish(PlanAction):
    title = gettext_lazy("Publish the plan to the group's members")
    button = gettext_lazy("Publish")
    success_message = gettext_lazy("The plan was published; the group's members can read it now.")

    def perform(self, form):
        return services.plan_publish(plan=self.plan, by=self.request.user)


class PlanRevise(PlanAction):
    title = gettext_lazy("Start a new revision")
    button = gettext_lazy("Start the revision")
    note_field = "comment"
    note_label = gettext_lazy("Reason for the revision")
    success_message = gettext_lazy("A new revision was started as a draft; the earlier one is kept.")

    def perform(self, form):
        return services.plan_revise(plan=self.plan, by=self.request.user, note=form.note)


class PlanCopy(PlanAction):
    """Copy this plan as the start of another year's plan (usually the next)."""

    title = gettext_lazy("Copy as the start of another year's plan")
    button = gettext_lazy("Copy")
    form_class = PlanCopyForm
    success_message = gettext_lazy("The copy was created as a draft.")

    def get_initial(self):
        return {"year": self.plan.year + 1}

    def perform(self, form):
        return services.plan_copy(source=self.plan, year=form.cleaned_data["year"], by=self.request.user)


# ---------------------------------------------------------------------------
# 上下同题
# ---------------------------------------------------------------------------


class CascadeCreate(PlanAction):
    """Hand a topic of this plan down to the groups below for a month."""

    title = gettext_lazy("Hand a topic down to the groups below")
    button = gettext_lazy("Hand down")
    form_class = CascadeForm
    success_message = gettext_lazy("The topic was handed down; the groups below can take it up now.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "topics": list(self.plan.topics.all())}

    def get_initial(self):
        return {"topic": self.request.GET.get("topic")}

    def perform(self, form):
        data = form.cleaned_data
        return services.cascade_create(
            topic=data["topic"], month=data["month"], note=data["note"], by=self.request.user,
        )


class CascadeList(ScopedQuerysetMixin, TemplateView):
    """Topics handed down from above that my groups may take up, and those my groups handed down."""

    model = CascadedTopic
    template_name = "plans/cascade_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            available=selectors.cascades_for_subordinate_staff(user),
            issued=list(selectors.cascades_issued_by(user)),
            **kwargs,
        )


class CascadeUptake(ScopedObjectMixin, DetailView):
    """Which groups below took the topic up, when, and which did not."""

    model = CascadedTopic
    template_name = "plans/cascade_uptake.html"

    def get_queryset(self):
        # Only those who see the source plan watch the uptake (not the groups below).
        return selectors.cascades_watched_by(self.request.user).select_related(
            "topic__plan__group__organization", "cascaded_by"
        )

    def get_context_data(self, **kwargs):
        rows = selectors.cascade_uptake(self.object)
        return super().get_context_data(
            rows=rows, taken=sum(1 for r in rows if r["adopted_at"]),
            not_taken=sum(1 for r in rows if not r["adopted_at"]), cascade=self.object, **kwargs
        )


class CascadeAdopt(ScopedObjectMixin, FormView):
    """A group below takes the topic up into its own plan, in one step."""

    model = CascadedTopic
    form_class = CascadeAdoptForm
    template_name = "plans/cascade_adopt.html"

    object_name = "cascade"

    def object_loaded(self, cascade):
        self.groups = [row for row in selectors.cascades_for_subordinate_staff(self.request.user)
                       if row["cascade"].pk == cascade.pk]
        if not self.groups or not self.groups[0]["groups"]:
            raise PermissionDenied

    def get_queryset(self):
        return super().get_queryset().select_related("topic__plan__group__organization")

    def get_form_kwargs(self):
        choices = [g for g, taken in self.groups[0]["groups"] if not taken]
        return {**super().get_form_kwargs(), "groups": choices}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cascade=self.cascade, groups=self.groups[0]["groups"], **kwargs)

    def form_valid(self, form):
        try:
            topic = services.cascade_adopt(cascade=self.cascade, group=form.cleaned_data["group"],
                                           by=self.request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The topic was added to the plan of %(group)s.")
                         % {"group": form.cleaned_data["group"]})
        return redirect(topic.plan)


# ---------------------------------------------------------------------------
# 议题征集
# ---------------------------------------------------------------------------


class ProposalCallList(ScopedQuerysetMixin, FilterView):
    model = ProposalCall
    filterset_class = ProposalCallFilter
    paginate_by = 20
    template_name = "plans/call_list.html"

    def get_queryset(self):
        return selectors.calls_for_list(super().get_queryset()).order_by("-deadline", "-pk")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            my_proposals=list(selectors.my_proposals(user)[:20]),
            today=timezone.localdate(),
            **kwargs,
        )


class ProposalCallCreate(PermissionRequiredMixin, FormView):
    permission_required = "plans.add_proposal_call"
    form_class = ProposalCallForm
    template_name = "plans/call_form.html"

    def get_form_kwargs(self):
        groups = list(scoping.managed_groups(self.request.user).filter(is_active=True).select_related("organization"))
        return {**super().get_form_kwargs(), "groups": groups}

    def form_valid(self, form):
        try:
            call = services.call_open(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The call for topics is open."))
        return redirect(call)


class ProposalCallDetail(ScopedObjectMixin, DetailView):
    model = ProposalCall
    template_name = "plans/call_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization", "opened_by")

    def get_context_data(self, **kwargs):
        user, call = self.request.user, self.object
        may_propose = user.has_perm("plans.propose_topic_now", call)
        units = list(services.proposing_units(user, call)) if may_propose else []
        return super().get_context_data(
            proposals=list(selectors.call_proposals(call, user)),
            may_propose=may_propose,
            form=ProposalForm(units=units) if may_propose else None,
            decline_form=DeclineForm(),
            **kwargs,
        )


class ProposalCreate(ScopedObjectMixin, FormView):
    model = ProposalCall
    permission_required = "plans.propose_topic"
    form_class = ProposalForm
    template_name = "plans/proposal_form.html"

    object_name = "call"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": list(services.proposing_units(self.request.user, self.call))}

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.call, **kwargs)

    def form_valid(self, form):
        try:
            services.proposal_submit(call=self.call, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: your proposal was sent."))
        return redirect(self.call)


class ProposalDecide(ScopedObjectMixin, FormView):
    model = TopicProposal
    permission_required = "plans.manage_proposals"
    template_name = "plans/proposal_decide.html"

    object_name = "proposal"

    def get_queryset(self):
        return super().get_queryset().select_related("call__group", "proposed_by", "on_behalf_of")

    def get_context_data(self, **kwargs):
        return super().get_context_data(proposal=self.proposal, decision=self.decision, **kwargs)


class ProposalAdopt(ProposalDecide):
    form_class = CommentForm
    decision = "adopt"

    def form_valid(self, form):
        try:
            topic = services.proposal_adopt(proposal=self.proposal, by=self.request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The proposal was adopted as a topic of the plan."))
        return redirect(topic.plan)


class ProposalDecline(ProposalDecide):
    form_class = DeclineForm
    decision = "decline"

    def form_valid(self, form):
        try:
            services.proposal_decline(proposal=self.proposal, by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The proposal was declined; the proposer sees your reason."))
        return redirect(self.proposal.call)


# ---------------------------------------------------------------------------
# 月计划
# ---------------------------------------------------------------------------


class MonthlyPlan(ScopedObjectMixin, DetailView):
    model = StudyGroup
    template_name = "plans/monthly_plan.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise Http404
        prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
        next_year, next_month = (year, month + 1) if month < 12 else (year + 1, 1)
        return super().get_context_data(
            **selectors.monthly_plan(self.object, year, month, self.request.user),
            prev=(prev_year, prev_month), next=(next_year, next_month), **kwargs,
        )


class MonthlyPlanPrint(MonthlyPlan):
    template_name = "plans/monthly_print.html"

