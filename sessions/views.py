"""Pages of meetings, sign-in, attendance, records, exports, first-agenda study and observation
visits. Thin: objects come through the scoped querysets (mixins), reads through selectors,
writes through services."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from members import scoping
from members.filters import NamedChoiceFilter
from members.models import StudyGroup
from members.views import apply_validation_error
from plans.models import Topic
from sessions import exports, forms, selectors, services
from sessions.filters import FirstAgendaFilter, MeetingFilter, ObservationFilter
from sessions.models import (
    Attendance,
    FirstAgendaStudy,
    FollowUpMeasure,
    Material,
    ArchiveBuild,
    MaterialBundle,
    Meeting,
    Observation,
    ObservationPoint,
    Speech,
)
from studygroup import actions
from studygroup.mixins import (
    PdfOnPostMixin,
    PermissionRequiredMixin,
    ScopedObjectMixin,
    ScopedQuerysetMixin,
    require_perm,
)
from studygroup.params import id_param, int_param, year_param


class MeetingObjectMixin(ScopedObjectMixin):
    """Loads ``self.meeting`` (visible, then ``permission_required`` on it) before the view."""

    model = Meeting

    object_name = "meeting"

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization")

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.meeting, **kwargs)


class ServiceFormMixin(actions.ServiceFormMixin):
    """``perform(form)`` calls the service; then the meeting's page."""

    def get_success_url(self, result=None):
        return self.meeting.get_absolute_url()


# --- lists and calendar -----------------------------------------------------------------------


class MeetingList(ScopedQuerysetMixin, FilterView):
    model = Meeting
    filterset_class = MeetingFilter
    paginate_by = 25
    template_name = "meetings/meeting_list.html"

    def get_queryset(self):
        # The seven records are worked out for the page's rows only (see get_context_data),
        # unless the list is filtered by them.
        if self.request.GET.get("records"):
            return selectors.meeting_list(super().get_queryset())
        return super().get_queryset().order_by("-starts_at", "-pk")

    def get_filterset_kwargs(self, filterset_class):
        groups = scoping.visible_groups(self.request.user).select_related("organization")
        return {**super().get_filterset_kwargs(filterset_class), "groups": groups}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = [m.pk for m in context["object_list"]]
        annotated = {m.pk: m for m in selectors.meeting_list(Meeting.objects.filter(pk__in=page))}
        context["object_list"] = selectors.annotate_backfill([annotated[pk] for pk in page])
        context["records"] = selectors.SEVEN_RECORDS
        return context


class MeetingCalendar(ScopedQuerysetMixin, TemplateView):
    model = Meeting
    template_name = "meetings/meeting_calendar.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        year = year_param(self.request.GET.get("year"), today.year)
        month = int_param(self.request.GET.get("month"), today.month, minimum=1, maximum=12)
        queryset = self.get_queryset()
        # A select of the groups when they are few; a name to type for a province's thousands.
        shown = NamedChoiceFilter.SHOWN
        groups = list(scoping.visible_groups(self.request.user).select_related("organization")[: shown + 1])
        if len(groups) > shown:
            groups = None
        group_id = id_param(self.request.GET.get("group"))
        if group_id:
            queryset = queryset.filter(group=group_id)
        group_name = (self.request.GET.get("group_name") or "").strip()[:50]
        if group_name:
            queryset = queryset.filter(group__name__icontains=group_name)
        return super().get_context_data(
            calendar=selectors.month_calendar(queryset, year, month), groups=groups, group_id=group_id,
            group_name=group_name, **kwargs
        )


# --- creating and changing a meeting ----------------------------------------------------------


def _meeting_form_kwargs(group):
    return {"group": group, **selectors.meeting_form_choices(group)}


