"""The feed (snapshot, server-sent events), tone, markers and suggested replies over HTTP."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.domain.enums import Role
from service.feedback.aggregate import aggregate_incident, publications
from service.feedback.scoring import ScoringWorker
from service.store.db import make_engine, make_session_factory
from service.store.tables import FeedbackPostRow
from service.store.types import utcnow
from tests.conftest import Tokens
from tests.feedback.conftest import incident, item, publish_update


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.comms_lead, True), (Role.admin, True), (Role.responder, False), (Role.approver, False)],
)
def test_feed_is_for_the_comms_lead(
    client: TestClient, tokens: Tokens, role: Role, allowed: bool
) -> None:
    for path in ("/v1/feed/snapshot", "/v1/feed/stream?max_events=1&interval_s=0.05"):
        response = client.get(path, headers=tokens.auth(role))
        assert response.status_code == (200 if allowed else 403), path


def test_snapshot_shows_backlog_lag_aggregates_and_recent_posts(
    client: TestClient, tokens: Tokens, worker: ScoringWorker, db_url: str
) -> None:
    auth = tokens.auth(Role.comms_lead)
    checkout = incident(client, tokens, "Checkout errors", ["Checkout"])
    client.post("/v1/feedback", json=[item(n, "checkout is down") for n in range(3)], headers=auth)
    engine = make_engine(db_url)
    with make_session_factory(engine).begin() as session:  # the oldest post waited a minute
        session.execute(
            sa.update(FeedbackPostRow)
            .where(FeedbackPostRow.external_id == "p0")
            .values(received_at=utcnow() - timedelta(minutes=1))
        )
    engine.dispose()
    waiting = client.get("/v1/feed/snapshot", headers=auth).json()
    assert waiting["backlog"] == 3
    assert waiting["scoring_lag_s"] >= 59
    worker.drain()
    snap = client.get(f"/v1/feed/snapshot?incident_id={checkout}", headers=auth).json()
    assert (snap["backlog"], snap["scoring_lag_s"]) == (0, 0.0)
    (feed,) = snap["incidents"]
    assert feed["incident_id"] == checkout
    assert feed["aggregate"]["windows"][0]["volume"] == 3
    assert len(feed["recent"]) == 3
    assert {p["label"] for p in feed["recent"]} <= {"negative", "neutral", "positive"}
    assert set(feed["tone"]) >= {"apologise", "reassure_data_safety", "shorten_cadence"}
    missing = client.get("/v1/feed/snapshot?incident_id=nope", headers=auth)
    assert missing.status_code == 404


def test_stream_sends_snapshots_as_server_sent_events(client: TestClient, tokens: Tokens) -> None:
    events = []
    with client.stream(
        "GET",
        "/v1/feed/stream?max_events=3&interval_s=0.05",
        headers=tokens.auth(Role.comms_lead),
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line.removeprefix("data: ")))
    assert len(events) == 3
    assert all({"backlog", "scoring_lag_s", "incidents"} <= set(e) for e in events)


def test_tone_endpoint_apologises_when_negative_posts_spike(
    client: TestClient, tokens: Tokens, worker: ScoringWorker
) -> None:
    checkout = incident(client, tokens, "Checkout errors", ["Checkout"])
    calm = client.get(f"/v1/incidents/{checkout}/tone", headers=tokens.auth(Role.responder))
    assert calm.json()["apologise"] is False
    angry = [
        item(n, "支付失败，太差劲了，气死了，垃圾服务", lang="zh", incident_id=checkout)
        for n in range(15)
    ]
    client.post("/v1/feedback", json=angry, headers=tokens.auth(Role.comms_lead))
    worker.drain()
    tone = client.get(f"/v1/incidents/{checkout}/tone", headers=tokens.auth(Role.responder))
    assert tone.json()["apologise"] is True
    assert tone.json()["shorten_cadence"] is True
    assert tone.json()["reasons"]


def test_markers_around_a_published_update(
    client: TestClient, tokens: Tokens, worker: ScoringWorker, app: FastAPI
) -> None:
    checkout = incident(client, tokens, "Checkout errors", ["Checkout"])
    publish_update(client, tokens, checkout)
    factory = make_session_factory(app.state.engine)
    with factory() as session:
        (published,) = publications(session, checkout)
    at = published.at
    before = [
        item(
            n,
            "支付失败，太差劲了",
            lang="zh",
            incident_id=checkout,
            created_at=(at - timedelta(minutes=n + 1)).isoformat(),
        )
        for n in range(6)
    ]
    after = [
        item(
            10 + n,
            "谢谢，已经恢复了，很好",
            lang="zh",
            incident_id=checkout,
            created_at=(at + timedelta(minutes=n + 1)).isoformat(),
        )
        for n in range(4)
    ]
    client.post("/v1/feedback", json=before + after, headers=tokens.auth(Role.comms_lead))
    worker.drain()
    with factory() as session:
        agg = aggregate_incident(session, checkout, at + timedelta(minutes=20), worker.policy)
    (mark,) = agg.markers
    assert (mark.before_volume, mark.after_volume) == (6, 4)
    assert mark.before_negative_share is not None
    assert mark.after_negative_share is not None
    assert mark.after_negative_share < mark.before_negative_share
    assert mark.complete


def test_suggested_reply_needs_a_second_person(
    client: TestClient, tokens: Tokens, worker: ScoringWorker
) -> None:
    checkout = incident(client, tokens, "Checkout errors", ["Checkout"])
    post = item(1, "是只有我这样吗？影响范围有多大", lang="zh", incident_id=checkout)
    client.post("/v1/feedback", json=post, headers=tokens.auth(Role.comms_lead))
    worker.drain()
    post_id = client.get("/v1/feed/snapshot", headers=tokens.auth(Role.comms_lead)).json()[
        "incidents"
    ][0]["recent"][0]["id"]
    url = f"/v1/feedback/{post_id}/reply-draft"
    unpublished = client.post(url, headers=tokens.auth(Role.approver))
    assert unpublished.status_code == 409
    publish_update(client, tokens, checkout)
    created = client.post(url, headers=tokens.auth(Role.approver))
    assert created.status_code == 201, created.text
    reply = created.json()
    assert reply["state"] == "pending"
    assert reply["concern"] == "scope"
    assert "30%" in reply["body"]
    assert "Checkout" in reply["body"]
    decide = f"/v1/feedback-replies/{reply['id']}"
    own = client.post(f"{decide}/approve", headers=tokens.auth(Role.approver))
    assert own.status_code == 403
    assert client.post(f"{decide}/approve", headers=tokens.auth(Role.comms_lead)).status_code == 403
    approved = client.post(
        f"{decide}/approve", json={"comment": "ok"}, headers=tokens.auth(Role.admin)
    )
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved", "admin-user")
    again = client.post(f"{decide}/reject", headers=tokens.auth(Role.admin))
    assert again.status_code == 409
    listed = client.get("/v1/feedback-replies?state=approved", headers=tokens.auth(Role.responder))
    assert [r["id"] for r in listed.json()] == [reply["id"]]
    audit = client.get(f"/v1/audit?object_id={reply['id']}", headers=tokens.auth(Role.admin)).json()
    assert {e["action"] for e in audit} == {"feedback_reply.create", "feedback_reply.approve"}
