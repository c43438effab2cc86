"""Files of meetings that can be downloaded (see studygroup.downloads)."""

from sessions.models import ArchiveBuild, Material, MaterialBundle
from studygroup import downloads


def _material_may_download(material: Material, user) -> bool:
    """A withdrawn material is no longer handed out: only staff managing the group still open it."""
    return material.withdrawn_at is None or user.has_perm("meetings.see_withdrawn_material", material)


MATERIAL_FILE = downloads.register(downloads.FileDownload(
    model=Material,
    field="file",
    url_name="meetings:material-download",
    original_name=lambda material: material.original_name,
    organization=lambda material: material.group.organization,
    may_download=_material_may_download,
    select_related=("group__organization",),
))


def _bundle_name(bundle) -> str:
    from django.utils.translation import gettext as _

    return f"{_('Study materials: %(title)s') % {'title': bundle.meeting.title}}.pdf"


BUNDLE_FILE = downloads.register(downloads.FileDownload(
    model=MaterialBundle,
    field="file",
    url_name="meetings:material-bundle-download",
    original_name=_bundle_name,
    organization=lambda bundle: bundle.meeting.group.organization,
    audit_object=lambda bundle: bundle.meeting,
    may_download=lambda bundle, user: bundle.status == MaterialBundle.Status.DONE,
    select_related=("meeting__group__organization",),
))


def _archive_name(build) -> str:
    from sessions.exports import archive_filename

    return archive_filename(build.meeting)


ARCHIVE_FILE = downloads.register(downloads.FileDownload(
    model=ArchiveBuild,
    field="file",
    url_name="meetings:archive-build-download",
    original_name=_archive_name,
    organization=lambda build: build.meeting.group.organization,
    audit_object=lambda build: build.meeting,
    may_download=lambda build, user: build.status == ArchiveBuild.Status.DONE,
    select_related=("meeting__group__organization",),
))