class MeetingCreate(PermissionRequiredMixin, FormView):
    permission_required = "meetings.add_meeting"
    template_name = "meetings/meeting_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.group = None
        if request.user.is_authenticated:
            managed = scoping.managed_groups(request.user)
            group_id = id_param(request.GET.get("group"))
            if group_id is not None:
                self.group = managed.filter(pk=group_id).select_related("organization").first()
                if self.group is None:
                    raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return forms.MeetingForm if self.group else forms.GroupChoiceForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.group is None:
            return {**kwargs, "groups": scoping.managed_groups(self.request.user).select_related("organization")}
        return {**kwargs, **_meeting_form_kwargs(self.group)}

    def get(self, request, *args, **kwargs):
        if self.group is None and "group" in request.GET:
            raise Http404
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.group is None:
            form = forms.GroupChoiceForm(request.POST, groups=scoping.managed_groups(request.user))
            if form.is_valid():
                return redirect(f"{reverse('meetings:meeting-create')}?group={form.cleaned_data['group'].pk}")
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.group, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                by=self.request.user,
                group=self.group,
                **{name: data[name] for name in services.MEETING_FIELDS},
                topics=data["topics"],
                lead_speakers=data["lead_speakers"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting is scheduled. Add materials, then send the notice."))
        return redirect(meeting)


class MeetingUpdate(MeetingObjectMixin, ServiceFormMixin, FormView):
    permission_required = "meetings.manage_meeting"
    form_class = forms.MeetingForm
    template_name = "meetings/meeting_form.html"
    success_message = ""

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), **_meeting_form_kwargs(self.meeting.group), "instance": self.meeting}
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(group=self.meeting.group, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.meeting_update(
            by=self.request.user,
            meeting=self.meeting,
            **{name: data[name] for name in services.MEETING_FIELDS},
            topics=data["topics"],
            lead_speakers=data["lead_speakers"],
        )
        messages.success(self.request, _("Saved."))


class MeetingActionView(actions.ObjectActionView):
    """A confirmation page whose POST runs a service on the meeting."""

    model = Meeting
    permission_required = "meetings.manage_meeting"
    context_object_name = "meeting"
    summary_template = "meetings/_meeting_summary.html"
    cancel_label = gettext_lazy("Back")  # "Cancel" next to "Cancel the meeting" would confuse

    @property
    def meeting(self):
        return self.object

    def get_queryset(self):
        return super().get_queryset().select_related("group__organization")


class MeetingNotify(MeetingActionView):
    form_class = forms.NoticeForm
    template_name = "meetings/meeting_notify.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            materials=selectors.meeting_materials(self.meeting),
            recipients=self.meeting.group.memberships.current().select_related("user").order_by("user__name"),
            **kwargs,
        )

    def perform(self, form):
        return services.meeting_notify(by=self.request.user, meeting=self.meeting, message=form.cleaned_data["message"])

    def get_success_message(self, notice):
        return _("The notice was sent to %(count)s members.") % {"count": notice.recipients.count()}


class MeetingCancel(MeetingActionView):
    title = button = gettext_lazy("Cancel the meeting")
    note_field = "reason"
    note_label = gettext_lazy("Reason for cancelling")
    note_required = True
    success_message = gettext_lazy("The meeting is cancelled; its record stays.")

    def perform(self, form):
        services.meeting_cancel(by=self.request.user, meeting=self.meeting, reason=form.note)


class MeetingMarkHeld(MeetingActionView):
    title = gettext_lazy("Mark the meeting as held")
    question = gettext_lazy("The meeting took place. Then record the attendance, minutes, speeches and report.")
    button = gettext_lazy("Mark as held")
    success_message = gettext_lazy("The meeting is marked as held.")

    def perform(self, form):
        services.meeting_mark_held(by=self.request.user, meeting=self.meeting)


