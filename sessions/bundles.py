"""学习资料汇编: a meeting's current materials as one PDF, with a cover and a table of contents.

Each material becomes pages: a PDF as it is, a picture on a page of its own, a Word, Excel or
PowerPoint file converted by LibreOffice when the server has it (``soffice`` headless, a
throwaway profile, a time limit, in a folder of its own; LibreOffice opens no network
connection for a conversion). What cannot be merged (a link, a text file, an encrypted PDF, an
office file without LibreOffice, a conversion that fails) is listed on the contents page with
the reason, so nothing is silently missing. The pages are counted first, then the cover and
contents are laid out with the page each material starts on.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from studygroup import documents, filetypes

logger = logging.getLogger(__name__)

#: Seconds LibreOffice may take to convert one file.
CONVERT_TIMEOUT = 120
OFFICE_TYPES = ("docx", "doc", "xlsx", "xls", "pptx", "ppt")


@dataclass
class Part:
    material: object
    pdf: bytes | None = None
    pages: int = 0
    start: int = 0  # the page of the bundle it starts on
    reason: str = ""  # why it was left out
    extra: dict = field(default_factory=dict)


def _type_key(material) -> str | None:
    suffix = Path(material.file.name or "").suffix.lower()
    for key, kind in filetypes.FILE_TYPES.items():
        if suffix in kind.extensions:
            return key
    return None


def libreoffice_available() -> bool:
    return shutil.which("soffice") is not None


def office_to_pdf(data: bytes, suffix: str) -> bytes:
    """Convert an office file with LibreOffice headless, in a throwaway folder and profile."""
    with tempfile.TemporaryDirectory(prefix="bundle-") as folder:
        source = Path(folder) / f"material{suffix}"
        source.write_bytes(data)
        subprocess.run(
            ["soffice", "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation=file://{folder}/profile",
             "--convert-to", "pdf", "--outdir", folder, str(source)],
            capture_output=True, timeout=CONVERT_TIMEOUT, check=True, cwd=folder,
            env={"HOME": folder, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        return (Path(folder) / "material.pdf").read_bytes()


def _picture_pdf(material, data: bytes) -> bytes:
    import base64

    content_type = filetypes.content_type_for(material.file.name)
    source = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
    page = (
        "<html><head><style>@page { size: A4; margin: 15mm; } body { margin: 0; text-align: center; }"
        "img { max-width: 100%; max-height: 260mm; }</style></head><body>"
        f'<img src="{source}" alt=""></body></html>'
    )
    return documents.html_to_pdf(page)


def _part_of(material) -> Part:
    from pypdf import PdfReader

    part = Part(material)
    if not material.file:
        part.reason = _("a link: open it online")
        return part
    key = _type_key(material)
    with material.file.open("rb") as handle:
        data = handle.read()
    try:
        if key == "pdf":
            part.pdf = data
        elif key in filetypes.IMAGE_TYPES:
            part.pdf = _picture_pdf(material, data)
        elif key in OFFICE_TYPES:
            if not libreoffice_available():
                part.reason = _("a Word, Excel or PowerPoint file: the server has no LibreOffice to convert it; download it on its own")
                return part
            part.pdf = office_to_pdf(data, Path(material.file.name).suffix.lower())
        else:
            part.reason = _("this kind of file is not merged; download it on its own")
            return part
        reader = PdfReader(io.BytesIO(part.pdf))
        if reader.is_encrypted:
            part.pdf, part.reason = None, _("the PDF is protected by a password; download it on its own")
            return part
        part.pages = len(reader.pages)
    except Exception as error:  # a broken or hostile file costs its own place, never the bundle
        logger.warning("material %s could not be merged: %s", material.pk, error)
        part.pdf, part.pages = None, 0
        part.reason = _("the file could not be converted; download it on its own")
    return part


def bundle_pdf(meeting, materials, *, progress=lambda value: None) -> tuple[bytes, int, list[dict]]:
    """(pdf, pages, left out) of the meeting's materials. ``progress(percent)`` is told as the
    parts are made."""
    from pypdf import PdfReader, PdfWriter

    parts = []
    for index, material in enumerate(materials, start=1):
        parts.append(_part_of(material))
        progress(10 + int(70 * index / max(len(materials), 1)))

    def front(offset: int) -> bytes:
        page = offset + 1
        for part in parts:
            if part.pdf is not None:
                part.start = page
                page += part.pages
        return documents.render_pdf("meetings/material_bundle_front.html", {
            "meeting": meeting, "parts": parts, "generated_at": timezone.localtime(),
            "document_title": _("Study materials: %(title)s") % {"title": meeting.title},
        })

    # The contents gives each material's first page, which depends on how long the cover and
    # contents are: lay them out, count, and lay them out again if that changed the count.
    cover = front(0)
    cover_pages = len(PdfReader(io.BytesIO(cover)).pages)
    cover = front(cover_pages)
    if len(PdfReader(io.BytesIO(cover)).pages) != cover_pages:
        cover_pages = len(PdfReader(io.BytesIO(cover)).pages)
        cover = front(cover_pages)
    progress(90)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for part in parts:
        if part.pdf is not None:
            writer.append(PdfReader(io.BytesIO(part.pdf)), outline_item=part.material.title)
    writer.add_metadata({"/Title": _("Study materials: %(title)s") % {"title": meeting.title}})
    buffer = io.BytesIO()
    writer.write(buffer)
    left_out = [{"title": part.material.title, "reason": str(part.reason)} for part in parts if part.pdf is None]
    return buffer.getvalue(), len(writer.pages), left_out
