"""Incidents API on both databases: CRUD, filters, status stamps, timeline."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.conftest import Tokens


def _create(client: TestClient, tokens: Tokens, **fields: object) -> dict[str, object]:
    body = {"incident": {"name": "Login unavailable", **fields}}
    response = client.post("/v1/incidents", json=body, headers=tokens.auth(Role.responder))
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_create_incident_has_statuspage_shape_and_herald_namespace(
    client: TestClient, tokens: Tokens
) -> None:
    created = _create(
        client,
        tokens,
        herald={
            "severity": "P0",
            "kind": "full_outage",
            "languages": ["zh", "en"],
            "facts": {
                "symptoms": ["users cannot sign in"],
                "affected_share_pct": 100,
                "detected_at": "2026-11-28T14:30:00+08:00",
                "timezone": "Asia/Shanghai",
            },
        },
    )
    assert created["status"] == "investigating"
    assert created["impact"] == "critical"
    assert created["incident_updates"] == []
    herald = created["herald"]
    assert isinstance(herald, dict)
    assert herald["severity"] == "P0"
    assert herald["languages"] == ["zh", "en"]
    assert herald["facts"]["affected_share_pct"] == 100
    assert created["started_at"] == "2026-11-28T06:30:00Z"

    fetched = client.get(f"/v1/incidents/{created['id']}", headers=tokens.auth(Role.comms_lead))
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_patch_moves_through_stages_and_stamps_times(client: TestClient, tokens: Tokens) -> None:
    created = _create(client, tokens)
    url = f"/v1/incidents/{created['id']}"
    auth = tokens.auth(Role.responder)

    monitoring = client.patch(url, json={"incident": {"status": "monitoring"}}, headers=auth).json()
    assert monitoring["monitoring_at"] is not None
    assert monitoring["resolved_at"] is None

    patched = client.patch(
        url,
        json={"incident": {"herald": {"facts": {"recovery_pct": 80, "cause": "a bad config"}}}},
        headers=auth,
    ).json()
    assert patched["herald"]["facts"]["recovery_pct"] == 80
    assert patched["herald"]["facts"]["cause"] == "a bad config"

    resolved = client.patch(url, json={"incident": {"status": "resolved"}}, headers=auth).json()
    assert resolved["resolved_at"] is not None

    events = client.get(f"{url}/timeline", headers=auth).json()
    assert [e["type"] for e in events] == [
        "incident.created",
        "status.changed",
        "facts.updated",
        "status.changed",
    ]
    assert events[-1]["data"] == {"from": "monitoring", "to": "resolved"}
    assert events[0]["actor"] == "responder-user"


def test_list_filters(client: TestClient, tokens: Tokens) -> None:
    auth = tokens.auth(Role.responder)
    open_incident = _create(client, tokens, name="Checkout errors")
    done = _create(client, tokens, name="Old issue", status="resolved")
    start = datetime.now(UTC) + timedelta(days=2)
    maintenance = _create(
        client,
        tokens,
        name="Database upgrade",
        scheduled_for=start.isoformat(),
        scheduled_until=(start + timedelta(hours=2)).isoformat(),
        herald={"kind": "maintenance", "severity": "P3"},
    )
    assert maintenance["status"] == "scheduled"
    assert maintenance["impact"] == "maintenance"

    def ids(path: str) -> set[object]:
        response = client.get(path, headers=auth)
        assert response.status_code == 200
        return {i["id"] for i in response.json()}

    assert ids("/v1/incidents") == {open_incident["id"], done["id"], maintenance["id"]}
    assert ids("/v1/incidents/unresolved") == {open_incident["id"]}
    assert ids("/v1/incidents/upcoming") == {maintenance["id"]}
    assert ids("/v1/incidents/active_maintenance") == set()
    assert len(client.get("/v1/incidents?limit=1", headers=auth).json()) == 1


def test_components_attach_and_unknown_component_is_named(
    client: TestClient, tokens: Tokens
) -> None:
    component = client.post(
        "/v1/components", json={"component": {"name": "API"}}, headers=tokens.auth(Role.admin)
    ).json()
    created = _create(client, tokens, component_ids=[component["id"]])
    assert [c["name"] for c in created["components"]] == ["API"]

    bad = client.post(
        "/v1/incidents",
        json={"incident": {"name": "x", "component_ids": [component["id"], "nope"]}},
        headers=tokens.auth(Role.responder),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "incident/component_ids/1", "problem": "no component 'nope'"}
    ]


def test_status_must_fit_kind(client: TestClient, tokens: Tokens) -> None:
    auth = tokens.auth(Role.responder)
    created = _create(client, tokens)
    response = client.patch(
        f"/v1/incidents/{created['id']}", json={"incident": {"status": "in_progress"}}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "incident/status"
    # Nothing was half-written.
    assert client.get(f"/v1/incidents/{created['id']}", headers=auth).json()["status"] == (
        "investigating"
    )


def test_delete_is_admin_only_and_then_404(client: TestClient, tokens: Tokens) -> None:
    created = _create(client, tokens)
    url = f"/v1/incidents/{created['id']}"
    assert client.delete(url, headers=tokens.auth(Role.responder)).status_code == 403
    assert client.delete(url, headers=tokens.auth(Role.admin)).status_code == 204
    missing = client.get(url, headers=tokens.auth(Role.admin))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
