"""Prometheus Alertmanager webhook payloads (``webhook_config``, payload version "4").

One payload is one notification for an alert group: ``groupKey`` names the group and each entry of
``alerts`` carries its own ``status``, ``labels``, ``annotations``, ``startsAt``/``endsAt`` and
``fingerprint``. Each alert becomes one NormalizedAlert that shares the group's ``group_key``.
"""

import hashlib
import json
from typing import Literal

from pydantic import Field

from service.intake.errors import IntakeError
from service.intake.model import AlertStatus, NormalizedAlert
from service.intake.validation import Timestamp, VendorShape, validate_shape

VERSION = "4"


class AlertmanagerAlert(VendorShape):
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: Timestamp
    endsAt: Timestamp = None
    generatorURL: str = ""
    fingerprint: str = ""


class AlertmanagerPayload(VendorShape):
    version: str
    groupKey: str
    status: Literal["firing", "resolved"]
    receiver: str = ""
    alerts: list[AlertmanagerAlert]
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    truncatedAlerts: int = 0


def parse(payload: object) -> list[NormalizedAlert]:
    """Read an Alertmanager v4 webhook payload into one NormalizedAlert per alert."""
    check_version(payload, VERSION, other={"1": "grafana"})
    shape = validate_shape(AlertmanagerPayload, payload)
    require_alerts(len(shape.alerts))
    return [normalize(alert, "alertmanager", shape.groupKey) for alert in shape.alerts]


def check_version(payload: object, expected: str, other: dict[str, str]) -> None:
    """Reject a payload whose ``version`` is not the one this parser reads."""
    if not isinstance(payload, dict) or "version" not in payload:
        return  # validate_shape reports the missing field or wrong type
    version = payload["version"]
    if version != expected:
        hint = f"; this looks like a {other[version]} payload" if version in other else ""
        raise IntakeError("version", f"expected {expected!r}, got {version!r}{hint}")


def require_alerts(count: int) -> None:
    """Reject an empty alerts list; no vendor sends one, so it signals a misrouted sender."""
    if count == 0:
        raise IntakeError("alerts", "the list is empty")


def normalize(alert: AlertmanagerAlert, source: str, group_key: str) -> NormalizedAlert:
    """Map one Alertmanager-shaped alert (also Grafana's) onto NormalizedAlert."""
    status = AlertStatus(alert.status)
    return NormalizedAlert(
        source=source,
        group_key=group_key,
        fingerprint=alert.fingerprint or labels_fingerprint(alert.labels),
        status=status,
        title=alert_title(alert.annotations, alert.labels, source),
        description=alert.annotations.get("description") or alert.annotations.get("message"),
        labels=alert.labels,
        annotations=alert.annotations,
        severity_raw=alert.labels.get("severity"),
        starts_at=alert.startsAt,
        # A firing alert's endsAt is Prometheus' provisional expiry, not an end: drop it.
        ends_at=alert.endsAt if status is AlertStatus.resolved else None,
        url=alert.generatorURL or None,
    )


def alert_title(annotations: dict[str, str], labels: dict[str, str], source: str) -> str:
    """The alert's own summary line: the summary annotation, else the alert name."""
    for text in (annotations.get("summary"), annotations.get("title"), labels.get("alertname")):
        if text and text.strip():
            return text.strip()
    return f"{source} alert"


def labels_fingerprint(labels: dict[str, str]) -> str:
    """A stable id from the label set, for senders older than Alertmanager 0.19 (no fingerprint)."""
    digest = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()
    return digest[:16]
