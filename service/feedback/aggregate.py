"""Per-incident aggregates: rolling windows, spikes, and markers at each published update.

`compute` is pure (points in, values out) so synthetic timelines test it with an injected clock;
`aggregate_incident` loads the points from the database, grouped: posts that no window, bucket or
marker edge separates count the same in every figure, so the database sums each group and one
weighted point stands for it. A draft then reads a few dozen rows, not every post of a busy hour.

Spike rule (numbers in policy.yaml): count the posts (all, or negative only) in the current
`window_minutes`; the baseline is the mean count of the `baseline_buckets` windows before it;
a spike is current >= `min_count` and current >= `ratio` × max(baseline, `baseline_floor`).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from service.feedback.model import Aggregate, Marker, Spike, WindowStats
from service.feedback.policy import FeedbackPolicy, SpikePolicy
from service.sentiment.model import Concern, SentimentLabel
from service.store.tables import FeedbackPostRow, IncidentEventRow

PUBLISH_EVENT = "draft.publish"


@dataclass(frozen=True)
class Point:
    """Scored posts as the aggregates see them: one post, or `count` posts that every window,
    bucket and marker puts on the same side (then `score` is their sum)."""

    at: datetime
    label: SentimentLabel
    score: float
    concern: Concern
    count: int = 1

    @property
    def negative(self) -> bool:
        return self.label is SentimentLabel.negative


def _volume(points: Sequence[Point]) -> int:
    return sum(p.count for p in points)


def _negatives(points: Sequence[Point]) -> int:
    return sum(p.count for p in points if p.negative)


@dataclass(frozen=True)
class Publication:
    """A published update of the incident (a `draft.publish` timeline event)."""

    at: datetime
    draft_id: str | None


def _between(points: Sequence[Point], start: datetime, end: datetime) -> list[Point]:
    """Points with start < at <= end."""
    return [p for p in points if start < p.at <= end]


def window_stats(points: Sequence[Point], now: datetime, minutes: int) -> WindowStats:
    """Volume, negative share, mean score and concern mix of the trailing window."""
    inside = _between(points, now - timedelta(minutes=minutes), now)
    volume, negative = _volume(inside), _negatives(inside)
    concerns: Counter[Concern] = Counter()
    for p in inside:
        concerns[p.concern] += p.count
    return WindowStats(
        minutes=minutes,
        volume=volume,
        negative=negative,
        negative_share=round(negative / volume, 4) if volume else None,
        mean_score=round(sum(p.score for p in inside) / volume, 4) if volume else None,
        concerns={c: concerns[c] for c in Concern if concerns[c]},
    )


def spike(points: Sequence[Point], now: datetime, rule: SpikePolicy) -> Spike:
    """The current window's count against the mean of the trailing windows (see module doc)."""
    width = timedelta(minutes=rule.window_minutes)
    current = _volume(_between(points, now - width, now))
    buckets = [
        _volume(_between(points, now - (j + 1) * width, now - j * width))
        for j in range(1, rule.baseline_buckets + 1)
    ]
    baseline = sum(buckets) / len(buckets)
    reference = max(baseline, rule.baseline_floor)
    return Spike(
        current=current,
        baseline_mean=round(baseline, 3),
        ratio=round(current / reference, 3) if reference else None,
        spiking=current >= rule.min_count and current >= rule.ratio * reference,
    )


def _share(points: Sequence[Point]) -> float | None:
    volume = _volume(points)
    return round(_negatives(points) / volume, 4) if volume else None


def marker(points: Sequence[Point], pub: Publication, now: datetime, minutes: int) -> Marker:
    """Negative share and volume in the minutes before an update against the minutes after."""
    span = timedelta(minutes=minutes)
    before = [p for p in points if pub.at - span <= p.at < pub.at]
    after = [p for p in points if pub.at <= p.at < pub.at + span and p.at <= now]
    share_before, share_after = _share(before), _share(after)
    change = (
        round(share_after - share_before, 4)
        if share_before is not None and share_after is not None
        else None
    )
    return Marker(
        at=pub.at,
        draft_id=pub.draft_id,
        minutes=minutes,
        before_volume=_volume(before),
        after_volume=_volume(after),
        before_negative_share=share_before,
        after_negative_share=share_after,
        negative_share_change=change,
        complete=now >= pub.at + span,
    )


