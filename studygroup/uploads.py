"""Files in: the one validator every upload goes through.

Each upload field has a policy (``UPLOAD_POLICIES``): the types it accepts and the setting that
caps its size. A file is judged by its content, never by its name or the browser's type:

1. its size against the field's cap (bigger request bodies were already refused from their
   Content-Length, before a byte was read: ``UploadSizeLimitMiddleware``);
2. what it really is: signatures (``filetype``), a look inside zip archives (Office Open XML)
   and old Office files (OLE), and for text the encoding and no markup (HTML, SVG, XML) and no
   script;
3. Office files are zip archives: at most ``UPLOAD_ZIP_MAX_ENTRIES`` parts and
   ``UPLOAD_ZIP_MAX_UNPACKED_MB`` unpacked (zip bombs), ``[Content_Types].xml`` names the main
   part, which must be there, no macros, and every XML part is parsed with ``defusedxml`` (no DTD,
   no entities: billion laughs and external entities are refused);
4. the name's extension must agree with the content (an ``.exe`` renamed ``.pdf`` is a program).

Forms use ``UploadField(upload="<policy>")``; services call ``check_upload(...)`` (a second call
on the same upload reuses the first answer). A new upload field adds its policy below and a
``<NAME>_MAX_UPLOAD_MB`` setting.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from uuid import uuid4
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from studygroup.filetypes import (  # noqa: F401 (uploads.FILE_TYPES etc. are used by name)
    DOCX,
    FILE_TYPES,
    IMAGE_TYPES,
    PPTX,
    TEXT_TYPES,
    XLSX,
    FileType,
    clean_original_name,
    content_type_for,
)

# What a refused file really is, for the message.
REFUSED_KINDS = {
    "html": gettext_lazy("a web page (HTML)"),
    "svg": gettext_lazy("an SVG image"),
    "xml": gettext_lazy("an XML file"),
    "executable": gettext_lazy("a program (executable)"),
    "script": gettext_lazy("a script"),
    "archive": gettext_lazy("a compressed archive"),
    "macro": gettext_lazy("an Office file with macros"),
    "text": gettext_lazy("a text file"),
}


@dataclass(frozen=True)
class UploadPolicy:
    """What one upload field accepts: its types, and the setting that caps its size in MB."""

    types: tuple[str, ...]
    max_mb_setting: str
    # A sentence added to the refusal when the file is of this kind (e.g. an old .doc for the
    # plan import, which reads .docx only).
    hints: dict[str, str] = field(default_factory=dict)

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, self.max_mb_setting)) * 1024 * 1024

    @property
    def max_mb(self) -> int:
        return int(getattr(settings, self.max_mb_setting))

    @property
    def extensions(self) -> list[str]:
        return [ext for key in self.types for ext in FILE_TYPES[key].extensions]


OFFICE_AND_IMAGES = ("pdf", "docx", "doc", "xlsx", "xls", "pptx", "ppt", "png", "jpeg", "gif", "webp", "txt")
UPLOAD_POLICIES: dict[str, UploadPolicy] = {
    # 学习资料汇编: documents, slides, scans and photos, plain text.
    "material": UploadPolicy(OFFICE_AND_IMAGES, "MATERIAL_MAX_UPLOAD_MB"),
    # A member's research report or published article as a file.
    "work_attachment": UploadPolicy(OFFICE_AND_IMAGES, "WORK_ATTACHMENT_MAX_UPLOAD_MB"),
    # Evidence of a rectification: photos, minutes, documents, tables.
    "evidence": UploadPolicy(OFFICE_AND_IMAGES, "EVIDENCE_MAX_UPLOAD_MB"),
    # 花名册: read by members.roster, which knows .xlsx and .csv (UTF-8 or GBK).
    "roster_import": UploadPolicy(
        ("xlsx", "csv"), "ROSTER_IMPORT_MAX_UPLOAD_MB",
        hints={"xls": gettext_lazy("Old .xls files cannot be read: save the file as .xlsx in Excel or WPS and upload that.")},
    ),
    # 学习强国 / 干部网络学院 exports: read by members.work.online with the roster's reader.
    "online_study_import": UploadPolicy(
        ("xlsx", "csv"), "ROSTER_IMPORT_MAX_UPLOAD_MB",
        hints={"xls": gettext_lazy("Old .xls files cannot be read: save the file as .xlsx in Excel or WPS and upload that.")},
    ),
    # A theory test's questions: read by members.work.questions (Word, text, the Excel template).
    "question_import": UploadPolicy(
        ("docx", "txt", "xlsx", "csv"), "PLAN_IMPORT_MAX_UPLOAD_MB",
        hints={"doc": gettext_lazy("Old .doc files cannot be read: save the file as .docx in Word and upload that.")},
    ),
    # The annual plan to import: read by plans.importer, which knows .docx and .txt.
    "plan_import": UploadPolicy(
        ("docx", "txt"), "PLAN_IMPORT_MAX_UPLOAD_MB",
        hints={"doc": gettext_lazy("Old .doc files cannot be read: save the file as .docx in Word and upload that.")},
    ),
}


def largest_upload_mb() -> int:
    return max(policy.max_mb for policy in UPLOAD_POLICIES.values())


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed: what it is and the name the user gave it."""

    file_type: FileType
    original_name: str
    extension: str  # the name's own extension, lower case; it agrees with the content
    size: int

    @property
    def content_type(self) -> str:
        return self.file_type.content_type


