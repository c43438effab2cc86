"""View mixins every app uses: objects come only through the scoping querysets, actions are
allowed by the django-rules predicates of each app's ``rules.py``.

Out of scope answers 404 (an id reveals nothing): the object is fetched from ``visible_to``.
In scope but the action not allowed answers 403 in the site layout: ``permission_required``
names the permission (``<app_label>.<verb>_<thing>``) checked on that object.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import get_object_or_404

from studygroup.pagination import CappedPaginator

VIEW = "view"
EDIT = "edit"


class ScopedQuerysetMixin(LoginRequiredMixin):
    """``get_queryset`` is the model's ``visible_to(user)``; lists and details start from it."""

    model = None
    paginator_class = CappedPaginator  # lists: see studygroup.pagination

    def scoped_manager(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model.")
        return self.model._default_manager

    def get_queryset(self):
        return self.scoped_manager().visible_to(self.request.user)


def require_perm(user, permission: str, obj=None) -> None:
    """Raise PermissionDenied unless ``user`` has ``permission`` (on ``obj``): for services,
    checked before they write."""
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied


class ScopedObjectMixin(ScopedQuerysetMixin):
    """Fetch one object in scope (else 404), then check ``permission_required`` on it (else 403).

    ``requires = EDIT`` (the older form) asks that the object be in the model's
    ``editable_by(user)``; a view names a permission instead where a predicate decides."""

    permission_required: str | None = None
    requires = VIEW
    pk_url_kwarg = "pk"
    # The attribute the view's code and template name its object by (e.g. "meeting"): loaded and
    # checked once as the request comes in, whatever the method, before anything else runs.
    object_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.object_name and request.user.is_authenticated:
            obj = self.get_object()
            setattr(self, self.object_name, obj)
            self.object_loaded(obj)
        return super().dispatch(request, *args, **kwargs)

    def object_loaded(self, obj) -> None:
        """Called once the object is in scope and allowed: the place to load what the view
        derives from it (the speech's meeting) or to refuse (raise Http404/PermissionDenied)."""

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        # Outside the visible scope is the same as not existing: 404.
        obj = get_object_or_404(queryset, pk=self.kwargs[self.pk_url_kwarg])
        self.check_object_permission(obj)
        return obj

    def check_object_permission(self, obj):
        if self.permission_required:
            require_perm(self.request.user, self.permission_required, obj)
        elif self.requires == EDIT:
            self.check_editable(obj)

    def check_editable(self, obj):
        editable = self.scoped_manager().editable_by(self.request.user)
        if not editable.filter(pk=obj.pk).exists():
            raise PermissionDenied


class PermissionRequiredMixin(LoginRequiredMixin):
    """For pages not about one object (creating things): ``permission_required`` is checked
    without an object, e.g. ``plans.add_plan`` (the user manages some group)."""

    permission_required: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.permission_required is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs permission_required.")
        if request.user.is_authenticated:
            require_perm(request.user, self.permission_required)
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
