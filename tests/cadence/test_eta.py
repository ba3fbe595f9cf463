"""ETA: cause categories, history suggestions, engineering estimates, revisions and accuracy."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service import eta, metrics
from service.eta import CauseCategory, Repair
from service.store.tables import IncidentRow, PromiseRow
from tests.cadence.support import approve_and_publish, draft, open_incident, patch, session_for

T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("cause", "category"),
    [
        ("A faulty deployment of the login service", CauseCategory.deployment),
        ("核心账务系统的数据库连接异常", CauseCategory.database),
        ("光缆被挖断导致专线中断", CauseCategory.network),
        ("a configuration change at our payment provider", CauseCategory.deployment),
        ("an outage at an upstream provider", CauseCategory.dependency),
        ("traffic far above the usual peak", CauseCategory.capacity),
        ("the cause is not known yet", CauseCategory.other),
        (None, CauseCategory.other),
    ],
)
def test_categorize(cause: str | None, category: CauseCategory) -> None:
    assert eta.categorize(cause) is category


def _repairs(component: str, category: CauseCategory, minutes: list[float]) -> list[Repair]:
    return [
        Repair(components=frozenset({component}), category=category, minutes=m) for m in minutes
    ]


def test_suggestion_uses_the_narrowest_group_with_enough_samples() -> None:
    history = (
        _repairs("login", CauseCategory.database, [30, 40, 50, 60, 70])
        + _repairs("login", CauseCategory.network, [200, 210])
        + _repairs("search", CauseCategory.network, [100, 120, 140])
    )
    exact = eta.suggest(history, ["Login"], CauseCategory.database)
    assert exact is not None
    assert (exact.basis, exact.n, exact.median_minutes, exact.p80_minutes) == (
        "component+cause",
        5,
        50,
        62,
    )
    # Two login/network repairs are too few: all seven login repairs stand in.
    widened = eta.suggest(history, ["login"], CauseCategory.network)
    assert widened is not None
    assert (widened.basis, widened.n) == ("component", 7)
    by_cause = eta.suggest(history, ["payments"], CauseCategory.network)
    assert by_cause is not None
    assert (by_cause.basis, by_cause.n, by_cause.median_minutes) == ("cause", 5, 140)
    assert eta.suggest([], ["login"], CauseCategory.other) is None


def test_estimate_prefers_engineering_and_always_shows_history(db_url: str) -> None:
    with session_for(db_url) as session:
        for k, minutes in enumerate([30, 60, 90]):
            start = T0 - timedelta(days=k + 1)
            past = open_incident(
                session,
                start,
                name="Login unavailable",
                herald={
                    "severity": "P1",
                    "facts": {
                        "affected_components": ["Login"],
                        "cause": "a database failover",
                        "detected_at": start.isoformat(),
                    },
                },
            )
            patch(session, past, start + timedelta(minutes=minutes), status="resolved")
        current = open_incident(
            session,
            T0,
            name="Login unavailable",
            herald={
                "severity": "P1",
                "facts": {"affected_components": ["Login"], "cause": "database connections"},
            },
        )
        row = session.get(IncidentRow, current)
        assert row is not None
        guess = eta.estimate(session, row, now=T0)
        assert guess.source == "history"
        assert guess.public_eta_at is None
        assert guess.suggestion is not None
        assert (guess.suggestion.n, guess.suggestion.median_minutes) == (3, 60)
        assert guess.suggestion.basis == "component+cause"

        patch(
            session,
            current,
            T0,
            herald={"facts": {"engineering_eta_minutes": 30, "eta_estimated_at": T0.isoformat()}},
        )
        session.refresh(row)
        told = eta.estimate(session, row, now=T0)
        assert told.source == "engineering"
        assert told.public_eta_at == T0 + timedelta(minutes=45)  # 30 × 1.4 = 42 → 45


def test_revised_eta_and_accuracy_at_resolution(db_url: str) -> None:
    with session_for(db_url) as session:
        incident = open_incident(
            session,
            T0,
            name="Checkout errors",
            herald={
                "severity": "P1",
                "languages": ["en"],
                "facts": {
                    "symptoms": ["payments fail"],
                    "affected_components": ["Checkout"],
                    "cause": "a faulty release",
                    "detected_at": T0.isoformat(),
                },
            },
        )
        facts = {"engineering_eta_minutes": 30, "eta_estimated_at": (T0 + 10 * MIN).isoformat()}
        patch(session, incident, T0 + 10 * MIN, herald={"facts": facts})
        first = draft(session, incident, T0 + 10 * MIN, stage="identified")
        approve_and_publish(session, first.id, T0 + 10 * MIN)
        assert first.revision.eta_at == T0 + 55 * MIN  # 10 + 30 × 1.4 = 52 → 55
        # Engineering needs longer: a new estimate, a new ETA; the old one is revised.
        facts = {"engineering_eta_minutes": 40, "eta_estimated_at": (T0 + 40 * MIN).isoformat()}
        patch(session, incident, T0 + 40 * MIN, herald={"facts": facts})
        second = draft(session, incident, T0 + 40 * MIN, stage="identified")
        approve_and_publish(session, second.id, T0 + 40 * MIN)
        assert second.revision.eta_at == T0 + 100 * MIN  # 40 + 56 = 96 → 100
        recovered = {"recovered_at": (T0 + 108 * MIN).isoformat(), "fix_applied": "rolled back"}
        patch(session, incident, T0 + 110 * MIN, herald={"facts": recovered})
        done = draft(session, incident, T0 + 110 * MIN, stage="resolved")
        approve_and_publish(session, done.id, T0 + 110 * MIN)

        etas = session.scalars(
            select(PromiseRow).where(PromiseRow.kind == "eta").order_by(PromiseRow.due_at)
        ).all()
        assert [p.state for p in etas] == ["revised", "missed"]
        assert etas[1].detail["error_minutes"] == 8
        row = session.get(IncidentRow, incident)
        assert row is not None
        m = metrics.incident_metrics(session, row, T0 + 120 * MIN)
        assert (m.eta_kept, m.eta_missed, m.eta_accuracy, m.eta_mean_abs_error_min) == (
            0,
            1,
            0.0,
            8,
        )


class FixedMood:
    """A stand-in sentiment source: negative before each update, calmer after (hand-written)."""

    def shift(self, session: object, incident_id: str, at: datetime) -> metrics.SentimentShift:
        return metrics.SentimentShift(
            update_at=at,
            before_score=-0.6,
            after_score=-0.2,
            before_negative_share=0.7,
            after_negative_share=0.4,
            before_n=20,
            after_n=15,
        )


def test_sentiment_around_each_update(db_url: str) -> None:
    with session_for(db_url) as session:
        incident = open_incident(
            session,
            T0,
            name="Login unavailable",
            herald={
                "severity": "P1",
                "languages": ["en"],
                "facts": {"symptoms": ["sign-in fails"], "detected_at": T0.isoformat()},
            },
        )
        for at in (T0 + 10 * MIN, T0 + 40 * MIN):
            made = draft(session, incident, at)
            approve_and_publish(session, made.id, at)
        row = session.get(IncidentRow, incident)
        assert row is not None
        m = metrics.incident_metrics(session, row, T0 + 60 * MIN, sentiment=FixedMood())
        assert [s.update_at for s in m.sentiment] == [T0 + 10 * MIN, T0 + 40 * MIN]
        assert metrics.aggregate([m]).sentiment_shift_mean == 0.4
        assert metrics.incident_metrics(session, row, T0 + 60 * MIN).sentiment == []