def random_upload_path(prefix: str, filename: str) -> str:
    """``<prefix>/<yyyy>/<uuid4 hex>.<ext>``: stored names say nothing about the file; the
    user's name is kept in the database."""
    suffix = PurePosixPath(str(filename)).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"{prefix}/{timezone.now():%Y}/{uuid4().hex}{suffix}"


# --- messages ---------------------------------------------------------------------------------


def allowed_types_text(policy: UploadPolicy) -> str:
    """``PDF (.pdf), Word (.docx, .doc), image (.png, .jpg, .jpeg)``: families in order."""
    families: dict[str, list[str]] = {}
    for key in policy.types:
        file_type = FILE_TYPES[key]
        families.setdefault(str(file_type.family), []).extend(file_type.extensions)
    separator = pgettext("list separator", ", ")
    return separator.join(
        _("%(family)s (%(extensions)s)") % {"family": family, "extensions": separator.join(extensions)}
        for family, extensions in families.items()
    )


def upload_help_text(upload: str) -> str:
    policy = UPLOAD_POLICIES[upload]
    return _("Allowed types: %(allowed)s; at most %(mb)s MB.") % {
        "allowed": allowed_types_text(policy), "mb": policy.max_mb,
    }


def _kind_label(kind: str) -> str:
    if kind in FILE_TYPES:
        file_type = FILE_TYPES[kind]
        return _("a %(family)s file (%(extension)s)") % {
            "family": file_type.family, "extension": file_type.extensions[0],
        }
    if kind in REFUSED_KINDS:
        return str(REFUSED_KINDS[kind])
    return _("a %(extension)s file") % {"extension": "." + kind.removeprefix("other:")}


