"""Every endpoint × every role (plus no token and a revoked token) → the status its gate promises.

Routes are discovered from the app, so a new endpoint is covered the day it is added; one that
declares no role gate must be listed in PUBLIC on purpose.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from service.api.deps import RoleGate
from service.domain.enums import Role
from tests.conftest import Tokens

# Deliberately unauthenticated: health, the public status page and subscriptions, Prometheus.
PUBLIC = re.compile(r"^(/healthz|/metrics|/api/v2/|/v1/public/|/console|/$|/incidents/|/history)")


def _gates(dependant: Dependant) -> Iterator[RoleGate]:
    if isinstance(dependant.call, RoleGate):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _gates(sub)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    # FastAPI keeps included routers as wrappers holding the original router (no include prefixes
    # are used here, so the original paths are the served ones).
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (original := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(original.routes)


def _routes(app: FastAPI) -> list[tuple[str, str, frozenset[Role] | None]]:
    found = []
    for route in _api_routes(app.routes):
        gates = list(_gates(route.dependant))
        roles = frozenset.intersection(*(g.roles for g in gates)) if gates else None
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, route.path, roles))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "does-not-exist", path)


def test_every_private_route_declares_its_roles(app: FastAPI) -> None:
    assert len(_routes(app)) >= 30
    ungated = [f"{m} {p}" for m, p, roles in _routes(app) if roles is None and not PUBLIC.match(p)]
    assert ungated == []


def test_role_matrix(client: TestClient, tokens: Tokens, app: FastAPI) -> None:
    admin = tokens.auth(Role.admin)
    revoked = client.post("/v1/users", json={"name": "gone", "role": "admin"}, headers=admin).json()
    client.post(f"/v1/users/{revoked['user']['id']}/revoke", headers=admin)
    mismatches: list[str] = []
    checked = 0
    for method, path, roles in _routes(app):
        if roles is None:
            continue
        url = _concrete(path)

        def call(headers: dict[str, str], method: str = method, url: str = url) -> Any:
            # max_events ends server-sent-event streams after one event; other routes ignore it.
            return client.request(method, url, headers=headers, json={}, params={"max_events": 1})

        expected_anonymous = {
            "none": call({}).status_code,
            "revoked": call({"Authorization": f"Bearer {revoked['token']}"}).status_code,
        }
        for who, status in expected_anonymous.items():
            if status != 401:
                mismatches.append(f"{method} {path} {who}: {status} != 401")
        for role in Role:
            status = call(tokens.auth(role)).status_code
            allowed = role in roles
            if allowed and status in {401, 403}:
                mismatches.append(f"{method} {path} as {role.value}: {status}, should be allowed")
            if not allowed and status != 403:
                mismatches.append(f"{method} {path} as {role.value}: {status} != 403")
        checked += 1
    assert checked >= 30
    assert mismatches == []


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("POST", "/v1/drafts/x/approve", Role.comms_lead),
        ("POST", "/v1/drafts/x/approve", Role.responder),
        ("GET", "/v1/audit", Role.responder),
        ("GET", "/v1/audit", Role.approver),
        ("POST", "/v1/components", Role.responder),
        ("POST", "/v1/alerts/generic", Role.comms_lead),
    ],
)
def test_named_denials(
    client: TestClient, tokens: Tokens, method: str, path: str, role: Role
) -> None:
    assert client.request(method, path, headers=tokens.auth(role), json={}).status_code == 403
