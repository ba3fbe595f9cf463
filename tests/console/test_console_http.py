"""The console over HTTP on both databases: sign-in cookie, CSRF, roles, escaping, redirects."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.domain.enums import Role
from service.drafting.sms import segments
from tests.conftest import Tokens


def _csrf(client: TestClient, path: str = "/console/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, token: str) -> str:
    csrf = _csrf(client)
    response = client.post(
        "/console/login", data={"token": token, "csrf": csrf}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return csrf


@pytest.fixture
def incident(client: TestClient, tokens: Tokens) -> dict[str, Any]:
    body = {"incident": {"name": "<script>alert(1)</script> Login down", "herald": {}}}
    created: dict[str, Any] = client.post(
        "/v1/incidents", json=body, headers=tokens.auth(Role.responder)
    ).json()
    return created


def test_pages_need_sign_in(client: TestClient) -> None:
    response = client.get("/console", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console"


def test_session_cookie_is_httponly_strict_and_signed(client: TestClient, tokens: Tokens) -> None:
    csrf = _csrf(client)
    response = client.post(
        "/console/login",
        data={"token": tokens[Role.approver], "csrf": csrf},
        follow_redirects=False,
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if "herald_console=" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/console" in cookie
    assert client.get("/console").status_code == 200
    # A tampered cookie is no sign-in.
    value = client.cookies["herald_console"]
    client.cookies.set("herald_console", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_unknown_token_is_refused(client: TestClient) -> None:
    csrf = _csrf(client)
    response = client.post("/console/login", data={"token": "hrld_nope", "csrf": csrf})
    assert response.status_code == 401
    assert "herald_console" not in response.cookies


def test_login_refuses_missing_csrf(client: TestClient, tokens: Tokens) -> None:
    response = client.post("/console/login", data={"token": tokens[Role.admin], "csrf": "x"})
    assert response.status_code == 403
    assert "herald_console" not in response.cookies


def test_next_only_goes_to_console_pages(client: TestClient, tokens: Tokens) -> None:
    csrf = _csrf(client)
    response = client.post(
        "/console/login",
        data={"token": tokens[Role.admin], "csrf": csrf, "next": "//evil.example/console"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console"


def test_names_are_escaped(client: TestClient, tokens: Tokens, incident: dict[str, Any]) -> None:
    _sign_in(client, tokens[Role.comms_lead])
    for path in ("/console", f"/console/incidents/{incident['id']}"):
        page = client.get(path)
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Login down" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]


def test_csrf_protects_actions(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    _sign_in(client, tokens[Role.responder])
    url = f"/console/incidents/{incident['id']}/drafts"
    refused = client.post(url, data={"csrf": "forged", "channels": ["statuspage"]})
    assert "security token" in refused.text
    listed = client.get(f"/v1/incidents/{incident['id']}/drafts", headers=tokens.auth(Role.admin))
    assert listed.json() == []


def test_roles_come_from_the_api_gates(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    csrf = _sign_in(client, tokens[Role.comms_lead])
    url = f"/console/incidents/{incident['id']}/drafts"
    page = client.post(url, data={"csrf": csrf, "channels": ["statuspage"]})
    assert "may not do this" in page.text
    listed = client.get(f"/v1/incidents/{incident['id']}/drafts", headers=tokens.auth(Role.admin))
    assert listed.json() == []


def test_author_cannot_approve_own_revision(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    csrf = _sign_in(client, tokens[Role.approver])
    created = client.post(
        f"/console/incidents/{incident['id']}/drafts",
        data={"csrf": csrf, "channels": ["statuspage", "sms"], "languages": ["en"]},
        follow_redirects=False,
    )
    draft_url = created.headers["location"]
    draft_id = draft_url.rsplit("/", 1)[1]
    client.post(f"{draft_url}/submit", data={"csrf": csrf})
    draft = client.get(f"/v1/drafts/{draft_id}", headers=tokens.auth(Role.admin)).json()
    revision = draft["revision"]
    page = client.post(
        f"{draft_url}/approve",
        data={"csrf": csrf, "revision": revision["number"], "digest": revision["digest"]},
    )
    assert "four eyes" in page.text
    after = client.get(f"/v1/drafts/{draft_id}", headers=tokens.auth(Role.admin)).json()
    assert after["state"] == "in_review"


def test_live_check_guards_like_saving(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    csrf = _sign_in(client, tokens[Role.responder])
    created = client.post(
        f"/console/incidents/{incident['id']}/drafts",
        data={"csrf": csrf, "channels": ["sms"], "languages": ["zh"]},
        follow_redirects=False,
    )
    draft_url = created.headers["location"]
    text = "系统崩溃，我们会尽快修复。" * 6
    body = {"channel": "sms", "language": "zh", "body": text}
    assert client.post(f"{draft_url}/check", json=body).status_code == 403  # no CSRF header
    live = client.post(f"{draft_url}/check", json=body, headers={"X-CSRF-Token": csrf}).json()
    assert live["sms_segments"] == segments(text) == 2
    assert "<mark" in live["html"]

    form = {"csrf": csrf, "base_revision": 1, "channel": "sms", "language": "zh", "body": text}
    client.post(f"{draft_url}/edit", data=form)
    saved = client.get(
        f"/v1/drafts/{draft_url.rsplit('/', 1)[1]}", headers=tokens.auth(Role.admin)
    ).json()["revision"]
    assert saved["number"] == 2
    assert saved["renditions"][0]["guard"]["counts"] == live["counts"]
    assert saved["renditions"][0]["guard"]["passed"] is live["passed"] is False


def test_static_files_are_a_fixed_list(client: TestClient) -> None:
    assert client.get("/console/static/console.js").status_code == 200
    assert client.get("/console/static/..%2Fauth.py").status_code in {404, 422}


def test_overdue_update_is_flagged_in_the_list(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    author, approver = tokens.auth(Role.responder), tokens.auth(Role.approver)
    draft = client.post(
        f"/v1/incidents/{incident['id']}/drafts",
        json={"now": "2026-01-05T08:00:00Z"},
        headers=author,
    ).json()
    client.post(f"/v1/drafts/{draft['id']}/submit", headers=author)
    revision = draft["revision"]
    client.post(
        f"/v1/drafts/{draft['id']}/approve",
        json={"revision": revision["number"], "digest": revision["digest"]},
        headers=approver,
    )
    assert client.post(f"/v1/drafts/{draft['id']}/publish", headers=author).status_code == 200
    _sign_in(client, tokens[Role.comms_lead])
    row = client.get("/console").text.split(f'data-incident="{incident["id"]}"')[1]
    assert 'class="countdown overdue"' in row.split("</tr>")[0]
    assert f'data-due="{revision["next_update_at"].replace("Z", "+00:00")}"' in row
