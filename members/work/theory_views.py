"""Pages of theory tests (考学): the bank and its import, tests and their papers, taking a test on
a phone (answers saved as they go), marking, results and their Excel export."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from members import scoping
from members.views import apply_validation_error
from members.work import exports, selectors, theory
from members.work.forms import QuestionImportForm, TheoryTestForm
from members.work.models import Difficulty, Question, QuestionKind, TestAttempt, TheoryTest
from studygroup.actions import ObjectActionView
from studygroup.mixins import PermissionRequiredMixin, ScopedObjectMixin, ScopedQuerysetMixin
from studygroup.params import id_param

IMPORT_SALT = "work.question-import"


class TheoryTestList(ScopedQuerysetMixin, ListView):
    """Staff: the tests of their organisations; members: the tests set for them."""

    model = TheoryTest
    paginate_by = 20
    template_name = "work/theory_test_list.html"

    def get_queryset(self):
        queryset = super().get_queryset().select_related("organization").prefetch_related("groups")
        status = self.request.GET.get("status", "")
        if status in TheoryTest.Status.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = [test.pk for test in context["object_list"]]
        mine = {}
        for attempt in TestAttempt.objects.filter(test__in=page, person=self.request.user).order_by("number"):
            mine[attempt.test_id] = attempt
        for test in context["object_list"]:
            test.my_attempt = mine.get(test.pk)
        context.update( statuses=TheoryTest.Status.choices, status=self.request.GET.get("status", ""),
            can_set=scoping.managed_organizations(self.request.user).exists(),
        )
        return context


def _organizations(user):
    return scoping.managed_organizations(user).order_by("path")


class TheoryTestFormMixin:
    form_class = TheoryTestForm
    template_name = "work/theory_test_form.html"

    def get_form_kwargs(self):
        from plans.models import Topic

        user = self.request.user
        year = timezone.localdate().year
        topics = Topic.objects.filter(plan__group__in=scoping.managed_groups(user), plan__year__in=[year, year + 1]).order_by(
            "plan__group__name", "position")
        return {**super().get_form_kwargs(), "organizations": _organizations(user), "topics": topics,
                "groups": scoping.managed_groups(user).select_related("organization").order_by("organization__path", "name")}

    def fields_from(self, form):
        data = form.cleaned_data
        fields = {key: data[key] for key in (
            "title", "instructions", "opens_at", "closes_at", "time_limit_minutes", "attempts_allowed", "pass_score",
            "shuffle", "one_per_screen", "paper_mode", "draw_rules",
        )}
        return fields, list(data["groups"])


class TheoryTestCreate(TheoryTestFormMixin, PermissionRequiredMixin, FormView):
    permission_required = "work.import_online_study"  # staff who manage a group

    def get_initial(self):
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"opens_at": now, "closes_at": now + timezone.timedelta(days=7),
                "organization": _organizations(self.request.user).first()}

    def form_valid(self, form):
        fields, groups = self.fields_from(form)
        try:
            test = theory.theory_test_save(by=self.request.user, groups=groups, organization=form.cleaned_data["organization"], **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The test was saved as a draft: now add its questions."))
        return redirect(test)


class TheoryTestUpdate(TheoryTestFormMixin, ScopedObjectMixin, FormView):
    model = TheoryTest
    permission_required = "work.change_theory_test"

    def get_initial(self):
        test = self.get_object()
        initial = {key: getattr(test, key) for key in (
            "organization", "title", "instructions", "time_limit_minutes", "attempts_allowed", "pass_score", "shuffle",
            "one_per_screen", "paper_mode",
        )}
        initial["opens_at"] = timezone.localtime(test.opens_at)
        initial["closes_at"] = timezone.localtime(test.closes_at)
        initial["groups"] = list(test.groups.all())
        for n, rule in enumerate(test.draw_rules):
            for part in ("kind", "difficulty", "topic", "count", "points"):
                initial[f"rule_{n}_{part}"] = rule.get(part)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(test=self.get_object(), **kwargs)

    def form_valid(self, form):
        fields, groups = self.fields_from(form)
        try:
            test = theory.theory_test_save(by=self.request.user, test=self.get_object(), groups=groups,
                                           organization=form.cleaned_data["organization"], **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The test was saved."))
        return redirect(test)


class TheoryTestDetail(ScopedObjectMixin, DetailView):
    model = TheoryTest
    template_name = "work/theory_test_detail.html"
    context_object_name = "test"

    def get_context_data(self, **kwargs):
        test, user = self.object, self.request.user
        context = super().get_context_data(**kwargs)
        manages = user.has_perm("work.view_test_results", test)
        context.update(
            manages=manages, attempts=selectors.my_attempts(test, user), now=timezone.now(),
            groups=list(test.groups.all()),
        )
        if manages:
            context.update(paper=theory.paper_questions(test), results=selectors.test_results(test),
                           rules=theory.draw_rule_labels(test),
                           import_form=QuestionImportForm(organizations=_organizations(user)))
        return context


class TheoryTestPublish(ObjectActionView):
    model = TheoryTest
    permission_required = "work.publish_theory_test"
    title = gettext_lazy("Publish the test")
    question = gettext_lazy("Publish the test? Its members are told, and from its opening time they can take it. A published test can no longer be changed.")
    button = gettext_lazy("Publish")

    def perform(self, form):
        return theory.theory_test_publish(by=self.request.user, test=self.object)

    def get_success_message(self, test):
        return _("The test was published.")


class TheoryTestClose(ObjectActionView):
    model = TheoryTest
    permission_required = "work.change_theory_test_status"
    title = gettext_lazy("Close the test")
    question = gettext_lazy("Close the test now? Attempts still open are handed in as they are.")
    button = gettext_lazy("Close")
    button_class = "btn-danger"

    def perform(self, form):
        return theory.theory_test_close(by=self.request.user, test=self.object)

    def get_success_message(self, test):
        return _("The test was closed.")


class TheoryTestResultsExport(ScopedObjectMixin, View):
    model = TheoryTest
    permission_required = "work.view_test_results"

    def get(self, request, pk):
        test = self.get_object()
        return exports.test_results_xlsx(test, selectors.test_results(test))


# --- the bank ------------------------------------------------------------------------------------


class QuestionList(LoginRequiredMixin, ListView):
    """The questions the staff may use: their organisations' and those above, filtered."""

    paginate_by = 50
    template_name = "work/question_list.html"

    def get_queryset(self):
        queryset = Question.objects.visible_to(self.request.user).select_related("organization", "topic")
        params = self.request.GET
        if params.get("kind") in QuestionKind.values:
            queryset = queryset.filter(kind=params["kind"])
        difficulty = id_param(params.get("difficulty"))
        if difficulty in Difficulty.values:
            queryset = queryset.filter(difficulty=difficulty)
        text = (params.get("text") or "").strip()[:100]
        if text:
            queryset = queryset.filter(stem__icontains=text)
        single = id_param(params.get("q"))
        if single:
            queryset = queryset.filter(pk=single)
        return queryset.order_by("-pk")

    def get_context_data(self, **kwargs):
        test_id = id_param(self.request.GET.get("test"))
        test = TheoryTest.objects.editable_by(self.request.user).filter(pk=test_id, status="draft").first() if test_id else None
        on_paper = set(test.paper.values_list("question_id", flat=True)) if test else set()
        return super().get_context_data(kinds=QuestionKind.choices, difficulties=Difficulty.choices, test=test,
                                        on_paper=on_paper, **kwargs)


