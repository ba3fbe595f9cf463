"""Sentiment and concern values: what every model returns, whatever its vendor."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class SentimentLabel(StrEnum):
    """Three-way polarity of a post."""

    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class SentimentScore(BaseModel):
    """A post's polarity: label, signed score (-1 negative … +1 positive) and confidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: SentimentLabel
    score: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)


class Concern(StrEnum):
    """What a customer's post is asking about (PLAYBOOK §8)."""

    recovery_time = "recovery_time"
    scope = "scope"
    cause = "cause"
    data_security = "data_security"
    compensation = "compensation"
    other = "other"
