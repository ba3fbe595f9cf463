"""Feedback values: what intake accepts, what the feed shows, what a suggested reply is."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.drafting.model import ToneGuidance
from service.sentiment.model import Concern, SentimentLabel

MAX_BATCH = 1000


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2026-11-28T14:30:00+08:00")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class FeedbackIn(BaseModel):
    """One customer post as a source hands it over."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    external_id: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=200, description="Stored only as an HMAC.")
    text: str = Field(min_length=1, max_length=5000)
    lang: Literal["zh", "en"] | None = None
    created_at: AwareDatetime
    url: str | None = Field(default=None, max_length=2000)
    incident_id: str | None = Field(default=None, max_length=32)


class IntakeReceipt(BaseModel):
    """What intake persisted: new posts, and repeats of (source, external_id) it already had."""

    accepted: int
    duplicates: int


class FeedbackPublic(BaseModel):
    """A stored post as the comms lead sees it; the author appears only as its hash."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    external_id: str
    author_hash: str
    text: str
    lang: str | None
    url: str | None
    created_at: datetime
    received_at: datetime
    incident_id: str | None
    link_confidence: float | None
    label: SentimentLabel | None
    score: float | None
    concern: Concern | None
    scored_at: datetime | None


class WindowStats(BaseModel):
    """Scored posts of one incident in one trailing window."""

    minutes: int
    volume: int
    negative: int
    negative_share: float | None
    mean_score: float | None
    concerns: dict[Concern, int]


class Spike(BaseModel):
    """A count in the current window against its trailing baseline (the rule is policy data)."""

    current: int
    baseline_mean: float
    ratio: float | None
    spiking: bool


class Marker(BaseModel):
    """A published update, with the mood in the minutes before and after it."""

    at: datetime
    draft_id: str | None
    minutes: int
    before_volume: int
    after_volume: int
    before_negative_share: float | None
    after_negative_share: float | None
    negative_share_change: float | None
    complete: bool = Field(description="False while the after-window is still running.")


class Aggregate(BaseModel):
    """An incident's feedback at one moment: rolling windows, spikes, markers."""

    incident_id: str
    at: datetime
    windows: list[WindowStats]
    negative_spike: Spike
    volume_spike: Spike
    top_concern: Concern | None
    top_concern_posts: int
    markers: list[Marker]


class IncidentFeed(BaseModel):
    incident_id: str
    name: str
    status: str
    aggregate: Aggregate
    tone: ToneGuidance
    recent: list[FeedbackPublic]


class FeedSnapshot(BaseModel):
    """What the comms lead's live view shows."""

    at: datetime
    backlog: int = Field(description="Posts stored but not yet scored.")
    scoring_lag_s: float = Field(description="Now minus the oldest unscored post's arrival.")
    incidents: list[IncidentFeed]


class ReplyState(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Literal["zh", "en"] | None = Field(
        default=None, description="Default: the post's language, else zh."
    )


class ReplyDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=2000)


class ReplyPublic(BaseModel):
    """A suggested FAQ answer; approved means a human may send it, Herald never does."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    post_id: int
    incident_id: str | None
    concern: Concern
    language: str
    body: str
    state: ReplyState
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    comment: str | None