class MeetingClose(MeetingActionView):
    title = gettext_lazy("Archive the meeting")
    question = gettext_lazy(
        "After archiving, the meeting's record can no longer change. Check the seven records first."
    )
    button = gettext_lazy("Archive")
    success_message = gettext_lazy("The meeting is archived.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(records=selectors.seven_records(self.meeting), **kwargs)

    def perform(self, form):
        services.meeting_archive(by=self.request.user, meeting=self.meeting)


# --- the meeting page -------------------------------------------------------------------------


class MeetingWithRecordsMixin(ScopedObjectMixin):
    """The meeting with its seven records and counts worked out (``selectors.meeting_detail``)."""

    model = Meeting

    def get_object(self, queryset=None):
        try:
            return selectors.meeting_detail(self.get_queryset(), self.kwargs["pk"])
        except Meeting.DoesNotExist:
            raise Http404


class MeetingDetail(MeetingWithRecordsMixin, DetailView):
    template_name = "meetings/meeting_detail.html"

    def get_context_data(self, **kwargs):
        meeting, user = self.object, self.request.user
        is_member = user.has_perm("meetings.attend_meeting", meeting)
        sees_sheet = selectors.sees_attendance_sheet(meeting, user)
        return super().get_context_data(
            meeting=meeting,
            records=selectors.seven_records(meeting),
            materials=selectors.meeting_materials(meeting),
            bundle=selectors.latest_material_bundle(meeting),
            my_attendance=selectors.my_attendance(meeting, user) if is_member else None,
            is_member=is_member,
            sheet=selectors.attendance_sheet(meeting) if sees_sheet else None,
            observations=selectors.meeting_observations(meeting, user),
            window_open=meeting.sign_in_window_open(),
            now=timezone.now(),
            **kwargs,
        )


class MaterialBundleRequest(MeetingObjectMixin, View):
    """Staff ask the worker for the 学习资料汇编 (a POST; the meeting page shows its progress)."""

    permission_required = "meetings.manage_meeting"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            bundle, started = services.material_bundle_request(meeting=self.meeting, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(f"{self.meeting.get_absolute_url()}#materials")
        if request.htmx:
            return TemplateResponse(request, "meetings/_material_bundle_panel.html", {"bundle": bundle, "meeting": self.meeting, "can_bundle": True})
        if started:
            messages.info(request, _("The study materials are being compiled: the progress shows under the materials."))
        return redirect(f"{self.meeting.get_absolute_url()}#materials")


class MaterialBundleStatus(ScopedObjectMixin, DetailView):
    """The bundle's panel, polled by the meeting page while the worker builds."""

    model = MaterialBundle
    template_name = "meetings/_material_bundle_panel.html"
    context_object_name = "bundle"

    def get_queryset(self):
        return super().get_queryset().select_related("meeting")

    def get_context_data(self, **kwargs):
        meeting = self.object.meeting
        return super().get_context_data(meeting=meeting, can_bundle=self.request.user.has_perm("meetings.manage_meeting", meeting), **kwargs)


class MeetingNoticeRead(MeetingObjectMixin, View):
    """A member's meeting page posts here when it opens (htmx, with the CSRF token): the notice
    counts as read. A GET of the page itself changes nothing."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if selectors.is_current_member(self.meeting.group, request.user):
            services.notice_mark_read(meeting=self.meeting, user=request.user)
        return HttpResponse(status=204)


# --- attendance and sign-in -------------------------------------------------------------------


class MeetingAttendanceUpdate(MeetingObjectMixin, ServiceFormMixin, FormView):
    """The whole group on one screen: a radio row per member, leave reasons, mark all present."""

    permission_required = "meetings.manage_meeting"
    form_class = forms.AttendanceSheetForm
    template_name = "meetings/meeting_attendance.html"

    def get_form_kwargs(self):
        self.rows = selectors.attendance_sheet(self.meeting)
        return {**super().get_form_kwargs(), "rows": self.rows}

    def perform(self, form):
        changed = services.attendance_record(by=self.request.user, meeting=self.meeting, entries=form.entries())
        messages.success(self.request, _("Attendance saved (%(count)s rows changed).") % {"count": len(changed)})


class SignInScreen(MeetingObjectMixin, TemplateView):
    """What staff put on the projector or hold up: the QR code and the live count."""

    permission_required = "meetings.manage_meeting"
    template_name = "meetings/sign_in_screen.html"

    def post(self, request, *args, **kwargs):
        services.meeting_renew_sign_in_code(by=request.user, meeting=self.meeting)
        messages.success(request, _("A new sign-in code is shown; earlier codes no longer work."))
        return redirect("meetings:meeting-sign-in-screen", pk=self.meeting.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=selectors.sign_in_counts(self.meeting),
            window_open=self.meeting.sign_in_window_open(),
            **_qr_context(self.request, self.meeting),
            **kwargs,
        )


def _qr_context(request, meeting):
    code = services.sign_in_code(meeting)
    url = request.build_absolute_uri(reverse("meetings:meeting-sign-in", kwargs={"pk": meeting.pk, "code": code}))
    qr = segno.make(url, error="m")
    return {"sign_in_url": url, "qr_svg": qr.svg_inline(scale=6, border=2), "code_minutes": settings.SIGN_IN_CODE_MAX_AGE_MINUTES}


class SignInQr(MeetingObjectMixin, TemplateView):
    """The QR code alone, refreshed by htmx so a photographed code soon stops working."""

    permission_required = "meetings.manage_meeting"
    template_name = "meetings/partials/sign_in_qr.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**_qr_context(self.request, self.meeting), **kwargs)


class SignInCount(MeetingObjectMixin, TemplateView):
    permission_required = "meetings.manage_meeting"
    template_name = "meetings/partials/sign_in_count.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=selectors.sign_in_counts(self.meeting),
            waiting=selectors.sign_in_waiting(self.meeting),
            **kwargs,
        )


class MeetingSignIn(MeetingObjectMixin, TemplateView):
    """Where the QR code leads: check the code, then one tap signs the member in."""

    template_name = "meetings/sign_in.html"

    def check(self):
        try:
            services.sign_in_check(meeting=self.meeting, code=self.kwargs["code"])
        except ValidationError as error:
            return error.messages[0]
        if not self.request.user.has_perm("meetings.attend_meeting", self.meeting):
            return _("You are not a member of this study group, so you cannot sign in here.")
        return None

    def get_context_data(self, **kwargs):
        attendance = selectors.my_attendance(self.meeting, self.request.user)
        done = attendance is not None and attendance.status in (Attendance.Status.PRESENT, Attendance.Status.LATE)
        context = {"attendance": attendance, "done": done}
        if "problem" not in kwargs:
            context["problem"] = None if done else self.check()
        return super().get_context_data(**{**context, **kwargs})

    def post(self, request, *args, **kwargs):
        try:
            attendance = services.attendance_sign_in(meeting=self.meeting, code=self.kwargs["code"], user=request.user)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(problem=error.messages[0]))
        return self.render_to_response(self.get_context_data(attendance=attendance, done=True, just_signed=True))


class MemberOnlyMixin:
    """Before MeetingObjectMixin: the page is for the meeting's own members."""

    def object_loaded(self, meeting):
        require_perm(self.request.user, "meetings.attend_meeting", meeting)
        super().object_loaded(meeting)


class MeetingLeave(MemberOnlyMixin, MeetingObjectMixin, ServiceFormMixin, FormView):
    form_class = forms.LeaveForm
    template_name = "meetings/simple_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Ask for leave"), **kwargs)

    def perform(self, form):
        services.attendance_request_leave(meeting=self.meeting, user=self.request.user, reason=form.cleaned_data["reason"])
        messages.success(self.request, _("Your leave is recorded. Remember the make-up study afterwards."))


