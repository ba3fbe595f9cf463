"""`SentimentModel` over any Hugging Face text-classification model (local folder or hub id)."""

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

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

    All texts are tokenized in one call, then grouped by token count so a batch pads to almost
    nothing; batches are padded into preallocated numpy arrays (no per-batch tokenizer calls).
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
        self._inputs = [n for n in self._tokenizer.model_input_names if n != "attention_mask"]
        self._pad_id = int(self._tokenizer.pad_token_id or 0)
        self.batch_size = batch_size
        self.max_length = max_length

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Score texts in batches of near-equal token count (same results, less padding)."""
        if not texts:
            return []
        encoded = self._tokenizer(
            list(texts), truncation=True, max_length=self.max_length, return_attention_mask=False
        )
        columns = {name: encoded[name] for name in self._inputs if name in encoded}
        lengths = np.array([len(row) for row in columns["input_ids"]])
        order = np.argsort(lengths, kind="stable")
        probs = np.empty((len(texts), len(self._labels)), np.float32)
        torch = self._torch
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                width = int(lengths[idx[-1]])  # the longest: rows are sorted by length
                batch = {}
                for name, rows in columns.items():
                    pad = self._pad_id if name == "input_ids" else 0
                    array = np.full((len(idx), width), pad, np.int64)
                    for r, i in enumerate(idx):
                        array[r, : len(rows[i])] = rows[i]
                    batch[name] = torch.from_numpy(array)
                mask = np.arange(width) < lengths[idx][:, None]
                batch["attention_mask"] = torch.from_numpy(mask.astype(np.int64))
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
