"""The comms lead's live view: per-incident aggregates, recent posts, tone, and scoring lag."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import incidents
from service.feedback.aggregate import aggregate_incident
from service.feedback.intake import backlog
from service.feedback.model import FeedbackPublic, FeedSnapshot, IncidentFeed
from service.feedback.policy import FeedbackPolicy
from service.feedback.tone import tone_for
from service.store.tables import FeedbackPostRow, IncidentRow


def scoring_lag_s(session: Session, now: datetime) -> float:
    """Seconds since the oldest unscored post arrived; 0 when nothing waits."""
    oldest = session.scalar(
        select(FeedbackPostRow.received_at)
        .where(FeedbackPostRow.scored_at.is_(None))
        .order_by(FeedbackPostRow.id)
        .limit(1)
    )
    return 0.0 if oldest is None else round(max(0.0, (now - oldest).total_seconds()), 3)


def last_scored_at(session: Session) -> datetime | None:
    """When the most recent post was scored: the stream sends a snapshot when this moves."""
    return session.scalar(select(func.max(FeedbackPostRow.scored_at)))


def recent_posts(session: Session, incident_id: str, limit: int) -> list[FeedbackPublic]:
    """The incident's latest scored posts, newest first."""
    rows = session.scalars(
        select(FeedbackPostRow)
        .where(FeedbackPostRow.incident_id == incident_id, FeedbackPostRow.scored_at.is_not(None))
        .order_by(FeedbackPostRow.created_at.desc(), FeedbackPostRow.id.desc())
        .limit(limit)
    )
    return [FeedbackPublic.model_validate(r) for r in rows]


def incident_feed(
    session: Session, row: IncidentRow, now: datetime, policy: FeedbackPolicy
) -> IncidentFeed:
    """One incident's part of the feed."""
    aggregate = aggregate_incident(session, row.id, now, policy)
    return IncidentFeed(
        incident_id=row.id,
        name=row.name,
        status=row.status,
        aggregate=aggregate,
        tone=tone_for(aggregate, policy.tone),
        recent=recent_posts(session, row.id, policy.aggregates.recent_posts),
    )


def snapshot(
    session: Session, now: datetime, policy: FeedbackPolicy, incident_id: str | None = None
) -> FeedSnapshot:
    """The feed for one incident, or for every unresolved one."""
    if incident_id is not None:
        rows = [incidents.get_row(session, incident_id)]
    else:
        rows = list(
            session.scalars(
                select(IncidentRow)
                .where(IncidentRow.resolved_at.is_(None))
                .order_by(IncidentRow.started_at.desc())
            )
        )
    return FeedSnapshot(
        at=now,
        backlog=backlog(session),
        scoring_lag_s=scoring_lag_s(session, now),
        incidents=[incident_feed(session, row, now, policy) for row in rows],
    )
