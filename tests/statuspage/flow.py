"""Driving the real API from incident to publication, shared by the status-page, subscriber and
maintenance tests. Nothing here is faked: drafts come from the template drafter, approval is a
second user, publishing is the real endpoint."""

import asyncio
from typing import Any

from fastapi.testclient import TestClient

from service.channels.transport import make_client
from service.config import Settings
from service.delivery import build_worker
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory
from tests.conftest import Tokens

NOW = "2026-11-28T14:40:00+08:00"


def component(client: TestClient, tokens: Tokens, name: str) -> str:
    response = client.post(
        "/v1/components", json={"component": {"name": name}}, headers=tokens.auth(Role.admin)
    )
    assert response.status_code == 201, response.text
    component_id: str = response.json()["id"]
    return component_id


def incident(
    client: TestClient,
    tokens: Tokens,
    *,
    name: str = "Login unavailable",
    severity: str = "P1",
    component_ids: list[str] | None = None,
    languages: tuple[str, ...] = ("zh", "en"),
) -> dict[str, Any]:
    body = {
        "incident": {
            "name": name,
            "component_ids": component_ids or [],
            "herald": {
                "severity": severity,
                "languages": list(languages),
                "facts": {
                    "symptoms": ["users cannot sign in"],
                    "affected_components": ["Login"],
                    "affected_share_pct": 30,
                    "detected_at": "2026-11-28T14:30:00+08:00",
                    "timezone": "Asia/Shanghai",
                },
            },
        }
    }
    response = client.post("/v1/incidents", json=body, headers=tokens.auth(Role.responder))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def draft(client: TestClient, tokens: Tokens, incident_id: str, **extra: Any) -> dict[str, Any]:
    body = {"now": NOW, "channels": ["statuspage", "email", "sms"], **extra}
    response = client.post(
        f"/v1/incidents/{incident_id}/drafts", json=body, headers=tokens.auth(Role.responder)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def waivers(draft: dict[str, Any], reason: str) -> list[dict[str, str]]:
    """An approver's waiver for every error-level finding of the current revision."""
    found = {
        (f["rule_id"], f["match"])
        for r in draft["revision"]["renditions"]
        for f in r["guard"]["findings"]
        if f["level"] == "error"
    }
    return [{"rule_id": rule, "match": match, "reason": reason} for rule, match in sorted(found)]


def approve(
    client: TestClient, tokens: Tokens, draft: dict[str, Any], waive: str | None = None
) -> None:
    url = f"/v1/drafts/{draft['id']}"
    if draft["state"] == "draft":
        assert client.post(f"{url}/submit", headers=tokens.auth(Role.responder)).status_code == 200
    revision = draft["revision"]
    body = {"revision": revision["number"], "digest": revision["digest"]}
    if waive:
        body["waivers"] = waivers(draft, waive)
    approved = client.post(f"{url}/approve", json=body, headers=tokens.auth(Role.approver))
    assert approved.status_code == 200, approved.text


def publish(
    client: TestClient, tokens: Tokens, draft: dict[str, Any], waive: str | None = None
) -> Any:
    """Submit, approve as a second user (waiving findings if asked), publish; the response."""
    approve(client, tokens, draft, waive)
    return client.post(f"/v1/drafts/{draft['id']}/publish", headers=tokens.auth(Role.responder))


def published(client: TestClient, tokens: Tokens, incident_id: str, **extra: Any) -> dict[str, Any]:
    """Draft, approve and publish one update; the publish result."""
    response = publish(client, tokens, draft(client, tokens, incident_id, **extra))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def recovered(client: TestClient, tokens: Tokens, incident_id: str) -> None:
    """Record the recovery time, which a resolved update must state."""
    response = client.patch(
        f"/v1/incidents/{incident_id}",
        json={"incident": {"herald": {"facts": {"recovered_at": "2026-11-28T15:10:00+08:00"}}}},
        headers=tokens.auth(Role.responder),
    )
    assert response.status_code == 200, response.text


def run_worker(settings: Settings, rounds: int = 1) -> list[int]:
    """`rounds` passes of the real outbox worker the settings describe."""
    engine = make_engine(settings.database_url)

    async def main() -> list[int]:
        async with make_client(settings.channels.http) as http:
            worker = build_worker(settings, make_session_factory(engine), http)
            counts = []
            for _ in range(rounds):
                counts.append(await worker.run_once())
            return counts

    try:
        return asyncio.run(main())
    finally:
        engine.dispose()
