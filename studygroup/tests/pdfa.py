"""What makes a PDF fit to archive: PDF/A identified in its XMP metadata, every font embedded,
nothing referenced outside the file."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path


def pdfa_problems(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    problems = []
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data().decode("utf-8", "replace") if metadata else ""
    part = re.search(r'pdfaid:part(?:="|>)(\d)', xmp)
    conformance = re.search(r'pdfaid:conformance(?:="|>)([ABU])', xmp)
    if not (part and conformance):
        problems.append("no PDF/A identification in the XMP metadata")
    if "/OutputIntents" not in root:
        problems.append("no output intent")
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and action.get_object().get("/S") in ("/URI", "/Launch", "/GoToR"):
                problems.append(f"page {number} refers outside the file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    for line in fonts.splitlines()[2:]:
        columns = line.split()
        if len(columns) >= 5 and columns[-5] != "yes":
            problems.append(f"font not embedded: {columns[0]}")
    return problems
