"""Alert intake end to end on both databases: vendor payloads become incidents and proposals."""

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.app import create_app
from service.config import Settings
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory
from service.store.tables import AlertRow, IncidentRow
from tests.conftest import Tokens

PAYLOADS = Path(__file__).parents[1] / "intake" / "payloads"


def _payload(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def _send(client: TestClient, tokens: Tokens, source: str, name: str) -> dict[str, Any]:
    response = client.post(
        f"/v1/alerts/{source}", json=_payload(name), headers=tokens.auth(Role.responder)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _incident(client: TestClient, tokens: Tokens, incident_id: str) -> dict[str, Any]:
    incident: dict[str, Any] = client.get(
        f"/v1/incidents/{incident_id}", headers=tokens.auth(Role.responder)
    ).json()
    return incident


def test_alertmanager_firing_then_resolved_pair(client: TestClient, tokens: Tokens) -> None:
    first = _send(client, tokens, "alertmanager", "alertmanager_firing")
    assert first["received"] == 2
    [touched] = first["incidents"]
    assert touched["created"] is True
    incident_id = touched["incident_id"]

    incident = _incident(client, tokens, incident_id)
    assert incident["status"] == "investigating"
    assert incident["herald"]["severity"] == "P1"  # severity=critical maps to P1
    assert incident["herald"]["kind"] == "partial_outage"
    facts = incident["herald"]["facts"]
    assert facts["affected_components"] == ["Checkout"]
    assert facts["affected_regions"] == ["Europe (Ireland)"]
    assert facts["detected_at"].startswith("2026-03-02T14:05:12")
    # No machine names reach user-level facts (PLAYBOOK §5).
    assert not any("internal" in s or "10.12" in s for s in facts["symptoms"])
    assert [c["name"] for c in incident["components"]] == ["Checkout"]

    resolved = _send(client, tokens, "alertmanager", "alertmanager_resolved")
    proposal = resolved["incidents"][0]["proposal"]
    assert proposal["target_status"] == "monitoring"
    assert proposal["state"] == "open"
    # Intake never publishes or changes the stage by itself.
    incident = _incident(client, tokens, incident_id)
    assert incident["status"] == "investigating"
    assert incident["incident_updates"] == []

    accepted = client.post(
        f"/v1/incidents/{incident_id}/proposals/{proposal['id']}/accept",
        headers=tokens.auth(Role.approver),
    )
    assert accepted.status_code == 200
    assert _incident(client, tokens, incident_id)["status"] == "monitoring"
    again = client.post(
        f"/v1/incidents/{incident_id}/proposals/{proposal['id']}/accept",
        headers=tokens.auth(Role.approver),
    )
    assert again.status_code == 409

    types = [
        e["type"]
        for e in client.get(
            f"/v1/incidents/{incident_id}/timeline", headers=tokens.auth(Role.responder)
        ).json()
    ]
    assert types.count("alert.received") == 4  # two alerts, firing then resolved
    assert "proposal.created" in types
    assert "proposal.accepted" in types


def test_repeated_alert_folds_into_the_same_incident(client: TestClient, tokens: Tokens) -> None:
    first = _send(client, tokens, "alertmanager", "alertmanager_firing")["incidents"][0]
    repeat = _send(client, tokens, "alertmanager", "alertmanager_repeat")["incidents"]
    assert [(i["incident_id"], i["created"]) for i in repeat] == [(first["incident_id"], False)]
    unresolved = client.get("/v1/incidents/unresolved", headers=tokens.auth(Role.responder))
    assert [i["id"] for i in unresolved.json()] == [first["incident_id"]]
    # The repeat brought a third alert that is still firing: clearing two of three proposes nothing.
    cleared = _send(client, tokens, "alertmanager", "alertmanager_resolved")["incidents"]
    assert cleared[0]["incident_id"] == first["incident_id"]
    assert cleared[0]["proposal"] is None


def test_new_firing_after_resolution_opens_a_new_incident(
    client: TestClient, tokens: Tokens
) -> None:
    first = _send(client, tokens, "alertmanager", "alertmanager_firing")["incidents"][0]
    client.patch(
        f"/v1/incidents/{first['incident_id']}",
        json={"incident": {"status": "resolved"}},
        headers=tokens.auth(Role.responder),
    )
    second = _send(client, tokens, "alertmanager", "alertmanager_firing")["incidents"][0]
    assert second["created"] is True
    assert second["incident_id"] != first["incident_id"]


def test_grafana_alert(client: TestClient, tokens: Tokens) -> None:
    [touched] = _send(client, tokens, "grafana", "grafana_firing")["incidents"]
    incident = _incident(client, tokens, touched["incident_id"])
    assert incident["herald"]["severity"] == "P2"
    assert incident["herald"]["facts"]["affected_components"] == ["Sign-in"]
    assert incident["herald"]["facts"]["affected_regions"] == ["US East"]
    assert incident["name"] == "Sign-in is slow for some users"


def test_pagerduty_triggered_and_resolved(client: TestClient, tokens: Tokens) -> None:
    [touched] = _send(client, tokens, "pagerduty", "pagerduty_incident_triggered")["incidents"]
    incident = _incident(client, tokens, touched["incident_id"])
    assert incident["herald"]["facts"]["affected_components"] == ["Payments"]
    assert incident["herald"]["severity"] in {"P0", "P1"}
    resolved = _send(client, tokens, "pagerduty", "pagerduty_incident_resolved")["incidents"]
    assert resolved[0]["incident_id"] == touched["incident_id"]
    assert resolved[0]["proposal"]["target_status"] == "monitoring"


def test_generic_json(client: TestClient, tokens: Tokens) -> None:
    [touched] = _send(client, tokens, "generic", "generic_firing")["incidents"]
    assert touched["created"] is True
    resolved = _send(client, tokens, "generic", "generic_resolved")["incidents"]
    assert resolved[0]["incident_id"] == touched["incident_id"]


def test_resolve_for_unknown_alert_is_ignored(client: TestClient, tokens: Tokens) -> None:
    result = _send(client, tokens, "alertmanager", "alertmanager_resolved")
    assert result["incidents"] == []
    assert result["ignored"] == 2


def test_bad_payload_names_the_field(client: TestClient, tokens: Tokens) -> None:
    payload = _payload("alertmanager_firing")
    payload["alerts"][1]["startsAt"] = "yesterday"
    response = client.post(
        "/v1/alerts/alertmanager", json=payload, headers=tokens.auth(Role.responder)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "alerts/1/startsAt"
    assert client.get("/v1/incidents", headers=tokens.auth(Role.responder)).json() == []


def test_unknown_source_and_roles(client: TestClient, tokens: Tokens) -> None:
    unknown = client.post("/v1/alerts/nagios", json={}, headers=tokens.auth(Role.responder))
    assert unknown.status_code == 422
    denied = client.post(
        "/v1/alerts/generic", json=_payload("generic_firing"), headers=tokens.auth(Role.comms_lead)
    )
    assert denied.status_code == 403


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_concurrent_deliveries_of_one_alert_open_one_incident(db_url: str) -> None:
    # Delivery B reads "no incident yet" while A has opened one but not committed; B's claim of
    # the same keys waits for A, finds them taken, and folds into A's incident.
    from service import alerts
    from service.intake.mapping import load_mapping

    mapping = load_mapping(Settings(database_url=db_url).alert_mapping_path)
    payload = _payload("alertmanager_firing")
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    try:
        with factory() as first, factory() as second:
            a = alerts.ingest(first, "alertmanager", payload, mapping, actor="a")
            with ThreadPoolExecutor(1) as pool:
                pending = pool.submit(
                    alerts.ingest, second, "alertmanager", payload, mapping, actor="b"
                )
                time.sleep(0.5)  # B is now blocked on A's uncommitted keys
                assert not pending.done()
                first.commit()
                b = pending.result(timeout=30)
            second.commit()
        [touched_a], [touched_b] = a.incidents, b.incidents
        assert touched_a.created
        assert not touched_b.created
        assert touched_b.incident_id == touched_a.incident_id
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(IncidentRow)) == 1
            assert session.scalar(select(func.count()).select_from(AlertRow)) == 2
    finally:
        engine.dispose()


def test_a_new_incident_gets_its_first_notice_drafted_into_review(
    client: TestClient, tokens: Tokens
) -> None:
    first = _send(client, tokens, "alertmanager", "alertmanager_firing")
    [touched] = first["incidents"]
    draft = client.get(
        f"/v1/drafts/{touched['first_draft_id']}", headers=tokens.auth(Role.approver)
    ).json()
    assert draft["incident_id"] == touched["incident_id"]
    assert draft["state"] == "in_review"
    assert draft["created_by"] == "herald:first-notice"
    assert draft["kind"] == "investigating"
    assert draft["revision"]["provenance"]["drafter"] == "template"
    assert draft["revision"]["passed"], draft["revision"]["renditions"]
    renditions = draft["revision"]["renditions"]
    assert {r["channel"] for r in renditions} == {"statuspage", "email", "sms"}
    assert "Checkout" in next(r for r in renditions if r["channel"] == "statuspage")["body"]
    # A repeat of the same alert folds into the incident: no second first notice.
    again = _send(client, tokens, "alertmanager", "alertmanager_firing")
    assert again["incidents"][0]["created"] is False
    assert again["incidents"][0]["first_draft_id"] is None
    listed = client.get(
        f"/v1/incidents/{touched['incident_id']}/drafts", headers=tokens.auth(Role.responder)
    ).json()
    assert [d["id"] for d in listed] == [touched["first_draft_id"]]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_first_notice_on_alert_can_be_turned_off(db_url: str, tokens: Tokens) -> None:
    settings = Settings(database_url=db_url, worker_in_process=False, first_notice_on_alert=False)
    with TestClient(create_app(settings)) as client:
        [touched] = _send(client, tokens, "alertmanager", "alertmanager_firing")["incidents"]
        assert touched["created"] is True
        assert touched["first_draft_id"] is None
        listed = client.get(
            f"/v1/incidents/{touched['incident_id']}/drafts", headers=tokens.auth(Role.responder)
        )
        assert listed.json() == []
