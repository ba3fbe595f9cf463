"""Classification metrics as plain values (no sklearn needed at evaluation time)."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Metrics:
    """Accuracy, macro-F1 and the confusion matrix of one run over one dataset."""

    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    confusion: tuple[tuple[int, ...], ...]  # rows: gold label, columns: predicted label


def compute(gold: Sequence[str], pred: Sequence[str]) -> Metrics:
    """Compute metrics; macro-F1 averages over the gold labels present."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    labels = tuple(sorted(set(gold)))
    extra = tuple(sorted(set(pred) - set(labels)))
    columns = labels + extra
    confusion = tuple(
        tuple(sum(1 for g, p in zip(gold, pred, strict=True) if g == a and p == b) for b in columns)
        for a in labels
    )
    f1s = []
    for i, label in enumerate(labels):
        tp = confusion[i][i]
        predicted = sum(1 for p in pred if p == label)
        actual = sum(confusion[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    correct = sum(1 for g, p in zip(gold, pred, strict=True) if g == p)
    return Metrics(
        labels=columns,
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        confusion=confusion,
    )
