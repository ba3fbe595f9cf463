"""The offline default: a small n-gram neural network per language, run with numpy alone."""

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

from service.sentiment.model import SentimentLabel, SentimentScore
from service.sentiment.ngram import ANALYZERS, FEATURIZERS, detect_lang

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class NgramNetwork:
    """TF-IDF n-gram input, one optional ReLU hidden layer, softmax over the classes."""

    lang: str
    vocabulary: dict[str, int]
    idf: FloatArray
    layers: tuple[tuple[FloatArray, FloatArray], ...]
    classes: tuple[SentimentLabel, ...]
    # Key into `ngram.FEATURIZERS`; None means the language's original featurisation.
    analyzer: str | None = None

    @classmethod
    def load(cls, path: Path) -> "NgramNetwork":
        """Load a network written by `save`."""
        with np.load(path, allow_pickle=False) as data:
            vocab = [str(v) for v in data["vocab"]]
            n_layers = int(data["n_layers"])
            layers = tuple(
                (data[f"W{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
                for i in range(n_layers)
            )
            return cls(
                lang=str(data["lang"]),
                vocabulary={term: i for i, term in enumerate(vocab)},
                idf=data["idf"].astype(np.float32),
                layers=layers,
                classes=tuple(SentimentLabel(str(c)) for c in data["classes"]),
                analyzer=str(data["analyzer"]) if "analyzer" in data else None,
            )

    def save(self, path: Path) -> None:
        """Write the network as a compressed npz (weights in float16 to stay small)."""
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "lang": np.array(self.lang),
            "vocab": np.array(vocab),
            "idf": self.idf.astype(np.float16),
            "n_layers": np.array(len(self.layers)),
            "classes": np.array([c.value for c in self.classes]),
            "analyzer": np.array(self.analyzer or self.lang),
        }
        for i, (weight, bias) in enumerate(self.layers):
            arrays[f"W{i}"] = weight.astype(np.float16)
            arrays[f"b{i}"] = bias.astype(np.float32)
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    def features(self, texts: Sequence[str]) -> csr_matrix:
        """Sublinear TF-IDF rows, L2-normalised, over the network's vocabulary."""
        analyze = FEATURIZERS[self.analyzer or self.lang]
        indptr: list[int] = [0]
        indices: list[int] = []
        values: list[float] = []
        for text in texts:
            counts = Counter(self.vocabulary[f] for f in analyze(text) if f in self.vocabulary)
            weights = [(1.0 + math.log(n)) * float(self.idf[i]) for i, n in counts.items()]
            norm = math.sqrt(sum(w * w for w in weights)) or 1.0
            indices.extend(counts.keys())
            values.extend(w / norm for w in weights)
            indptr.append(len(indices))
        return csr_matrix(
            (np.asarray(values, np.float32), np.asarray(indices, np.int64), indptr),
            shape=(len(texts), len(self.vocabulary)),
        )

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        """Class probabilities, one row per text, columns in `classes` order."""
        hidden: FloatArray | csr_matrix = self.features(texts)
        for i, (weight, bias) in enumerate(self.layers):
            hidden = np.asarray(hidden @ weight, dtype=np.float32) + bias
            if i < len(self.layers) - 1:
                hidden = np.maximum(hidden, 0.0)
        logits = np.asarray(hidden, dtype=np.float32)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)


def to_score(classes: Sequence[SentimentLabel], probs: FloatArray) -> SentimentScore:
    """Turn one row of class probabilities into a `SentimentScore`."""
    by_label = dict(zip(classes, (float(p) for p in probs), strict=True))
    best = max(by_label, key=by_label.__getitem__)
    signed = by_label.get(SentimentLabel.positive, 0.0) - by_label.get(SentimentLabel.negative, 0.0)
    return SentimentScore(
        label=best, score=max(-1.0, min(1.0, signed)), confidence=min(1.0, by_label[best])
    )


class NgramNetSentiment:
    """Offline default `SentimentModel`: one n-gram network per language from `models/`."""

    def __init__(self, models_dir: Path = MODELS_DIR) -> None:
        self.name = "herald-ngram-net"
        self._dir = models_dir
        self._nets: dict[str, NgramNetwork] = {}

    def network(self, lang: str) -> NgramNetwork:
        """Return (loading once) the network for a language."""
        if lang not in self._nets:
            self._nets[lang] = NgramNetwork.load(self._dir / f"sentiment-{lang}.npz")
        return self._nets[lang]

    def metadata(self, lang: str) -> dict[str, object]:
        """Training metadata written beside the network."""
        meta: dict[str, object] = json.loads(
            (self._dir / f"sentiment-{lang}.json").read_text(encoding="utf-8")
        )
        return meta

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Score texts; with no `lang`, each text's language is detected."""
        langs = [lang or detect_lang(t) for t in texts]
        out: list[SentimentScore | None] = [None] * len(texts)
        for code in sorted(set(langs)):
            idx = [i for i, lg in enumerate(langs) if lg == code]
            net = self.network(code if code in ANALYZERS else "en")
            probs = net.predict_proba([texts[i] for i in idx])
            for row, i in zip(probs, idx, strict=True):
                out[i] = to_score(net.classes, row)
        return [s for s in out if s is not None]
