"""Incident use-cases: create, read, list, update, delete, timeline and proposals — each audited."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, lazyload

from service import audit
from service.domain.component import ComponentPublic
from service.domain.enums import (
    RESOLVED_STATUSES,
    Audience,
    Impact,
    IncidentKind,
    IncidentStatus,
    Language,
    MaintenanceStatus,
    ProposalState,
    Severity,
)
from service.domain.facts import IncidentFacts
from service.domain.incident import (
    SEVERITY_IMPACT,
    AnyStatus,
    HeraldPublic,
    IncidentCreateFields,
    IncidentPatchFields,
    IncidentPublic,
    IncidentUpdatePublic,
    Proposal,
    TimelineEvent,
    status_fits_kind,
)
from service.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from service.ids import new_id
from service.store.tables import (
    AlertKeyRow,
    ComponentRow,
    IncidentEventRow,
    IncidentRow,
    ProposalRow,
)
from service.store.types import as_utc, utcnow


class IncidentFilter(StrEnum):
    all = "all"
    unresolved = "unresolved"
    upcoming_maintenance = "upcoming_maintenance"
    active_maintenance = "active_maintenance"


def parse_status(value: str) -> AnyStatus:
    try:
        return IncidentStatus(value)
    except ValueError:
        return MaintenanceStatus(value)


def impact_of(row: IncidentRow) -> Impact:
    """Statuspage derives impact; Herald derives it from severity unless overridden."""
    if row.impact_override is not None:
        return Impact(row.impact_override)
    if row.kind == IncidentKind.maintenance.value:
        return Impact.maintenance
    return SEVERITY_IMPACT[Severity(row.severity)]


def to_public(row: IncidentRow) -> IncidentPublic:
    return IncidentPublic(
        id=row.id,
        name=row.name,
        status=parse_status(row.status),
        impact=impact_of(row),
        impact_override=Impact(row.impact_override) if row.impact_override else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        monitoring_at=row.monitoring_at,
        resolved_at=row.resolved_at,
        scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until,
        postmortem_body=row.postmortem_body,
        components=[ComponentPublic.model_validate(c) for c in row.components],
        incident_updates=[
            IncidentUpdatePublic.model_validate(u, from_attributes=True) for u in row.updates
        ],
        herald=HeraldPublic(
            severity=Severity(row.severity),
            kind=IncidentKind(row.kind),
            facts=IncidentFacts.model_validate(row.facts),
            languages=[Language(lang) for lang in row.languages],
            audiences=[Audience(a) for a in row.audiences],
            next_update_at=row.next_update_at,
        ),
    )


def get_row(
    session: Session, incident_id: str, *, for_update: bool = False, related: bool = True
) -> IncidentRow:
    """The incident row; `related=False` skips loading components and published updates up front
    (they still load if touched) for paths that only read the incident's own columns."""
    options = [] if related else [lazyload("*")]
    if for_update:
        query = select(IncidentRow).where(IncidentRow.id == incident_id).with_for_update()
        row = session.scalar(query.options(*options))
    else:
        # A row this session already holds (one it just created, say) needs no query.
        row = session.get(IncidentRow, incident_id, options=options)
    if row is None:
        raise NotFoundError(f"no incident {incident_id!r}")
    return row


def get_incident(session: Session, incident_id: str) -> IncidentPublic:
    return to_public(get_row(session, incident_id))


def _components(session: Session, ids: Sequence[str], field: str) -> list[ComponentRow]:
    rows = []
    for index, component_id in enumerate(ids):
        row = session.get(ComponentRow, component_id)
        if row is None:
            raise ValidationFailed(
                f"no component {component_id!r}",
                [FieldProblem(f"{field}/{index}", f"no component {component_id!r}")],
            )
        rows.append(row)
    return rows


def add_event(
    session: Session, incident_id: str, *, actor: str, type: str, data: dict[str, Any]
) -> None:
    """Append to the incident's timeline."""
    session.add(IncidentEventRow(incident_id=incident_id, actor=actor, type=type, data=data))


def create_incident(
    session: Session, fields: IncidentCreateFields, *, actor: str, now: datetime | None = None
) -> IncidentPublic:
    return _create(session, fields, actor=actor, now=now)[1]


def create_incident_row(
    session: Session, fields: IncidentCreateFields, *, actor: str, now: datetime | None = None
) -> IncidentRow:
    """The new incident's row, already flushed (for callers that go on changing it)."""
    return _create(session, fields, actor=actor, now=now)[0]


