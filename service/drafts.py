"""Draft use-cases: ask a drafter for an update and keep it as a revisioned, guarded draft."""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit, incidents
from service.domain.draft import (
    DraftCreate,
    DrafterChoice,
    DraftPublic,
    DraftState,
    RenditionPublic,
    RevisionPublic,
    RevisionWithDiff,
)
from service.domain.enums import IncidentKind, Language, MaintenancePurpose, Severity
from service.domain.facts import IncidentFacts
from service.drafting.model import (
    DraftContext,
    DraftKind,
    DraftRequest,
    DraftResult,
    MaintenanceStage,
)
from service.drafting.port import Drafter
from service.errors import FieldProblem, NotFoundError, ValidationFailed
from service.feedback.aggregate import aggregate_incident
from service.feedback.policy import FeedbackPolicy
from service.feedback.tone import tone_for
from service.ids import new_id
from service.store.tables import DraftRevisionRow, DraftRow, IncidentRow, MaintenanceDraftRow
from service.store.types import as_utc, utcnow


def default_kind(row: IncidentRow) -> DraftKind:
    """The kind of update an incident calls for now: its stage, or maintenance."""
    if row.kind == IncidentKind.maintenance.value:
        return DraftKind.maintenance
    return DraftKind(row.status)


def context_for(row: IncidentRow, support_contact: Mapping[Language, str] | None) -> DraftContext:
    return DraftContext(
        incident_id=row.id,
        name=row.name,
        severity=Severity(row.severity),
        kind=IncidentKind(row.kind),
        status=row.status,
        facts=IncidentFacts.model_validate(row.facts),
        scheduled_for=row.scheduled_for,
        scheduled_until=row.scheduled_until,
        support_contact=dict(support_contact) if support_contact else None,
    )


def renditions_digest(renditions: list[RenditionPublic]) -> str:
    """SHA-256 over what would be published: each rendition's channel, language, title and body."""
    canonical = sorted((r.channel.value, r.language.value, r.title, r.body) for r in renditions)
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def _renditions(result: DraftResult) -> list[RenditionPublic]:
    return [
        RenditionPublic(
            channel=r.channel,
            language=r.language,
            title=r.title,
            body=r.body,
            sms_segments=r.sms_segments,
            guard=r.guard.model_dump(mode="json"),
        )
        for r in result.renditions
    ]


def _revision(row: DraftRevisionRow) -> RevisionPublic:
    return RevisionPublic(
        number=row.number,
        author=row.author,
        created_at=row.created_at,
        renditions=[RenditionPublic.model_validate(r) for r in row.renditions],
        provenance=row.provenance,
        next_update_at=row.next_update_at,
        eta_at=row.eta_at,
        consistency=row.consistency,
        passed=row.passed,
        rules_version=row.rules_version,
        digest=row.digest,
    )


def to_public(row: DraftRow) -> DraftPublic:
    current = next(r for r in row.revisions if r.number == row.current_revision)
    return DraftPublic(
        id=row.id,
        incident_id=row.incident_id,
        kind=DraftKind(row.kind),
        state=DraftState(row.state),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        revision=_revision(current),
        revision_count=len(row.revisions),
    )


def pick_drafter(drafters: Mapping[str, Drafter], choice: DrafterChoice) -> Drafter:
    """`auto` prefers the LLM drafter when one is configured (it falls back by itself)."""
    if choice is DrafterChoice.auto:
        return drafters.get(DrafterChoice.llm.value) or drafters[DrafterChoice.template.value]
    drafter = drafters.get(choice.value)
    if drafter is None:
        raise ValidationFailed(
            f"the {choice.value} drafter is not configured on this installation",
            [FieldProblem("drafter", "not configured; set HERALD_LLM_BASE_URL or use 'template'")],
        )
    return drafter


def maintenance_stage_of(session: Session, draft_id: str) -> MaintenanceStage | None:
    """Which maintenance text a stored draft is (None: not a maintenance draft of record)."""
    row = session.get(MaintenanceDraftRow, draft_id)
    if row is None:
        return None
    if row.purpose == MaintenancePurpose.reminder.value:
        return MaintenanceStage.reminder
    return MaintenanceStage(row.target_status)