class MeetingMakeup(MemberOnlyMixin, MeetingObjectMixin, ServiceFormMixin, FormView):
    permission_required = "meetings.record_makeup"
    form_class = forms.MakeupForm
    template_name = "meetings/simple_form.html"

    def get_attendance(self):
        attendance = selectors.my_attendance(self.meeting, self.request.user)
        if attendance is None or attendance.status not in selectors.MISSED:
            raise PermissionDenied
        return attendance

    def get_initial(self):
        attendance = self.get_attendance()
        initial = super().get_initial()
        if attendance.makeup_submitted_at:
            initial.update(content=attendance.makeup_content, studied_on=attendance.makeup_studied_on)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Record my make-up study"),
            explanation=_("Study the meeting's materials on your own, then say what you studied; staff confirm it."),
            **kwargs,
        )

    def perform(self, form):
        services.makeup_submit(
            by=self.request.user, attendance=self.get_attendance(),
            content=form.cleaned_data["content"], studied_on=form.cleaned_data["studied_on"],
        )
        messages.success(self.request, _("Your make-up study is recorded; staff will confirm it."))


class MakeupConfirm(actions.ObjectActionView):
    model = Attendance
    permission_required = "meetings.manage_meeting"
    template_name = "meetings/makeup_confirm.html"
    context_object_name = "attendance"
    success_message = gettext_lazy("Make-up study confirmed.")

    @property
    def attendance(self):
        return self.object

    @property
    def meeting(self):
        return self.object.meeting

    def get_queryset(self):
        return super().get_queryset().select_related("meeting__group", "user")

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.meeting, **kwargs)

    def get_cancel_url(self):
        return self.meeting.get_absolute_url()

    def get_success_url(self, result=None):
        return self.meeting.get_absolute_url()

    def perform(self, form):
        services.makeup_confirm(by=self.request.user, attendance=self.attendance)


