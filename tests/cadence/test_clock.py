"""Time travel through every severity's deadlines: first notice, reminders, cadence, misses.

The clock is injected (`now`); nothing sleeps. Each test runs on SQLite and PostgreSQL.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from service import promises
from service.domain.enums import Severity
from service.drafting.cadence import load_policy
from service.ids import new_id
from service.promises import ClockConfig, PromiseKind, PromiseState
from service.store.tables import ChannelTargetRow, DeliveryRow, DraftRow, PromiseRow
from tests.cadence.support import DRAFTER, approve_and_publish, open_incident, session_for

T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
POLICY = load_policy()


def _facts(severity: str) -> dict[str, object]:
    return {
        "severity": severity,
        "languages": ["zh", "en"],
        "facts": {
            "symptoms": ["users cannot sign in"],
            "affected_components": ["Login"],
            "detected_at": T0.isoformat(),
            "timezone": "Asia/Shanghai",
        },
    }


def _config() -> ClockConfig:
    return ClockConfig(drafter=DRAFTER, reminder_targets=["oncall"], console_url="http://herald")


def _add_oncall(session: object) -> str:
    target = ChannelTargetRow(
        id=new_id(),
        channel="slack",
        name="oncall",
        address="http://127.0.0.1:9/hook",
        language="en",
    )
    session.add(target)  # type: ignore[attr-defined]
    session.commit()  # type: ignore[attr-defined]
    return target.id


def _promises(session: object, incident_id: str) -> list[PromiseRow]:
    rows = session.scalars(  # type: ignore[attr-defined]
        select(PromiseRow).where(PromiseRow.incident_id == incident_id).order_by(PromiseRow.due_at)
    )
    return list(rows)


@pytest.mark.parametrize("severity", [Severity.P0, Severity.P1, Severity.P2])
def test_first_notice_reminder_miss_and_cadence(db_url: str, severity: Severity) -> None:
    clock = POLICY.severities[severity]
    assert clock.first_notice_minutes is not None
    assert clock.update_interval_minutes is not None
    first_due = T0 + timedelta(minutes=clock.first_notice_minutes)
    lead = timedelta(minutes=clock.remind_before_minutes)
    with session_for(db_url) as session:
        _add_oncall(session)
        incident_id = open_incident(session, T0, name="Login unavailable", herald=_facts(severity))

        result = promises.tick(session, T0, _config())
        session.commit()
        [opening] = _promises(session, incident_id)
        assert (opening.kind, opening.due_at, opening.state) == ("first_notice", first_due, "open")
        assert result.made == [opening.id]
        assert result.reminded == []

        # One minute before the warning: nothing to say yet.
        quiet = promises.tick(session, first_due - lead - MIN, _config())
        assert quiet.reminded == []
        assert quiet.drafts == []

        # The warning: once, with a 'still working' draft in review and one reminder per target.
        warned = promises.tick(session, first_due - lead, _config())
        session.commit()
        assert warned.reminded == [opening.id]
        [draft_id] = warned.drafts
        draft = session.get(DraftRow, draft_id)
        assert draft is not None
        assert (draft.state, draft.kind, draft.created_by) == (
            "in_review",
            "investigating",
            promises.SYSTEM_ACTOR,
        )
        reminders = list(session.scalars(select(DeliveryRow)))
        assert [(r.target_kind, r.channel, r.draft_id) for r in reminders] == [
            ("reminder", "slack", draft_id)
        ]
        assert "the first public notice" in reminders[0].body
        assert f"in {clock.remind_before_minutes} min" in reminders[0].body
        again = promises.tick(session, first_due - lead + MIN, _config())
        session.commit()
        assert again.reminded == []
        assert again.drafts == []
        assert len(list(session.scalars(select(DeliveryRow)))) == 1

        # The deadline passes unpublished: missed, and listed as overdue.
        late = promises.tick(session, first_due + MIN, _config())
        session.commit()
        assert late.missed == [opening.id]
        overdue = promises.list_promises(session, first_due + MIN, overdue_only=True)
        assert [p.id for p in overdue] == [opening.id]

        # Publishing the clock's draft five minutes late fulfils it (still missed) and promises
        # the next update one interval later, on a clean clock time.
        published_at = first_due + 5 * MIN
        approve_and_publish(session, draft_id, published_at)
        session.refresh(opening)
        assert opening.state == PromiseState.missed
        assert opening.fulfilled_at == published_at
        assert opening.detail["late_by_minutes"] == 5
        assert promises.list_promises(session, published_at, overdue_only=True) == []
        [_, following] = _promises(session, incident_id)
        interval = timedelta(minutes=clock.update_interval_minutes)
        assert following.kind == PromiseKind.next_update
        assert published_at < following.due_at <= published_at + interval
        assert following.due_at.minute % 5 == 0

        # Next cycle: warned before, a new draft (the old one was published), kept if published.
        warned = promises.tick(session, following.due_at - lead, _config())
        session.commit()
        assert warned.reminded == [following.id]
        assert len(warned.drafts) == 1
        approve_and_publish(session, warned.drafts[0], following.due_at - MIN)
        session.refresh(following)
        assert following.state == PromiseState.kept


def test_p3_incident_promises_no_first_notice_but_keeps_its_cadence(db_url: str) -> None:
    with session_for(db_url) as session:
        incident_id = open_incident(session, T0, name="Slow exports", herald=_facts("P3"))
        assert promises.tick(session, T0 + timedelta(hours=5), _config()).made == []
        assert _promises(session, incident_id) == []
        from tests.cadence.support import draft

        first = draft(session, incident_id, T0 + timedelta(hours=5))
        approve_and_publish(session, first.id, T0 + timedelta(hours=5))
        [following] = _promises(session, incident_id)
        unplanned = POLICY.severities[Severity.P3].unplanned_interval_minutes
        assert following.due_at == T0 + timedelta(hours=5, minutes=unplanned or 0)


def test_maintenance_notice_is_due_24_hours_before_the_window(db_url: str) -> None:
    start = T0 + timedelta(hours=30)
    lead = timedelta(minutes=POLICY.maintenance.remind_before_minutes)
    with session_for(db_url) as session:
        _add_oncall(session)
        incident_id = open_incident(
            session,
            T0,
            name="Database upgrade",
            scheduled_for=start.isoformat(),
            scheduled_until=(start + timedelta(hours=2)).isoformat(),
            herald={"severity": "P3", "kind": "maintenance", "languages": ["en"]},
        )
        promises.tick(session, T0, _config())
        [notice] = _promises(session, incident_id)
        assert (notice.kind, notice.due_at) == ("maintenance_notice", start - timedelta(hours=24))

        assert promises.tick(session, notice.due_at - lead - MIN, _config()).reminded == []
        warned = promises.tick(session, notice.due_at - lead, _config())
        session.commit()
        assert warned.reminded == [notice.id]
        draft = session.get(DraftRow, warned.drafts[0])
        assert draft is not None
        assert draft.kind == "maintenance"
        approve_and_publish(session, draft.id, notice.due_at - MIN)
        session.refresh(notice)
        assert notice.state == PromiseState.kept


def test_a_late_maintenance_notice_is_missed(db_url: str) -> None:
    start = T0 + timedelta(hours=3)
    with session_for(db_url) as session:
        incident_id = open_incident(
            session,
            T0,
            name="Network maintenance",
            scheduled_for=start.isoformat(),
            scheduled_until=(start + timedelta(hours=1)).isoformat(),
            herald={"severity": "P3", "kind": "maintenance", "languages": ["en"]},
        )
        result = promises.tick(session, T0, _config())
        session.commit()
        [notice] = _promises(session, incident_id)
        assert notice.id in result.missed  # its deadline was already 21 h in the past