def _sweep_old_previews() -> None:
    """A preview not applied within its token's hour is abandoned: its file (exam content) goes."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(hours=2)
    try:
        _dirs, files = default_storage.listdir("question-imports")
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in files[:1000]:
        path = f"question-imports/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue


class QuestionImport(PermissionRequiredMixin, FormView):
    """Upload questions, see what was read (and every error, with where it is), then add them to
    the bank (and, from a draft test's page, to its paper). The file waits between the two steps
    under a random name, referred to by a signed token that only the uploader can use."""

    permission_required = "work.import_online_study"  # staff who manage a group
    form_class = QuestionImportForm
    template_name = "work/question_import.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organizations": _organizations(self.request.user)}

    @property
    def test(self):
        test_id = id_param(self.request.GET.get("test") or self.request.POST.get("test"))
        if not test_id:
            return None
        test = TheoryTest.objects.editable_by(self.request.user).filter(pk=test_id).first()
        if test is None or not self.request.user.has_perm("work.change_theory_test", test):
            raise PermissionDenied
        return test

    def get_context_data(self, **kwargs):
        return super().get_context_data(test=self.test, **kwargs)

    def post(self, request, *args, **kwargs):
        token = request.POST.get("token")
        if token:
            return self.apply(token)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        organization = form.cleaned_data["organization"]
        try:
            parsed, _created = theory.questions_import(by=self.request.user, organization=organization, data=data,
                                                       filename=upload.name, apply=False, test=self.test)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        _sweep_old_previews()
        suffix = upload.name.rsplit(".", 1)[-1].lower()
        name = default_storage.save(f"question-imports/{uuid.uuid4().hex}.{suffix}", ContentFile(data))
        token = signing.dumps({"name": name, "org": organization.pk, "by": self.request.user.pk, "file": upload.name},
                              salt=IMPORT_SALT)
        return self.render_to_response(self.get_context_data(form=form, parsed=parsed, token=token, organization=organization))

    def apply(self, token):
        try:
            ticket = signing.loads(token, salt=IMPORT_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(self.request, _("The preview has expired: upload the file again."))
            return redirect(self.request.get_full_path())
        if ticket["by"] != self.request.user.pk or not default_storage.exists(ticket["name"]):
            raise PermissionDenied
        organization = _organizations(self.request.user).filter(pk=ticket["org"]).first()
        if organization is None:
            raise PermissionDenied
        with default_storage.open(ticket["name"], "rb") as stream:
            data = stream.read()
        test = self.test
        try:
            _parsed, created = theory.questions_import(by=self.request.user, organization=organization, data=data,
                                                       filename=ticket["file"], apply=True, test=test)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.request.get_full_path())
        default_storage.delete(ticket["name"])
        messages.success(self.request, _("%(n)s questions were added to the bank.") % {"n": len(created)})
        return redirect(test or "work:question-list")


class QuestionTemplate(PermissionRequiredMixin, View):
    permission_required = "work.import_online_study"  # staff who manage a group

    def get(self, request):
        from members.work.questions import template_workbook
        from studygroup.documents import xlsx_response

        return xlsx_response(template_workbook(), "试题导入模板.xlsx")


# --- taking a test ---------------------------------------------------------------------------------


class AttemptStart(ScopedObjectMixin, View):
    model = TheoryTest
    permission_required = "work.take_theory_test"

    def get(self, request, pk):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        test = self.get_object()
        try:
            attempt = theory.attempt_start(by=request.user, test=test)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(test)
        return redirect(attempt)


class AttemptTake(ScopedObjectMixin, DetailView):
    """The member's paper: one question a screen (``?n=``) or all on one page; each answer is
    saved as it is given. Once handed in: the marks, and the right answers after the test closes."""

    model = TestAttempt
    permission_required = "work.view_attempt"
    template_name = "work/attempt_take.html"
    context_object_name = "attempt"

    def get_queryset(self):
        return super().get_queryset().select_related("test", "person", "group")

    def get(self, request, *args, **kwargs):
        attempt = self.get_object()
        if attempt.submitted_at is None and attempt.person_id == request.user.pk and theory.attempt_expired(attempt):
            theory.attempt_submit(by=request.user, attempt=attempt)
            messages.info(request, _("The time is up: your answers were handed in."))
            return redirect(attempt)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        attempt = self.object
        paper = selectors.attempt_paper(attempt)
        one = attempt.test.one_per_screen and attempt.submitted_at is None and self.request.GET.get("all") != "1"
        number = min(max(id_param(self.request.GET.get("n"), default=1), 1), max(len(paper), 1))
        shown = [paper[number - 1]] if one and paper else paper
        answered = sum(1 for item in paper if item["answer"] not in (None, "", []) and item["answer"] != [""] * len(item["blanks"]))
        return super().get_context_data(
            paper=shown, all_questions=paper, one=one, number=number, total=len(paper), answered=answered,
            seconds_left=max(int((attempt.deadline_at - timezone.now()).total_seconds()), 0),
            reveal=attempt.submitted_at is not None and attempt.test.closes_at <= timezone.now(),
            mine=attempt.person_id == self.request.user.pk, **kwargs,
        )


class AttemptAnswer(ScopedObjectMixin, View):
    """Save one answer (htmx posts it on each change); answers "已保存" with the time, or why not."""

    model = TestAttempt
    permission_required = "work.view_attempt"

    def post(self, request, pk):
        attempt = self.get_object()
        question_id = id_param(request.POST.get("question"))
        question = Question.objects.filter(pk=question_id).first()
        if question is None:
            return HttpResponse(_("Unknown question."), status=400)
        if question.kind == QuestionKind.MULTIPLE:
            value = request.POST.getlist("answer")
        elif question.kind == QuestionKind.BLANK:
            value = request.POST.getlist("answer")
        else:
            value = request.POST.get("answer", "")
        try:
            theory.attempt_answer(by=request.user, attempt=attempt, question_id=question.pk, value=value)
        except PermissionDenied:
            raise
        except ValidationError as error:
            response = TemplateResponse(request, "work/_answer_saved.html", {"error": " ".join(error.messages)}, status=409)
            response["HX-Refresh"] = "true" if "time" in str(error.messages).lower() or "时间" in " ".join(error.messages) else "false"
            return response
        return TemplateResponse(request, "work/_answer_saved.html", {"saved_at": timezone.localtime()})


class AttemptSubmit(ObjectActionView):
    model = TestAttempt
    permission_required = "work.view_attempt"
    title = gettext_lazy("Hand in your answers")
    button = gettext_lazy("Hand in")

    def get_question(self):
        return ""

    def get_context_data(self, **kwargs):
        attempt = self.object
        paper = selectors.attempt_paper(attempt)
        unanswered = [item["number"] for item in paper if item["answer"] in (None, "", []) or item["answer"] == [""] * len(item["blanks"])]
        question = _("Hand in your answers now? You cannot change them afterwards.")
        if unanswered:
            question += "\n" + _("Not answered: questions %(numbers)s.") % {"numbers": "、".join(map(str, unanswered))}
        return super().get_context_data(question=question, **kwargs)

    def perform(self, form):
        return theory.attempt_submit(by=self.request.user, attempt=self.object)

    def get_success_message(self, attempt):
        return _("Your answers were handed in.")


class AttemptMark(ScopedObjectMixin, FormView):
    """Staff mark an attempt's short answers: points (within the question's) and a comment."""

    model = TestAttempt
    permission_required = "work.mark_attempt"
    template_name = "work/attempt_mark.html"

    def get_form(self, form_class=None):
        attempt = self.get_object()
        form = forms.Form(self.request.POST or None)
        self.paper = [item for item in selectors.attempt_paper(attempt) if item["question"].kind == QuestionKind.SHORT]
        for item in self.paper:
            pk = item["question"].pk
            mark = item["mark"] or {}
            form.fields[f"points_{pk}"] = forms.DecimalField(
                label=_("Points (of %(max)s)") % {"max": item["points"]}, min_value=0, max_value=Decimal(item["points"]),
                decimal_places=1, initial=mark.get("points"))
            form.fields[f"comment_{pk}"] = forms.CharField(label=_("Comment"), required=False, max_length=1000,
                                                           initial=mark.get("comment", ""), widget=forms.Textarea(attrs={"rows": 2}))
            item["points_field"], item["comment_field"] = form[f"points_{pk}"], form[f"comment_{pk}"]
        return form

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"] = self.get_form()
        return super().get_context_data(attempt=self.get_object(), paper=self.paper, **kwargs)

    def form_valid(self, form):
        marks = {}
        for item in self.paper:
            pk = item["question"].pk
            try:
                points = Decimal(form.cleaned_data[f"points_{pk}"])
            except (InvalidOperation, TypeError):
                points = None
            marks[pk] = (points, form.cleaned_data[f"comment_{pk}"])
        try:
            attempt = theory.attempt_mark(by=self.request.user, attempt=self.get_object(), marks=marks)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Marked: %(score)s of %(max)s.") % {"score": attempt.score, "max": attempt.max_score})
        return redirect(attempt.test)


class PaperQuestionRemove(ScopedObjectMixin, View):
    """Take a question off a draft test's paper (it stays in the bank)."""

    model = TheoryTest
    permission_required = "work.change_theory_test"

    def post(self, request, pk):
        test = self.get_object()
        theory.paper_question_remove(by=request.user, test=test, item_id=id_param(request.POST.get("item"), default=0))
        return redirect(test.get_absolute_url() + "#paper")


class PaperQuestionAdd(ScopedObjectMixin, View):
    """Put a bank question on a draft test's paper (from the bank's list)."""

    model = TheoryTest
    permission_required = "work.change_theory_test"

    def post(self, request, pk):
        test = self.get_object()
        question = Question.objects.visible_to(request.user).filter(pk=id_param(request.POST.get("question"))).first()
        if question is None:
            raise PermissionDenied
        theory.paper_question_add(by=request.user, test=test, question=question)
        messages.success(request, _("Added to the paper of “%(test)s”.") % {"test": test.title})
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            target = test.get_absolute_url()
        return redirect(target)
