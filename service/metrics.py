"""Communication metrics (PLAYBOOK §10), per incident and in aggregate, read from the tables.

Time to first notice, approval latency, cadence adherence (share of update promises kept), ETA
accuracy, drafts per published update, guard findings per draft, and the sentiment shift around
each published update when a `SentimentSource` is wired in. Everything is computed on request
from the stored rows, so a report and a Prometheus scrape agree with the timeline.
"""

import statistics
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from service.domain.draft import DraftState
from service.domain.enums import IncidentKind, Severity
from service.domain.facts import IncidentFacts
from service.drafting import cadence
from service.drafting.model import DraftKind
from service.promises import UPDATE_KINDS, PromiseKind, PromiseState, is_overdue
from service.store.tables import (
    DraftRow,
    IncidentEventRow,
    IncidentRow,
    IncidentUpdateRow,
    PromiseRow,
)
from service.store.types import as_utc, utcnow


class SentimentShift(BaseModel):
    """Mood in a window before and after one published update (scores −1 … +1)."""

    update_at: datetime
    before_score: float | None
    after_score: float | None
    before_negative_share: float | None
    after_negative_share: float | None
    before_n: int
    after_n: int


class SentimentSource(Protocol):
    """Where the feedback feed's aggregates come from (issue 6 provides one)."""

    def shift(self, session: Session, incident_id: str, at: datetime) -> SentimentShift | None:
        """The mood before and after `at` for posts linked to the incident; None if unknown."""
        ...


class IncidentMetrics(BaseModel):
    """How well one incident was communicated."""

    incident_id: str
    name: str
    severity: Severity
    kind: IncidentKind
    started_at: datetime
    resolved_at: datetime | None
    first_notice_at: datetime | None
    time_to_first_notice_min: float | None
    first_notice_deadline_min: int | None = Field(description="The severity's window (policy).")
    first_notice_target_min: int | None = Field(description="Best practice (P0 5, P1 15).")
    first_notice_on_time: bool | None
    maintenance_notice_lead_h: float | None = Field(
        description="Maintenance: hours between the notice and the window (rule: ≥ 24)."
    )
    approvals: int
    approval_latency_median_min: float | None
    approval_latency_max_min: float | None
    approvals_within_deadline: float | None = Field(
        description="Share of approvals within the approver deadline (PLAYBOOK §2: 5 min)."
    )
    promises_kept: int
    promises_missed: int
    cadence_adherence: float | None = Field(description="Kept ÷ settled update promises.")
    overdue_promises: int
    eta_kept: int
    eta_missed: int
    eta_accuracy: float | None = Field(description="Share of published ETAs that held.")
    eta_mean_abs_error_min: float | None
    drafts: int
    published_updates: int
    drafts_per_published_update: float | None
    guard_findings_per_draft: float | None = Field(
        description="Findings (all levels) in each draft's first revision, as the drafter wrote it."
    )
    guard_errors_per_draft: float | None
    sentiment: list[SentimentShift]


class AggregateMetrics(BaseModel):
    """The same measures over every incident in a range."""

    incidents: int
    time_to_first_notice_median_min: float | None
    first_notice_on_time: float | None
    approval_latency_median_min: float | None
    cadence_adherence: float | None
    promises_kept: int
    promises_missed: int
    eta_accuracy: float | None
    eta_mean_abs_error_min: float | None
    drafts_per_published_update: float | None
    guard_findings_per_draft: float | None
    sentiment_shift_mean: float | None = Field(
        description="Mean change in sentiment score from before to after each update."
    )


