"""Scheduled maintenance: the notice (≥ 24 h ahead, guarded), reminders, and status transitions.

A maintenance incident's public text goes through the normal draft → approve → publish flow.
Each maintenance draft records what it is for: the `notice`, a `reminder` the scheduler drafts
before the window (never auto-published), or a `transition` to in_progress, verifying or
completed, which happens when that draft is published. PLAYBOOK §1 and §4: a maintenance notice
is published at least `min_notice_hours` (cadence policy) before the window, unless an approver
flags it explicitly as an emergency or an extension, which is audited.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit, drafts, incidents
from service.approvals import submit_for_review
from service.domain.draft import DraftCreate, DrafterChoice, DraftPublic, DraftState
from service.domain.enums import (
    IncidentKind,
    Language,
    MaintenancePurpose,
    MaintenanceStatus,
)
from service.drafting import cadence
from service.drafting.model import Channel, DraftKind, MaintenanceStage
from service.drafting.port import Drafter
from service.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from service.store.tables import DraftRow, IncidentRow, IncidentUpdateRow, MaintenanceDraftRow
from service.store.types import as_utc, utcnow
from service.users import Principal
from service.workflow import OPEN

SCHEDULER = "herald:maintenance"
ORDER = list(MaintenanceStatus)  # scheduled → in_progress → verifying → completed


class LateNotice(StrEnum):
    emergency = "emergency"
    extension = "extension"


class MaintenanceDraftCreate(BaseModel):
    """Draft a maintenance text for one target status (default: the notice)."""

    model_config = ConfigDict(extra="forbid")

    target_status: MaintenanceStatus = MaintenanceStatus.scheduled
    languages: list[Language] | None = Field(default=None, min_length=1)
    channels: list[Channel] = Field(
        default_factory=lambda: [Channel.statuspage, Channel.email, Channel.sms], min_length=1
    )
    drafter: DrafterChoice = DrafterChoice.auto
    now: datetime | None = None

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must include a UTC offset")
        return value


class LateNoticeBody(BaseModel):
    """An approver's explicit decision to publish a notice inside the notice period."""

    model_config = ConfigDict(extra="forbid")

    reason: LateNotice
    note: str = Field(min_length=10, max_length=2000, description="Why, for the audit log.")


class MaintenanceDraftPublic(BaseModel):
    draft: DraftPublic
    purpose: MaintenancePurpose
    target_status: MaintenanceStatus
    late_notice: LateNotice | None = None


def reminder_lead(hours: float) -> timedelta:
    """How long before a window its reminder is drafted (`Settings.maintenance_reminder_h`)."""
    return timedelta(hours=hours)


def min_notice() -> timedelta:
    """The notice period from the cadence policy (24 h)."""
    return timedelta(hours=cadence.load_policy().maintenance.min_notice_hours)


def _maintenance_incident(session: Session, incident_id: str) -> IncidentRow:
    row = incidents.get_row(session, incident_id)
    if row.kind != IncidentKind.maintenance.value:
        raise ValidationFailed(
            f"incident {incident_id!r} is not a maintenance",
            [FieldProblem("incident", "kind must be maintenance")],
        )
    return row


def _published(session: Session, incident_id: str) -> bool:
    return (
        session.scalar(
            select(IncidentUpdateRow.id)
            .where(IncidentUpdateRow.incident_id == incident_id)
            .limit(1)
        )
        is not None
    )


def _check_forward(current: str, target: MaintenanceStatus) -> None:
    if ORDER.index(target) < ORDER.index(MaintenanceStatus(current)):
        raise ConflictError(
            f"the maintenance is {current}; it cannot go back to {target.value}",
            [FieldProblem("target_status", f"must not precede {current}")],
        )


def _record(
    session: Session,
    draft: DraftPublic,
    incident: IncidentRow,
    purpose: MaintenancePurpose,
    target: MaintenanceStatus,
    now: datetime,
) -> MaintenanceDraftPublic:
    session.add(
        MaintenanceDraftRow(
            draft_id=draft.id,
            incident_id=incident.id,
            purpose=purpose.value,
            target_status=target.value,
            window_start=as_utc(incident.scheduled_for),
            created_at=now,
        )
    )
    return MaintenanceDraftPublic(draft=draft, purpose=purpose, target_status=target)


def create_draft(
    session: Session,
    incident_id: str,
    body: MaintenanceDraftCreate,
    drafters: Mapping[str, Drafter],
    *,
    actor: str,
    support_contact: Mapping[Language, str] | None = None,
    now: datetime | None = None,
) -> MaintenanceDraftPublic:
    """A maintenance draft for a target status, through the normal drafter and guards."""
    now = body.now or now or utcnow()
    incident = _maintenance_incident(session, incident_id)
    target = body.target_status
    _check_forward(incident.status, target)
    if target is MaintenanceStatus.scheduled:
        published = _published(session, incident_id)
        purpose = MaintenancePurpose.update if published else MaintenancePurpose.notice
    else:
        purpose = MaintenancePurpose.transition
    draft = drafts.create_draft(
        session,
        incident_id,
        DraftCreate(
            kind=DraftKind.maintenance,
            languages=body.languages,
            channels=body.channels,
            drafter=body.drafter,
            now=now,
        ),
        drafters,
        actor=actor,
        support_contact=support_contact,
        now=now,
        maintenance_stage=MaintenanceStage(target.value),
    )
    return _record(session, draft, incident, purpose, target, now)


