"""Files out: the one scoped download view and the registry of downloadable file fields.

No uploaded or built file has a public URL. Each app declares in its ``downloads.py`` which
model's file field may be downloaded, how its objects are scoped and what the file is called::

    MATERIAL_FILE = downloads.register(downloads.FileDownload(
        model=Material, field="file", url_name="meetings:material-download",
        original_name=lambda material: material.original_name,
        organization=lambda material: material.group.organization,
        select_related=("group__organization",),
    ))

and its ``urls.py`` points a URL at the one view class::

    path("materials/<int:pk>/", ScopedFileDownload.as_view(file=MATERIAL_FILE.key), name="material-download")

The view finds the object in ``visible_to(user)`` (out of scope: 404), records the download in
the audit trail and answers through ``serve``: the original name (RFC 5987 for Chinese),
``attachment`` (images inline), ``nosniff``, a sandboxing CSP, and the body streamed by
django-sendfile2 (in production nginx sends it from an ``internal`` location, X-Accel-Redirect).
A test fails when a model has a file field that is not registered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from studygroup import filetypes
from studygroup.documents import content_disposition
from studygroup.signals import audit_event

# Shown in the browser rather than downloaded: pictures only. PDFs are downloaded: browsers'
# PDF viewers do not run in a sandboxed document.
INLINE_CONTENT_TYPES = {filetypes.FILE_TYPES[key].content_type for key in filetypes.IMAGE_TYPES}
SANDBOX_CSP = "sandbox; default-src 'none'"


@dataclass(frozen=True)
class FileDownload:
    """How one model's file field is downloaded.

    ``visible_to(user)`` is the queryset of objects whose file the user may download (default:
    the model's ``visible_to``); ``may_download(obj, user)`` a further rule (False: 404);
    ``organization(obj)`` the organisation the audit entry is filed under; ``audit_object(obj)``
    the object it names (default: the object itself)."""

    model: type
    original_name: Callable[[Any], str]
    organization: Callable[[Any], Any]
    field: str = "file"
    url_name: str | None = None
    visible_to: Callable[[Any], Any] | None = None
    may_download: Callable[[Any, Any], bool] | None = None
    audit_object: Callable[[Any], Any] | None = None
    select_related: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.model._meta.concrete_model._meta.label_lower}.{self.field}"

    def queryset(self, user):
        if self.visible_to is not None:
            queryset = self.visible_to(user)
        else:
            queryset = self.model._default_manager.visible_to(user)
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def url(self, obj) -> str | None:
        if self.url_name is None:
            return None
        return reverse(self.url_name, kwargs={"pk": obj.pk})

    def name_of(self, obj) -> str:
        stored = getattr(obj, self.field)
        name = self.original_name(obj) or ""
        if not name:
            name = filetypes.clean_original_name(stored.name)
        return name


REGISTRY: dict[str, FileDownload] = {}


def register(download: FileDownload) -> FileDownload:
    REGISTRY[download.key] = download
    return download


def entry_for(model, field: str) -> FileDownload | None:
    """The entry of a model's file field (a proxy model, e.g. a kind of members' work, shares
    its concrete model's)."""
    return REGISTRY.get(f"{model._meta.concrete_model._meta.label_lower}.{field}")


def url_for(obj, field: str = "file") -> str | None:
    """The download URL of ``obj``'s file field (None when it has no file)."""
    entry = entry_for(type(obj), field)
    if entry is None or not getattr(obj, field):
        return None
    return entry.url(obj)


def serve(request, obj, entry: FileDownload, *, filename: str | None = None):
    """The response for ``obj``'s stored file. The caller has checked the scope. Recorded in
    the audit trail as a download of ``audit_object(obj)``."""
    from django_sendfile import sendfile

    stored = getattr(obj, entry.field)
    if not stored:
        raise Http404
    name = filename or entry.name_of(obj)
    content_type = filetypes.content_type_for(stored.name)
    inline = content_type in INLINE_CONTENT_TYPES
    audit_event.send(
        sender=type(obj), action="download", request=request,
        obj=entry.audit_object(obj) if entry.audit_object else obj,
        organization=entry.organization(obj), detail=name,
    )
    try:
        path = stored.path
    except NotImplementedError:
        # Storage without local paths (object storage): stream it through the app.
        response = FileResponse(stored.open("rb"), content_type=content_type)
    else:
        response = sendfile(request, path, attachment=not inline, mimetype=content_type)
        if "Content-Encoding" in response:
            del response["Content-Encoding"]
    response["Content-Type"] = content_type
    response["Content-Disposition"] = content_disposition(name, as_attachment=not inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-cache"
    return response


class ScopedFileDownload(LoginRequiredMixin, View):
    """The one download view: ``file`` is a registry key (``app_label.model.field``)."""

    file: str = ""

    def get_entry(self) -> FileDownload:
        return REGISTRY[self.file]

    def get(self, request, *args, **kwargs):
        entry = self.get_entry()
        obj = get_object_or_404(entry.queryset(request.user), pk=kwargs["pk"])
        if entry.may_download is not None and not entry.may_download(obj, request.user):
            raise Http404
        return serve(request, obj, entry)


def unregistered_file_fields() -> list[str]:
    """File fields of the project's models that have no download entry (history tables keep
    paths only and are not served)."""
    from django.db.models import FileField

    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in {"members", "work", "notifications", "plans", "meetings", "reports", "audit", "studygroup"}:
            continue
        if model.__name__.startswith("Historical"):
            continue
        for model_field in model._meta.get_fields():
            if isinstance(model_field, FileField) and entry_for(model, model_field.name) is None:
                missing.append(f"{model._meta.label}.{model_field.name}")
    return missing
