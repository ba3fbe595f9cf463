"""`SentimentModel` over any Hugging Face text-classification model (local folder or hub id)."""

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from service.sentiment.batching import token_batches
from service.sentiment.model import SentimentLabel, SentimentScore

# Label names seen on common sentiment models, mapped to our three labels.
_NAMED = {
    "negative": SentimentLabel.negative,
    "neg": SentimentLabel.negative,
    "neutral": SentimentLabel.neutral,
    "neu": SentimentLabel.neutral,
    "positive": SentimentLabel.positive,
    "pos": SentimentLabel.positive,
}
_STARS = re.compile(r"^([1-5]) stars?$")


def map_labels(id2label: dict[int, str]) -> dict[int, SentimentLabel]:
    """Map a model's label names (names, LABEL_i, or 1-5 stars) to negative/neutral/positive."""
    out: dict[int, SentimentLabel] = {}
    for idx, raw in id2label.items():
        name = raw.strip().lower()
        stars = _STARS.match(name)
        if name in _NAMED:
            out[idx] = _NAMED[name]
        elif stars:
            n = int(stars.group(1))
            out[idx] = (
                SentimentLabel.negative
                if n <= 2
                else SentimentLabel.neutral
                if n == 3
                else SentimentLabel.positive
            )
    if len(out) == len(id2label):
        return out
    # Unnamed heads (LABEL_0 …): the usual order is negative, (neutral,) positive.
    order = sorted(id2label)
    if len(order) == 2:
        return {order[0]: SentimentLabel.negative, order[1]: SentimentLabel.positive}
    if len(order) == 3:
        return dict(zip(order, SentimentLabel, strict=True))
    raise ValueError(f"cannot map labels {sorted(id2label.values())} to sentiment")


class TransformersSentiment:
    """Batched scoring with a `transformers` sequence-classification model.

    Batches of near-equal token count (`batching.token_batches`): same results, little padding.
    """

    def __init__(self, model: str | Path, batch_size: int = 64, max_length: int = 256) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.name = f"transformers:{model}"
        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(model))
        self._model: Any = AutoModelForSequenceClassification.from_pretrained(str(model))
        self._model.eval()
        self._labels = map_labels({int(k): v for k, v in self._model.config.id2label.items()})
        self.batch_size = batch_size
        self.max_length = max_length

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Score texts in batches of near-equal token count (same results, less padding)."""
        probs = np.empty((len(texts), len(self._labels)), np.float32)
        with self._torch.inference_mode():
            for idx, batch in token_batches(
                self._tokenizer, texts, self.max_length, self.batch_size
            ):
                probs[idx] = self._model(**batch).logits.softmax(dim=-1).numpy()
        return [self._to_score(row) for row in probs.tolist()]

    def _to_score(self, probs: list[float]) -> SentimentScore:
        by_label: dict[SentimentLabel, float] = {}
        for idx, p in enumerate(probs):
            label = self._labels[idx]
            by_label[label] = by_label.get(label, 0.0) + p
        best = max(by_label, key=by_label.__getitem__)
        signed = by_label.get(SentimentLabel.positive, 0.0) - by_label.get(
            SentimentLabel.negative, 0.0
        )
        return SentimentScore(
            label=best, score=max(-1.0, min(1.0, signed)), confidence=min(1.0, by_label[best])
        )