# --- minutes, speeches, report, materials -----------------------------------------------------


class MeetingMinutes(MeetingObjectMixin, ServiceFormMixin, FormView):
    permission_required = "meetings.manage_meeting"
    form_class = forms.MinutesForm
    template_name = "meetings/simple_form.html"

    def get_initial(self):
        minutes = getattr(self.meeting, "minutes", None)
        return {"text": minutes.text} if minutes else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Minutes"), **kwargs)

    def perform(self, form):
        services.minutes_save(by=self.request.user, meeting=self.meeting, text=form.cleaned_data["text"])
        messages.success(self.request, _("The minutes are saved."))


def _speakers(group):
    return selectors.speakers(group)


class SpeechCreate(MeetingObjectMixin, ServiceFormMixin, FormView):
    permission_required = "meetings.manage_meeting"
    form_class = forms.SpeechForm
    template_name = "meetings/simple_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": _speakers(self.meeting.group)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Add a speech"), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.speech_add(by=self.request.user, meeting=self.meeting, speaker=data["speaker"], kind=data["kind"],
                            title=data["title"], summary=data["summary"])
        messages.success(self.request, _("The speech is recorded."))


class SpeechUpdate(ScopedObjectMixin, ServiceFormMixin, FormView):
    model = Speech
    permission_required = "meetings.manage_meeting"
    form_class = forms.SpeechForm
    template_name = "meetings/simple_form.html"

    object_name = "speech"

    def object_loaded(self, speech):
        self.meeting = speech.meeting

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": _speakers(self.meeting.group), "instance": self.speech}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Edit the speech"), meeting=self.meeting, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.speech_update(by=self.request.user, speech=self.speech, speaker=data["speaker"], kind=data["kind"],
                               title=data["title"], summary=data["summary"])
        messages.success(self.request, _("Saved."))


class MeetingReport(MeetingObjectMixin, ServiceFormMixin, FormView):
    permission_required = "meetings.manage_meeting"
    form_class = forms.ReportForm
    template_name = "meetings/simple_form.html"

    def get_initial(self):
        report = getattr(self.meeting, "report", None)
        if report is None:
            return {"published_on": timezone.localdate()}
        return {"title": report.title, "text": report.text, "link": report.link, "published_on": report.published_on}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Publicity report"), **kwargs)

    def perform(self, form):
        services.report_save(by=self.request.user, meeting=self.meeting, **form.cleaned_data)
        messages.success(self.request, _("The report is saved."))


class MaterialCreate(MeetingObjectMixin, ServiceFormMixin, FormView):
    permission_required = "meetings.manage_meeting"
    form_class = forms.MaterialForm
    template_name = "meetings/material_form.html"

    def perform(self, form):
        data = form.cleaned_data
        material = services.material_add(by=self.request.user, meeting=self.meeting, title=data["title"],
                                         upload=data["file"] or None, url=data["url"])
        messages.success(self.request, _("“%(title)s” was added to the materials.") % {"title": material.title})


class TopicMaterialCreate(ScopedObjectMixin, ServiceFormMixin, FormView):
    """Materials for a plan topic: every meeting on the topic lists them."""

    model = Topic
    permission_required = "meetings.add_topic_material"
    form_class = forms.MaterialForm
    template_name = "meetings/material_form.html"

    object_name = "topic"

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.material_add(by=self.request.user, topic=self.topic, title=data["title"],
                              upload=data["file"] or None, url=data["url"])
        messages.success(self.request, _("The material was added to the topic."))

    def get_success_url(self, result=None):
        return self.topic.get_absolute_url()


