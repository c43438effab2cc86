"""Files of members that can be downloaded (see studygroup.downloads): the roster an importer
uploaded, theirs alone."""

from members.models import RosterImport
from studygroup import downloads

ROSTER_FILE = downloads.register(downloads.FileDownload(
    model=RosterImport,
    field="file",
    url_name="members:roster-import-file",
    original_name=lambda record: record.original_name,
    organization=lambda record: record.created_by.organization,
    select_related=("created_by__organization",),
))