def _create(
    session: Session, fields: IncidentCreateFields, *, actor: str, now: datetime | None
) -> tuple[IncidentRow, IncidentPublic]:
    """Create, record on the timeline and audit an incident."""
    now = now or utcnow()
    herald = fields.herald
    default_status: AnyStatus = (
        MaintenanceStatus.scheduled
        if herald.kind is IncidentKind.maintenance
        else IncidentStatus.investigating
    )
    status = fields.status or default_status
    row = IncidentRow(
        id=new_id(),
        name=fields.name,
        status=status.value,
        impact_override=fields.impact_override.value if fields.impact_override else None,
        severity=herald.severity.value,
        kind=herald.kind.value,
        facts=herald.facts.model_dump(mode="json"),
        languages=[lang.value for lang in herald.languages],
        audiences=[a.value for a in herald.audiences],
        created_at=now,
        updated_at=now,
        started_at=as_utc(herald.facts.detected_at) or now,
        scheduled_for=as_utc(fields.scheduled_for),
        scheduled_until=as_utc(fields.scheduled_until),
        updates=[],  # known empty: reading it after the flush needs no query
    )
    row.components = _components(session, fields.component_ids, "incident/component_ids")
    _stamp_status_times(row, status, now)
    session.add(row)
    session.flush()  # before its timeline rows, which reference it without an ORM relationship
    created = to_public(row)
    add_event(
        session,
        row.id,
        actor=actor,
        type="incident.created",
        data={"status": status.value, "severity": row.severity, "kind": row.kind},
    )
    audit.record(
        session,
        actor=actor,
        action="incident.create",
        object_type="incident",
        object_id=row.id,
        after=created,
    )
    return row, created


def _stamp_status_times(row: IncidentRow, status: AnyStatus, now: datetime) -> None:
    if status is IncidentStatus.monitoring and row.monitoring_at is None:
        row.monitoring_at = now
    if status.value in RESOLVED_STATUSES:
        row.resolved_at = row.resolved_at or now
    else:
        row.resolved_at = None


def update_incident(
    session: Session,
    incident_id: str,
    patch: IncidentPatchFields,
    *,
    actor: str,
    now: datetime | None = None,
) -> IncidentPublic:
    now = now or utcnow()
    row = get_row(session, incident_id, for_update=True)
    before = to_public(row)
    sent = patch.model_fields_set
    if patch.name is not None:
        row.name = patch.name
    if "impact_override" in sent:
        row.impact_override = patch.impact_override.value if patch.impact_override else None
    if "scheduled_for" in sent:
        row.scheduled_for = as_utc(patch.scheduled_for)
    if "scheduled_until" in sent:
        row.scheduled_until = as_utc(patch.scheduled_until)
    if patch.component_ids is not None:
        row.components = _components(session, patch.component_ids, "incident/component_ids")
    if patch.herald is not None:
        _apply_herald(row, patch)
    status = parse_status(row.status)
    if patch.status is not None and patch.status is not status:
        status = patch.status
        row.status = status.value
        _stamp_status_times(row, status, now)
        add_event(
            session,
            row.id,
            actor=actor,
            type="status.changed",
            data={"from": before.status.value, "to": status.value},
        )
        if status.value in RESOLVED_STATUSES:
            release_alert_keys(session, row.id)
    if not status_fits_kind(status, IncidentKind(row.kind)):
        raise ValidationFailed(
            f"status {status.value!r} does not apply to kind {row.kind!r}",
            [FieldProblem("incident/status", f"not a status of kind {row.kind!r}")],
        )
    if row.scheduled_for and row.scheduled_until and row.scheduled_until <= row.scheduled_for:
        raise ValidationFailed(
            "scheduled_until must be after scheduled_for",
            [FieldProblem("incident/scheduled_until", "must be after scheduled_for")],
        )
    row.updated_at = now
    row.revision += 1
    session.flush()
    after = to_public(row)
    if before.herald.facts != after.herald.facts:
        add_event(
            session,
            row.id,
            actor=actor,
            type="facts.updated",
            data={"fields": sorted(_changed_fact_fields(before, after))},
        )
    audit.record(
        session,
        actor=actor,
        action="incident.update",
        object_type="incident",
        object_id=row.id,
        before=before,
        after=after,
    )
    return after


def _changed_fact_fields(before: IncidentPublic, after: IncidentPublic) -> set[str]:
    old, new = before.herald.facts.model_dump(), after.herald.facts.model_dump()
    return {key for key in new if old.get(key) != new[key]}


def _apply_herald(row: IncidentRow, patch: IncidentPatchFields) -> None:
    herald = patch.herald
    assert herald is not None
    if herald.severity is not None:
        row.severity = herald.severity.value
    if herald.kind is not None:
        row.kind = herald.kind.value
    if herald.languages is not None:
        row.languages = [lang.value for lang in herald.languages]
    if herald.audiences is not None:
        row.audiences = [a.value for a in herald.audiences]
    if herald.facts is not None:
        facts = IncidentFacts.model_validate(row.facts).merged(herald.facts)
        row.facts = facts.model_dump(mode="json")


