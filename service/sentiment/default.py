"""The default `SentimentModel`: n-gram networks, plus the fine-tuned English encoder when built."""

import logging
from collections.abc import Sequence
from pathlib import Path

from service.sentiment.encoder import CLASSES, ENCODER_DIR, HEAD_FILE, EncoderClassifier
from service.sentiment.model import SentimentScore
from service.sentiment.ngram import detect_lang
from service.sentiment.ngramnet import NgramNetSentiment, to_score
from service.sentiment.port import SentimentModel

log = logging.getLogger(__name__)


class HybridSentiment:
    """Chinese: the n-gram network. English: the fine-tuned encoder.

    Averaging the encoder's and the English n-gram network's probabilities was measured and did
    not help (docs/data-card-sentiment.md), so English is the encoder alone.
    """

    def __init__(self, encoder_dir: Path = ENCODER_DIR, ngram: NgramNetSentiment | None = None):
        self.name = "herald-hybrid"
        self.ngram = ngram or NgramNetSentiment()
        self.encoder = EncoderClassifier(encoder_dir)

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Score texts; with no `lang`, each text's language is detected."""
        langs = [lang or detect_lang(t) for t in texts]
        english = [i for i, code in enumerate(langs) if code == "en"]
        others = [i for i, code in enumerate(langs) if code != "en"]
        out: list[SentimentScore | None] = [None] * len(texts)
        if others:
            scored = self.ngram.score([texts[i] for i in others], lang)
            for i, score in zip(others, scored, strict=True):
                out[i] = score
        if english:
            probs = self.encoder.predict_proba([texts[i] for i in english])
            for i, row in zip(english, probs, strict=True):
                out[i] = to_score(CLASSES, row)
        return [s for s in out if s is not None]


def default_model(encoder_dir: Path = ENCODER_DIR) -> SentimentModel:
    """The best built model: hybrid when the encoder exists, else the n-gram networks."""
    if not (encoder_dir / HEAD_FILE).exists():
        log.warning(
            "English sentiment encoder not built at %s (run `make sentiment-model`); "
            "falling back to the n-gram network",
            encoder_dir,
        )
        return NgramNetSentiment()
    try:
        return HybridSentiment(encoder_dir)
    except ImportError as exc:
        log.warning("English sentiment encoder needs torch and transformers (%s); n-gram only", exc)
        return NgramNetSentiment()
