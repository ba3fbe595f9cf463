"""Ports: what the rest of Herald calls to read the mood and the concern of posts."""

from collections.abc import Sequence
from typing import Protocol

from service.sentiment.model import Concern, SentimentScore


class SentimentModel(Protocol):
    """Scores posts as negative / neutral / positive."""

    name: str

    def score(self, texts: Sequence[str], lang: str | None = None) -> list[SentimentScore]:
        """Return one score per text, in order; `lang` None means detect per text."""
        ...


class ConcernModel(Protocol):
    """Classifies what a post asks about."""

    def classify(self, texts: Sequence[str], lang: str | None = None) -> list[Concern]:
        """Return one concern per text, in order."""
        ...
