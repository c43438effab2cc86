"""Files of meetings that can be downloaded (see studygroup.downloads)."""

from sessions.models import Material
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
