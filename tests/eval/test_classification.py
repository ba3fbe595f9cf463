"""`herald eval sentiment` and `herald eval concerns` on four known rows."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.sentiment.concerns import RuleConcernModel
from service.sentiment.default import default_model
from service.sentiment.model import Concern
from tests.eval.conftest import herald, write_jsonl


def _svgs(html: str) -> list[ET.Element]:
    out = []
    rest = html
    while "<svg" in rest:
        start = rest.index("<svg")
        end = rest.index("</svg>", start) + len("</svg>")
        out.append(ET.fromstring(rest[start:end]))
        rest = rest[end:]
    return out


def test_sentiment_confusion_matrix_of_four_known_rows(tmp_path: Path, runner: CliRunner) -> None:
    data = write_jsonl(
        tmp_path / "sentiment_en_tiny.jsonl",
        [
            {"id": "1", "text": "I love this, it is great and wonderful!", "label": "positive"},
            {"id": "2", "text": "Terrible, awful service. I hate it.", "label": "negative"},
            # Labelled positive, worded negatively: the lexicon must get this one wrong.
            {"id": "3", "text": "This is the worst, awful and horrible.", "label": "positive"},
            {"id": "4", "text": "Great job, thank you so much, excellent!", "label": "positive"},
        ],
    )
    out, page = tmp_path / "s.json", tmp_path / "s.html"
    text = herald(
        runner, "eval", "sentiment", "--data", str(data), "--model", "lexicon",
        "--split", "all", "--json", str(out), "--html", str(page),
    )  # fmt: skip
    (result,) = json.loads(out.read_text())["Sentiment"]["results"]
    assert result["dataset"] == "sentiment_en_tiny"
    assert result["model"] == "lexicon"
    assert result["rows"] == 4
    metrics = result["metrics"]
    assert metrics["labels"] == ["negative", "positive"]
    assert metrics["confusion"] == [[1, 0], [1, 2]]
    assert metrics["accuracy"] == 0.75
    # F1 negative = 2·(1/2·1)/(1/2+1) = 2/3, positive = 2·(1·2/3)/(1+2/3) = 4/5.
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert "sentiment_en_tiny" in text
    assert "0.750" in text
    # The heat map shows the same four counts, cell by cell.
    (svg,) = _svgs(page.read_text())
    cells = [
        r.find("{http://www.w3.org/2000/svg}title") for r in svg.iter() if r.tag.endswith("rect")
    ]
    assert [c.text for c in cells if c is not None] == [
        "gold negative, predicted negative: 1",
        "gold negative, predicted positive: 0",
        "gold positive, predicted negative: 1",
        "gold positive, predicted positive: 2",
    ]


def test_sentiment_runs_the_lexicon_beside_the_model(tmp_path: Path, runner: CliRunner) -> None:
    rows = [{"id": str(i), "text": t, "label": "positive"} for i, t in enumerate(["good", "great"])]
    data = write_jsonl(tmp_path / "sentiment_en_two.jsonl", rows)
    out = tmp_path / "s.json"
    herald(runner, "eval", "sentiment", str(data), "--split", "all", "--json", str(out))
    results = json.loads(out.read_text())["Sentiment"]["results"]
    # The default is the best model built on this machine (the encoders after
    # `make sentiment-model`, else the n-gram networks); the lexicon runs beside it.
    assert [r["model"] for r in results] == [default_model().name, "lexicon"]
    assert all(r["posts_per_s"] > 0 for r in results)


def test_concerns_beside_the_majority_class(tmp_path: Path, runner: CliRunner) -> None:
    # The complaints set is binary by its file name: complaint → some concern, else none.
    rows = [
        {"id": "1", "text": "When will the service be back? Down for hours", "label": "complaint"},
        {"id": "2", "text": "Is my data safe after this outage?", "label": "complaint"},
        {"id": "3", "text": "I want a refund for this", "label": "complaint"},
        {"id": "4", "text": "Lovely sunset over the bay", "label": "not_complaint"},
    ]
    data = write_jsonl(tmp_path / "concerns_en_complaints_twitter.jsonl", rows)
    out = tmp_path / "c.json"
    text = herald(runner, "eval", "concerns", "--data", str(data), "--json", str(out))
    rules, majority = json.loads(out.read_text())["Concerns"]["results"]

    assert majority["model"] == "majority class"
    assert majority["confusion"] == [[3, 0], [1, 0]]
    assert majority["accuracy"] == 0.75
    assert majority["macro_f1"] == pytest.approx((2 * 0.75 / 1.75) / 2)

    pred = RuleConcernModel().classify([r["text"] for r in rows], lang="en")
    hits = sum(
        (p is not Concern.other) == (r["label"] == "complaint")
        for p, r in zip(pred, rows, strict=True)
    )
    assert rules["model"] == "rules"
    assert rules["accuracy"] == hits / 4
    assert sum(map(sum, rules["confusion"])) == 4
    assert "majority class" in text
