"""Lexicon baseline and fake `SentimentModel`: snownlp for Chinese, VADER for English."""

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from service.sentiment.model import SentimentLabel, SentimentScore
from service.sentiment.ngram import detect_lang

# VADER's documented thresholds for its compound score.
VADER_NEUTRAL = 0.05


class LexiconSentiment:
    """The floor the default must beat: snownlp's Bayes lexicon (zh) and VADER (en)."""

    name = "lexicon"

    @cached_property
    def _vader(self) -> Any:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()

    def _zh(self, text: str) -> SentimentScore:
        from snownlp import SnowNLP

        p_pos = float(SnowNLP(text).sentiments) if text.strip() else 0.5
        label = SentimentLabel.positive if p_pos >= 0.5 else SentimentLabel.negative
        return SentimentScore(label=label, score=2 * p_pos - 1, confidence=max(p_pos, 1 - p_pos))

    def _en(self, text: str) -> SentimentScore:
        compound = float(self._vader.polarity_scores(text)["compound"])
        if compound >= VADER_NEUTRAL:
            label = SentimentLabel.positive
        elif compound <= -VADER_NEUTRAL:
            label = SentimentLabel.negative
        else:
            label = SentimentLabel.neutral
        confidence = abs(compound) if label is not SentimentLabel.neutral else 1 - abs(compound)
        return SentimentScore(label=label, score=compound, confidence=confidence)

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Score each text with the lexicon of its language."""
        return [self._zh(t) if (lang or detect_lang(t)) == "zh" else self._en(t) for t in texts]