class CommsReport(BaseModel):
    start: datetime
    end: datetime
    generated_at: datetime
    aggregate: AggregateMetrics
    by_severity: dict[Severity, AggregateMetrics]
    incidents: list[IncidentMetrics]


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 2)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _approval_latencies(events: Sequence[IncidentEventRow]) -> list[float]:
    """Minutes from each submission to its approval (the approver's clock, PLAYBOOK §2)."""
    submitted: dict[str, datetime] = {}
    out: list[float] = []
    for event in events:
        draft_id = str(event.data.get("draft_id", ""))
        if event.type == "draft.submit":
            submitted[draft_id] = event.at
        elif event.type == "draft.approve" and draft_id in submitted:
            out.append(_minutes(event.at - submitted.pop(draft_id)))
    return out


def _first_revision_findings(row: DraftRow) -> tuple[int, int]:
    first = next((r for r in row.revisions if r.number == 1), None)
    if first is None:
        return 0, 0
    findings = [f for r in first.renditions for f in r["guard"]["findings"]] + list(
        first.consistency
    )
    return len(findings), sum(1 for f in findings if f["level"] == "error")


def incident_metrics(
    session: Session,
    incident: IncidentRow,
    now: datetime,
    *,
    sentiment: SentimentSource | None = None,
    policy: cadence.CadencePolicy | None = None,
) -> IncidentMetrics:
    """Every measure for one incident."""
    pol = policy or cadence.load_policy()
    severity = Severity(incident.severity)
    clock = pol.severities[severity]
    facts = IncidentFacts.model_validate(incident.facts)
    detected = facts.detected_at or incident.started_at
    updates = sorted(
        session.scalars(
            select(IncidentUpdateRow).where(IncidentUpdateRow.incident_id == incident.id)
        ),
        key=lambda u: u.created_at,
    )
    update_times = sorted({u.created_at for u in updates})
    first_at = update_times[0] if update_times else None
    maintenance = incident.kind == IncidentKind.maintenance.value
    ttfn = None if first_at is None or maintenance else _minutes(first_at - detected)
    on_time = None
    if ttfn is not None and clock.first_notice_minutes is not None:
        on_time = ttfn <= clock.first_notice_minutes
    lead_h = None
    if maintenance and first_at is not None and incident.scheduled_for is not None:
        lead_h = round((incident.scheduled_for - first_at).total_seconds() / 3600, 2)

    events = list(
        session.scalars(
            select(IncidentEventRow)
            .where(IncidentEventRow.incident_id == incident.id)
            .order_by(IncidentEventRow.at, IncidentEventRow.id)
        )
    )
    latencies = _approval_latencies(events)

    promises = list(
        session.scalars(select(PromiseRow).where(PromiseRow.incident_id == incident.id))
    )
    updates_kinds = {k.value for k in UPDATE_KINDS}
    kept = sum(1 for p in promises if p.kind in updates_kinds and p.state == PromiseState.kept)
    missed = sum(1 for p in promises if p.kind in updates_kinds and p.state == PromiseState.missed)
    etas = [p for p in promises if p.kind == PromiseKind.eta.value]
    eta_kept = sum(1 for p in etas if p.state == PromiseState.kept)
    eta_missed = sum(1 for p in etas if p.state == PromiseState.missed)
    eta_errors = [
        abs(float(p.detail["error_minutes"])) for p in etas if "error_minutes" in p.detail
    ]

    drafts = [
        d
        for d in session.scalars(select(DraftRow).where(DraftRow.incident_id == incident.id))
        if d.kind != DraftKind.postmortem.value
    ]
    published = sum(1 for d in drafts if d.state == DraftState.published.value)
    findings = [_first_revision_findings(d) for d in drafts]

    shifts: list[SentimentShift] = []
    if sentiment is not None:
        for at in update_times:
            shift = sentiment.shift(session, incident.id, at)
            if shift is not None:
                shifts.append(shift)
    return IncidentMetrics(
        incident_id=incident.id,
        name=incident.name,
        severity=severity,
        kind=IncidentKind(incident.kind),
        started_at=incident.started_at,
        resolved_at=incident.resolved_at,
        first_notice_at=as_utc(first_at),
        time_to_first_notice_min=ttfn,
        first_notice_deadline_min=clock.first_notice_minutes,
        first_notice_target_min=clock.first_notice_target_minutes,
        first_notice_on_time=on_time,
        maintenance_notice_lead_h=lead_h,
        approvals=len(latencies),
        approval_latency_median_min=_median(latencies),
        approval_latency_max_min=max(latencies) if latencies else None,
        approvals_within_deadline=_share(
            sum(1 for m in latencies if m <= clock.approver_minutes), len(latencies)
        ),
        promises_kept=kept,
        promises_missed=missed,
        cadence_adherence=_share(kept, kept + missed),
        overdue_promises=sum(1 for p in promises if is_overdue(p, now)),
        eta_kept=eta_kept,
        eta_missed=eta_missed,
        eta_accuracy=_share(eta_kept, eta_kept + eta_missed),
        eta_mean_abs_error_min=round(statistics.mean(eta_errors), 2) if eta_errors else None,
        drafts=len(drafts),
        published_updates=published,
        drafts_per_published_update=round(len(drafts) / published, 2) if published else None,
        guard_findings_per_draft=(
            round(sum(f for f, _ in findings) / len(findings), 2) if findings else None
        ),
        guard_errors_per_draft=(
            round(sum(e for _, e in findings) / len(findings), 2) if findings else None
        ),
        sentiment=shifts,
    )