class MaterialWithdraw(actions.ObjectActionView):
    model = Material
    permission_required = "meetings.manage_meeting"
    summary_template = "meetings/_meeting_summary.html"
    cancel_label = gettext_lazy("Back")
    question = gettext_lazy("Members no longer see it; the archive keeps a note that it was handed out.")
    button = gettext_lazy("Withdraw")
    success_message = gettext_lazy("The material was withdrawn.")

    @property
    def title(self):
        return _("Withdraw “%(title)s”") % {"title": self.object.title}

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.object.meeting, **kwargs)

    def get_cancel_url(self):
        # A material belongs to a meeting or, handed out before any meeting, to a plan topic.
        return (self.object.meeting or self.object.topic).get_absolute_url()

    def get_success_url(self, result=None):
        return self.get_cancel_url()

    def perform(self, form):
        services.material_withdraw(by=self.request.user, material=self.object)


# --- archive and exports ----------------------------------------------------------------------


class MeetingArchive(MeetingWithRecordsMixin, DetailView):
    template_name = "meetings/meeting_archive.html"

    def get_context_data(self, **kwargs):
        context = exports.archive_context(self.object, viewer=self.request.user)
        if context["sees_whole_sheet"]:
            context["archive_build"] = selectors.latest_archive_build(self.object)
            context["can_build_archive"] = True
        return super().get_context_data(**context, **kwargs)


class MeetingArchiveBuildRequest(MeetingObjectMixin, View):
    """Staff and leaders ask the worker for the office's copy of the archive (a POST; the archive
    page shows its progress). An archived meeting's copy is built when it is archived."""

    permission_required = "meetings.see_attendance_sheet"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        build, started = services.archive_build_request(meeting=self.meeting, by=request.user)
        if request.htmx:
            return TemplateResponse(request, "meetings/_archive_build_panel.html", {
                "archive_build": build, "meeting": self.meeting, "can_build_archive": True,
            })
        if started:
            messages.info(request, _("The archive PDF is being built: its progress shows on this page."))
        return redirect("meetings:meeting-archive", pk=self.meeting.pk)


class MeetingArchiveBuildStatus(ScopedObjectMixin, DetailView):
    """The archive build's panel, polled by the archive page while the worker builds."""

    model = ArchiveBuild
    template_name = "meetings/_archive_build_panel.html"
    context_object_name = "archive_build"

    def get_queryset(self):
        return super().get_queryset().select_related("meeting")

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.object.meeting, can_build_archive=True, **kwargs)


class MeetingArchivePdf(PdfOnPostMixin, MeetingArchive):
    def pdf_title(self):
        return _("Meeting record: %(title)s") % {"title": self.meeting_for_pdf().title}

    def pdf_back_url(self):
        return reverse("meetings:meeting-archive", args=[self.kwargs["pk"]])

    def meeting_for_pdf(self):
        if not hasattr(self, "object"):
            self.object = self.get_object()
        return self.object

    def pdf_response(self):
        meeting = self.meeting_for_pdf()
        if not self.request.user.has_perm("meetings.see_attendance_sheet", meeting):
            return exports.archive_pdf_response(meeting, request=self.request)  # a member's own copy
        # The office's copy is the worker's: the stored one, or one asked for now.
        build, _started = services.archive_build_request(meeting=meeting, by=self.request.user)
        if build.status == ArchiveBuild.Status.DONE:
            return redirect("meetings:archive-build-download", pk=build.pk)
        messages.info(self.request, _("The archive PDF is being built: its progress shows on this page."))
        return redirect("meetings:meeting-archive", pk=meeting.pk)


class SignInSheetXlsx(MeetingObjectMixin, View):
    def get(self, request, *args, **kwargs):
        return exports.sign_in_sheet_xlsx_response(self.meeting, viewer=request.user)


class SignInSheetPdf(PdfOnPostMixin, MeetingObjectMixin, View):
    def pdf_title(self):
        return _("Sign-in sheet: %(title)s") % {"title": self.meeting.title}

    def pdf_back_url(self):
        return self.meeting.get_absolute_url()

    def pdf_response(self):
        return exports.sign_in_sheet_pdf_response(self.meeting, request=self.request)


