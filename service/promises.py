"""The promise ledger and the cadence clock (PLAYBOOK §1, §2, §9).

Every time Herald tells the public ("next update at 15:30", "fixed by 16:00") is a promise, and so
is the first notice a severity calls for and the 24 h notice of a maintenance. Publications make
and fulfil promises (`record_from_publication`, called inside the publishing transaction);
`tick(session, now)` marks the ones whose deadline passed, warns responders before a deadline
and puts a "still working on it" draft into review. Nothing here publishes: a human approves.

Reminders go through the outbox (`deliveries`, `target_kind="reminder"`) to the channel targets
named in `Settings.reminder_targets`, so the delivery worker retries them like any message and the
idempotency key (promise × target) sends each reminder once.
"""

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from service import audit, drafts, incidents, maintenance
from service.approvals import submit_for_review
from service.domain.draft import DraftCreate, DrafterChoice
from service.domain.enums import RESOLVED_STATUSES, IncidentKind, Language, Severity
from service.domain.facts import IncidentFacts
from service.drafting import cadence
from service.drafting.model import DraftKind
from service.drafting.port import Drafter
from service.errors import ServiceError
from service.ids import new_id
from service.store.tables import (
    ChannelTargetRow,
    DeliveryRow,
    DraftRevisionRow,
    DraftRow,
    IncidentRow,
    IncidentUpdateRow,
    PromiseRow,
)
from service.store.types import as_utc, utcnow
from service.workflow import OPEN

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "herald:cadence"


class PromiseKind(StrEnum):
    first_notice = "first_notice"
    next_update = "next_update"
    eta = "eta"
    maintenance_notice = "maintenance_notice"


class PromiseState(StrEnum):
    """`revised`: an ETA replaced by a new one before it fell due (neither kept nor missed)."""

    open = "open"
    kept = "kept"
    missed = "missed"
    revised = "revised"


# Promises a publication fulfils (an ETA is fulfilled by recovery, not by writing).
UPDATE_KINDS: frozenset[PromiseKind] = frozenset(
    {PromiseKind.first_notice, PromiseKind.next_update, PromiseKind.maintenance_notice}
)
OPENING_KINDS = (PromiseKind.first_notice.value, PromiseKind.maintenance_notice.value)


class PromisePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    incident_id: str
    kind: PromiseKind
    state: PromiseState
    severity: Severity
    due_at: datetime
    made_at: datetime
    made_by_draft: str | None
    settled_at: datetime | None
    fulfilled_at: datetime | None
    fulfilled_by_draft: str | None
    reminded_at: datetime | None
    reminder_draft_id: str | None
    overdue: bool
    detail: dict[str, Any]


def to_public(row: PromiseRow, now: datetime) -> PromisePublic:
    """The API shape; `overdue`: past due and still owed (see `is_overdue`)."""
    return PromisePublic(
        id=row.id,
        incident_id=row.incident_id,
        kind=PromiseKind(row.kind),
        state=PromiseState(row.state),
        severity=Severity(row.severity),
        due_at=row.due_at,
        made_at=row.made_at,
        made_by_draft=row.made_by_draft,
        settled_at=row.settled_at,
        fulfilled_at=row.fulfilled_at,
        fulfilled_by_draft=row.fulfilled_by_draft,
        reminded_at=row.reminded_at,
        reminder_draft_id=row.reminder_draft_id,
        overdue=is_overdue(row, now),
        detail=row.detail,
    )


def is_overdue(row: PromiseRow, now: datetime) -> bool:
    """Past its deadline and still owed: nobody published the update or the ETA passed unmet."""
    if row.state == PromiseState.open.value:
        return row.due_at < now
    return row.state == PromiseState.missed.value and row.fulfilled_at is None