def create_draft(
    session: Session,
    incident_id: str,
    body: DraftCreate,
    drafters: Mapping[str, Drafter],
    *,
    actor: str,
    support_contact: Mapping[Language, str] | None = None,
    feedback_policy: FeedbackPolicy | None = None,
    now: datetime | None = None,
    maintenance_stage: MaintenanceStage | None = None,
) -> DraftPublic:
    """Draft every channel × language for the incident and store it as revision 1.

    Without explicit tone guidance, the tone follows the incident's social-media feedback.
    A maintenance draft is the notice unless `maintenance_stage` says otherwise.
    """
    return _create(
        session,
        incident_id,
        body,
        drafters,
        actor=actor,
        support_contact=support_contact,
        feedback_policy=feedback_policy,
        now=now,
        maintenance_stage=maintenance_stage,
    )[1]


def create_draft_row(
    session: Session,
    incident_id: str,
    body: DraftCreate,
    drafters: Mapping[str, Drafter],
    *,
    actor: str,
    support_contact: Mapping[Language, str] | None = None,
    now: datetime | None = None,
    maintenance_stage: MaintenanceStage | None = None,
) -> DraftRow:
    """The new draft's row, for the service's own drafts that go on into review at once."""
    return _create(
        session,
        incident_id,
        body,
        drafters,
        actor=actor,
        support_contact=support_contact,
        now=now,
        maintenance_stage=maintenance_stage,
    )[0]


def _create(
    session: Session,
    incident_id: str,
    body: DraftCreate,
    drafters: Mapping[str, Drafter],
    *,
    actor: str,
    support_contact: Mapping[Language, str] | None = None,
    feedback_policy: FeedbackPolicy | None = None,
    now: datetime | None = None,
    maintenance_stage: MaintenanceStage | None = None,
) -> tuple[DraftRow, DraftPublic]:
    with session.no_autoflush:  # reading the incident needs nothing pending written first
        row = incidents.get_row(session, incident_id, related=False)
    kind = body.requested_kind() or default_kind(row)
    draft_time = body.now or now or utcnow()
    tone = body.tone
    if "tone" not in body.model_fields_set and feedback_policy is not None:
        aggregate = aggregate_incident(session, incident_id, draft_time, feedback_policy)
        tone = tone_for(aggregate, feedback_policy.tone)
    request = DraftRequest(
        kind=kind,
        languages=body.languages or [Language(lang) for lang in row.languages],
        channels=body.channels,
        tone=tone,
        now=draft_time,
        maintenance_stage=maintenance_stage if kind is DraftKind.maintenance else None,
    )
    drafter = pick_drafter(drafters, body.drafter)
    result = drafter.draft(context_for(row, support_contact), request)
    renditions = _renditions(result)
    # Every column to_public reads is set here, so the rows need no flush before the commit.
    created_at = utcnow()
    draft = DraftRow(
        id=new_id(),
        incident_id=incident_id,
        kind=kind.value,
        state=DraftState.draft.value,
        created_by=actor,
        created_at=created_at,
        updated_at=created_at,
        current_revision=1,
    )
    draft.revisions.append(
        DraftRevisionRow(
            number=1,
            author=actor,
            created_at=created_at,
            renditions=[r.model_dump(mode="json") for r in renditions],
            provenance=result.provenance.model_dump(mode="json"),
            next_update_at=as_utc(result.next_update_at),
            eta_at=as_utc(result.eta_at),
            consistency=[f.model_dump(mode="json") for f in result.consistency],
            passed=result.passed and not any(f.level == "error" for f in result.consistency),
            rules_version=result.renditions[0].guard.rules_version,
            digest=renditions_digest(renditions),
        )
    )
    session.add(draft)
    created = to_public(draft)
    incidents.add_event(
        session,
        incident_id,
        actor=actor,
        type="draft.created",
        data={
            "draft_id": draft.id,
            "kind": kind.value,
            "passed": created.revision.passed,
            "drafter": result.provenance.drafter,
        },
    )
    audit.record(
        session,
        actor=actor,
        action="draft.create",
        object_type="draft",
        object_id=draft.id,
        after=created.revision,
    )
    return draft, created


def get_draft(session: Session, draft_id: str) -> DraftPublic:
    row = session.get(DraftRow, draft_id)
    if row is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    return to_public(row)


def list_drafts(session: Session, incident_id: str) -> list[DraftPublic]:
    incidents.get_row(session, incident_id)
    rows = session.scalars(
        select(DraftRow)
        .where(DraftRow.incident_id == incident_id)
        .order_by(DraftRow.created_at.desc())
    )
    return [to_public(r) for r in rows]


def list_revisions(session: Session, draft_id: str) -> list[RevisionWithDiff]:
    row = session.get(DraftRow, draft_id)
    if row is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    return [RevisionWithDiff(**_revision(r).model_dump(), diff=r.diff) for r in row.revisions]
