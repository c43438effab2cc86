"""The file types the application knows, by content key, and what a stored file's name says
(its clean original name, its content type). Shared by the upload validator (files in,
``studygroup.uploads``) and the download view (files out, ``studygroup.downloads``)."""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import pgettext_lazy

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class FileType:
    key: str
    family: str  # shown to people: PDF, Word, image...
    extensions: tuple[str, ...]
    content_type: str


FILE_TYPES: dict[str, FileType] = {
    t.key: t
    for t in [
        FileType("pdf", "PDF", (".pdf",), "application/pdf"),
        FileType("docx", "Word", (".docx",), DOCX),
        FileType("doc", "Word", (".doc",), "application/msword"),
        FileType("xlsx", "Excel", (".xlsx",), XLSX),
        FileType("xls", "Excel", (".xls",), "application/vnd.ms-excel"),
        FileType("pptx", "PowerPoint", (".pptx",), PPTX),
        FileType("ppt", "PowerPoint", (".ppt",), "application/vnd.ms-powerpoint"),
        FileType("png", pgettext_lazy("file type", "image"), (".png",), "image/png"),
        FileType("jpeg", pgettext_lazy("file type", "image"), (".jpg", ".jpeg"), "image/jpeg"),
        FileType("gif", pgettext_lazy("file type", "image"), (".gif",), "image/gif"),
        FileType("webp", pgettext_lazy("file type", "image"), (".webp",), "image/webp"),
        FileType("txt", pgettext_lazy("file type", "text"), (".txt",), "text/plain"),
        FileType("csv", "CSV", (".csv",), "text/csv"),
    ]
}
TEXT_TYPES = ("txt", "csv")
IMAGE_TYPES = ("png", "jpeg", "gif", "webp")


def clean_original_name(name) -> str:
    """The user's file name as data: no folders, no control or direction characters (a
    right-to-left override can make ``gpj.exe`` read as ``exe.jpg``), at most 255 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".").strip() or "file"
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name


def content_type_for(path: str) -> str:
    """The content type of a stored file, from its (checked) extension; anything else is
    served as bytes to download."""
    suffix = PurePosixPath(str(path)).suffix.lower()
    for file_type in FILE_TYPES.values():
        if suffix in file_type.extensions:
            return file_type.content_type
    return "application/octet-stream"
