"""A big table for print as fixed-width lines (Noto Sans Mono CJK).

WeasyPrint lays out every table cell as its own box: a 1,000-group bulletin has some 15,000
cells and takes ~11 s of CPU here, whatever the CSS. The same rows as one preformatted line
each take ~1 s. Bulletins with many groups print their annex table this way; the page, and
small bulletins, keep the real table. Widths count East Asian wide characters as two columns.
"""

from __future__ import annotations

import unicodedata

COMPACT_AFTER_ROWS = 120


def width(text: str) -> int:
    # Ambiguous characters (—, …, ％) are full width in the CJK monospace font.
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1 for ch in text)


def clip(text: str, columns: int) -> str:
    if width(text) <= columns:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def pad(text: str, columns: int, *, right: bool = False) -> str:
    text = clip(text, columns)
    spaces = " " * max(columns - width(text), 0)
    return spaces + text if right else text + spaces


def lines(headers: list[str], rows: list[list[str]], *, name_columns: int = 18) -> tuple[str, list[str]]:
    """The header line and one line per row. Column 0 is the rank, column 1 the name, the rest
    right-aligned figures."""
    widths = [4, name_columns] + [max(width(h), max((width(r[i]) for r in rows), default=1)) for i, h in enumerate(headers[2:], start=2)]
    def line(cells, header=False):
        parts = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            parts.append(pad(str(cell), w, right=(i != 1 and not header) or (header and i > 1)))
        return " ".join(parts)
    return line(headers, header=True), [line(r) for r in rows]
