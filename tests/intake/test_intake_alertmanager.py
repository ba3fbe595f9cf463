from datetime import UTC, datetime

from service.intake.model import AlertStatus
from service.intake.parse import parse_alerts
from tests.intake.payloads import load

GROUP_KEY = '{}/{team="payments"}:{alertname="CheckoutErrorRateHigh", service="checkout"}'


def test_firing_group_gives_one_alert_per_entry() -> None:
    alerts = parse_alerts("alertmanager", load("alertmanager_firing"))

    assert [a.fingerprint for a in alerts] == ["7d3f0c1e9a4b2f61", "c41a9e07b5d28f3a"]
    first = alerts[0]
    assert first.source == "alertmanager"
    assert first.group_key == GROUP_KEY
    assert first.status is AlertStatus.firing
    assert first.title == "Checkout requests are failing"
    assert first.description is not None
    assert first.description.startswith("5xx ratio on checkout")
    assert first.labels["service"] == "checkout"
    assert first.annotations["runbook_url"] == "https://runbooks.example.com/checkout/error-rate"
    assert first.severity_raw == "critical"
    # Alertmanager sends nanoseconds; Python keeps microseconds.
    assert first.starts_at == datetime(2026, 3, 2, 14, 5, 12, 481203, tzinfo=UTC)
    assert first.ends_at is None  # "0001-01-01T00:00:00Z" means no end yet
    assert first.url is not None
    assert first.url.startswith("http://prometheus.example.com:9090/graph")


def test_resolved_pair_matches_the_firing_group() -> None:
    firing = parse_alerts("alertmanager", load("alertmanager_firing"))
    resolved = parse_alerts("alertmanager", load("alertmanager_resolved"))

    assert [(a.group_key, a.fingerprint) for a in resolved] == [
        (a.group_key, a.fingerprint) for a in firing
    ]
    assert all(a.status is AlertStatus.resolved for a in resolved)
    assert resolved[0].ends_at == datetime(2026, 3, 2, 14, 41, 27, 902114, tzinfo=UTC)
    assert resolved[0].starts_at == firing[0].starts_at


def test_repeat_notification_keeps_keys_of_alerts_already_seen() -> None:
    first = parse_alerts("alertmanager", load("alertmanager_firing"))
    repeat = parse_alerts("alertmanager", load("alertmanager_repeat"))

    assert {a.group_key for a in repeat} == {GROUP_KEY}
    seen = {a.fingerprint for a in first}
    assert [a.fingerprint in seen for a in repeat] == [True, False]


def test_same_delivery_twice_parses_identically() -> None:
    assert parse_alerts("alertmanager", load("alertmanager_firing")) == parse_alerts(
        "alertmanager", load("alertmanager_firing")
    )


def test_firing_alert_drops_provisional_end_time() -> None:
    payload = load("alertmanager_firing")
    assert isinstance(payload, dict)
    payload["alerts"][0]["endsAt"] = "2026-03-02T14:09:12.481Z"

    assert parse_alerts("alertmanager", payload)[0].ends_at is None


def test_missing_fingerprint_falls_back_to_a_stable_label_hash() -> None:
    payload = load("alertmanager_firing")
    assert isinstance(payload, dict)
    for alert in payload["alerts"]:
        del alert["fingerprint"]

    once = parse_alerts("alertmanager", payload)
    again = parse_alerts("alertmanager", payload)
    assert [a.fingerprint for a in once] == [a.fingerprint for a in again]
    assert once[0].fingerprint != once[1].fingerprint  # their instance labels differ
    assert all(len(a.fingerprint) == 16 for a in once)


def test_title_falls_back_to_alertname_without_summary() -> None:
    payload = load("alertmanager_firing")
    assert isinstance(payload, dict)
    del payload["alerts"][0]["annotations"]["summary"]

    assert parse_alerts("alertmanager", payload)[0].title == "CheckoutErrorRateHigh"
