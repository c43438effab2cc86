"""Files of members' own work that can be downloaded (see studygroup.downloads)."""

from members.work.models import MemberWork
from studygroup import downloads

WORK_ATTACHMENT = downloads.register(downloads.FileDownload(
    model=MemberWork,
    field="attachment",
    url_name="work:work-attachment",
    original_name=lambda work: work.attachment_original_name,
    organization=lambda work: work.group.organization,
    select_related=("group__organization",),
))
