"""One self-contained HTML file: inline CSS and SVG, no scripts, no network."""

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from eval.report.model import Section, Table

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{border-bottom:2px solid #3b6ea8;padding-bottom:.2rem;margin-top:2.5rem}
table{border-collapse:collapse;margin:.8rem 0 1.4rem}caption{text-align:left;font-weight:bold;
padding:.3rem 0}th,td{border:1px solid #ccc;padding:.25rem .6rem}th{background:#eef3f9}
td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#555;font-size:.9rem}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.charts svg{background:#fafafa;padding:.4rem}
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, value in enumerate(row):
            cls = ' class="n"' if isinstance(value, int | float) else ""
            cells.append(f"<td{cls}>{escape(table.text(r, c))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{note}"
    )


def render(sections: Sequence[Section], title: str = "Herald evaluation") -> str:
    """The whole report as one HTML string."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [f"<h1>{escape(title)}</h1><p class='note'>generated {stamp}</p>"]
    if len(sections) > 1:
        links = "".join(
            f'<li><a href="#s{i}">{escape(s.title)}</a></li>' for i, s in enumerate(sections)
        )
        body.append(f"<ul>{links}</ul>")
    for i, section in enumerate(sections):
        body.append(f'<h2 id="s{i}">{escape(section.title)}</h2>')
        body += [f'<p class="note">{escape(n)}</p>' for n in section.notes]
        body += [_table(t) for t in section.tables if t.html]
        if section.charts:
            body.append(f'<div class="charts">{"".join(section.charts)}</div>')
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write(path: Path, sections: Sequence[Section], title: str = "Herald evaluation") -> None:
    """Write the report."""
    path.write_text(render(sections, title), encoding="utf-8")
