from datetime import UTC, datetime

from service.intake.model import AlertStatus
from service.intake.parse import parse_alerts
from tests.intake.payloads import load


def test_grafana_alert_is_normalized() -> None:
    [alert] = parse_alerts("grafana", load("grafana_firing"))

    assert alert.source == "grafana"
    assert alert.group_key is not None
    assert alert.group_key.endswith('{alertname="LoginLatencyHigh", grafana_folder="Identity"}')
    assert alert.fingerprint == "e1b4c2a97f30d856"
    assert alert.status is AlertStatus.firing
    # The per-alert summary, not Grafana's rendered "[FIRING:1] ..." notification title.
    assert alert.title == "Sign-in is slow for some users"
    assert alert.description == "p95 sign-in latency is 4.2 s, above the 2 s objective."
    assert alert.severity_raw == "warning"
    assert alert.labels["region"] == "us-east-1"
    assert alert.starts_at == datetime(2026, 3, 2, 8, 51, 3, 157076, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.url == "https://grafana.example.com/d/identity-slo?orgId=1&viewPanel=4"


def test_url_falls_back_from_panel_to_dashboard_to_rule() -> None:
    payload = load("grafana_firing")
    assert isinstance(payload, dict)
    payload["alerts"][0]["panelURL"] = ""
    assert (
        parse_alerts("grafana", payload)[0].url
        == "https://grafana.example.com/d/identity-slo?orgId=1"
    )

    payload["alerts"][0]["dashboardURL"] = ""
    assert parse_alerts("grafana", payload)[0].url == payload["alerts"][0]["generatorURL"]


def test_grafana_resolved_alert_keeps_its_end() -> None:
    payload = load("grafana_firing")
    assert isinstance(payload, dict)
    payload["status"] = "resolved"
    payload["alerts"][0].update(status="resolved", endsAt="2026-03-02T10:20:03+01:00")

    [alert] = parse_alerts("grafana", payload)
    assert alert.status is AlertStatus.resolved
    assert alert.ends_at == datetime(2026, 3, 2, 9, 20, 3, tzinfo=UTC)
