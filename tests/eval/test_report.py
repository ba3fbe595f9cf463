"""Charts and statistics of the report, on values whose answer is known."""

import xml.etree.ElementTree as ET

from eval.report import svg
from eval.report.html import render
from eval.report.model import Pct, Section, Table
from eval.stats import percentile, summary

NS = "{http://www.w3.org/2000/svg}"


def test_nearest_rank_percentiles() -> None:
    ten = [float(x) for x in range(10, 0, -1)]
    assert percentile(ten, 0.5) == 5
    assert percentile(ten, 0.95) == 10
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2
    assert percentile([], 0.5) == 0.0
    s = summary([1.0, 2.0, 3.0, 4.0])
    assert (s["n"], s["mean"], s["p50"], s["max"]) == (4, 2.5, 2.0, 4.0)


def test_bars_scale_to_the_peak_and_mark_missing_values() -> None:
    root = ET.fromstring(svg.bars("t", ["a", "b"], {"x": [1.0, None], "y": [0.5, 0.25]}))
    widths = [
        float(r.get("width", 0)) for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None
    ]
    assert widths[0] == 380.0  # the peak fills the bar width
    assert widths[1:] == [190.0, 95.0]
    assert "n/a" in [t.text for t in root.iter(f"{NS}text")]


def test_histogram_counts_every_value() -> None:
    values = [1.0, 1.5, 2.0, 10.0]
    root = ET.fromstring(svg.histogram("latency", values, bins=3))
    titles = [t.text or "" for r in root.iter(f"{NS}rect") for t in r.iter(f"{NS}title")]
    assert sum(int(t.rsplit(": ", 1)[1]) for t in titles) == len(values)
    labels = [t.text or "" for t in root.iter(f"{NS}text")]
    assert "p50 1.50" in labels
    assert "p99 10.00" in labels


def test_html_escapes_cells_and_shows_percentages() -> None:
    table = Table("t", ["rule", "rate"], [["<b>", Pct(0.125)], ["n", None]])
    page = render([Section("One", [table], [svg.confusion("c", ["a", "b"], [[1, 0], [0, 1]])])])
    assert "&lt;b&gt;" in page
    assert "12.5%" in page
    assert "<td>–</td>" in page
