"""Open what the app writes the way its users do: Word and Excel files through LibreOffice
(headless, a throwaway profile, a time limit) into PDF, then page by page as text."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

def needs_libreoffice(test):
    """Mark a test that opens files in LibreOffice (``office``; each conversion takes seconds),
    skipped where LibreOffice is missing."""
    skip = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
    return pytest.mark.office(skip(test))


def libreoffice_pdf(data: bytes, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"document{suffix}"
        source.write_bytes(data)
        subprocess.run(
            ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
             "--convert-to", "pdf", "--outdir", folder, str(source)],
            capture_output=True, timeout=180, check=True,
        )
        return (Path(folder) / "document.pdf").read_bytes()


def pdf_pages_text(pdf: bytes) -> list[str]:
    """Each page's text as poppler lays it out (``pdftotext -layout``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60, check=True,
        ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
