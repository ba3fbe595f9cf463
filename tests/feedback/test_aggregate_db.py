"""The aggregate the database sums per stretch equals the one computed post by post."""

import random
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.feedback.aggregate import (
    Point,
    aggregate_incident,
    compute,
    edges,
    publications,
)
from service.feedback.policy import default_policy
from service.sentiment.model import Concern, SentimentLabel
from service.store.db import make_session_factory
from service.store.tables import FeedbackPostRow
from service.store.types import utcnow
from tests.conftest import Tokens
from tests.feedback.conftest import incident, publish_update


def _post(n: int, incident_id: str, at: datetime, rng: random.Random) -> FeedbackPostRow:
    return FeedbackPostRow(
        source="test",
        external_id=f"x{n}",
        author_hash="h",
        text="checkout is down",
        created_at=at,
        incident_id=incident_id,
        label=rng.choice(list(SentimentLabel)).value,
        score=round(rng.uniform(-1, 1), 3),
        concern=rng.choice(list(Concern)).value,
        scored_at=at,
    )


def _one_by_one(rows: list[FeedbackPostRow], since: datetime, until: datetime) -> list[Point]:
    return [
        Point(r.created_at, SentimentLabel(r.label), r.score, Concern(r.concern))
        for r in rows
        if r.label is not None and r.score is not None and r.concern is not None
        if since <= r.created_at <= until
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_summed_stretches_give_the_post_by_post_aggregate(
    app: FastAPI, client: TestClient, tokens: Tokens, seed: int
) -> None:
    policy = default_policy()
    checkout = incident(client, tokens, "Checkout errors", ["Checkout"])
    publish_update(client, tokens, checkout)
    factory = make_session_factory(app.state.engine)
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0) + timedelta(minutes=10)
    with factory() as session:
        pubs = publications(session, checkout)
        marks = edges(now, pubs, policy)
        # Posts spread over the last 50 minutes, plus posts exactly on every edge (where a
        # window's (start, end] and a marker's [start, end) disagree) and a hair either side.
        times = [now - timedelta(seconds=rng.uniform(0, 3000)) for _ in range(300)]
        hair = timedelta(milliseconds=1)
        times += [at for m in marks for at in (m - hair, m, m, m + hair)]
        session.add_all(_post(n, checkout, at, rng) for n, at in enumerate(times))
        session.commit()
    with factory() as session:
        summed = aggregate_incident(session, checkout, now, policy)
        rows = list(session.scalars(select(FeedbackPostRow)))
    spike_span = policy.spike.window_minutes * (policy.spike.baseline_buckets + 1)
    widest = max(*policy.aggregates.windows_minutes, spike_span)
    since = min(
        now - timedelta(minutes=widest),
        pubs[0].at - timedelta(minutes=policy.aggregates.marker_minutes),
    )
    expected = compute(checkout, _one_by_one(rows, since, now), pubs, now, policy)
    assert summed == expected
    assert summed.windows[-1].volume > 0
    assert summed.markers[0].before_volume > 0
