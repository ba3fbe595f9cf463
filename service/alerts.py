"""Alert intake: fold monitoring alerts into incidents. It records and proposes, never publishes."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel, Field, PrivateAttr
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service import audit, drafts, incidents
from service.approvals import submit_for_review
from service.components import ensure_component
from service.domain.draft import DraftCreate, DrafterChoice
from service.domain.enums import IncidentKind, IncidentStatus, Language, Severity
from service.domain.facts import IncidentFacts
from service.domain.incident import HeraldFields, IncidentCreateFields, Proposal
from service.drafting.model import Channel
from service.drafting.port import Drafter
from service.errors import ConflictError, FieldProblem, IntakeRejected
from service.intake.errors import IntakeError
from service.intake.mapping import AlertMapping, MappedAlert
from service.intake.model import AlertStatus
from service.intake.parse import parse_alerts
from service.store.db import insert_skipping_conflicts
from service.store.tables import AlertKeyRow, AlertRow, IncidentRow
from service.store.types import utcnow

KIND_RANK = {IncidentKind.incident: 0, IncidentKind.partial_outage: 1, IncidentKind.full_outage: 2}

# One step towards resolved per cleared alert: a human confirms each stage.
NEXT_STAGE_ON_CLEAR = {
    IncidentStatus.investigating.value: IncidentStatus.monitoring,
    IncidentStatus.identified.value: IncidentStatus.monitoring,
    IncidentStatus.monitoring.value: IncidentStatus.resolved,
}


FIRST_NOTICE_ACTOR = "herald:first-notice"


class IncidentTouched(BaseModel):
    incident_id: str
    created: bool
    status: str
    severity: Severity
    alerts: int
    proposal: Proposal | None = None
    first_draft_id: str | None = Field(
        default=None, description="The first notice drafted for a new incident, in review."
    )


class IntakeResult(BaseModel):
    source: str
    received: int
    incidents: list[IncidentTouched]
    ignored: int = 0
    # The session holds rows weakly: keeping the touched incidents here lets the first notice,
    # drafted next in the same session, find them without reading them again.
    _rows: list[IncidentRow] = PrivateAttr(default_factory=list)


def ingest(
    session: Session, source: str, payload: object, mapping: AlertMapping, *, actor: str
) -> IntakeResult:
    """Parse, map and fold a webhook delivery into incidents in the caller's transaction."""
    try:
        alerts = parse_alerts(source, payload)
    except IntakeError as exc:
        raise IntakeRejected(
            f"not a valid {source} payload: {exc}", [FieldProblem(exc.field, exc.problem)]
        ) from exc
    groups: dict[str, list[MappedAlert]] = defaultdict(list)
    for alert in alerts:
        groups[alert.group_key or alert.fingerprint].append(mapping.map(alert))
    result = IntakeResult(source=source, received=len(alerts), incidents=[])
    languages = [Language(lang) for lang in mapping.languages]
    for group_key, mapped in groups.items():
        folded = _fold_group(session, source, group_key, mapped, languages, actor=actor)
        if folded is None:
            result.ignored += len(mapped)
        else:
            result.incidents.append(folded[0])
            result._rows.append(folded[1])
    return result


def draft_first_notices(
    session: Session,
    result: IntakeResult,
    drafters: Mapping[str, Drafter],
    *,
    channels: Sequence[Channel],
    support_contact: Mapping[Language, str] | None = None,
) -> None:
    """Draft the first notice of each incident this delivery opened and put it into review.

    The template drafter writes it (the first notice never waits on an LLM); a person still
    approves it before anything is published."""
    for touched in result.incidents:
        if not touched.created:
            continue
        draft = drafts.create_draft_row(
            session,
            touched.incident_id,
            DraftCreate(channels=list(channels), drafter=DrafterChoice.template),
            drafters,
            actor=FIRST_NOTICE_ACTOR,
            support_contact=support_contact,
        )
        submit_for_review(session, draft, FIRST_NOTICE_ACTOR)
        touched.first_draft_id = draft.id


def _route(session: Session, source: str, keys: Sequence[str]) -> str | None:
    return session.scalar(
        select(AlertKeyRow.incident_id).where(
            AlertKeyRow.source == source, AlertKeyRow.key.in_(keys)
        )
    )


