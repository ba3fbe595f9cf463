"""PagerDuty v3 webhook payloads (webhook subscriptions).

Each delivery holds one ``event``: ``event_type`` says what happened (``incident.triggered``,
``incident.acknowledged``, ``incident.resolved``, ...) and ``event.data`` is the incident. Only
events whose data is an ``incident`` describe an alert; notes, responder requests, status updates
and the ``pagey.ping`` test event parse to an empty list (nothing to do, but not an error).

The incident id is the group key; the fingerprint is ``incident_key`` (the dedup key the
monitoring tool sent to PagerDuty) or, when absent, the incident id. Service, team, urgency and
priority become labels so the mapping's component and severity rules can read them.
"""

from typing import Literal

from pydantic import Field

from service.intake.model import AlertStatus, NormalizedAlert
from service.intake.validation import Timestamp, VendorShape, join_path, validate_shape

RESOLVED_EVENT = "incident.resolved"
TRIGGERED_EVENT = "incident.triggered"


class PagerDutyReference(VendorShape):
    id: str
    summary: str | None = None
    type: str | None = None
    html_url: str | None = None


class PagerDutyIncident(VendorShape):
    id: str
    type: Literal["incident"]
    status: Literal["triggered", "acknowledged", "resolved"]
    title: str
    number: int | None = None
    html_url: str | None = None
    incident_key: str | None = None
    created_at: Timestamp = None
    service: PagerDutyReference | None = None
    teams: list[PagerDutyReference] = Field(default_factory=list)
    priority: PagerDutyReference | None = None
    urgency: Literal["high", "low"] | None = None


class PagerDutyEvent(VendorShape):
    id: str
    event_type: str
    resource_type: str
    occurred_at: Timestamp
    data: dict[str, object]


class PagerDutyWebhook(VendorShape):
    event: PagerDutyEvent


def parse(payload: object) -> list[NormalizedAlert]:
    """Read a PagerDuty v3 webhook; incident events give one alert, other events none."""
    event = validate_shape(PagerDutyWebhook, payload).event
    if event.resource_type != "incident" or event.data.get("type") != "incident":
        return []
    incident = validate_shape(PagerDutyIncident, event.data, prefix=join_path("event", "data"))
    resolved = event.event_type == RESOLVED_EVENT or incident.status == "resolved"
    starts_at = incident.created_at
    if starts_at is None and event.event_type == TRIGGERED_EVENT:
        starts_at = event.occurred_at
    labels = _labels(incident)
    annotations = {"pagerduty_event_type": event.event_type}
    if incident.number is not None:
        annotations["pagerduty_incident_number"] = str(incident.number)
    return [
        NormalizedAlert(
            source="pagerduty",
            group_key=incident.id,
            fingerprint=incident.incident_key or incident.id,
            status=AlertStatus.resolved if resolved else AlertStatus.firing,
            title=incident.title.strip() or f"PagerDuty incident {incident.id}",
            description=None,
            labels=labels,
            annotations=annotations,
            severity_raw=labels.get("priority") or incident.urgency,
            starts_at=starts_at,
            ends_at=event.occurred_at if resolved else None,
            url=incident.html_url,
        )
    ]


def _labels(incident: PagerDutyIncident) -> dict[str, str]:
    labels: dict[str, str] = {}
    if incident.service is not None:
        labels["service_id"] = incident.service.id
        if incident.service.summary:
            labels["service"] = incident.service.summary
    if incident.teams and incident.teams[0].summary:
        labels["team"] = incident.teams[0].summary
    if incident.urgency is not None:
        labels["urgency"] = incident.urgency
    if incident.priority is not None and incident.priority.summary:
        labels["priority"] = incident.priority.summary
    return labels
