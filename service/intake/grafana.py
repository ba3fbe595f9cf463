"""Grafana unified-alerting webhook payloads (payload version "1").

Grafana's body is Alertmanager's plus ``orgId``, ``title``, ``state``, ``message`` and, per alert,
``values``/``valueString``, ``dashboardURL``, ``panelURL``, ``silenceURL``. The top-level
``title``/``message`` are rendered notification text ("[FIRING:2] ..."), not a user-level summary,
so the per-alert summary annotation is used instead. Query values (``values``, ``valueString``) are
engineering detail and are not read.
"""

from service.intake.alertmanager import (
    AlertmanagerAlert,
    AlertmanagerPayload,
    check_version,
    normalize,
    require_alerts,
)
from service.intake.model import NormalizedAlert
from service.intake.validation import validate_shape

VERSION = "1"


class GrafanaAlert(AlertmanagerAlert):
    dashboardURL: str = ""
    panelURL: str = ""
    silenceURL: str = ""


class GrafanaPayload(AlertmanagerPayload):
    alerts: list[GrafanaAlert]  # type: ignore[assignment]  # narrower item type, same field
    orgId: int | None = None
    title: str = ""
    state: str = ""
    message: str = ""


def parse(payload: object) -> list[NormalizedAlert]:
    """Read a Grafana alerting webhook payload into one NormalizedAlert per alert."""
    check_version(payload, VERSION, other={"4": "alertmanager"})
    shape = validate_shape(GrafanaPayload, payload)
    require_alerts(len(shape.alerts))
    alerts = []
    for alert in shape.alerts:
        normalized = normalize(alert, "grafana", shape.groupKey)
        # The panel or dashboard is where a responder looks first; the rule editor comes last.
        url = alert.panelURL or alert.dashboardURL or normalized.url
        alerts.append(normalized.model_copy(update={"url": url}))
    return alerts
