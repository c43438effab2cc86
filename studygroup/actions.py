"""One view for "ask, call a service, report the result", which every app's actions use.

GET shows a confirmation page (``action.html``) about one object; POST calls the subclass's
``perform(form)``, which calls a service. Success: a message and a redirect to the object's page.
A ``ValidationError`` from the service goes back on the form (what was typed stays), never a 500.

The object comes through ``ScopedObjectMixin``: out of the user's scope answers 404, in scope but
``permission_required`` (django-rules, on the object) refused answers 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from studygroup.forms import ConfirmForm, apply_validation_error
from studygroup.mixins import ScopedObjectMixin


class ServiceFormMixin:
    """For a FormView: ``form_valid`` calls ``perform(form)`` (the service); a ValidationError goes
    back on the form, else the success message and ``success_response(result)``."""

    success_message = ""

    def perform(self, form):
        """Call the service; return what the success hooks may need (often the changed object)."""
        raise NotImplementedError(f"{type(self).__name__} needs perform(form).")

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return self.success_response(result)

    def get_success_message(self, result) -> str:
        return self.success_message

    def success_response(self, result):
        return redirect(self.get_success_url(result))


class ObjectActionView(ServiceFormMixin, ScopedObjectMixin, FormView):
    """Subclasses give ``model`` (or ``get_queryset``), ``permission_required``, the page's words
    and ``perform(form)``. Hooks for what only some actions need:

    - ``note_field`` / ``note_label`` / ``note_required``: the confirmation also asks for a note
      (a comment, a reason), posted under that name;
    - ``context_object_name``: the object is also in the template under that name ("plan");
    - ``summary_template`` / ``nav_template``: a partial describing the object, an app's tabs;
    - ``get_success_message(result)``, ``get_success_url(result)``, ``success_response(result)``:
      what follows a success (``result`` is what ``perform`` returned).
    """

    template_name = "action.html"
    form_class = ConfirmForm
    title = ""
    question = ""
    button = _("Confirm")
    button_class = "btn-party"
    cancel_label = None  # the link back: "Cancel" unless the view names it
    note_field: str | None = None
    note_label = None
    note_required = False
    context_object_name: str | None = None
    summary_template: str | None = None
    nav_template: str | None = None

    @cached_property
    def object(self):
        return self.get_object()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object  # noqa: B018 - 404 or 403 before anything else happens
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), ConfirmForm):
            kwargs.update(note_field=self.note_field, note_label=self.note_label, note_required=self.note_required)
        return kwargs

    def get_context_data(self, **kwargs):
        context = {
            "object": self.object, "title": self.title, "question": self.question, "button": self.button,
            "button_class": self.button_class, "cancel_url": self.get_cancel_url(), "cancel_label": self.cancel_label,
            "summary_template": self.summary_template, "nav_template": self.nav_template,
        }
        if self.context_object_name:
            context[self.context_object_name] = self.object
        return super().get_context_data(**{**context, **kwargs})

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def get_success_url(self, result=None) -> str:
        return self.object.get_absolute_url()
