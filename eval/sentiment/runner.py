"""Sentiment evaluation: each model beside the lexicon baseline, on the fixed dev split."""

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.sentiment.metrics import Metrics, compute
from service.sentiment import corpus
from service.sentiment.corpus import Split
from service.sentiment.port import SentimentModel

# Weibo emoticons like [泪] nearly give the label away; strip them for the harder variant.
EMOTICON = re.compile(r"\[[^\[\]\s]{1,8}\]")


@dataclass(frozen=True)
class Result:
    """One model on one dataset variant."""

    dataset: str
    model: str
    rows: int
    metrics: Metrics
    posts_per_s: float


def variants(path: Path, split: Split) -> list[tuple[str, list[str], list[str], str]]:
    """(name, texts, gold labels, lang) for a file; Weibo also without emoticons."""
    rows = corpus.load_jsonl(path, split)
    texts = [e.text for e in rows]
    gold = [e.label.value for e in rows]
    lang = rows[0].lang if rows else "en"
    out = [(path.stem, texts, gold, lang)]
    if "weibo" in path.stem:
        out.append(
            (f"{path.stem} (no emoticons)", [EMOTICON.sub("", t) for t in texts], gold, lang)
        )
    return out


def evaluate(
    models: Sequence[SentimentModel], paths: Sequence[Path], split: Split = "dev"
) -> list[Result]:
    """Score every dataset variant with every model; time each call."""
    results = []
    for path in paths:
        for name, texts, gold, lang in variants(path, split):
            for model in models:
                start = time.perf_counter()
                scores = model.score(texts, lang=lang)
                elapsed = time.perf_counter() - start
                pred = [s.label.value for s in scores]
                results.append(
                    Result(name, model.name, len(texts), compute(gold, pred), len(texts) / elapsed)
                )
    return results


def render(results: Sequence[Result]) -> str:
    """A plain-text table plus each confusion matrix."""
    lines = [f"{'dataset':52} {'model':24} {'rows':>5} {'acc':>6} {'macroF1':>8} {'posts/s':>9}"]
    for r in results:
        lines.append(
            f"{r.dataset:52} {r.model:24} {r.rows:5d} {r.metrics.accuracy:6.3f} "
            f"{r.metrics.macro_f1:8.3f} {r.posts_per_s:9.1f}"
        )
    lines.append("")
    for r in results:
        labels = r.metrics.labels
        lines.append(
            f"confusion {r.dataset} / {r.model} (rows gold, cols pred: {', '.join(labels)})"
        )
        lines.extend("  " + " ".join(f"{n:5d}" for n in row) for row in r.metrics.confusion)
    return "\n".join(lines)
