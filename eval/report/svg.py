"""Inline SVG charts written by hand: horizontal bars, a confusion heat map, a histogram."""

from collections.abc import Sequence
from html import escape

from eval.stats import percentile

PALETTE = ("#3b6ea8", "#d08c2f", "#5a9e5a", "#a84b4b")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _num(value: float, fmt: str) -> str:
    return format(value, fmt)


def bars(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    fmt: str = ".0f",
    max_value: float | None = None,
) -> str:
    """Horizontal bars, one group per label, one bar per series (e.g. drafts beside humans).

    A None value (not applicable) draws no bar and says so.
    """
    label_w, bar_w, bar_h, gap = 260, 380, 14, 8
    names = list(series)
    group_h = bar_h * len(names) + gap
    legend_h = 22 if len(names) > 1 else 0
    top = 28 + legend_h
    height = top + group_h * max(len(labels), 1) + 10
    width = label_w + bar_w + 90
    values = [v for vs in series.values() for v in vs if v is not None]
    peak = max_value or max(values, default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT}>',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    for i, name in enumerate(names if len(names) > 1 else []):
        x = label_w + i * 150
        parts.append(
            f'<rect x="{x}" y="24" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 16}" y="34">{escape(name)}</text>'
        )
    if not labels:
        parts.append(f'<text x="0" y="{top + 12}">none</text>')
    for row, label in enumerate(labels):
        y0 = top + row * group_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + group_h / 2}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label)}</text>'
        )
        for i, name in enumerate(names):
            value = series[name][row]
            y = y0 + i * bar_h
            if value is None:
                parts.append(f'<text x="{label_w + 4}" y="{y + bar_h - 4}" fill="#888">n/a</text>')
                continue
            w = max(bar_w * value / peak, 0.0)
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(name)}: '
                f"{_num(value, fmt)}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}">{_num(value, fmt)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def confusion(title: str, labels: Sequence[str], matrix: Sequence[Sequence[int]]) -> str:
    """A confusion matrix as a heat map: rows are gold labels, columns predicted labels."""
    gold = labels[: len(matrix)]
    cell, left, top = 54, 130, 60
    width = left + cell * len(labels) + 10
    height = top + cell * len(gold) + 30
    peak = max((n for row in matrix for n in row), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT}>',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
        f'<text x="{left}" y="34" fill="#555">predicted →</text>',
        f'<text x="0" y="{height - 8}" fill="#555">rows: gold</text>',
    ]
    for j, label in enumerate(labels):
        parts.append(
            f'<text x="{left + j * cell + cell / 2}" y="{top - 6}" text-anchor="middle">'
            f"{escape(label[:9])}</text>"
        )
    for i, label in enumerate(gold):
        y = top + i * cell
        parts.append(
            f'<text x="{left - 6}" y="{y + cell / 2}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label[:18])}</text>'
        )
        for j, n in enumerate(matrix[i]):
            share = n / peak
            fill = f"rgba(59,110,168,{0.08 + 0.92 * share:.3f})"
            ink = "#fff" if share > 0.5 else "#222"
            x = left + j * cell
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}">'
                f"<title>gold {escape(label)}, predicted {escape(labels[j])}: {n}</title></rect>"
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2}" text-anchor="middle" '
                f'dominant-baseline="middle" fill="{ink}">{n}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def histogram(title: str, values: Sequence[float], *, unit: str = "ms", bins: int = 30) -> str:
    """Counts of values in equal-width bins, with the p50 and p99 marked."""
    width, height, left, bottom, top = 640, 220, 50, 34, 28
    plot_w, plot_h = width - left - 10, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" {FONT}>',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold">{escape(title)}</text>',
    ]
    if not values:
        parts.append('<text x="0" y="40">no values</text></svg>')
        return "".join(parts)
    ordered = sorted(values)
    lo, hi = ordered[0], ordered[-1]
    span = (hi - lo) or 1.0
    counts = [0] * bins
    for v in ordered:
        counts[min(int((v - lo) / span * bins), bins - 1)] += 1
    peak = max(counts)
    step = plot_w / bins
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * step
        a, b = lo + i * span / bins, lo + (i + 1) * span / bins
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step - 1:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}"><title>{a:.2f}–{b:.2f} {unit}: {n}</title></rect>'
        )
    for row, (q, color) in enumerate(((0.5, PALETTE[2]), (0.99, PALETTE[3]))):
        v = percentile(ordered, q)
        x = left + (v - lo) / span * plot_w
        # Labels right of the line, or left of it near the right edge; one line each.
        anchor, dx = ("end", -3) if x > left + 0.7 * plot_w else ("start", 3)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{color}" '
            f'stroke-dasharray="4 3"/><text x="{x + dx:.1f}" y="{top + 10 + 14 * row}" '
            f'fill="{color}" text-anchor="{anchor}">p{round(q * 100)} {v:.2f}</text>'
        )
    base = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#888"/>'
        f'<text x="{left}" y="{base + 16}">{lo:.2f}</text>'
        f'<text x="{left + plot_w}" y="{base + 16}" text-anchor="end">{hi:.2f} {unit}</text>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{peak}</text>'
        f'<text x="{left - 4}" y="{base}" text-anchor="end">0</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
