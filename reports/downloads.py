"""Files of reports that can be downloaded (see studygroup.downloads): rectification evidence,
and the built PDFs of reviews, bulletins and 述学 (served by each document's PDF view)."""

from reports import selectors
from reports.models import Bulletin, DocumentBuild, RectificationEvidence
from studygroup import downloads

EVIDENCE_FILE = downloads.register(downloads.FileDownload(
    model=RectificationEvidence,
    field="file",
    url_name="reports:evidence-download",
    original_name=lambda evidence: evidence.original_name,
    organization=lambda evidence: evidence.item.group.organization,
    audit_object=lambda evidence: evidence.item,
    select_related=("item__group__organization",),
))


def build_document(build: DocumentBuild):
    """The review, bulletin or 述学 the build belongs to (the PDF view hands it over)."""
    document = getattr(build, "_document", None)
    if document is None:
        document = build._document = selectors.build_document(build)
    return document


def _document_organization(build: DocumentBuild):
    document = build_document(build)
    if isinstance(document, Bulletin):
        return document.organization
    return document.group.organization


def _build_name(build: DocumentBuild) -> str:
    from reports import documents

    return documents.filename(build_document(build), "pdf")


DOCUMENT_BUILD_FILE = downloads.register(downloads.FileDownload(
    model=DocumentBuild,
    field="file",
    url_name=None,  # served at the document's own PDF address (reports.views.DocumentPdf)
    original_name=_build_name,
    organization=_document_organization,
    audit_object=build_document,
))
