"""Technical facts about an incident, the single source every draft is written from."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

Percent = float


class IncidentFacts(BaseModel):
    """What responders know. Every number or time in a draft must come from here (PLAYBOOK §5)."""

    model_config = ConfigDict(extra="forbid")

    symptoms: list[str] = Field(
        default_factory=list, description="Observed, user-visible symptoms."
    )
    affected_components: list[str] = Field(default_factory=list)
    affected_regions: list[str] = Field(default_factory=list)
    affected_share_pct: Percent | None = Field(
        default=None, ge=0, le=100, description="Share of users affected, 0-100."
    )
    cause: str | None = Field(default=None, description="Cause in user-level wording.")
    actions: list[str] = Field(default_factory=list, description="What the team is doing now.")
    fix_applied: str | None = None
    recovery_pct: Percent | None = Field(default=None, ge=0, le=100)
    engineering_eta_minutes: int | None = Field(
        default=None, ge=1, le=60 * 24 * 14, description="Engineering's own estimate, unbuffered."
    )
    eta_estimated_at: datetime | None = Field(
        default=None, description="When engineering gave the estimate; the ETA counts from here."
    )
    workaround: str | None = None
    follow_ups: list[str] = Field(default_factory=list, description="Improvements promised.")
    detected_at: datetime | None = None
    recovered_at: datetime | None = None
    timezone: str = Field(default="UTC", description="IANA zone the audience reads times in.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("detected_at", "recovered_at", "eta_estimated_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset, e.g. 2026-11-28T14:30:00+08:00")
        return value

    def merged(self, patch: "IncidentFactsPatch") -> "IncidentFacts":
        """Return these facts with every field the patch sets replaced."""
        return self.model_copy(update=patch.model_dump(exclude_unset=True))


class IncidentFactsPatch(IncidentFacts):
    """Partial facts: only the fields sent are applied."""
