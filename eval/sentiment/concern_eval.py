"""Concern accuracy on the shared concern sets, through a documented label mapping."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from eval.sentiment.metrics import Metrics, compute
from service.sentiment.model import Concern
from service.sentiment.port import ConcernModel

# Each dataset's own labels, mapped to Herald's concerns (docs/data-card-sentiment.md).
# The sets were not made for incident communication: only the labels with a clear counterpart
# map to a concern, everything else is `other`.
MAPPINGS: dict[str, Mapping[str, Concern]] = {
    "concerns_en_airline_support_intents": {"DELAY": Concern.recovery_time},
    "concerns_en_uk_mobile_operator_tweets": {
        "Network": Concern.scope,
        "Broadband": Concern.scope,
    },
}
# The complaints set is binary: a complaint should raise some concern, a non-complaint none.
BINARY = {"concerns_en_complaints_twitter": "complaint"}


def gold_and_pred(path: Path, model: ConcernModel) -> tuple[list[str], list[str]]:
    """Gold and predicted concern names for one file (binary sets: concern vs other)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    pred = model.classify(
        [str(r["text"]) for r in rows], lang=rows[0].get("lang") if rows else None
    )
    if path.stem in BINARY:
        positive = BINARY[path.stem]
        gold = ["concern" if r["label"] == positive else "other" for r in rows]
        return gold, ["other" if p is Concern.other else "concern" for p in pred]
    mapping = MAPPINGS.get(path.stem, {})
    gold = [mapping.get(str(r["label"]), Concern.other).value for r in rows]
    return gold, [p.value for p in pred]


def evaluate(model: ConcernModel, paths: Sequence[Path]) -> list[tuple[str, int, Metrics]]:
    """(dataset, rows, metrics) per concern file."""
    out = []
    for path in paths:
        gold, pred = gold_and_pred(path, model)
        out.append((path.stem, len(gold), compute(gold, pred)))
    return out
