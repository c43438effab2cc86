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
