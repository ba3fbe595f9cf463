"""Feedback fixtures: an app that leaves scoring to the test, and a real scoring worker."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.config import Settings
from service.domain.enums import Role
from service.feedback.policy import default_policy
from service.feedback.scoring import ScoringWorker
from service.sentiment.concerns import RuleConcernModel
from service.sentiment.ngramnet import NgramNetSentiment
from service.store.db import make_engine, make_session_factory
from tests.conftest import Tokens


@pytest.fixture
def settings(db_url: str) -> Settings:
    # Tests drive scoring explicitly; one test covers the worker as its own process.
    return Settings(database_url=db_url, worker_in_process=False, feedback_scoring_in_process=False)


@pytest.fixture(scope="session")
def sentiment() -> NgramNetSentiment:
    """The real offline network, loaded once for the session."""
    return NgramNetSentiment()


@pytest.fixture
def worker(db_url: str, sentiment: NgramNetSentiment) -> Iterator[ScoringWorker]:
    engine = make_engine(db_url)
    yield ScoringWorker(
        make_session_factory(engine), sentiment, RuleConcernModel(), default_policy(), batch=50
    )
    engine.dispose()


def item(n: int, text: str = "the app is down again", **fields: Any) -> dict[str, Any]:
    """One post as a source would send it."""
    return {
        "source": "weibo",
        "external_id": f"p{n}",
        "author": f"@user{n}",
        "text": text,
        "created_at": fields.pop("created_at", datetime.now(UTC).isoformat()),
        **fields,
    }


def incident(client: TestClient, tokens: Tokens, name: str, components: list[str]) -> str:
    """Open an incident affecting `components`; returns its id."""
    response = client.post(
        "/v1/incidents",
        json={
            "incident": {
                "name": name,
                "herald": {
                    "severity": "P1",
                    "facts": {
                        "symptoms": ["payments fail"],
                        "affected_components": components,
                        "affected_regions": ["华东"],
                        "affected_share_pct": 30,
                        "detected_at": "2026-11-28T14:30:00+08:00",
                        "timezone": "Asia/Shanghai",
                    },
                },
            }
        },
        headers=tokens.auth(Role.responder),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def publish_update(client: TestClient, tokens: Tokens, incident_id: str) -> str:
    """Draft, submit, approve and publish one update; returns the draft id."""
    draft = client.post(
        f"/v1/incidents/{incident_id}/drafts",
        json={"now": datetime.now(UTC).isoformat()},
        headers=tokens.auth(Role.responder),
    ).json()
    url = f"/v1/drafts/{draft['id']}"
    client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
    approved = client.post(
        f"{url}/approve",
        json={"revision": 1, "digest": draft["revision"]["digest"]},
        headers=tokens.auth(Role.approver),
    )
    assert approved.status_code == 200, approved.text
    published = client.post(f"{url}/publish", headers=tokens.auth(Role.responder))
    assert published.status_code == 200, published.text
    return str(draft["id"])
