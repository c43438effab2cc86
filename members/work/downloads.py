"""Files of members' own work that can be downloaded (see studygroup.downloads)."""

from members.work.models import CompilationBuild, MemberWork, OnlineStudyImport
from studygroup import downloads

WORK_ATTACHMENT = downloads.register(downloads.FileDownload(
    model=MemberWork,
    field="attachment",
    url_name="work:work-attachment",
    original_name=lambda work: work.attachment_original_name,
    organization=lambda work: work.group.organization,
    select_related=("group__organization",),
))


def _compilation_name(build) -> str:
    from members.work.exports import compilation_filename

    return compilation_filename(build.group, build.year)


COMPILATION_FILE = downloads.register(downloads.FileDownload(
    model=CompilationBuild,
    field="file",
    url_name="work:compilation-download",
    original_name=_compilation_name,
    organization=lambda build: build.group.organization,
    audit_object=lambda build: build.group,
    may_download=lambda build, user: build.status == CompilationBuild.Status.DONE and user.has_perm("work.export_group_work", build.group),
    select_related=("group__organization",),
))


ONLINE_STUDY_FILE = downloads.register(downloads.FileDownload(
    model=OnlineStudyImport,
    field="file",
    url_name="work:online-study-import-file",
    original_name=lambda record: record.original_name,
    organization=lambda record: record.created_by.organization,
    select_related=("created_by__organization",),
))