def merge_facts(session: Session, row: IncidentRow, facts: IncidentFacts) -> None:
    """Store new facts on an incident (intake's path; the caller audits)."""
    row.facts = facts.model_dump(mode="json")
    row.updated_at = utcnow()
    row.revision += 1


def release_alert_keys(session: Session, incident_id: str) -> None:
    """Let later alerts with the same keys open a new incident."""
    session.execute(delete(AlertKeyRow).where(AlertKeyRow.incident_id == incident_id))


def delete_incident(session: Session, incident_id: str, *, actor: str) -> None:
    row = get_row(session, incident_id)
    before = to_public(row)
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="incident.delete",
        object_type="incident",
        object_id=incident_id,
        before=before,
    )


def list_incidents(
    session: Session,
    *,
    filter: IncidentFilter = IncidentFilter.all,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[IncidentPublic]:
    """Newest first (upcoming maintenance: soonest first)."""
    now = now or utcnow()
    query = select(IncidentRow)
    maintenance = IncidentRow.kind == IncidentKind.maintenance.value
    if filter is IncidentFilter.unresolved:
        query = query.where(~maintenance, IncidentRow.status != IncidentStatus.resolved.value)
    elif filter is IncidentFilter.upcoming_maintenance:
        query = query.where(
            maintenance,
            IncidentRow.status == MaintenanceStatus.scheduled.value,
            IncidentRow.scheduled_until > now,
        ).order_by(IncidentRow.scheduled_for)
    elif filter is IncidentFilter.active_maintenance:
        query = query.where(
            maintenance,
            IncidentRow.status.in_(
                [MaintenanceStatus.in_progress.value, MaintenanceStatus.verifying.value]
            ),
        )
    query = (
        query.order_by(IncidentRow.created_at.desc(), IncidentRow.id).limit(limit).offset(offset)
    )
    return [to_public(row) for row in session.scalars(query)]


def timeline(session: Session, incident_id: str) -> list[TimelineEvent]:
    get_row(session, incident_id)
    rows = session.scalars(
        select(IncidentEventRow)
        .where(IncidentEventRow.incident_id == incident_id)
        .order_by(IncidentEventRow.at, IncidentEventRow.id)
    )
    return [TimelineEvent(at=r.at, actor=r.actor, type=r.type, data=r.data) for r in rows]


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        id=row.id,
        incident_id=row.incident_id,
        action=row.action,
        target_status=parse_status(row.target_status),
        reason=row.reason,
        source=row.source,
        state=row.state,
        created_at=row.created_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
    )


def propose_status(
    session: Session, incident_id: str, target: AnyStatus, *, reason: str, source: str
) -> Proposal:
    """Record a suggested status change, once: an open identical proposal is returned as is."""
    existing = session.scalar(
        select(ProposalRow).where(
            ProposalRow.incident_id == incident_id,
            ProposalRow.state == ProposalState.open.value,
            ProposalRow.target_status == target.value,
        )
    )
    if existing is not None:
        return _proposal(existing)
    row = ProposalRow(
        id=new_id(),
        incident_id=incident_id,
        action="set_status",
        target_status=target.value,
        reason=reason,
        source=source,
    )
    session.add(row)
    session.flush()
    add_event(
        session,
        incident_id,
        actor=f"intake:{source}",
        type="proposal.created",
        data={"proposal_id": row.id, "target_status": target.value, "reason": reason},
    )
    return _proposal(row)


def list_proposals(session: Session, incident_id: str) -> list[Proposal]:
    get_row(session, incident_id)
    rows = session.scalars(
        select(ProposalRow)
        .where(ProposalRow.incident_id == incident_id)
        .order_by(ProposalRow.created_at)
    )
    return [_proposal(r) for r in rows]


def decide_proposal(
    session: Session, incident_id: str, proposal_id: str, *, accept: bool, actor: str
) -> Proposal:
    """Accept (apply the status change) or dismiss an open proposal."""
    row = session.get(ProposalRow, proposal_id)
    if row is None or row.incident_id != incident_id:
        raise NotFoundError(f"no proposal {proposal_id!r} on incident {incident_id!r}")
    if row.state != ProposalState.open.value:
        raise ConflictError(f"proposal {proposal_id!r} is already {row.state}")
    row.state = (ProposalState.accepted if accept else ProposalState.dismissed).value
    row.decided_at = utcnow()
    row.decided_by = actor
    if accept:
        update_incident(
            session,
            incident_id,
            IncidentPatchFields(status=parse_status(row.target_status)),
            actor=actor,
        )
    add_event(
        session,
        incident_id,
        actor=actor,
        type=f"proposal.{row.state}",
        data={"proposal_id": row.id},
    )
    audit.record(
        session,
        actor=actor,
        action=f"proposal.{row.state}",
        object_type="proposal",
        object_id=row.id,
        detail={"incident_id": incident_id},
    )
    return _proposal(row)
