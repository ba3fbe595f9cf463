"""Stateful property test over the draft/approval/publish API.

Hypothesis drives random sequences of create, submit, edit, approve (current or stale digest),
request changes, reject, publish and direct tampering with stored text, by any role. Whatever the
sequence: nothing unapproved or altered is ever published, and nobody approves their own revision.
"""

import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from service import users
from service.app import create_app
from service.config import Settings
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory, session_scope
from service.store.migrate import upgrade

ACTORS = ["responder", "approver", "approver2", "comms_lead", "admin"]
ROLES = {
    "responder": Role.responder,
    "approver": Role.approver,
    "approver2": Role.approver,
    "comms_lead": Role.comms_lead,
    "admin": Role.admin,
}
NOW = "2026-11-28T14:40:00+08:00"


class ApprovalMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        path = Path(tempfile.mkdtemp(prefix="herald-props-")) / "p.db"
        self.url = f"sqlite:///{path}"
        upgrade(self.url)
        self.engine = make_engine(self.url)
        self.tokens: dict[str, str] = {}
        with session_scope(make_session_factory(self.engine)) as session:
            for name, role in ROLES.items():
                self.tokens[name] = users.create_user(session, name, role, actor="test").token
        self.client = TestClient(
            create_app(Settings(database_url=self.url, worker_in_process=False))
        )
        self.client.__enter__()
        incident = self.client.post(
            "/v1/incidents",
            json={
                "incident": {
                    "name": "Login unavailable",
                    "herald": {
                        "severity": "P1",
                        "facts": {
                            "symptoms": ["users cannot sign in"],
                            "timezone": "UTC",
                            "detected_at": "2026-11-28T06:30:00Z",
                        },
                    },
                }
            },
            headers=self.auth("responder"),
        ).json()
        self.incident_id = incident["id"]
        self.drafts: list[str] = []
        # (draft id, revision number) → (digest, approver) for approvals the API accepted.
        self.approvals: dict[tuple[str, int], tuple[str, str]] = {}
        self.authors: dict[tuple[str, int], str] = {}

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)
        self.engine.dispose()

    def auth(self, actor: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[actor]}"}

    def draft(self, index: int) -> dict[str, Any]:
        draft_id = self.drafts[index % len(self.drafts)]
        body: dict[str, Any] = self.client.get(
            f"/v1/drafts/{draft_id}", headers=self.auth("admin")
        ).json()
        return body

    @rule(actor=st.sampled_from(ACTORS))
    def create(self, actor: str) -> None:
        response = self.client.post(
            f"/v1/incidents/{self.incident_id}/drafts",
            json={"now": NOW, "languages": ["en"], "channels": ["statuspage"]},
            headers=self.auth(actor),
        )
        if response.status_code == 201:
            draft = response.json()
            self.drafts.append(draft["id"])
            self.authors[(draft["id"], 1)] = actor

    @precondition(lambda self: self.drafts)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(ACTORS))
    def submit(self, index: int, actor: str) -> None:
        draft = self.draft(index)
        self.client.post(f"/v1/drafts/{draft['id']}/submit", headers=self.auth(actor))

    @precondition(lambda self: self.drafts)
    @rule(
        index=st.integers(0, 50),
        actor=st.sampled_from(ACTORS),
        suffix=st.sampled_from(["", " We will share more soon.", " Thank you for your patience."]),
    )
    def edit(self, index: int, actor: str, suffix: str) -> None:
        draft = self.draft(index)
        rendition = draft["revision"]["renditions"][0]
        response = self.client.post(
            f"/v1/drafts/{draft['id']}/revisions",
            json={
                "base_revision": draft["revision"]["number"],
                "renditions": [
                    {
                        "channel": rendition["channel"],
                        "language": rendition["language"],
                        "title": rendition["title"],
                        "body": rendition["body"] + suffix,
                    }
                ],
            },
            headers=self.auth(actor),
        )
        if response.status_code == 201:
            revision = response.json()["revision"]
            self.authors[(draft["id"], revision["number"])] = actor

    @precondition(lambda self: self.drafts)
    @rule(
        index=st.integers(0, 50),
        actor=st.sampled_from(ACTORS),
        stale=st.booleans(),
        waive=st.booleans(),
    )
    def approve(self, index: int, actor: str, stale: bool, waive: bool) -> None:
        draft = self.draft(index)
        revision = draft["revision"]
        waivers = (
            [
                {"rule_id": f["rule_id"], "match": f["match"], "reason": "accepted for this test"}
                for r in revision["renditions"]
                for f in r["guard"]["findings"]
                if f["level"] == "error"
            ]
            if waive
            else []
        )
        digest = "0" * 64 if stale else revision["digest"]
        response = self.client.post(
            f"/v1/drafts/{draft['id']}/approve",
            json={"revision": revision["number"], "digest": digest, "waivers": waivers},
            headers=self.auth(actor),
        )
        if response.status_code == 200:
            self.approvals[(draft["id"], revision["number"])] = (revision["digest"], actor)

    @precondition(lambda self: self.drafts)
    @rule(
        index=st.integers(0, 50),
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(["request-changes", "reject"]),
    )
    def review(self, index: int, actor: str, action: str) -> None:
        draft = self.draft(index)
        self.client.post(
            f"/v1/drafts/{draft['id']}/{action}", json={"comment": "x"}, headers=self.auth(actor)
        )

    @precondition(lambda self: self.drafts)
    @rule(index=st.integers(0, 50))
    def tamper(self, index: int) -> None:
        draft = self.draft(index)
        renditions = draft["revision"]["renditions"]
        renditions[0]["body"] = "Everything is fixed, guaranteed."
        table = sa.table(
            "draft_revisions",
            sa.column("draft_id"),
            sa.column("number"),
            sa.column("renditions", sa.JSON),
        )
        with self.engine.begin() as conn:
            conn.execute(
                table.update()
                .where(
                    table.c.draft_id == draft["id"], table.c.number == draft["revision"]["number"]
                )
                .values(renditions=renditions)
            )

    @precondition(lambda self: self.drafts)
    @rule(index=st.integers(0, 50), actor=st.sampled_from(ACTORS))
    def publish(self, index: int, actor: str) -> None:
        draft = self.draft(index)
        response = self.client.post(f"/v1/drafts/{draft['id']}/publish", headers=self.auth(actor))
        if response.status_code == 200:
            key = (draft["id"], draft["revision"]["number"])
            assert key in self.approvals, "published a revision nobody approved"
            digest, approver = self.approvals[key]
            assert digest == draft["revision"]["digest"]
            assert approver != self.authors[key], "published a self-approved revision"
            assert "guaranteed" not in draft["revision"]["renditions"][0]["body"]

    @invariant()
    def published_text_was_approved(self) -> None:
        incident = self.client.get(
            f"/v1/incidents/{self.incident_id}", headers=self.auth("admin")
        ).json()
        approved_bodies = set()
        for (draft_id, number), (_, approver) in self.approvals.items():
            assert approver != self.authors.get((draft_id, number))
            revisions = self.client.get(
                f"/v1/drafts/{draft_id}/revisions", headers=self.auth("admin")
            ).json()
            for revision in revisions:
                if revision["number"] == number:
                    approved_bodies.update(r["body"] for r in revision["renditions"])
        for update in incident["incident_updates"]:
            assert "guaranteed" not in update["body"]
            assert update["body"] in approved_bodies


ApprovalMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestApprovalProperties = ApprovalMachine.TestCase
