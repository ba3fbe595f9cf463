"""The feedback policy (linking keywords, spike rule, tone thresholds), loaded from YAML data."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.errors import ConfigError

POLICY_PATH = Path(__file__).with_name("policy.yaml")


class LinkWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: float = Field(ge=0, le=1)
    component: float = Field(ge=0, le=1)
    name: float = Field(ge=0, le=1)
    generic: float = Field(ge=0, le=1)
    sole_candidate: float = Field(ge=0, le=1)


class LinkingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    margin_minutes: float = Field(ge=0)
    threshold: float = Field(ge=0, le=1)
    weights: LinkWeights
    generic_keywords: dict[str, list[str]]
    component_aliases: dict[str, list[str]]


class AggregatePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    windows_minutes: list[int] = Field(min_length=1)
    marker_minutes: int = Field(ge=1)
    recent_posts: int = Field(ge=0)


class SpikePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window_minutes: int = Field(ge=1)
    baseline_buckets: int = Field(ge=1)
    ratio: float = Field(gt=0)
    min_count: int = Field(ge=1)
    baseline_floor: float = Field(ge=0)


class TonePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    top_concern_min_posts: int = Field(ge=1)


class FeedbackPolicy(BaseModel):
    """Everything tunable about feedback, as one validated document."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    linking: LinkingPolicy
    aggregates: AggregatePolicy
    spike: SpikePolicy
    tone: TonePolicy


def load_policy(path: Path | None = None) -> FeedbackPolicy:
    """Load and validate a policy file; a broken file fails here, naming the file."""
    path = path or POLICY_PATH
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return FeedbackPolicy.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: bad feedback policy: {exc}") from exc


@lru_cache(maxsize=8)
def default_policy() -> FeedbackPolicy:
    """The packaged policy, read once."""
    return load_policy()


def keyword_pattern(keywords: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern: Latin keywords as whole words, others as substrings."""
    parts = []
    for keyword in sorted(
        {k.strip().lower() for k in keywords if k.strip()}, key=len, reverse=True
    ):
        escaped = re.escape(keyword)
        if keyword.isascii():
            escaped = rf"(?<![a-z0-9]){escaped}(?![a-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None
