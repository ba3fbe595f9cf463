from datetime import UTC, datetime, timedelta, timezone

from service.intake.model import AlertStatus
from service.intake.parse import SOURCES, parse_alerts
from tests.intake.payloads import load

CST = timezone(timedelta(hours=8))


def test_generic_firing_alert() -> None:
    [alert] = parse_alerts("generic", load("generic_firing"))

    assert alert.source == "generic"
    assert alert.group_key == alert.fingerprint == "orders-export-delayed"
    assert alert.status is AlertStatus.firing
    assert alert.title == "Order exports are delayed"
    assert alert.description == "Nightly order exports to partners are running 40 minutes late."
    assert alert.severity_raw == "warning"
    assert alert.labels == {
        "service": "orders-export",
        "region": "ap-southeast-1",
        "team": "fulfilment",
    }
    assert alert.annotations == {"runbook_url": "https://runbooks.example.com/orders/export-delay"}
    assert alert.starts_at == datetime(2026, 3, 2, 2, 15, tzinfo=CST)
    assert alert.starts_at == datetime(2026, 3, 1, 18, 15, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.url == "https://status-internal.example.com/checks/orders-export"


def test_generic_resolved_alert() -> None:
    [alert] = parse_alerts("generic", load("generic_resolved"))

    assert alert.status is AlertStatus.resolved
    assert alert.ends_at == datetime(2026, 3, 2, 3, 2, 30, tzinfo=CST)
    assert alert.description is None
    assert alert.url is None


def test_minimal_generic_alert_needs_three_fields() -> None:
    [alert] = parse_alerts(
        "generic", {"dedup_key": "k1", "status": "firing", "title": "Exports are late"}
    )
    assert (alert.labels, alert.starts_at, alert.severity_raw) == ({}, None, None)


def test_generic_accepts_an_array() -> None:
    body = [
        {"dedup_key": "a", "status": "firing", "title": "A is down"},
        {"dedup_key": "b", "status": "resolved", "title": "B is down"},
    ]
    alerts = parse_alerts("generic", body)
    assert [(a.fingerprint, a.status) for a in alerts] == [
        ("a", AlertStatus.firing),
        ("b", AlertStatus.resolved),
    ]


def test_sources_are_the_four_documented_ones() -> None:
    assert set(SOURCES) == {"alertmanager", "grafana", "pagerduty", "generic"}
