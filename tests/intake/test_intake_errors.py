"""Payloads that are not their vendor's shape raise IntakeError naming the offending field."""

import copy
from typing import Any

import pytest

from service.intake.errors import IntakeError
from service.intake.parse import parse_alerts
from tests.intake.payloads import load


def _payload(name: str) -> dict[str, Any]:
    body = load(name)
    assert isinstance(body, dict)
    return copy.deepcopy(body)


def _problem(source: str, body: object) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        parse_alerts(source, body)
    return caught.value


def test_unknown_source() -> None:
    error = _problem("nagios", {})
    assert error.field == "source"
    assert "nagios" in error.problem
    assert "alertmanager" in error.problem


@pytest.mark.parametrize("source", ["alertmanager", "grafana"])
def test_missing_alerts_list(source: str) -> None:
    body = _payload("alertmanager_firing" if source == "alertmanager" else "grafana_firing")
    del body["alerts"]
    error = _problem(source, body)
    assert (error.field, error.problem) == ("alerts", "Field required")


def test_alerts_not_a_list() -> None:
    body = _payload("alertmanager_firing")
    body["alerts"] = {"status": "firing"}
    error = _problem("alertmanager", body)
    assert (error.field, error.problem) == ("alerts", "expected a JSON array, got object")


def test_empty_alerts_list() -> None:
    body = _payload("alertmanager_firing")
    body["alerts"] = []
    assert _problem("alertmanager", body).field == "alerts"


def test_body_not_an_object() -> None:
    error = _problem("alertmanager", ["not", "an", "object"])
    assert (error.field, error.problem) == ("(root)", "expected a JSON object, got array")


def test_label_value_of_wrong_type() -> None:
    body = _payload("alertmanager_firing")
    body["alerts"][1]["labels"]["severity"] = 2
    error = _problem("alertmanager", body)
    assert (error.field, error.problem) == (
        "alerts/1/labels/severity",
        "expected a string, got number",
    )


def test_bad_alert_status() -> None:
    body = _payload("alertmanager_firing")
    body["alerts"][0]["status"] = "pending"
    assert _problem("alertmanager", body).field == "alerts/0/status"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("yesterday", "not an ISO 8601 timestamp"),
        ("2026-03-02T14:05:12", "no UTC offset"),
        ("2026-13-02T14:05:12Z", "not an ISO 8601 timestamp"),
        (1772460312, "expected an ISO 8601 timestamp string"),
    ],
)
def test_bad_timestamps(value: object, fragment: str) -> None:
    body = _payload("alertmanager_firing")
    body["alerts"][0]["startsAt"] = value
    error = _problem("alertmanager", body)
    assert error.field == "alerts/0/startsAt"
    assert fragment in error.problem


def test_wrong_version_points_at_the_right_source() -> None:
    error = _problem("alertmanager", _payload("grafana_firing"))
    assert error.field == "version"
    assert "grafana" in error.problem

    error = _problem("grafana", _payload("alertmanager_firing"))
    assert error.field == "version"
    assert "alertmanager" in error.problem


def test_pagerduty_without_event() -> None:
    assert _problem("pagerduty", {"messages": []}).field == "event"


def test_pagerduty_bad_occurred_at() -> None:
    body = _payload("pagerduty_incident_triggered")
    body["event"]["occurred_at"] = "last tuesday"
    assert _problem("pagerduty", body).field == "event/occurred_at"


def test_pagerduty_incident_without_title() -> None:
    body = _payload("pagerduty_incident_triggered")
    del body["event"]["data"]["title"]
    assert _problem("pagerduty", body).field == "event/data/title"


def test_pagerduty_unknown_urgency() -> None:
    body = _payload("pagerduty_incident_triggered")
    body["event"]["data"]["urgency"] = "urgent"
    assert _problem("pagerduty", body).field == "event/data/urgency"


def test_generic_rejects_unknown_fields() -> None:
    body = _payload("generic_firing")
    body["stauts"] = "firing"
    error = _problem("generic", body)
    assert error.field == "stauts"


def test_generic_requires_dedup_key() -> None:
    body = _payload("generic_firing")
    del body["dedup_key"]
    assert _problem("generic", body).field == "dedup_key"


def test_generic_end_only_when_resolved() -> None:
    body = _payload("generic_firing")
    body["ended_at"] = "2026-03-02T03:00:00+08:00"
    error = _problem("generic", body)
    assert error.field == "ended_at"
    assert "resolved" in error.problem


def test_generic_end_before_start() -> None:
    body = _payload("generic_resolved")
    body["ended_at"] = "2026-03-02T01:00:00+08:00"
    assert _problem("generic", body).field == "ended_at"


def test_generic_array_errors_name_the_index() -> None:
    good = {"dedup_key": "a", "status": "firing", "title": "A is down"}
    error = _problem("generic", [good, {**good, "started_at": "soon"}])
    assert error.field == "1/started_at"


def test_generic_empty_array() -> None:
    assert _problem("generic", []).field == "(root)"
