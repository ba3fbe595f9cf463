"""Statuspage's public JSON (`/api/v2/*.json`) in its exact field names, from the read model."""

import hashlib
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from service.statuspage import view

DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Partial System Outage",
    "critical": "Major Service Outage",
}
MAINTENANCE_DESCRIPTION = "Service Under Maintenance"


class Page(BaseModel):
    id: str
    name: str
    url: str
    time_zone: str = "Etc/UTC"
    updated_at: datetime | None


class Component(BaseModel):
    id: str
    name: str
    status: str
    created_at: datetime
    updated_at: datetime
    position: int
    description: str | None
    showcase: bool
    start_date: str | None = None
    group_id: str | None = None
    page_id: str
    group: bool = False
    only_show_if_degraded: bool


class AffectedComponent(BaseModel):
    code: str
    name: str
    old_status: str
    new_status: str


class IncidentUpdate(BaseModel):
    id: str
    status: str
    body: str
    incident_id: str
    created_at: datetime
    updated_at: datetime
    display_at: datetime
    affected_components: list[AffectedComponent] | None
    deliver_notifications: bool = True
    custom_tweet: str | None = None
    tweet_id: str | None = None


class Incident(BaseModel):
    id: str
    name: str
    status: str
    created_at: datetime
    updated_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    impact: str
    shortlink: str
    started_at: datetime
    page_id: str
    incident_updates: list[IncidentUpdate]
    components: list[Component]


class ScheduledMaintenance(Incident):
    scheduled_for: datetime | None
    scheduled_until: datetime | None


class Status(BaseModel):
    indicator: str
    description: str


class Summary(BaseModel):
    page: Page
    components: list[Component]
    incidents: list[Incident]
    scheduled_maintenances: list[ScheduledMaintenance]
    status: Status


class IncidentList(BaseModel):
    page: Page
    incidents: list[Incident]


class MaintenanceList(BaseModel):
    page: Page
    scheduled_maintenances: list[ScheduledMaintenance]


class StatusDocument(BaseModel):
    page: Page
    status: Status


class ComponentList(BaseModel):
    page: Page
    components: list[Component]


def page_id(public_url: str) -> str:
    """A stable id for this installation's page."""
    return hashlib.sha256(public_url.encode()).hexdigest()[:12]


def page(name: str, public_url: str, updated_at: datetime | None) -> Page:
    return Page(id=page_id(public_url), name=name, url=public_url, updated_at=updated_at)


def component(item: view.PublicComponent, pid: str) -> Component:
    return Component(
        id=item.id,
        name=item.name,
        status=item.status.value,
        created_at=item.created_at,
        updated_at=item.updated_at,
        position=item.position,
        description=item.description,
        showcase=item.showcase,
        page_id=pid,
        only_show_if_degraded=item.only_show_if_degraded,
    )


def _affected(raw: list[dict[str, Any]]) -> list[AffectedComponent] | None:
    return [AffectedComponent.model_validate(a) for a in raw] or None


def _fields(item: view.PublicIncident, pid: str, public_url: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "status": item.status,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "monitoring_at": item.monitoring_at,
        "resolved_at": item.resolved_at,
        "impact": item.impact.value,
        "shortlink": f"{public_url.rstrip('/')}/incidents/{item.id}",
        "started_at": item.started_at,
        "page_id": pid,
        "incident_updates": [
            IncidentUpdate(
                id=u.id,
                status=u.status,
                body=u.body,
                incident_id=u.incident_id,
                created_at=u.created_at,
                updated_at=u.updated_at,
                display_at=u.display_at,
                affected_components=_affected(u.affected_components),
            )
            for u in item.updates
        ],
        "components": [component(c, pid) for c in item.components],
    }


def incident(item: view.PublicIncident, pid: str, public_url: str) -> Incident:
    return Incident(**_fields(item, pid, public_url))


def maintenance(item: view.PublicIncident, pid: str, public_url: str) -> ScheduledMaintenance:
    return ScheduledMaintenance(
        **_fields(item, pid, public_url),
        scheduled_for=item.scheduled_for,
        scheduled_until=item.scheduled_until,
    )


def status(state: view.Indicator) -> Status:
    description = DESCRIPTIONS[state.indicator]
    if state.indicator == "none" and state.under_maintenance:
        description = MAINTENANCE_DESCRIPTION
    return Status(indicator=state.indicator, description=description)