class MeetingIcs(MeetingObjectMixin, View):
    def get(self, request, *args, **kwargs):
        data = exports.ics_bytes([self.meeting], request=request, name=self.meeting.title)
        return exports.ics_response(data, f"meeting-{self.meeting.pk}.ics")


@method_decorator(login_not_required, name="dispatch")
class CalendarFeedIcs(View):
    """The personal feed calendar programs subscribe to: the secret token is the key."""

    def get(self, request, token):
        user = selectors.feed_user(token)
        if user is None:
            raise Http404
        data = exports.ics_bytes(selectors.feed_meetings(user), request=request, name=_("My study meetings"))
        return exports.ics_response(data, "meetings.ics", as_attachment=False)


class CalendarFeedSettings(LoginRequiredMixin, TemplateView):
    """The user's own feed address, and a button to make a new one."""

    template_name = "meetings/feed_settings.html"

    def post(self, request, *args, **kwargs):
        had_one = selectors.feed_of(request.user) is not None
        services.feed_reset(user=request.user)
        if had_one:
            messages.success(request, _("A new address was made; the old one no longer works."))
        else:
            messages.success(request, _("Your calendar address was made."))
        return redirect("meetings:meeting-feed-settings")

    def get_context_data(self, **kwargs):
        # Read only: the address is made by the button (a POST), not by opening the page.
        feed = selectors.feed_of(self.request.user)
        if feed is None:
            return super().get_context_data(feed=None, **kwargs)
        url = self.request.build_absolute_uri(reverse("meetings:meeting-feed", kwargs={"token": feed.token}))
        return super().get_context_data(feed=feed, feed_url=url, webcal_url=url.replace("https://", "webcal://").replace("http://", "webcal://"), **kwargs)


class GroupYear(ScopedObjectMixin, DetailView):
    model = StudyGroup
    template_name = "meetings/group_year.html"
    context_object_name = "group"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        year = year_param(self.request.GET.get("year"), timezone.localdate().year)
        return super().get_context_data(
            year_data=selectors.group_year(self.object, year), year=year, records=selectors.SEVEN_RECORDS, **kwargs
        )


# --- first-agenda study -----------------------------------------------------------------------


class FirstAgendaList(ScopedQuerysetMixin, FilterView):
    model = FirstAgendaStudy
    filterset_class = FirstAgendaFilter
    paginate_by = 25
    template_name = "meetings/first_agenda_list.html"

    def get_queryset(self):
        return selectors.first_agenda_list(super().get_queryset())

    def get_filterset_kwargs(self, filterset_class):
        organizations = scoping.read_organizations(self.request.user).order_by("path")
        kwargs = super().get_filterset_kwargs(filterset_class)
        if kwargs.get("data") is None or "year" not in kwargs["data"]:
            data = kwargs["data"].copy() if kwargs.get("data") is not None else {}
            data.setdefault("year", str(timezone.localdate().year))
            kwargs["data"] = data
        return {**kwargs, "organizations": organizations}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.first_agenda_summary(self.filterset.qs)
        context["year"] = year_param(self.filterset.data.get("year"))
        return context


class FirstAgendaCreate(PermissionRequiredMixin, FormView):
    permission_required = "meetings.add_first_agenda"
    form_class = forms.FirstAgendaForm
    template_name = "meetings/simple_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organizations": scoping.managed_organizations(self.request.user).order_by("path")}

    def get_initial(self):
        return {"held_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Record a first-agenda study"), **kwargs)

    def form_valid(self, form):
        try:
            study = services.first_agenda_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Recorded. Add the follow-up measures decided."))
        return redirect(study)


class FirstAgendaDetail(ScopedObjectMixin, DetailView):
    model = FirstAgendaStudy
    template_name = "meetings/first_agenda_detail.html"
    context_object_name = "study"

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "created_by")

    def get_context_data(self, **kwargs):
        can_manage = self.request.user.has_perm("meetings.manage_first_agenda", self.object)
        return super().get_context_data(
            measures=self.object.measures.order_by("done", "due_on", "pk"),
            can_manage=can_manage,
            measure_form=forms.MeasureForm() if can_manage else None,
            **kwargs,
        )