def aggregate(items: Sequence[IncidentMetrics]) -> AggregateMetrics:
    """Pool per-incident measures: ratios over the summed counts, medians over the values."""
    ttfn = [m.time_to_first_notice_min for m in items if m.time_to_first_notice_min is not None]
    on_time = [m.first_notice_on_time for m in items if m.first_notice_on_time is not None]
    latencies = [
        m.approval_latency_median_min for m in items if m.approval_latency_median_min is not None
    ]
    kept = sum(m.promises_kept for m in items)
    missed = sum(m.promises_missed for m in items)
    eta_kept = sum(m.eta_kept for m in items)
    eta_missed = sum(m.eta_missed for m in items)
    errors = [m.eta_mean_abs_error_min for m in items if m.eta_mean_abs_error_min is not None]
    drafts = sum(m.drafts for m in items)
    published = sum(m.published_updates for m in items)
    per_draft = [
        (m.guard_findings_per_draft, m.drafts)
        for m in items
        if m.guard_findings_per_draft is not None
    ]
    shifts = [
        s.after_score - s.before_score
        for m in items
        for s in m.sentiment
        if s.after_score is not None and s.before_score is not None
    ]
    return AggregateMetrics(
        incidents=len(items),
        time_to_first_notice_median_min=_median(ttfn),
        first_notice_on_time=_share(sum(on_time), len(on_time)),
        approval_latency_median_min=_median(latencies),
        cadence_adherence=_share(kept, kept + missed),
        promises_kept=kept,
        promises_missed=missed,
        eta_accuracy=_share(eta_kept, eta_kept + eta_missed),
        eta_mean_abs_error_min=round(statistics.mean(errors), 2) if errors else None,
        drafts_per_published_update=round(drafts / published, 2) if published else None,
        guard_findings_per_draft=(
            round(sum(f * n for f, n in per_draft) / sum(n for _, n in per_draft), 2)
            if per_draft and sum(n for _, n in per_draft)
            else None
        ),
        sentiment_shift_mean=round(statistics.mean(shifts), 3) if shifts else None,
    )


def incidents_between(session: Session, start: datetime, end: datetime) -> list[IncidentRow]:
    """Incidents that started in [start, end), oldest first."""
    return list(
        session.scalars(
            select(IncidentRow)
            .where(IncidentRow.started_at >= start, IncidentRow.started_at < end)
            .order_by(IncidentRow.started_at, IncidentRow.id)
        )
    )


