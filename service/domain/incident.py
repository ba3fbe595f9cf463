"""Incidents and their public updates in Statuspage's shape; Herald's own fields under `herald`."""

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.domain.component import ComponentPublic
from service.domain.enums import (
    Audience,
    ComponentStatus,
    Impact,
    IncidentKind,
    IncidentStatus,
    Language,
    MaintenanceStatus,
    Severity,
)
from service.domain.facts import IncidentFacts, IncidentFactsPatch

AnyStatus = IncidentStatus | MaintenanceStatus

SEVERITY_IMPACT: dict[Severity, Impact] = {
    Severity.P0: Impact.critical,
    Severity.P1: Impact.major,
    Severity.P2: Impact.minor,
    Severity.P3: Impact.minor,
}


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2026-11-28T14:30:00Z")
    return value


class HeraldFields(BaseModel):
    """Herald's own namespace on an incident."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity = Severity.P2
    kind: IncidentKind = IncidentKind.incident
    facts: IncidentFacts = Field(default_factory=IncidentFacts)
    languages: list[Language] = Field(default_factory=lambda: [Language.en], min_length=1)
    audiences: list[Audience] = Field(default_factory=lambda: [Audience.end_users])


class HeraldFieldsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity | None = None
    kind: IncidentKind | None = None
    facts: IncidentFactsPatch | None = None
    languages: list[Language] | None = Field(default=None, min_length=1)
    audiences: list[Audience] | None = None


class HeraldPublic(HeraldFields):
    next_update_at: datetime | None = None


def status_fits_kind(status: AnyStatus, kind: IncidentKind) -> bool:
    """Maintenance uses Statuspage's maintenance statuses; everything else the incident ones."""
    is_maintenance_status = isinstance(status, MaintenanceStatus)
    return is_maintenance_status == (kind is IncidentKind.maintenance)


class IncidentCreateFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, description="Short problem statement.")
    status: AnyStatus | None = Field(
        default=None, description="Defaults to investigating, or scheduled for maintenance."
    )
    impact_override: Impact | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    component_ids: list[str] = Field(default_factory=list)
    herald: HeraldFields = Field(default_factory=HeraldFields)

    _aware_times = field_validator("scheduled_for", "scheduled_until")(_aware)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        kind = self.herald.kind
        if self.status is not None and not status_fits_kind(self.status, kind):
            raise ValueError(f"status {self.status.value!r} does not apply to kind {kind.value!r}")
        if kind is IncidentKind.maintenance and (
            self.scheduled_for is None or self.scheduled_until is None
        ):
            raise ValueError("maintenance needs scheduled_for and scheduled_until")
        if (
            self.scheduled_for is not None
            and self.scheduled_until is not None
            and self.scheduled_until <= self.scheduled_for
        ):
            raise ValueError("scheduled_until must be after scheduled_for")
        return self


class IncidentCreate(BaseModel):
    """Statuspage wraps bodies: `{"incident": {...}}`."""

    model_config = ConfigDict(extra="forbid")
    incident: IncidentCreateFields


class IncidentPatchFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300)
    status: AnyStatus | None = None
    impact_override: Impact | None = None
    scheduled_for: datetime | None = None
    scheduled_until: datetime | None = None
    component_ids: list[str] | None = None
    herald: HeraldFieldsPatch | None = None

    _aware_times = field_validator("scheduled_for", "scheduled_until")(_aware)


class IncidentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incident: IncidentPatchFields


class AffectedComponent(BaseModel):
    code: str
    name: str
    old_status: ComponentStatus
    new_status: ComponentStatus


class IncidentUpdatePublic(BaseModel):
    """A published update (Statuspage's `incident_update`)."""

    id: str
    incident_id: str
    status: AnyStatus
    body: str
    language: Language
    affected_components: list[AffectedComponent]
    deliver_notifications: bool
    created_at: datetime
    updated_at: datetime
    display_at: datetime


class IncidentPublic(BaseModel):
    id: str
    name: str
    status: AnyStatus
    impact: Impact
    impact_override: Impact | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    shortlink: str | None = None
    postmortem_body: str | None
    components: list[ComponentPublic]
    incident_updates: list[IncidentUpdatePublic]
    herald: HeraldPublic


class TimelineEvent(BaseModel):
    at: datetime
    actor: str
    type: str
    data: dict[str, Any]


class Proposal(BaseModel):
    """A change intake suggests; a human accepts or dismisses it."""

    id: str
    incident_id: str
    action: str
    target_status: AnyStatus
    reason: str
    source: str
    state: str
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