def _make(
    session: Session,
    incident: IncidentRow,
    kind: PromiseKind,
    due_at: datetime,
    made_at: datetime,
    *,
    draft_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> PromiseRow:
    row = PromiseRow(
        id=new_id(),
        incident_id=incident.id,
        kind=kind.value,
        state=PromiseState.open.value,
        severity=incident.severity,
        due_at=due_at,
        made_at=made_at,
        made_by_draft=draft_id,
        detail=detail or {},
    )
    session.add(row)
    incidents.add_event(
        session,
        incident.id,
        actor=SYSTEM_ACTOR,
        type="promise.made",
        data={"promise_id": row.id, "kind": kind.value, "due_at": due_at.isoformat()},
    )
    return row


def _settle(
    session: Session,
    row: PromiseRow,
    state: PromiseState,
    now: datetime,
    *,
    draft_id: str | None = None,
    fulfilled_at: datetime | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    before = {"state": row.state, "due_at": row.due_at.isoformat()}
    row.state = state.value
    row.settled_at = now
    if fulfilled_at is not None:
        row.fulfilled_at = fulfilled_at
        row.fulfilled_by_draft = draft_id
    if detail:
        row.detail = {**row.detail, **detail}  # a new dict, so the JSON column sees the change
    incidents.add_event(
        session,
        row.incident_id,
        actor=SYSTEM_ACTOR,
        type=f"promise.{state.value}",
        data={"promise_id": row.id, "kind": row.kind, "due_at": row.due_at.isoformat()},
    )
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action=f"promise.{state.value}",
        object_type="promise",
        object_id=row.id,
        before=before,
        after={"state": row.state, "due_at": row.due_at.isoformat()},
        detail={"incident_id": row.incident_id, "kind": row.kind},
    )


def opening_deadline(
    incident: IncidentRow, policy: cadence.CadencePolicy | None = None
) -> tuple[PromiseKind, datetime] | None:
    """The first promise an incident owes: its first notice, or a maintenance's 24 h notice."""
    if incident.kind == IncidentKind.maintenance.value:
        if incident.scheduled_for is None:
            return None
        due = cadence.maintenance_notice_deadline(incident.scheduled_for, policy=policy)
        return PromiseKind.maintenance_notice, due
    facts = IncidentFacts.model_validate(incident.facts)
    detected = facts.detected_at or incident.started_at
    first = cadence.first_notice_deadline(Severity(incident.severity), detected, policy=policy)
    return None if first is None else (PromiseKind.first_notice, first)


def ensure_opening_promise(
    session: Session,
    incident: IncidentRow,
    policy: cadence.CadencePolicy | None = None,
) -> PromiseRow | None:
    """Record the incident's opening promise once; it has existed since the incident opened."""
    present = session.scalar(
        select(PromiseRow.id).where(
            PromiseRow.incident_id == incident.id, PromiseRow.kind.in_(OPENING_KINDS)
        )
    )
    if present is not None:
        return None
    opening = opening_deadline(incident, policy)
    if opening is None:
        return None
    kind, due = opening
    row = _make(session, incident, kind, due, incident.created_at)
    first = session.scalar(
        select(func.min(IncidentUpdateRow.created_at)).where(
            IncidentUpdateRow.incident_id == incident.id
        )
    )
    if first is not None:
        # Published before the ledger knew of it (an older incident, or this very publication).
        first = as_utc(first)
        assert first is not None
        state = PromiseState.kept if first <= due else PromiseState.missed
        _settle(session, row, state, first, fulfilled_at=first)
    return row


def _open_promises(session: Session, incident_id: str) -> list[PromiseRow]:
    return list(
        session.scalars(
            select(PromiseRow)
            .where(PromiseRow.incident_id == incident_id)
            .order_by(PromiseRow.due_at, PromiseRow.id)
        )
    )


def record_from_publication(
    session: Session, draft_row: DraftRow, revision_row: DraftRevisionRow, now: datetime
) -> None:
    """Fulfil what this publication fulfils; its next-update time and ETA become new promises."""
    if DraftKind(draft_row.kind) is DraftKind.postmortem:
        return  # a post-incident report is not an update on the incident's clock
    incident = incidents.get_row(session, draft_row.incident_id)
    ensure_opening_promise(session, incident)
    session.flush()
    promises = _open_promises(session, incident.id)
    for p in promises:
        if PromiseKind(p.kind) not in UPDATE_KINDS or p.fulfilled_at is not None:
            continue
        if p.state == PromiseState.open.value:
            state = PromiseState.kept if now <= p.due_at else PromiseState.missed
            _settle(session, p, state, now, draft_id=draft_row.id, fulfilled_at=now)
        elif p.state == PromiseState.missed.value:
            # Already marked missed by the clock: record when it was finally fulfilled.
            p.fulfilled_at, p.fulfilled_by_draft = now, draft_row.id
            p.detail = {**p.detail, "late_by_minutes": _minutes(now - p.due_at)}
    if revision_row.next_update_at is not None and revision_row.next_update_at > now:
        _make(
            session,
            incident,
            PromiseKind.next_update,
            revision_row.next_update_at,
            now,
            draft_id=draft_row.id,
        )
    if revision_row.eta_at is not None:
        _record_eta(session, incident, promises, revision_row.eta_at, draft_row.id, now)
    if incident.status in RESOLVED_STATUSES:
        settle_etas(session, incident, now)


def _record_eta(
    session: Session,
    incident: IncidentRow,
    promises: Sequence[PromiseRow],
    eta_at: datetime,
    draft_id: str,
    now: datetime,
) -> None:
    open_etas = [p for p in promises if p.kind == PromiseKind.eta.value and p.state == "open"]
    if any(p.due_at == eta_at for p in open_etas):
        return  # the same ETA restated is the same promise
    for p in open_etas:
        _settle(session, p, PromiseState.revised, now, detail={"revised_to": eta_at.isoformat()})
    facts = IncidentFacts.model_validate(incident.facts)
    _make(
        session,
        incident,
        PromiseKind.eta,
        eta_at,
        now,
        draft_id=draft_id,
        detail={
            "engineering_eta_minutes": facts.engineering_eta_minutes,
            "estimated_at": facts.eta_estimated_at.isoformat() if facts.eta_estimated_at else None,
        },
    )


def recovered_at(incident: IncidentRow) -> datetime | None:
    """When service came back: the stated recovery time, else when the incident resolved."""
    facts = IncidentFacts.model_validate(incident.facts)
    return facts.recovered_at or incident.resolved_at


def settle_etas(session: Session, incident: IncidentRow, now: datetime) -> None:
    """At resolution: each ETA that stood is kept or missed, with its error in minutes."""
    actual = recovered_at(incident)
    if actual is None:
        return
    for p in _open_promises(session, incident.id):
        if p.kind != PromiseKind.eta.value or "error_minutes" in p.detail:
            continue
        if p.state not in (PromiseState.open.value, PromiseState.missed.value):
            continue
        # Positive error: recovery came after the published ETA.
        accuracy = {"actual_at": actual.isoformat(), "error_minutes": _minutes(actual - p.due_at)}
        if p.state == PromiseState.open.value:
            state = PromiseState.kept if actual <= p.due_at else PromiseState.missed
            _settle(session, p, state, now, fulfilled_at=actual, detail=accuracy)
        else:
            p.fulfilled_at = actual
            p.detail = {**p.detail, **accuracy}


def _minutes(delta: Any) -> float:
    return round(float(delta.total_seconds()) / 60, 2)


@dataclass
class TickResult:
    """What one pass of the cadence clock did (ids of promises and drafts)."""

    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    maintenance_reminders: list[str] = field(default_factory=list)
    reminders_queued: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ClockConfig:
    """What the clock needs besides the database: a drafter, where reminders go, links."""

    drafter: Drafter | None = None
    reminder_targets: Sequence[str] = ()
    support_contact: Mapping[Language, str] | None = None
    console_url: str | None = None
    policy: cadence.CadencePolicy | None = None
    # How long before an announced maintenance window its reminder is drafted (None: never).
    maintenance_reminder_lead: timedelta | None = None


def tick(session: Session, now: datetime, config: ClockConfig | None = None) -> TickResult:
    """One pass: open owed promises, settle passed deadlines, warn before the next ones."""
    config = config or ClockConfig()
    result = TickResult()
    _open_owed(session, result, config)
    _settle_due(session, now, result)
    _remind(session, now, result, config)
    if config.drafter is not None and config.maintenance_reminder_lead is not None:
        reminders = maintenance.due_reminders(
            session,
            now,
            lead=config.maintenance_reminder_lead,
            drafters={DrafterChoice.template.value: config.drafter},
            support_contact=config.support_contact,
        )
        result.maintenance_reminders = [r.draft.id for r in reminders]
    return result


def _open_owed(session: Session, result: TickResult, config: ClockConfig) -> None:
    has_opening = exists().where(
        PromiseRow.incident_id == IncidentRow.id, PromiseRow.kind.in_(OPENING_KINDS)
    )
    owed = session.scalars(
        select(IncidentRow).where(IncidentRow.status.not_in(list(RESOLVED_STATUSES)), ~has_opening)
    )
    for incident in owed:
        made = ensure_opening_promise(session, incident, config.policy)
        if made is not None:
            result.made.append(made.id)
    session.flush()


def _settle_due(session: Session, now: datetime, result: TickResult) -> None:
    due = session.scalars(
        select(PromiseRow)
        .where(PromiseRow.state == PromiseState.open.value, PromiseRow.due_at < now)
        .order_by(PromiseRow.due_at)
    ).all()
    for p in due:
        incident = incidents.get_row(session, p.incident_id)
        if p.kind == PromiseKind.eta.value:
            actual = recovered_at(incident)
            if actual is not None:
                settle_etas(session, incident, now)
                (result.kept if p.state == "kept" else result.missed).append(p.id)
                continue
        _settle(session, p, PromiseState.missed, now)
        result.missed.append(p.id)


def _claim_reminder(session: Session, promise_id: str, now: datetime) -> bool:
    """Take the reminder for this tick; a concurrent clock that lost the race skips it."""
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(PromiseRow)
        .where(PromiseRow.id == promise_id, PromiseRow.reminded_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _remind(session: Session, now: datetime, result: TickResult, config: ClockConfig) -> None:
    candidates = session.scalars(
        select(PromiseRow)
        .where(
            PromiseRow.reminded_at.is_(None),
            PromiseRow.fulfilled_at.is_(None),
            PromiseRow.state.in_([PromiseState.open.value, PromiseState.missed.value]),
        )
        .order_by(PromiseRow.due_at)
    ).all()
    for p in candidates:
        kind = PromiseKind(p.kind)
        lead = cadence.remind_before(
            Severity(p.severity),
            maintenance=kind is PromiseKind.maintenance_notice,
            policy=config.policy,
        )
        if now < p.due_at - lead:
            continue
        incident = incidents.get_row(session, p.incident_id)
        if incident.status in RESOLVED_STATUSES and kind in (
            PromiseKind.eta,
            PromiseKind.maintenance_notice,
        ):
            continue  # settled by recovery, or the maintenance is over
        if not _claim_reminder(session, p.id, now):
            continue
        session.refresh(p)
        draft_id = _reminder_draft(session, incident, p, now, result, config)
        p.reminder_draft_id = draft_id
        result.reminded.append(p.id)
        if draft_id is not None:
            result.reminders_queued += _queue_reminders(session, incident, p, draft_id, now, config)


def _open_draft(session: Session, incident_id: str) -> DraftRow | None:
    return session.scalar(
        select(DraftRow)
        .where(
            DraftRow.incident_id == incident_id,
            DraftRow.state.in_([s.value for s in OPEN]),
            DraftRow.kind != DraftKind.postmortem.value,
        )
        .order_by(DraftRow.created_at.desc())
    )


def _reminder_draft(
    session: Session,
    incident: IncidentRow,
    p: PromiseRow,
    now: datetime,
    result: TickResult,
    config: ClockConfig,
) -> str | None:
    """The draft responders should approve: one already open, else a new 'still working' one.

    An ETA gets no new draft (a new estimate has to come from engineering first); its reminder
    points at the draft that published it. A maintenance gets its notice drafted.
    """
    existing = _open_draft(session, incident.id)
    if existing is not None:
        return existing.id
    if PromiseKind(p.kind) is PromiseKind.eta or config.drafter is None:
        return p.made_by_draft
    try:
        created = drafts.create_draft_row(
            session,
            incident.id,
            DraftCreate(
                kind=drafts.default_kind(incident),
                drafter=DrafterChoice.template,
                now=now,
                languages=[Language(lang) for lang in incident.languages] or None,
            ),
            {DrafterChoice.template.value: config.drafter},
            actor=SYSTEM_ACTOR,
            support_contact=config.support_contact,
            now=now,
        )
    except ServiceError as exc:  # one incident's broken facts must not stop the clock
        log.warning("cadence: no reminder draft for incident %s: %s", incident.id, exc)
        result.errors.append(f"{incident.id}: {exc}")
        return p.made_by_draft
    submit_for_review(session, created, SYSTEM_ACTOR, promise_id=p.id)
    result.drafts.append(created.id)
    return created.id


# Internal wording for responders (not public text, so not guarded); {what} {at} {when} {name}.
REMINDER_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "[Herald] {severity} {what} due {at}",
        "body": '{severity} incident "{name}": {what} is due at {at} ({when}). '
        "A draft is waiting for approval: {link}",
        PromiseKind.first_notice.value: "the first public notice",
        PromiseKind.next_update.value: "the promised next update",
        PromiseKind.eta.value: "the promised recovery time (ETA)",
        PromiseKind.maintenance_notice.value: "the maintenance notice (24 h ahead)",
        "in": "in {minutes} min",
        "late": "overdue by {minutes} min",
    },
    "zh": {
        "title": "【Herald】{severity} {what}将于{at}到期",
        "body": "{severity}事件「{name}」：{what}应在{at}发布（{when}）。待审批草稿：{link}",
        PromiseKind.first_notice.value: "首次公告",
        PromiseKind.next_update.value: "承诺的下次更新",
        PromiseKind.eta.value: "承诺的恢复时间",
        PromiseKind.maintenance_notice.value: "维护通知（需提前24小时）",
        "in": "还剩{minutes}分钟",
        "late": "已逾期{minutes}分钟",
    },
}


