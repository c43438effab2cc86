"""Charts of reviews and bulletins: one description, two renderings.

A chart is a plain dict (``kind`` "bar" or "line", ``title``, ``labels``, ``series`` of
``{"name", "values"}``, optional ``marker`` for a quota line). On the page ECharts draws it in the
browser (``static/reports/charts.js`` reads the same dicts from ``json_script``); in the PDF
:func:`svg` draws it on the server, so WeasyPrint needs no browser.
"""

from __future__ import annotations

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#b71c1c", "#1f5fa8", "#e0a100", "#2e7d32", "#6a1b9a", "#00838f"]


def chart(kind: str, title: str, labels, series, *, marker: float | None = None, marker_label: str = "") -> dict:
    return {
        "kind": kind,
        "title": str(title),
        "labels": [str(label) for label in labels],
        "series": [{"name": str(s["name"]), "values": [float(v or 0) for v in s["values"]]} for s in series],
        "marker": marker,
        "marker_label": str(marker_label),
    }


def _nice_max(value: float) -> float:
    """A round top for the axis, so the four grid steps are round numbers too."""
    if value <= 0:
        return 4.0
    magnitude = 10 ** math.floor(math.log10(value))
    for multiple in (1, 2, 4, 6, 8, 10):
        if value <= multiple * magnitude:
            top = multiple * magnitude
            return max(top, 4.0) if value > 1 else 4.0
    return value


def _label_px(text: str) -> float:
    """Width of a label at the charts' 10 px: a Chinese character 10 px, a Latin one about 6."""
    return sum(10 if ord(ch) > 0x2E80 else 6 for ch in text)


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def svg(spec: dict, *, width: int = 640, height: int = 240) -> SafeString:
    """The chart as inline SVG. Every text interpolated is escaped."""
    labels = spec["labels"]
    series = spec["series"]
    n = max(len(labels), 1)
    legend = len(series) > 1 or spec.get("marker") is not None
    left, right, top = 36, 10, 26 if legend else 12
    # Labels under the bars: on one line where they fit their slot, on two where halves fit,
    # slanted otherwise (never touching their neighbours).
    slot = (width - left - right) / n
    shown = [label if len(label) <= 8 else label[:7] + "…" for label in labels]
    longest = max((_label_px(text) for text in shown), default=0)
    if longest <= slot - 4:
        label_mode, bottom = "line", 28
    elif max((_label_px(text[: (len(text) + 1) // 2]) for text in shown), default=0) <= slot - 4:
        label_mode, bottom = "wrap", 40
    else:
        label_mode, bottom = "slant", int(16 + longest * 0.6)
    plot_h = height - top - bottom
    values = [v for s in series for v in s["values"]]
    peak = max([*values, spec.get("marker") or 0, 0])
    top_value = _nice_max(peak)
    if all(float(v).is_integer() for v in values):
        # Counts: whole numbers on the axis (never "1.5 meetings").
        top_value = math.ceil(top_value / 4) * 4
    y_of = lambda v: top + plot_h - plot_h * v / top_value  # noqa: E731
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="10" font-family="Noto Sans CJK SC, sans-serif" '
        f'role="img" aria-label="{escape(spec["title"])}">'
    ]
    for step in range(5):
        value = top_value * step / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#555">{_fmt(value)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#666" stroke-width="0.8"/>'
    )
    label_every = max(1, round(n / 24))
    for index, text in enumerate(shown):
        if index % label_every:
            continue
        x = left + slot * (index + 0.5)
        if label_mode == "slant":
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 10}" text-anchor="end" fill="#333" '
                f'transform="rotate(-35 {x:.1f} {top + plot_h + 10})">{escape(text)}</text>'
            )
        elif label_mode == "wrap":
            half = (len(text) + 1) // 2
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 13}" text-anchor="middle" fill="#333">{escape(text[:half])}'
                f'<tspan x="{x:.1f}" dy="12">{escape(text[half:])}</tspan></text>'
            )
        else:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="#333">{escape(text)}</text>')
    if spec["kind"] == "bar":
        count = max(len(series), 1)
        bar_w = slot * 0.7 / count
        for s_index, s in enumerate(series):
            color = PALETTE[s_index % len(PALETTE)]
            for index, value in enumerate(s["values"]):
                x = left + slot * index + slot * 0.15 + bar_w * s_index
                y = y_of(value)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 0.5):.1f}" height="{top + plot_h - y:.1f}" fill="{color}"/>'
                )
                if n <= 16 and value:
                    parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle" fill="#333" font-size="9">{_fmt(value)}</text>')
    else:
        for s_index, s in enumerate(series):
            color = PALETTE[s_index % len(PALETTE)]
            points = " ".join(f"{left + slot * (i + 0.5):.1f},{y_of(v):.1f}" for i, v in enumerate(s["values"]))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
            for i, v in enumerate(s["values"]):
                cx, cy = left + slot * (i + 0.5), y_of(v)
                parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{color}"/>')
                if n <= 12:
                    parts.append(f'<text x="{cx:.1f}" y="{cy - 5:.1f}" text-anchor="middle" fill="#333" font-size="9">{_fmt(v)}</text>')
    if spec.get("marker") is not None:
        y = y_of(spec["marker"])
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e65100" stroke-width="1.2" stroke-dasharray="5,3"/>'
        )
    if legend:
        x = left
        entries = [(s["name"], PALETTE[i % len(PALETTE)], False) for i, s in enumerate(series)]
        if spec.get("marker") is not None:
            entries.append((spec.get("marker_label") or "", "#e65100", True))
        for name, color, dashed in entries:
            if dashed:
                parts.append(f'<line x1="{x}" y1="9" x2="{x + 14}" y2="9" stroke="{color}" stroke-width="1.5" stroke-dasharray="4,2"/>')
            else:
                parts.append(f'<rect x="{x}" y="4" width="12" height="10" fill="{color}"/>')
            parts.append(f'<text x="{x + 17}" y="13" fill="#333">{escape(name)}</text>')
            x += 30 + 11 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