def _row(session: Session, draft_id: str) -> MaintenanceDraftRow | None:
    return session.get(MaintenanceDraftRow, draft_id)


def flag_late_notice(
    session: Session, draft_id: str, body: LateNoticeBody, approver: Principal
) -> MaintenanceDraftPublic:
    """Allow this notice inside the notice period (emergency or extension); audited."""
    draft = session.get(DraftRow, draft_id)
    if draft is None:
        raise NotFoundError(f"no draft {draft_id!r}")
    if DraftKind(draft.kind) is not DraftKind.maintenance:
        raise ValidationFailed(
            "only maintenance drafts have a notice period",
            [FieldProblem("draft", "not maintenance")],
        )
    if DraftState(draft.state) not in OPEN:
        raise ConflictError(f"the draft is {draft.state}", [FieldProblem("state", draft.state)])
    row = _row(session, draft_id)
    if row is None:
        incident = incidents.get_row(session, draft.incident_id)
        row = MaintenanceDraftRow(
            draft_id=draft.id,
            incident_id=incident.id,
            purpose=MaintenancePurpose.notice.value,
            target_status=incident.status,
            window_start=as_utc(incident.scheduled_for),
            created_at=utcnow(),
        )
        session.add(row)
    row.late_notice = body.reason.value
    row.late_notice_by = approver.name
    row.late_notice_reason = body.note
    incidents.add_event(
        session,
        draft.incident_id,
        actor=approver.name,
        type="maintenance.late_notice",
        data={"draft_id": draft.id, "reason": body.reason.value},
    )
    audit.record(
        session,
        actor=approver.name,
        action="maintenance.late_notice",
        object_type="draft",
        object_id=draft.id,
        detail={"reason": body.reason.value, "note": body.note},
    )
    return MaintenanceDraftPublic(
        draft=drafts.to_public(draft),
        purpose=MaintenancePurpose(row.purpose),
        target_status=MaintenanceStatus(row.target_status),
        late_notice=body.reason,
    )


def before_publish(
    session: Session, draft: DraftRow, incident: IncidentRow, now: datetime
) -> MaintenanceStatus | None:
    """The status publishing this draft moves the maintenance to (None: not maintenance).

    Refuses (409) a notice inside the notice period unless an approver flagged it, and any
    move backwards (scheduled → in_progress → verifying → completed only goes forward)."""
    if incident.kind != IncidentKind.maintenance.value:
        return None
    row = _row(session, draft.id)
    target = MaintenanceStatus(row.target_status) if row else MaintenanceStatus(incident.status)
    _check_forward(incident.status, target)
    purpose = MaintenancePurpose(row.purpose) if row else None
    is_notice = target is MaintenanceStatus.scheduled and purpose is not MaintenancePurpose.reminder
    first = not _published(session, incident.id)
    start = as_utc(incident.scheduled_for)
    late = start is not None and start - now < min_notice()
    flagged = row is not None and row.late_notice is not None
    if is_notice and first and late and not flagged:
        hours = min_notice().total_seconds() / 3600
        raise ConflictError(
            f"a maintenance notice must be published at least {hours:g} h before the "
            f"window; an approver can flag it as an emergency or an extension",
            [FieldProblem("scheduled_for", f"less than {hours:g} h away")],
        )
    return target


def due_reminders(
    session: Session,
    now: datetime,
    *,
    lead: timedelta,
    drafters: Mapping[str, Drafter],
    support_contact: Mapping[Language, str] | None = None,
) -> list[MaintenanceDraftPublic]:
    """Draft a reminder for each announced window starting within `lead`, once per window.

    Reminders go into review; publishing them is a person's decision."""
    candidates = session.scalars(
        select(IncidentRow)
        .where(
            IncidentRow.kind == IncidentKind.maintenance.value,
            IncidentRow.status == MaintenanceStatus.scheduled.value,
            IncidentRow.scheduled_for > now,
            IncidentRow.scheduled_for <= now + lead,
        )
        .order_by(IncidentRow.scheduled_for, IncidentRow.id)
    ).all()
    created: list[MaintenanceDraftPublic] = []
    for incident in candidates:
        if not _published(session, incident.id):
            continue  # nothing announced yet: the notice itself is overdue, not a reminder
        start = as_utc(incident.scheduled_for)
        already = session.scalar(
            select(MaintenanceDraftRow.draft_id).where(
                MaintenanceDraftRow.incident_id == incident.id,
                MaintenanceDraftRow.purpose == MaintenancePurpose.reminder.value,
                MaintenanceDraftRow.window_start == start,
            )
        )
        if already is not None:
            continue
        row = drafts.create_draft_row(
            session,
            incident.id,
            DraftCreate(
                kind=DraftKind.maintenance,
                channels=[Channel.statuspage, Channel.email, Channel.sms],
                drafter=DrafterChoice.template,
                now=now,
            ),
            drafters,
            actor=SCHEDULER,
            support_contact=support_contact,
            now=now,
            maintenance_stage=MaintenanceStage.reminder,
        )
        submit_for_review(session, row, SCHEDULER, purpose=MaintenancePurpose.reminder.value)
        created.append(
            _record(
                session,
                drafts.to_public(row),
                incident,
                MaintenancePurpose.reminder,
                MaintenanceStatus.scheduled,
                now,
            )
        )
    return created