def reminder_text(
    incident: IncidentRow, p: PromiseRow, draft_id: str, lang: str, now: datetime, link_base: str
) -> tuple[str, str]:
    """The reminder's title and body in `lang`, times in the incident's zone."""
    words = REMINDER_TEXT.get(lang, REMINDER_TEXT["en"])
    zone = ZoneInfo(IncidentFacts.model_validate(incident.facts).timezone)
    at = p.due_at.astimezone(zone).strftime("%H:%M %Z")
    minutes = round(abs((p.due_at - now).total_seconds()) / 60)
    when = (words["in"] if p.due_at >= now else words["late"]).format(minutes=minutes)
    values = {
        "severity": p.severity,
        "what": words[p.kind],
        "at": at,
        "when": when,
        "name": incident.name,
        "link": f"{link_base.rstrip('/')}/v1/drafts/{draft_id}",
    }
    return words["title"].format(**values), words["body"].format(**values)


def _queue_reminders(
    session: Session,
    incident: IncidentRow,
    p: PromiseRow,
    draft_id: str,
    now: datetime,
    config: ClockConfig,
) -> int:
    # Imported here: publishing calls into this module, so a top-level import would be circular.
    from service.publishing import text_digest

    if not config.reminder_targets:
        return 0
    targets = session.scalars(
        select(ChannelTargetRow).where(ChannelTargetRow.name.in_(list(config.reminder_targets)))
    ).all()
    for target in targets:
        title, body = reminder_text(
            incident, p, draft_id, target.language, now, config.console_url or ""
        )
        key = hashlib.sha256(f"reminder:{p.id}:{target.id}".encode()).hexdigest()[:40]
        session.add(
            DeliveryRow(
                idempotency_key=key,
                draft_id=draft_id,
                incident_id=incident.id,
                update_id=p.id,
                channel=target.channel,
                language=target.language,
                target_kind="reminder",
                target_id=target.id,
                title=title,
                body=body,
                digest=text_digest(title, body),
                next_attempt_at=now,
            )
        )
    incidents.add_event(
        session,
        incident.id,
        actor=SYSTEM_ACTOR,
        type="promise.reminded",
        data={"promise_id": p.id, "draft_id": draft_id, "targets": len(targets)},
    )
    return len(targets)


