"""View mixins every app uses: objects come only through the scoping querysets.

Out of scope answers 404 (an id reveals nothing); in scope but the action not allowed answers
403 in the site layout.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import get_object_or_404

VIEW = "view"
EDIT = "edit"


class ScopedQuerysetMixin(LoginRequiredMixin):
    """``get_queryset`` is the model's ``visible_to(user)``; lists and details start from it."""

    model = None

    def scoped_manager(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model.")
        return self.model._default_manager

    def get_queryset(self):
        return self.scoped_manager().visible_to(self.request.user)


class ScopedObjectMixin(ScopedQuerysetMixin):
    """Fetch one object in scope; with ``requires = EDIT`` the user must also manage it."""

    requires = VIEW
    pk_url_kwarg = "pk"

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        # Outside the visible scope is the same as not existing: 404.
        obj = get_object_or_404(queryset, pk=self.kwargs[self.pk_url_kwarg])
        if self.requires == EDIT:
            self.check_editable(obj)
        return obj

    def check_editable(self, obj):
        editable = self.scoped_manager().editable_by(self.request.user)
        if not editable.filter(pk=obj.pk).exists():
            raise PermissionDenied


class ManagesSomethingMixin(LoginRequiredMixin):
    """For pages that create things: only people who manage some group may open them."""

    def dispatch(self, request, *args, **kwargs):
        from members import scoping

        if request.user.is_authenticated and not scoping.managed_organizations(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PdfOnPostMixin:
    """Building a PDF takes the server seconds (WeasyPrint): it happens on a POST, from a button,
    never on a GET. A GET of the address (an old link, a bookmark, a link preview) answers with a
    small page holding that button. The view gives ``pdf_response()`` (called on POST) and may
    give ``pdf_title()`` and ``pdf_back_url()`` for that page."""

    pdf_page_template = "documents/pdf_button.html"

    def pdf_response(self):
        raise NotImplementedError

    def pdf_title(self) -> str:
        return ""

    def pdf_back_url(self) -> str:
        return ""

    def get(self, request, *args, **kwargs):
        from django.template.response import TemplateResponse

        return TemplateResponse(request, self.pdf_page_template, {
            "title": self.pdf_title(), "back_url": self.pdf_back_url(), "action": request.get_full_path(),
        })

    def post(self, request, *args, **kwargs):
        return self.pdf_response()