def _fold_group(
    session: Session,
    source: str,
    group_key: str,
    mapped: list[MappedAlert],
    languages: list[Language],
    *,
    actor: str,
) -> tuple[IncidentTouched, IncidentRow] | None:
    keys = [group_key, *(m.alert.fingerprint for m in mapped)]
    incident_id = _route(session, source, keys)
    opened: IncidentRow | None = None
    if incident_id is None:
        if not any(m.alert.status is AlertStatus.firing for m in mapped):
            return None  # a resolve for an alert we never saw open: nothing to fold into
        opened = _open_incident(session, mapped, languages, actor=actor)
        if not _claim_all_or_none(session, source, keys, opened.id):
            # Another delivery of the same alert won the race: fold into its incident instead.
            session.delete(opened)
            opened = None
            incident_id = _route(session, source, keys)
            if incident_id is None:
                raise ConflictError(
                    "a concurrent delivery claimed this alert's keys; retry the delivery",
                    [FieldProblem("alerts", "claimed concurrently")],
                )
    created = opened is not None
    row = opened or incidents.get_row(session, str(incident_id), for_update=True)
    before = None if created else incidents.to_public(row)
    if not created:
        _merge_into(session, row, mapped, actor=actor)
        _claim_keys(session, source, keys, row.id)  # new fingerprints; known keys are skipped
    known = {} if created else _alerts_of(session, row.id, source)
    for item in mapped:
        _upsert_alert(session, row.id, group_key, item, known)
        incidents.add_event(
            session,
            row.id,
            actor=actor,
            type="alert.received",
            data={
                "source": source,
                "fingerprint": item.alert.fingerprint,
                "status": item.alert.status.value,
                "title": item.alert.title,
            },
        )
    # A new incident has a firing alert, so nothing to propose (and no need to flush yet).
    proposal = None if created else _propose_if_cleared(session, row, source)
    after = incidents.to_public(row)
    audit.record(
        session,
        actor=actor,
        action="alert.ingest",
        object_type="incident",
        object_id=row.id,
        before=before,
        after=after,
        detail={"source": source, "group_key": group_key, "alerts": len(mapped)},
    )
    touched = IncidentTouched(
        incident_id=row.id,
        created=created,
        status=row.status,
        severity=Severity(row.severity),
        alerts=len(mapped),
        proposal=proposal,
    )
    return touched, row


def _alerts_of(session: Session, incident_id: str, source: str) -> dict[str, AlertRow]:
    """The incident's stored alerts from this source, by fingerprint (one query for the batch)."""
    rows = session.scalars(
        select(AlertRow).where(AlertRow.incident_id == incident_id, AlertRow.source == source)
    )
    return {row.fingerprint: row for row in rows}


def _claim_keys(session: Session, source: str, keys: Sequence[str], incident_id: str) -> list[str]:
    """Route the keys to the incident; the ones claimed (a key another incident holds is not).

    The unique (source, key) constraint decides races between concurrent deliveries."""
    unique = list(dict.fromkeys(keys))
    if not unique:
        return []
    rows = [{"source": source, "key": key, "incident_id": incident_id} for key in unique]
    insert = insert_skipping_conflicts(session, AlertKeyRow, ["source", "key"])
    # The keys refer only to the incident row, which is in the database already; what else is
    # pending (timeline, audit) waits for the commit's flush.
    with session.no_autoflush:
        return list(session.execute(insert.returning(AlertKeyRow.key), rows).scalars())


def _claim_all_or_none(
    session: Session, source: str, keys: Sequence[str], incident_id: str
) -> bool:
    """Claim every key for a new incident, or none of them if another incident holds one."""
    claimed = _claim_keys(session, source, keys, incident_id)
    if len(claimed) == len(set(keys)):
        return True
    session.execute(
        delete(AlertKeyRow).where(
            AlertKeyRow.incident_id == incident_id, AlertKeyRow.key.in_(claimed)
        )
    )
    return False


