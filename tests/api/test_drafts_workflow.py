"""Drafts through review to publication on both databases, and every way around approval refused."""

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.domain.enums import Role
from service.store.db import make_engine
from tests.conftest import Tokens

NOW = "2026-11-28T14:40:00+08:00"


@pytest.fixture
def incident(client: TestClient, tokens: Tokens) -> dict[str, Any]:
    body = {
        "incident": {
            "name": "Login unavailable",
            "herald": {
                "severity": "P1",
                "languages": ["zh", "en"],
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
    created: dict[str, Any] = response.json()
    return created


def _draft(client: TestClient, tokens: Tokens, incident_id: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"/v1/incidents/{incident_id}/drafts",
        json={"channels": ["statuspage", "sms", "slack"], "now": NOW, **extra},
        headers=tokens.auth(Role.responder),
    )
    assert response.status_code == 201, response.text
    draft: dict[str, Any] = response.json()
    return draft


def _approve(client: TestClient, tokens: Tokens, draft: dict[str, Any], role: Role) -> Any:
    revision = draft["revision"]
    return client.post(
        f"/v1/drafts/{draft['id']}/approve",
        json={"revision": revision["number"], "digest": revision["digest"]},
        headers=tokens.auth(role),
    )


def test_draft_has_a_guarded_rendition_per_channel_and_language(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    draft = _draft(client, tokens, incident["id"])
    renditions = draft["revision"]["renditions"]
    assert {(r["channel"], r["language"]) for r in renditions} == {
        (c, lang) for c in ("statuspage", "sms", "slack") for lang in ("zh", "en")
    }
    assert all(r["guard"]["passed"] for r in renditions)
    assert draft["kind"] == "investigating"
    assert draft["state"] == "draft"
    assert draft["revision"]["provenance"]["drafter"] == "template"
    assert draft["revision"]["next_update_at"] == "2026-11-28T07:40:00Z"  # P1: 60 minutes
    sms = next(r for r in renditions if r["channel"] == "sms" and r["language"] == "zh")
    assert sms["sms_segments"] == 1


def test_full_path_to_status_page(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    draft = _draft(client, tokens, incident["id"])
    url = f"/v1/drafts/{draft['id']}"
    assert client.post(f"{url}/submit", headers=tokens.auth(Role.responder)).status_code == 200
    approved = _approve(client, tokens, draft, Role.approver)
    assert approved.status_code == 200, approved.text
    published = client.post(f"{url}/publish", headers=tokens.auth(Role.responder))
    assert published.status_code == 200, published.text
    assert published.json()["draft"]["state"] == "published"

    shown = client.get(f"/v1/incidents/{incident['id']}", headers=tokens.auth(Role.comms_lead))
    updates = shown.json()["incident_updates"]
    statuspage = {
        r["language"]: r["body"]
        for r in draft["revision"]["renditions"]
        if r["channel"] == "statuspage"
    }
    assert {u["language"]: u["body"] for u in updates} == statuspage
    assert shown.json()["herald"]["next_update_at"] == "2026-11-28T07:40:00Z"


def test_edit_makes_a_new_revision_with_diff_and_voids_approval(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    draft = _draft(client, tokens, incident["id"])
    url = f"/v1/drafts/{draft['id']}"
    client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
    assert _approve(client, tokens, draft, Role.approver).status_code == 200
    en = next(
        r
        for r in draft["revision"]["renditions"]
        if r["channel"] == "statuspage" and r["language"] == "en"
    )
    edited = client.post(
        f"{url}/revisions",
        json={
            "base_revision": 1,
            "renditions": [
                {
                    "channel": "statuspage",
                    "language": "en",
                    "title": en["title"],
                    "body": en["body"] + "\nWe hope to fix it soon.",
                }
            ],
        },
        headers=tokens.auth(Role.approver),
    )
    assert edited.status_code == 201, edited.text
    revision = edited.json()["revision"]
    assert revision["number"] == 2
    assert edited.json()["state"] == "in_review"  # the approval is void
    assert revision["passed"] is False
    rules = {
        f["rule_id"]
        for r in revision["renditions"]
        if r["language"] == "en" and r["channel"] == "statuspage"
        for f in r["guard"]["findings"]
    }
    assert any("Vague" in rule or "vague" in rule for rule in rules), rules
    revisions = client.get(f"{url}/revisions", headers=tokens.auth(Role.responder)).json()
    assert "+We hope to fix it soon." in revisions[1]["diff"]
    # Publishing now is refused: the approval was for revision 1.
    assert client.post(f"{url}/publish", headers=tokens.auth(Role.responder)).status_code == 409
    # An error-level finding blocks approval unless waived, finding by finding.
    other = _approve(client, tokens, edited.json(), Role.admin)
    assert other.status_code == 422
    assert other.json()["errors"]
    # A stale base revision is refused too.
    stale = client.post(
        f"{url}/revisions",
        json={
            "base_revision": 1,
            "renditions": [
                {"channel": "sms", "language": "en", "title": "", "body": "x"},
            ],
        },
        headers=tokens.auth(Role.responder),
    )
    assert stale.status_code == 409


def test_waivers_allow_approval_of_flagged_text(
    client: TestClient, tokens: Tokens, incident: dict[str, Any]
) -> None:
    draft = _draft(client, tokens, incident["id"], channels=["statuspage"], languages=["en"])
    url = f"/v1/drafts/{draft['id']}"
    body = draft["revision"]["renditions"][0]["body"] + "\nWe hope to fix it soon."
    edited = client.post(
        f"{url}/revisions",
        json={
            "base_revision": 1,
            "renditions": [
                {"channel": "statuspage", "language": "en", "title": "Login", "body": body}
            ],
        },
        headers=tokens.auth(Role.responder),
    ).json()
    client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
    errors = [
        f for f in edited["revision"]["renditions"][0]["guard"]["findings"] if f["level"] == "error"
    ]
    waivers = [
        {"rule_id": f["rule_id"], "match": f["match"], "reason": "Approved wording for this case."}
        for f in errors
    ]
    approved = client.post(
        f"{url}/approve",
        json={"revision": 2, "digest": edited["revision"]["digest"], "waivers": waivers},
        headers=tokens.auth(Role.approver),
    )
    assert approved.status_code == 200, approved.text
    audit = client.get(f"/v1/audit?object_id={draft['id']}", headers=tokens.auth(Role.admin))
    approve_entry = next(e for e in audit.json() if e["action"] == "draft.approve")
    assert approve_entry["detail"]["waivers"] == len(waivers)


class TestApprovalBypass:
    """Every way to publish what no second person approved is refused."""

    def test_publish_before_approval(
        self, client: TestClient, tokens: Tokens, incident: dict[str, Any]
    ) -> None:
        draft = _draft(client, tokens, incident["id"])
        url = f"/v1/drafts/{draft['id']}"
        assert client.post(f"{url}/publish", headers=tokens.auth(Role.responder)).status_code == 409
        client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
        assert client.post(f"{url}/publish", headers=tokens.auth(Role.admin)).status_code == 409

    def test_author_cannot_approve(
        self, client: TestClient, tokens: Tokens, incident: dict[str, Any]
    ) -> None:
        draft = client.post(
            f"/v1/incidents/{incident['id']}/drafts",
            json={"now": NOW},
            headers=tokens.auth(Role.approver),
        ).json()
        client.post(f"/v1/drafts/{draft['id']}/submit", headers=tokens.auth(Role.approver))
        assert _approve(client, tokens, draft, Role.approver).status_code == 403
        assert _approve(client, tokens, draft, Role.responder).status_code == 403  # not an approver

    def test_approving_a_stale_digest(
        self, client: TestClient, tokens: Tokens, incident: dict[str, Any]
    ) -> None:
        draft = _draft(client, tokens, incident["id"])
        client.post(f"/v1/drafts/{draft['id']}/submit", headers=tokens.auth(Role.responder))
        tampered = {**draft, "revision": {**draft["revision"], "digest": "0" * 64}}
        assert _approve(client, tokens, tampered, Role.approver).status_code == 409

    def test_tampered_text_in_the_database(
        self, client: TestClient, tokens: Tokens, incident: dict[str, Any], db_url: str
    ) -> None:
        draft = _draft(client, tokens, incident["id"])
        url = f"/v1/drafts/{draft['id']}"
        client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
        assert _approve(client, tokens, draft, Role.approver).status_code == 200
        renditions = draft["revision"]["renditions"]
        renditions[0]["body"] = "All fixed, guaranteed 100%."
        engine = make_engine(db_url)
        table = sa.table("draft_revisions", sa.column("draft_id"), sa.column("renditions", sa.JSON))
        with engine.begin() as conn:
            conn.execute(
                table.update().where(table.c.draft_id == draft["id"]).values(renditions=renditions)
            )
        engine.dispose()
        refused = client.post(f"{url}/publish", headers=tokens.auth(Role.responder))
        assert refused.status_code == 409
        assert "approved" in refused.json()["detail"]

    def test_publishing_twice(
        self, client: TestClient, tokens: Tokens, incident: dict[str, Any]
    ) -> None:
        draft = _draft(client, tokens, incident["id"])
        url = f"/v1/drafts/{draft['id']}"
        client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
        _approve(client, tokens, draft, Role.approver)
        assert client.post(f"{url}/publish", headers=tokens.auth(Role.responder)).status_code == 200
        assert client.post(f"{url}/publish", headers=tokens.auth(Role.responder)).status_code == 409
        shown = client.get(f"/v1/incidents/{incident['id']}", headers=tokens.auth(Role.responder))
        assert len(shown.json()["incident_updates"]) == 2  # zh + en, once

    def test_comms_lead_cannot_approve_or_publish(
        self, client: TestClient, tokens: Tokens, incident: dict[str, Any]
    ) -> None:
        draft = _draft(client, tokens, incident["id"])
        url = f"/v1/drafts/{draft['id']}"
        client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
        assert _approve(client, tokens, draft, Role.comms_lead).status_code == 403
        assert (
            client.post(f"{url}/publish", headers=tokens.auth(Role.comms_lead)).status_code == 403
        )