class UploadRefused(Exception):
    """Raised inside the check; turned into one ValidationError with the file's name."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _message(code: str, policy: UploadPolicy, name: str, params: dict) -> str:
    shown = name if len(name) <= 60 else name[:40] + "…" + name[-15:]
    values = {"name": shown, "allowed": allowed_types_text(policy), "max": policy.max_mb, **params}
    if "kind" in params:
        values["kind"] = _kind_label(params["kind"])
    messages = {
        "too_large": _("“%(name)s” is %(size)s; files here can be at most %(max)s MB."),
        "empty": _("“%(name)s” is empty."),
        "type_not_allowed": _("“%(name)s” is %(kind)s, which cannot be uploaded here. Allowed types: %(allowed)s."),
        "unknown_type": _(
            "The type of “%(name)s” could not be recognised; it cannot be uploaded here. Allowed types: %(allowed)s."
        ),
        "extension_mismatch": _(
            "“%(name)s” is named %(extension)s but it is %(kind)s. Give it the right extension (%(expected)s) "
            "or choose the right file."
        ),
        "too_many_parts": _("“%(name)s” has more than %(count)s parts inside; it cannot be accepted."),
        "unpacked_too_large": _("“%(name)s” unpacks to more than %(unpacked)s MB; it cannot be accepted."),
        "unsafe_xml": _(
            "“%(name)s” contains XML with a DTD or entity declarations, which Office files never need; "
            "it cannot be accepted."
        ),
        "damaged": _("“%(name)s” looks like %(kind)s but is damaged or incomplete."),
    }
    text = messages[code] % values
    hint = policy.hints.get(params.get("kind", ""))
    return f"{text} {hint}" if hint else text


# --- detection --------------------------------------------------------------------------------

HEAD_BYTES = 8192
CHUNK_BYTES = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows programs and libraries
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # macOS
    b"\xca\xfe\xba\xbe",  # Java class, macOS universal
    b"\x00asm",  # WebAssembly
)
FILETYPE_EXECUTABLES = {"exe", "elf", "swf", "crx", "wasm", "deb", "rpm", "nes"}
FILETYPE_ARCHIVES = {"zip", "tar", "rar", "gz", "bz2", "7z", "xz", "Z", "lz", "lz4", "zst", "br", "cab", "ar", "lzo"}
FILETYPE_KINDS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "gif": "gif", "webp": "webp"}
OFFICE_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "macro",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "macro",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "macro",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "macro",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": "macro",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": "macro",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": "macro",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": "macro",
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# Parts no Office document needs and a dropper would carry.
DANGEROUS_PART = re.compile(r"\.(exe|dll|scr|com|bat|cmd|ps1|vbs|vbe|js|jse|wsf|hta|msi|jar|lnk)$", re.IGNORECASE)
# Old Office (OLE compound file): directory entries name the main stream.
OLE_STREAMS = [("WordDocument", "doc"), ("PowerPoint Document", "ppt"), ("Workbook", "xls"), ("Book", "xls")]
OLE_MACROS = "_VBA_PROJECT"
# Text: markup a browser would run or render, wherever it is.
MARKUP = re.compile(r"<\s*(script|iframe|object|embed|html|body|svg|meta|link|style|form|img|a)[\s/>]", re.IGNORECASE)
HTML_START = re.compile(
    r"<(!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s>/]",
    re.IGNORECASE,
)
# Control characters text never has (tab, line breaks, form feed and DOS end-of-file are fine).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")


def _readable(upload):
    """The underlying file object (a temporary file on disk for big uploads)."""
    return getattr(upload, "file", None) or upload


def detect(upload, name: str) -> str:
    """What the upload really is: a key of ``FILE_TYPES``, ``"text"``, a key of
    ``REFUSED_KINDS``, ``"other:<ext>"`` or ``"unknown"``. Raises UploadRefused for zip bombs,
    unsafe XML and damaged Office files."""
    stream = _readable(upload)
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _inspect_zip(stream, name)
    if head.startswith(OLE_MAGIC):
        return _inspect_ole(stream)
    guess = filetype.guess(head)
    if guess is not None:
        if guess.extension in FILETYPE_KINDS:
            kind = FILETYPE_KINDS[guess.extension]
            if kind in IMAGE_TYPES:
                _verify_image(stream, kind)
            return kind
        if guess.extension in FILETYPE_EXECUTABLES:
            return "executable"
        if guess.extension in FILETYPE_ARCHIVES:
            return "archive"
    if head.startswith(EXECUTABLE_SIGNATURES):
        return "executable"
    kind = _inspect_text(stream)
    if kind == "unknown" and guess is not None:
        # A signature of something else (audio, video, fonts...): weak signatures (two bytes)
        # are trusted only when the file is not plain text.
        return f"other:{guess.extension}"
    return kind


def _verify_image(stream, kind: str) -> None:
    """A real image of a sane size (Pillow refuses decompression bombs)."""
    from PIL import Image

    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                image.verify()
    except Exception:
        raise UploadRefused("damaged", kind=kind)
    finally:
        stream.seek(0)


def _inspect_text(stream) -> str:
    """Text (UTF-8, UTF-16 with its mark, or GB18030 as Chinese Windows saves it) without
    markup; HTML, SVG, XML and scripts are named as such; anything else is unknown."""
    import codecs

    stream.seek(0)
    first = stream.read(CHUNK_BYTES)
    if first.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        verdict = _read_as_text(stream, first, encoding)
        if verdict is not None:
            stream.seek(0)
            return verdict
    stream.seek(0)
    return "unknown"


def _read_as_text(stream, first: bytes, encoding: str) -> str | None:
    """``text``/``html``/``svg``/``xml``/``script`` if the whole file decodes as ``encoding``
    with no control characters; None if it does not."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    stream.seek(len(first))
    chunk, opening, tail, markup = first, "", "", None
    while True:
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            return None
        if CONTROL_CHARACTERS.search(text):
            return None
        if len(opening) < 2048:
            opening += text[: 2048 - len(opening)]
        window = tail + text
        if markup is None:
            found = MARKUP.search(window)
            if found:
                markup = found.group(1).lower()
        tail = window[-32:]
        if not chunk:
            break
        chunk = stream.read(CHUNK_BYTES)
    start = opening.lstrip("\ufeff \t\r\n\f\v")
    lowered = start.lower()
    if lowered.startswith("#!"):
        return "script"
    if lowered.startswith("<?xml"):
        if markup == "svg" or "<svg" in lowered:
            return "svg"
        return "html" if markup in ("html", "body", "script") else "xml"
    if lowered.startswith("<svg") or markup == "svg":
        return "svg"
    if HTML_START.match(start) or markup is not None:
        return "html"
    return "text"