def _facts_from(mapped: Sequence[MappedAlert], base: IncidentFacts) -> IncidentFacts:
    symptoms = list(base.symptoms)
    components = list(base.affected_components)
    regions = list(base.affected_regions)
    starts: list[datetime] = [base.detected_at] if base.detected_at else []
    for item in mapped:
        if item.alert.status is not AlertStatus.firing:
            continue
        symptoms += [item.symptom] if item.symptom not in symptoms else []
        components += [c for c in item.components if c not in components]
        regions += [r for r in item.regions if r not in regions]
        starts += [item.alert.starts_at] if item.alert.starts_at else []
    return base.model_copy(
        update={
            "symptoms": symptoms,
            "affected_components": components,
            "affected_regions": regions,
            "detected_at": min(starts) if starts else base.detected_at,
        }
    )


def _worst(mapped: Sequence[MappedAlert]) -> tuple[Severity, IncidentKind]:
    firing = [m for m in mapped if m.alert.status is AlertStatus.firing] or list(mapped)
    severity = min((Severity(m.severity) for m in firing), key=lambda s: s.value)
    kind = max((IncidentKind(m.kind) for m in firing), key=KIND_RANK.__getitem__)
    return severity, kind


def _open_incident(
    session: Session, mapped: Sequence[MappedAlert], languages: list[Language], *, actor: str
) -> IncidentRow:
    severity, kind = _worst(mapped)
    facts = _facts_from(mapped, IncidentFacts())
    # Kept as rows (not just ids) so that creating the incident finds them in the session.
    components = [
        ensure_component(session, name, actor=actor) for name in facts.affected_components
    ]
    first = next(m for m in mapped if m.alert.status is AlertStatus.firing)
    fields = IncidentCreateFields(
        name=first.title[:300],
        component_ids=[c.id for c in components],
        herald=HeraldFields(severity=severity, kind=kind, facts=facts, languages=languages),
    )
    return incidents.create_incident_row(session, fields, actor=actor)


def _merge_into(
    session: Session, row: IncidentRow, mapped: Sequence[MappedAlert], *, actor: str
) -> None:
    facts = _facts_from(mapped, IncidentFacts.model_validate(row.facts))
    if facts.model_dump(mode="json") != row.facts:
        row.facts = facts.model_dump(mode="json")
        incidents.add_event(
            session, row.id, actor=actor, type="facts.updated", data={"from": "alert"}
        )
    severity, kind = _worst(mapped)
    if severity.value < row.severity and any(m.alert.status is AlertStatus.firing for m in mapped):
        incidents.add_event(
            session,
            row.id,
            actor=actor,
            type="severity.raised",
            data={"from": row.severity, "to": severity.value},
        )
        row.severity = severity.value
    if KIND_RANK[kind] > KIND_RANK.get(IncidentKind(row.kind), 0):
        row.kind = kind.value
    known = {c.name for c in row.components}
    for name in facts.affected_components:
        if name not in known:
            row.components.append(ensure_component(session, name, actor=actor))
    row.updated_at = utcnow()
    row.revision += 1


def _upsert_alert(
    session: Session,
    incident_id: str,
    group_key: str,
    item: MappedAlert,
    known: dict[str, AlertRow],
) -> None:
    alert = item.alert
    row = known.get(alert.fingerprint)
    if row is None:
        row = AlertRow(
            incident_id=incident_id,
            source=alert.source,
            fingerprint=alert.fingerprint,
            received_count=0,
        )
        session.add(row)
        known[alert.fingerprint] = row
    row.group_key = group_key
    row.status = alert.status.value
    row.title = alert.title[:500]
    row.severity = item.severity
    row.labels = dict(alert.labels)
    row.annotations = dict(alert.annotations)
    row.starts_at = alert.starts_at
    row.ends_at = alert.ends_at
    row.last_received_at = utcnow()
    row.received_count += 1


def _propose_if_cleared(session: Session, row: IncidentRow, source: str) -> Proposal | None:
    statuses = session.scalars(select(AlertRow.status).where(AlertRow.incident_id == row.id)).all()
    target = NEXT_STAGE_ON_CLEAR.get(row.status)
    if not statuses or any(s == AlertStatus.firing.value for s in statuses) or target is None:
        return None
    return incidents.propose_status(
        session,
        row.id,
        target,
        source=source,
        reason=f"all {len(statuses)} alert(s) on this incident have cleared",
    )
