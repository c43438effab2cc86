"""The faces of official documents (GB/T 9704-2012), chosen once for PDF and Word alike.

Each role names the fonts an office expects (方正小标宋简体 for titles, 仿宋_GB2312 for the body,
黑体 and 楷体_GB2312 for headings). They are commercial and rarely on a Linux server; where
fontconfig does not find any of them, the free Noto CJK face in the weight that reads closest
stands in. The PDF's CSS and the Word file's runs take the same choice from
:func:`official_faces`, so a document looks the same in both.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class Face:
    family: str
    bold: bool
    official: bool  # one of the names the standard asks for, found on this machine

    @property
    def css_weight(self) -> int:
        return 700 if self.bold else 400


# role: (the official names, most wanted first; the free stand-in; whether the stand-in is bold)
ROLES = {
    "title": (("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"), "Noto Serif CJK SC", True),
    "body": (("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"), "Noto Serif CJK SC", False),
    "heading": (("黑体", "SimHei"), "Noto Sans CJK SC", True),
    "subheading": (("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"), "Noto Serif CJK SC", True),
}


@functools.cache
def installed_families() -> frozenset[str]:
    """Every family name fontconfig knows on this machine (each name of each face)."""
    if shutil.which("fc-list") is None:
        return frozenset()
    try:
        listing = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=20, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip())


def official_face(role: str, installed: frozenset[str] | None = None) -> Face:
    wanted, stand_in, stand_in_bold = ROLES[role]
    installed = installed_families() if installed is None else installed
    for family in wanted:
        if family in installed:
            return Face(family, bold=False, official=True)
    return Face(stand_in, bold=stand_in_bold, official=False)


def official_faces(installed: frozenset[str] | None = None) -> dict[str, Face]:
    """``{"title": Face, "body": …, "heading": …, "subheading": …}``."""
    return {role: official_face(role, installed) for role in ROLES}


def alternatives(role: str) -> list[str]:
    """Every name the role may go by, for Word's font table (``w:altName``)."""
    wanted, stand_in, _bold = ROLES[role]
    return [*wanted, stand_in]
