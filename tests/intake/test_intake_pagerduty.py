from datetime import UTC, datetime

from service.intake.model import AlertStatus
from service.intake.parse import parse_alerts
from tests.intake.payloads import load


def test_incident_triggered_becomes_a_firing_alert() -> None:
    [alert] = parse_alerts("pagerduty", load("pagerduty_incident_triggered"))

    assert alert.source == "pagerduty"
    assert alert.group_key == "Q2KJ8ZP4W7XN1B"
    assert alert.fingerprint == "9f2c4e71d0b84a3c8a1f5e6d7b2c0a94"  # the incident_key
    assert alert.status is AlertStatus.firing
    assert alert.title == "Card payments are failing"
    assert alert.labels == {
        "service_id": "PF9KMXH",
        "service": "Payments API",
        "team": "Payments",
        "urgency": "high",
        "priority": "P1",
    }
    assert alert.severity_raw == "P1"
    assert alert.annotations == {
        "pagerduty_event_type": "incident.triggered",
        "pagerduty_incident_number": "4821",
    }
    assert alert.starts_at == datetime(2026, 3, 2, 16, 20, 31, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.url == "https://acme.pagerduty.com/incidents/Q2KJ8ZP4W7XN1B"


def test_incident_resolved_keeps_keys_and_sets_end() -> None:
    [triggered] = parse_alerts("pagerduty", load("pagerduty_incident_triggered"))
    [resolved] = parse_alerts("pagerduty", load("pagerduty_incident_resolved"))

    assert (resolved.group_key, resolved.fingerprint) == (
        triggered.group_key,
        triggered.fingerprint,
    )
    assert resolved.status is AlertStatus.resolved
    assert resolved.ends_at == datetime(2026, 3, 2, 17, 2, 9, 117000, tzinfo=UTC)


def test_without_priority_or_incident_key() -> None:
    [alert] = parse_alerts("pagerduty", load("pagerduty_incident_triggered_low_urgency"))

    assert alert.fingerprint == alert.group_key == "PZ7M2Q9"
    assert alert.severity_raw == "low"
    assert "priority" not in alert.labels
    assert "team" not in alert.labels


def test_acknowledged_is_still_firing() -> None:
    payload = load("pagerduty_incident_triggered")
    assert isinstance(payload, dict)
    payload["event"]["event_type"] = "incident.acknowledged"
    payload["event"]["data"]["status"] = "acknowledged"

    [alert] = parse_alerts("pagerduty", payload)
    assert alert.status is AlertStatus.firing
    assert alert.ends_at is None


def test_start_falls_back_to_occurred_at_for_a_trigger_without_created_at() -> None:
    payload = load("pagerduty_incident_triggered")
    assert isinstance(payload, dict)
    del payload["event"]["data"]["created_at"]

    [alert] = parse_alerts("pagerduty", payload)
    assert alert.starts_at == datetime(2026, 3, 2, 16, 20, 31, 482000, tzinfo=UTC)


def test_note_and_ping_events_carry_no_alert() -> None:
    assert parse_alerts("pagerduty", load("pagerduty_incident_annotated")) == []
    assert parse_alerts("pagerduty", load("pagerduty_ping")) == []
