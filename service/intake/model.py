"""The normalized alert every intake parser produces, whatever the vendor."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AlertStatus(StrEnum):
    firing = "firing"
    resolved = "resolved"


class NormalizedAlert(BaseModel):
    """One alert as Herald sees it: vendor-neutral, timestamps aware, nothing inferred yet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="alertmanager | grafana | pagerduty | generic")
    group_key: str | None = Field(
        description="Groups alerts into one incident: groupKey, PagerDuty incident id, dedup_key."
    )
    fingerprint: str = Field(min_length=1, description="Identifies this one alert across resends.")
    status: AlertStatus
    title: str = Field(min_length=1, description="The payload's own summary line.")
    description: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    severity_raw: str | None = Field(
        default=None, description="The vendor's own severity, urgency or priority value."
    )
    starts_at: datetime | None = None
    ends_at: datetime | None = Field(default=None, description="Set only for a resolved alert.")
    url: str | None = None

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must be timezone-aware")
        return value
