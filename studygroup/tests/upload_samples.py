"""Small real files of each kind, and hostile ones, for the upload tests of every app."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = "<!DOCTYPE html><html><body><script>alert(document.cookie)</script>学习资料</body></html>".encode()
SVG = (
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    "<script>alert(document.domain)</script></svg>"
).encode()
# A Windows program: the "MZ" header and the PE signature.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 300
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
TEXT = "中心组学习计划\n第一专题：深入学习贯彻党的二十大精神\n".encode()
CSV = "姓名,职务\n张三,局长\n".encode()

CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_TYPES = {
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
}


def content_types(kind="docx", *, doctype="") -> bytes:
    part, content_type = MAIN_TYPES[kind]
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
        f'<Types xmlns="{CONTENT_TYPES_NS}">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/>'
        "</Types>"
    ).encode()


RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
).encode()


def office(kind="docx", *, parts=None, types=None) -> bytes:
    """A minimal Office Open XML package: content types, relationships and the main part."""
    main, _ = MAIN_TYPES[kind]
    parts = {"_rels/.rels": RELS, main: '<?xml version="1.0"?><root>学习</root>'.encode(), **(parts or {})}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types if types is not None else content_types(kind))
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    """A real Word document, as python-docx writes it."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("中共XX县委理论学习中心组2026年学习计划")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "整改台账"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx() -> bytes:
    return office("pptx")


def ole(stream_name="WordDocument", *, macros=False) -> bytes:
    """An old Office file (OLE compound file): the header, then a directory sector whose first
    entry names the main stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (512 - 8)

    def entry(name):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return encoded.ljust(64, b"\x00") + ((len(name) + 1) * 2).to_bytes(2, "little") + b"\x00" * 62

    directory = entry("Root Entry") + entry(stream_name) + (entry("_VBA_PROJECT") if macros else entry("SummaryInformation"))
    return header + directory.ljust(512, b"\x00") + b"\x00" * 1024


def image(fmt="PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def zip_bomb(unpacked_mb=210) -> bytes:
    """A Word-looking package with one part of ``unpacked_mb`` MB of zeros: about 1 MB per
    1000 MB packed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types("docx"))
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w") as part:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE Types [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


def upload(name: str, data: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def hostile_files():
    """The three files the issue's browser test sends to every upload field."""
    return [("学习资料.html", HTML), ("图表.svg", SVG), ("资料汇编.pdf", EXE)]