def list_promises(
    session: Session,
    now: datetime,
    *,
    incident_id: str | None = None,
    overdue_only: bool = False,
) -> list[PromisePublic]:
    """Promises, soonest deadline first; `overdue_only` keeps the ones still owed past due."""
    query = select(PromiseRow).order_by(PromiseRow.due_at, PromiseRow.id)
    if incident_id is not None:
        incidents.get_row(session, incident_id)
        query = query.where(PromiseRow.incident_id == incident_id)
    if overdue_only:
        query = query.where(
            PromiseRow.due_at < now,
            PromiseRow.fulfilled_at.is_(None),
            PromiseRow.state.in_([PromiseState.open.value, PromiseState.missed.value]),
        )
    rows = session.scalars(query)
    return [to_public(r, now) for r in rows if not overdue_only or is_overdue(r, now)]


def tick_once(
    factory: sessionmaker[Session], config: ClockConfig, now: datetime | None = None
) -> TickResult:
    """One tick in its own transaction (the CLI's and the loop's unit of work)."""
    with factory() as session, session.begin():
        return tick(session, now or utcnow(), config)


async def run_clock(
    factory: sessionmaker[Session], config: ClockConfig, stop: asyncio.Event, interval_s: float
) -> None:
    """Tick every `interval_s` until `stop` is set; a failed tick is logged and retried."""
    # Wait first: a process that lives less than one interval (a test, a CLI) never ticks.
    while not await _stopped_within(stop, interval_s):
        try:
            result = await asyncio.to_thread(tick_once, factory, config)
            if result.missed or result.reminded or result.maintenance_reminders:
                log.info(
                    "cadence: %d missed, %d reminded, %d drafts, %d maintenance reminders",
                    len(result.missed),
                    len(result.reminded),
                    len(result.drafts),
                    len(result.maintenance_reminders),
                )
        except Exception:  # keep the clock alive through a database hiccup
            log.exception("cadence tick failed; retrying")


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()
