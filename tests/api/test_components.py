"""Components API on both databases."""

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.conftest import Tokens


def test_component_crud(client: TestClient, tokens: Tokens) -> None:
    admin = tokens.auth(Role.admin)
    created = client.post(
        "/v1/components",
        json={"component": {"name": "Git Operations", "description": "push and pull"}},
        headers=admin,
    )
    assert created.status_code == 201
    component = created.json()
    assert component["status"] == "operational"
    assert created.headers["location"] == f"/v1/components/{component['id']}"

    url = f"/v1/components/{component['id']}"
    patched = client.patch(url, json={"component": {"status": "partial_outage"}}, headers=admin)
    assert patched.json()["status"] == "partial_outage"
    listed = client.get("/v1/components", headers=tokens.auth(Role.comms_lead)).json()
    assert [c["name"] for c in listed] == ["Git Operations"]

    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=admin).status_code == 404


def test_duplicate_name_is_409(client: TestClient, tokens: Tokens) -> None:
    admin = tokens.auth(Role.admin)
    body = {"component": {"name": "API"}}
    assert client.post("/v1/components", json=body, headers=admin).status_code == 201
    again = client.post("/v1/components", json=body, headers=admin)
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "component/name", "problem": "already taken"}]


def test_bad_status_names_the_field(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        "/v1/components",
        json={"component": {"name": "API", "status": "on_fire"}},
        headers=tokens.auth(Role.admin),
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] == "component/status"
    assert "operational" in problem["errors"][0]["problem"]


def test_a_position_past_what_the_database_holds_is_a_422(
    client: TestClient, tokens: Tokens
) -> None:
    response = client.post(
        "/v1/components",
        json={"component": {"name": "API", "position": 2**63}},
        headers=tokens.auth(Role.admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "component/position"
    listed = client.get(
        "/v1/subscribers?offset=9223372036854775808", headers=tokens.auth(Role.admin)
    )
    assert listed.status_code == 422
    assert listed.json()["errors"][0]["field"] == "query/offset"