class FirstAgendaUpdate(ScopedObjectMixin, FormView):
    model = FirstAgendaStudy
    permission_required = "meetings.manage_first_agenda"
    form_class = forms.FirstAgendaForm
    template_name = "meetings/simple_form.html"

    object_name = "study"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.study,
                "organizations": scoping.managed_organizations(self.request.user).order_by("path")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Edit the first-agenda study"), **kwargs)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.FIRST_AGENDA_FIELDS}
        try:
            services.first_agenda_update(by=self.request.user, study=self.study, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.study)


class MeasureCreate(ScopedObjectMixin, FormView):
    model = FirstAgendaStudy
    permission_required = "meetings.manage_first_agenda"
    form_class = forms.MeasureForm
    template_name = "meetings/simple_form.html"

    object_name = "study"

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Add a follow-up measure"), **kwargs)

    def form_valid(self, form):
        try:
            services.measure_add(by=self.request.user, study=self.study, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The measure is added."))
        return redirect(self.study)


class MeasureUpdate(ScopedObjectMixin, FormView):
    model = FollowUpMeasure
    permission_required = "meetings.manage_first_agenda"
    form_class = forms.MeasureUpdateForm
    template_name = "meetings/simple_form.html"

    object_name = "measure"

    def get_queryset(self):
        return super().get_queryset().select_related("study__organization")

    def get_initial(self):
        m = self.measure
        return {"description": m.description, "owner": m.owner, "due_on": m.due_on, "done": m.done,
                "done_on": m.done_on, "done_note": m.done_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Follow-up measure"), **kwargs)

    def form_valid(self, form):
        try:
            services.measure_update(by=self.request.user, measure=self.measure, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.measure.study)


# --- observation visits -----------------------------------------------------------------------


class ObservationList(ScopedQuerysetMixin, FilterView):
    model = Observation
    filterset_class = ObservationFilter
    paginate_by = 25
    template_name = "meetings/observation_list.html"

    def get_queryset(self):
        return selectors.observation_list(super().get_queryset())


class ObservationCreate(MeetingObjectMixin, FormView):
    form_class = forms.ObservationForm
    template_name = "meetings/simple_form.html"

    def object_loaded(self, meeting):
        self.organizations = services.supervising_organizations(self.request.user, meeting)
        if not self.organizations.exists():
            raise PermissionDenied

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organizations": self.organizations}

    def get_initial(self):
        return {"organization": self.organizations.order_by("-depth").first()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Record an observation visit"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        points = [line for line in data.pop("points", "").splitlines() if line.strip()]
        try:
            observation = services.observation_create(by=self.request.user, meeting=self.meeting, points=points, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The visit is recorded; the group will answer each point."))
        return redirect(observation)


class ObservationDetail(ScopedObjectMixin, DetailView):
    model = Observation
    template_name = "meetings/observation_detail.html"
    context_object_name = "observation"

    def get_queryset(self):
        return super().get_queryset().select_related("meeting__group", "organization", "recorded_by")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            points=self.object.points.select_related("answered_by").order_by("pk"),
            can_answer=user.has_perm("meetings.answer_observation", self.object),
            can_edit=user.has_perm("meetings.change_observation", self.object),
            point_form=forms.PointForm(),
            **kwargs,
        )


class ObservationPointCreate(ScopedObjectMixin, FormView):
    model = Observation
    permission_required = "meetings.change_observation"
    form_class = forms.PointForm
    template_name = "meetings/simple_form.html"

    object_name = "observation"

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Add a problem found"), **kwargs)

    def form_valid(self, form):
        services.observation_point_add(by=self.request.user, observation=self.observation, text=form.cleaned_data["text"])
        return redirect(self.observation)


class ObservationPointAnswer(ScopedObjectMixin, FormView):
    model = ObservationPoint
    permission_required = "meetings.answer_observation"
    form_class = forms.AnswerForm
    template_name = "meetings/simple_form.html"

    object_name = "point"

    def get_initial(self):
        return {"answer": self.point.answer}

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=_("Answer the point"), explanation=self.point.text, **kwargs)

    def form_valid(self, form):
        try:
            services.observation_point_answer(by=self.request.user, point=self.point, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The answer is saved."))
        return redirect(self.point.get_absolute_url())

