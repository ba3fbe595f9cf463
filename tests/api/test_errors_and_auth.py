"""Problem details, size limits, 401 vs 403, and the audit log."""

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.conftest import Tokens


def test_problem_details_for_validation(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        "/v1/incidents",
        json={
            "incident": {
                "name": "",
                "herald": {"severity": "P9", "facts": {"timezone": "Mars/Base"}},
            }
        },
        headers=tokens.auth(Role.responder),
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["instance"] == "/v1/incidents"
    fields = {e["field"] for e in problem["errors"]}
    assert {"incident/name", "incident/herald/severity", "incident/herald/facts/timezone"} <= fields


def test_unknown_field_is_rejected_by_name(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        "/v1/incidents",
        json={"incident": {"name": "x", "body": "publish me"}},
        headers=tokens.auth(Role.responder),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "incident/body"


def test_body_size_limit(client: TestClient, tokens: Tokens) -> None:
    huge = {"incident": {"name": "x" * 2_000_000}}
    response = client.post("/v1/incidents", json=huge, headers=tokens.auth(Role.responder))
    assert response.status_code == 413
    assert response.json()["type"].endswith("payload-too-large")


def test_body_size_limit_without_content_length(client: TestClient, tokens: Tokens) -> None:
    def chunks() -> object:
        for _ in range(40):
            yield b"x" * 65536

    response = client.post(
        "/v1/alerts/generic",
        content=chunks(),
        headers={**tokens.auth(Role.responder), "content-type": "application/json"},
    )
    assert response.status_code == 413


def test_401_and_403_are_distinct(client: TestClient, tokens: Tokens) -> None:
    assert client.get("/v1/incidents").status_code == 401
    bad = client.get("/v1/incidents", headers={"Authorization": "Bearer hrld_nope"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/audit", headers=tokens.auth(Role.responder)).status_code == 403
    assert client.get("/v1/audit", headers=tokens.auth(Role.admin)).status_code == 200


def test_revoked_token_is_401(client: TestClient, tokens: Tokens) -> None:
    admin = tokens.auth(Role.admin)
    issued = client.post("/v1/users", json={"name": "temp", "role": "responder"}, headers=admin)
    assert issued.status_code == 201
    token = issued.json()["token"]
    own = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/incidents", headers=own).status_code == 200
    user_id = issued.json()["user"]["id"]
    assert client.post(f"/v1/users/{user_id}/revoke", headers=admin).status_code == 200
    assert client.get("/v1/incidents", headers=own).status_code == 401


def test_audit_log_records_changes_with_digests(client: TestClient, tokens: Tokens) -> None:
    created = client.post(
        "/v1/incidents",
        json={"incident": {"name": "Slow search"}},
        headers=tokens.auth(Role.responder),
    ).json()
    client.patch(
        f"/v1/incidents/{created['id']}",
        json={"incident": {"status": "identified"}},
        headers=tokens.auth(Role.approver),
    )
    entries = client.get(
        f"/v1/audit?object_id={created['id']}", headers=tokens.auth(Role.admin)
    ).json()
    assert [e["action"] for e in entries] == ["incident.update", "incident.create"]
    update, create = entries
    assert update["actor"] == "approver-user"
    assert create["digest_before"] is None
    assert update["digest_before"] == create["digest_after"]
    assert update["digest_after"] != update["digest_before"]


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
