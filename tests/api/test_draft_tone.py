"""Drafts follow the feedback feed: a spike of negative posts about data safety changes the tone."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.config import Settings
from service.domain.enums import Role
from service.feedback.scoring import build_scoring_worker
from tests.conftest import Tokens

# The feed aggregates around the wall clock, so the story happens now.
NOW = datetime.now(UTC).replace(microsecond=0)
ANGRY = [
    "Is my data safe? Your checkout is down and I am worried my card details leaked",
    "Terrible service, checkout broken again and nobody tells us if our data was stolen",
    "Data breach?? checkout failing for an hour, this is awful",
]


@pytest.fixture
def settings(db_url: str) -> Settings:
    # The test scores the posts itself; an in-process scorer would race it for them.
    return Settings(database_url=db_url, worker_in_process=False, feedback_scoring_in_process=False)


def _statuspage_en(draft: dict[str, Any]) -> str:
    rendition = next(r for r in draft["revision"]["renditions"] if r["language"] == "en")
    body: str = rendition["body"]
    return body


def test_negative_spike_and_data_worries_shape_the_next_draft(
    client: TestClient, tokens: Tokens, app: FastAPI
) -> None:
    incident = client.post(
        "/v1/incidents",
        json={
            "incident": {
                "name": "Checkout errors",
                "herald": {
                    "severity": "P1",
                    "facts": {
                        "symptoms": ["payments fail"],
                        "affected_components": ["Checkout"],
                        "detected_at": (NOW - timedelta(minutes=40)).isoformat(),
                        "timezone": "UTC",
                    },
                },
            }
        },
        headers=tokens.auth(Role.responder),
    ).json()
    ask = {"now": NOW.isoformat(), "languages": ["en"]}
    calm = client.post(
        f"/v1/incidents/{incident['id']}/drafts", json=ask, headers=tokens.auth(Role.responder)
    ).json()
    items = [
        {
            "source": "x",
            "external_id": str(n),
            "author": f"u{n}",
            "text": ANGRY[n % 3],
            "lang": "en",
            "incident_id": incident["id"],
            "created_at": (NOW - timedelta(seconds=10 + n)).isoformat(),
        }
        for n in range(30)
    ]
    posted = client.post(
        "/v1/feedback", json={"items": items}, headers=tokens.auth(Role.comms_lead)
    )
    assert posted.status_code == 202
    worker = build_scoring_worker(
        app.state.settings, app.state.session_factory, app.state.feedback_policy
    )
    assert worker.drain() == 30
    tone = client.get(f"/v1/incidents/{incident['id']}/tone", headers=tokens.auth(Role.responder))
    assert tone.json()["apologise"] is True
    toned = client.post(
        f"/v1/incidents/{incident['id']}/drafts", json=ask, headers=tokens.auth(Role.responder)
    ).json()
    assert "apologise" not in _statuspage_en(calm)
    assert "We apologise" in _statuspage_en(toned)
    # An explicit tone in the request wins over the feed.
    explicit = client.post(
        f"/v1/incidents/{incident['id']}/drafts",
        json={**ask, "tone": {"apologise": False}},
        headers=tokens.auth(Role.responder),
    ).json()
    assert "apologise" not in _statuspage_en(explicit)