def _zip_limit_entries() -> int:
    return int(settings.UPLOAD_ZIP_MAX_ENTRIES)


def _zip_limit_bytes() -> int:
    return int(settings.UPLOAD_ZIP_MAX_UNPACKED_MB) * 1024 * 1024


def _office_kind_by_name(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return {".docx": "docx", ".xlsx": "xlsx", ".pptx": "pptx"}.get(suffix, "archive")


class _Ignore(ContentHandler):
    pass


def _inspect_zip(stream, name: str) -> str:
    """Office Open XML (docx, xlsx, pptx) or another zip. Limits first, from the directory
    (no byte is unpacked for them); then the parts are read: a part that claims to be small and
    unpacks bigger stops at its claimed size and fails its checksum."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeElementTree
    from defusedxml import sax as safe_sax

    looks_like = _office_kind_by_name(name)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused("damaged", kind=looks_like)
    with archive:
        entries = archive.infolist()
        if len(entries) > _zip_limit_entries():
            raise UploadRefused("too_many_parts", count=_zip_limit_entries())
        if sum(entry.file_size for entry in entries) > _zip_limit_bytes():
            raise UploadRefused("unpacked_too_large", unpacked=_zip_limit_bytes() // (1024 * 1024))
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names:
            return "archive"
        if any(entry.filename.lower().endswith("vbaproject.bin") for entry in entries):
            return "macro"
        if any(DANGEROUS_PART.search(entry.filename) for entry in entries):
            return "executable"
        kind = None
        try:
            types_entry = archive.getinfo("[Content_Types].xml")
            if types_entry.file_size > 1024 * 1024:
                raise UploadRefused("damaged", kind=looks_like)
            root = SafeElementTree.fromstring(
                archive.read(types_entry), forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            main_part = None
            for override in root.iter(f"{CONTENT_TYPES_NS}Override"):
                found = OFFICE_MAIN_PARTS.get((override.get("ContentType") or "").strip())
                if found:
                    kind, main_part = found, (override.get("PartName") or "").lstrip("/")
                    break
            if kind is None:
                return "archive"
            if kind == "macro":
                return "macro"
            if main_part not in names:
                raise UploadRefused("damaged", kind=kind)
            for entry in entries:
                if entry.filename.lower().endswith((".xml", ".rels")) and entry.filename != "[Content_Types].xml":
                    with archive.open(entry) as part:
                        safe_sax.parse(part, _Ignore(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException:
            raise UploadRefused("unsafe_xml")
        except UploadRefused:
            raise
        except (SAXException, SyntaxError, zipfile.BadZipFile, zlib.error, OSError, EOFError,
                NotImplementedError, RuntimeError, ValueError, KeyError):
            # Unreadable XML, a wrong checksum, an unknown compression or a password.
            raise UploadRefused("damaged", kind=kind or looks_like)
    stream.seek(0)
    return kind


def _inspect_ole(stream) -> str:
    """An old Office file: its directory names the main stream (WordDocument, Workbook,
    PowerPoint Document). Directory entries are 128 bytes, aligned, each starting with its name
    in UTF-16 and giving the name's length at byte 64."""
    patterns = [(name.encode("utf-16-le") + b"\x00\x00", len(name), kind) for name, kind in OLE_STREAMS]
    macros = OLE_MACROS.encode("utf-16-le")
    found: set[str] = set()
    has_macros = False
    stream.seek(0)
    while True:
        chunk = stream.read(CHUNK_BYTES)  # a multiple of 128: entries never straddle chunks
        if not chunk:
            break
        for pattern, length, kind in patterns:
            start = chunk.find(pattern)
            while start != -1:
                if start % 128 == 0 and int.from_bytes(chunk[start + 64:start + 66], "little") == (length + 1) * 2:
                    found.add(kind)
                    break
                start = chunk.find(pattern, start + 1)
        if macros in chunk:
            has_macros = True
    stream.seek(0)
    if has_macros:
        return "macro"
    for _name, kind in OLE_STREAMS:
        if kind in found:
            return kind
    return "unknown"


# --- the check --------------------------------------------------------------------------------


def _check(upload, policy: UploadPolicy) -> CheckedUpload:
    name = clean_original_name(getattr(upload, "name", ""))
    size = upload.size
    if size is None:
        raise UploadRefused("unknown_type")
    if size > policy.max_bytes:
        raise UploadRefused("too_large", size=filesizeformat(size))
    if size == 0:
        raise UploadRefused("empty")
    kind = detect(upload, name)
    extension = PurePosixPath(name).suffix.lower()
    if kind == "text":
        candidates = [key for key in TEXT_TYPES if key in policy.types]
        if not candidates:
            raise UploadRefused("type_not_allowed", kind="text")
        file_type = next((FILE_TYPES[key] for key in candidates if extension in FILE_TYPES[key].extensions), None)
        if file_type is None:
            expected = [ext for key in candidates for ext in FILE_TYPES[key].extensions]
            raise UploadRefused("extension_mismatch", kind="text", extension=extension or _("no extension"),
                                expected=pgettext("list separator", ", ").join(expected))
    elif kind in FILE_TYPES:
        if kind not in policy.types:
            raise UploadRefused("type_not_allowed", kind=kind)
        file_type = FILE_TYPES[kind]
        if extension not in file_type.extensions:
            raise UploadRefused("extension_mismatch", kind=kind, extension=extension or _("no extension"),
                                expected=pgettext("list separator", ", ").join(file_type.extensions))
    elif kind == "unknown":
        raise UploadRefused("unknown_type")
    else:
        raise UploadRefused("type_not_allowed", kind=kind)
    return CheckedUpload(file_type=file_type, original_name=name, extension=extension, size=size)


def check_upload(upload, upload_policy: str, *, error_key: str | None = None) -> CheckedUpload:
    """Check ``upload`` against the policy named ``upload_policy`` (a key of
    ``UPLOAD_POLICIES``). Raises ValidationError with a Chinese message naming the file and the
    allowed types (under ``error_key`` when given, for a service's ``{"field": ...}``)."""
    cached = getattr(upload, "_upload_check", None)
    if cached is not None and cached[0] == upload_policy:
        return cached[1]
    policy = UPLOAD_POLICIES[upload_policy]
    try:
        checked = _check(upload, policy)
    except UploadRefused as refused:
        name = clean_original_name(getattr(upload, "name", ""))
        error = ValidationError(_message(refused.code, policy, name, refused.params), code=refused.code)
        raise ValidationError({error_key: [error]}) if error_key else error
    finally:
        try:
            _readable(upload).seek(0)
        except (AttributeError, OSError, ValueError):
            pass
    upload._upload_check = (upload_policy, checked)
    return checked


@deconstructible
class UploadValidator:
    """The check as a Django validator, for form fields. Files already stored are not checked
    again (they passed when they came in)."""

    def __init__(self, upload: str):
        self.upload = upload

    def __call__(self, value):
        if not value or getattr(value, "_committed", False) is True:
            return
        check_upload(value, self.upload)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and other.upload == self.upload


# --- the form field ---------------------------------------------------------------------------


class DisplayedFile:
    """What a form shows for a file already stored: its original name, linked to the scoped
    download (never the storage's own URL)."""

    def __init__(self, url: str, name: str):
        self.url = url
        self.name = name

    def __str__(self):
        return self.name

    def __bool__(self):
        return True


class UploadField(forms.FileField):
    """A file field checked by ``UPLOAD_POLICIES[upload]``: ``accept`` and the size for the
    browser (``static/js/uploads.js`` warns before sending), the check on the server."""

    widget = forms.ClearableFileInput

    def __init__(self, *, upload: str, **kwargs):
        self.upload = upload
        kwargs.setdefault("help_text", lazy(upload_help_text, str)(upload))
        super().__init__(**kwargs)
        self.validators.append(UploadValidator(upload))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        policy = UPLOAD_POLICIES[self.upload]
        attrs["accept"] = ",".join(policy.extensions)
        attrs["data-max-bytes"] = str(policy.max_bytes)
        attrs["data-too-large"] = lazy(_too_large_template, str)(self.upload)
        return attrs

    def prepare_value(self, value):
        """A stored file shows as its original name and links to its download view."""
        if value and getattr(value, "_committed", False) is True and getattr(value, "instance", None) is not None:
            from studygroup import downloads

            entry = downloads.entry_for(type(value.instance), value.field.name)
            if entry is not None:
                return DisplayedFile(entry.url(value.instance) or "", entry.original_name(value.instance))
        return value


def _too_large_template(upload: str) -> str:
    """For the browser: ``{name}`` and ``{size}`` are filled in by uploads.js."""
    return _("“{name}” is {size}; files here can be at most %(max)s MB.") % {"max": UPLOAD_POLICIES[upload].max_mb}


# --- the request ceiling ----------------------------------------------------------------------


class UploadSizeLimitMiddleware:
    """Refuse a request body bigger than ``UPLOAD_REQUEST_MAX_MB`` (the largest upload cap plus
    room for the form's other fields) from its Content-Length, before reading it: 413 with a
    Chinese page. Below the ceiling, each field's own cap gives the form error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit_mb = getattr(settings, "UPLOAD_REQUEST_MAX_MB", None) or largest_upload_mb() + 2
        if length > limit_mb * 1024 * 1024:
            from django.shortcuts import render

            return render(
                request, "413.html",
                {"max_mb": largest_upload_mb(), "size": filesizeformat(length)},
                status=413,
            )
        return self.get_response(request)