def comms_report(
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    sentiment: SentimentSource | None = None,
) -> CommsReport:
    """Per-incident and aggregate communication metrics for incidents started in [start, end)."""
    items = [
        incident_metrics(session, row, now, sentiment=sentiment)
        for row in incidents_between(session, start, end)
    ]
    by_severity = {
        severity: aggregate([m for m in items if m.severity is severity])
        for severity in Severity
        if any(m.severity is severity for m in items)
    }
    return CommsReport(
        start=start,
        end=end,
        generated_at=now,
        aggregate=aggregate(items),
        by_severity=by_severity,
        incidents=items,
    )


# Bucket bounds for time to first notice, in seconds: the P0 target, P0/P1 deadlines, P2's.
TTFN_BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0)


class CommsCollector(Collector):
    """Reads the tables on every scrape: incidents started within `window` before now."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        window: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.factory = factory
        self.window = window
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        """One snapshot of the communication metrics, as Prometheus families."""
        now = self.clock()
        with self.factory() as session:
            rows = incidents_between(session, now - self.window, now + timedelta(seconds=1))
            items = [incident_metrics(session, row, now) for row in rows]
            promises = session.execute(
                select(PromiseRow.kind, PromiseRow.state, func.count())
                .where(PromiseRow.incident_id.in_([r.id for r in rows]))
                .group_by(PromiseRow.kind, PromiseRow.state)
            ).all()
        open_ = GaugeMetricFamily(
            "herald_incidents",
            "Incidents in the window, by severity and state.",
            labels=["severity", "state"],
        )
        for severity in Severity:
            for state in ("open", "resolved"):
                count = sum(
                    1
                    for m in items
                    if m.severity is severity and (m.resolved_at is None) == (state == "open")
                )
                open_.add_metric([severity.value, state], count)
        yield open_
        ledger = GaugeMetricFamily(
            "herald_promises", "Promises in the window by kind and state.", labels=["kind", "state"]
        )
        for kind, state, count in promises:
            ledger.add_metric([kind, state], count)
        yield ledger
        yield GaugeMetricFamily(
            "herald_promises_overdue",
            "Promises past their deadline and still owed.",
            value=sum(m.overdue_promises for m in items),
        )
        ttfn = HistogramMetricFamily(
            "herald_time_to_first_notice_seconds",
            "Detection to first published update.",
            labels=["severity"],
        )
        for severity in Severity:
            values = [
                m.time_to_first_notice_min * 60
                for m in items
                if m.severity is severity and m.time_to_first_notice_min is not None
            ]
            buckets = [(str(b), sum(1 for v in values if v <= b)) for b in TTFN_BUCKETS]
            buckets.append(("+Inf", len(values)))
            ttfn.add_metric([severity.value], buckets, sum_value=sum(values))
        yield ttfn
        ratios = GaugeMetricFamily(
            "herald_comms_ratio",
            "Communication ratios over the window (PLAYBOOK §10).",
            labels=["measure", "severity"],
        )
        scopes: list[tuple[str, list[IncidentMetrics]]] = [("all", items)]
        scopes += [(s.value, [m for m in items if m.severity is s]) for s in Severity]
        for scope, group in scopes:
            summary = aggregate(group)
            for measure, value in (
                ("cadence_adherence", summary.cadence_adherence),
                ("eta_accuracy", summary.eta_accuracy),
                ("first_notice_on_time", summary.first_notice_on_time),
                ("drafts_per_published_update", summary.drafts_per_published_update),
                ("guard_findings_per_draft", summary.guard_findings_per_draft),
            ):
                if value is not None:
                    ratios.add_metric([measure, scope], value)
        yield ratios
        summary = aggregate(items)
        if summary.approval_latency_median_min is not None:
            yield GaugeMetricFamily(
                "herald_approval_latency_median_seconds",
                "Median time from submission to approval.",
                value=summary.approval_latency_median_min * 60,
            )


def exposition(collector: Collector) -> bytes:
    """The Prometheus text format for one scrape of `collector`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return generate_latest(registry)