def compute(
    incident_id: str,
    points: Sequence[Point],
    publications: Sequence[Publication],
    now: datetime,
    policy: FeedbackPolicy,
) -> Aggregate:
    """The aggregate of an incident's scored posts at `now`."""
    windows = [window_stats(points, now, m) for m in policy.aggregates.windows_minutes]
    widest = max(windows, key=lambda w: w.minutes)
    ranked = Counter({c: n for c, n in widest.concerns.items() if c is not Concern.other})
    top = ranked.most_common(1)
    return Aggregate(
        incident_id=incident_id,
        at=now,
        windows=windows,
        negative_spike=spike([p for p in points if p.negative], now, policy.spike),
        volume_spike=spike(points, now, policy.spike),
        top_concern=top[0][0] if top else None,
        top_concern_posts=top[0][1] if top else 0,
        markers=[marker(points, p, now, policy.aggregates.marker_minutes) for p in publications],
    )


def publications(session: Session, incident_id: str) -> list[Publication]:
    """The incident's published updates, oldest first."""
    rows = session.scalars(
        select(IncidentEventRow)
        .where(IncidentEventRow.incident_id == incident_id, IncidentEventRow.type == PUBLISH_EVENT)
        .order_by(IncidentEventRow.at)
    )
    return [Publication(at=r.at, draft_id=r.data.get("draft_id")) for r in rows]


@lru_cache(maxsize=16)
def _grouped(edge_count: int) -> Select[str | None, str | None, datetime, int, float | None]:
    """The grouped query for `edge_count` edges, built once: its values are bound per call."""
    at = FeedbackPostRow.created_at
    # Stretch 2k: before edge k (after edge k-1); stretch 2k+1: exactly at edge k.
    whens: list[tuple[ColumnElement[bool], int]] = []
    for k in range(edge_count):
        edge = bindparam(f"edge_{k}", type_=at.type)
        whens += [(at < edge, 2 * k), (at == edge, 2 * k + 1)]
    stretches = [case(*whens, else_=2 * edge_count)] if whens else []
    return (
        select(
            FeedbackPostRow.label,
            FeedbackPostRow.concern,
            func.min(at).label("first"),
            func.count().label("posts"),
            func.sum(FeedbackPostRow.score).label("score"),
        )
        .where(
            FeedbackPostRow.incident_id == bindparam("incident_id"),
            FeedbackPostRow.scored_at.is_not(None),
            at >= bindparam("since", type_=at.type),
            at <= bindparam("until", type_=at.type),
        )
        .group_by(FeedbackPostRow.label, FeedbackPostRow.concern, *stretches)
    )


def load_points(
    session: Session,
    incident_id: str,
    since: datetime,
    until: datetime,
    edges: Sequence[datetime],
) -> list[Point]:
    """Scored posts linked to the incident with since <= created_at <= until, summed per label
    and concern within each stretch the `edges` mark off (see `edges`); each sum is placed at the
    earliest post it holds, which is on the same side of every edge as the rest of its stretch."""
    values: dict[str, Any] = {"incident_id": incident_id, "since": since, "until": until}
    values |= {f"edge_{k}": edge for k, edge in enumerate(sorted(edges))}
    rows = session.execute(_grouped(len(edges)), values)
    return [
        Point(
            at=r.first,
            label=SentimentLabel(r.label),
            score=float(r.score),
            concern=Concern(r.concern),
            count=int(r.posts),
        )
        for r in rows
    ]


def edges(now: datetime, pubs: Sequence[Publication], policy: FeedbackPolicy) -> list[datetime]:
    """Every instant where a window, spike bucket or marker of `compute` starts or ends.

    Posts strictly between two neighbouring edges, or exactly at one, fall on the same side of
    every comparison `compute` makes, so they can be counted together."""
    out = {now - timedelta(minutes=m) for m in policy.aggregates.windows_minutes}
    width = timedelta(minutes=policy.spike.window_minutes)
    out |= {now - j * width for j in range(policy.spike.baseline_buckets + 2)}
    span = timedelta(minutes=policy.aggregates.marker_minutes)
    for pub in pubs:
        out |= {pub.at - span, pub.at, pub.at + span}
    return sorted(out)


def aggregate_incident(
    session: Session, incident_id: str, now: datetime, policy: FeedbackPolicy
) -> Aggregate:
    """Load what the aggregate needs and compute it."""
    pubs = publications(session, incident_id)
    spike_span = policy.spike.window_minutes * (policy.spike.baseline_buckets + 1)
    since = now - timedelta(minutes=max(max(policy.aggregates.windows_minutes), spike_span))
    if pubs:
        since = min(since, pubs[0].at - timedelta(minutes=policy.aggregates.marker_minutes))
    points = load_points(session, incident_id, since, now, edges(now, pubs, policy))
    return compute(incident_id, points, pubs, now, policy)
