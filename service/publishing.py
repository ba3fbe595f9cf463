"""Publish exactly what was approved: status-page updates and outbox rows in one transaction."""

import hashlib
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import drafts, incidents, maintenance, promises, reports, subscribers
from service.approvals import current, draft_row, move
from service.channels.model import ChannelName
from service.domain.draft import DraftPublic, DraftState, RenditionPublic
from service.domain.enums import IncidentStatus, Language
from service.domain.incident import AnyStatus, IncidentPatchFields
from service.drafting.model import STAGES, Channel, DraftKind
from service.errors import ConflictError, FieldProblem
from service.ids import new_id
from service.statuspage import components
from service.store.tables import (
    ApprovalRow,
    ChannelTargetRow,
    DeliveryRow,
    DraftRow,
    IncidentUpdateRow,
    PublishedTitleRow,
)
from service.store.types import utcnow
from service.users import Principal
from service.workflow import OPEN, Action

# Which rendition each delivery channel carries. Partner webhooks get the status-page text.
RENDITION_FOR: dict[ChannelName, Channel] = {
    ChannelName.webhook: Channel.statuspage,
    ChannelName.email: Channel.email,
    ChannelName.sms: Channel.sms,
    ChannelName.wecom: Channel.wecom,
    ChannelName.dingtalk: Channel.dingtalk,
    ChannelName.feishu: Channel.feishu,
    ChannelName.slack: Channel.slack,
}


# `DeliveryRow.target_kind` of a subscriber delivery (channel targets use "target").
SUBSCRIBER = "subscriber"


class Published(BaseModel):
    draft: DraftPublic
    update_ids: list[str]
    deliveries: int


def text_digest(title: str, body: str) -> str:
    """What a delivery row carries and the worker re-checks before sending."""
    return hashlib.sha256(f"{title}\x00{body}".encode()).hexdigest()


def idempotency_key(update_id: str, channel: str, target_id: str) -> str:
    return hashlib.sha256(f"{update_id}:{channel}:{target_id}".encode()).hexdigest()[:40]


def _valid_approval(session: Session, row: DraftRow) -> ApprovalRow:
    approval = session.scalar(
        select(ApprovalRow)
        .where(
            ApprovalRow.draft_id == row.id,
            ApprovalRow.revision == row.current_revision,
            ApprovalRow.voided_at.is_(None),
        )
        .order_by(ApprovalRow.id.desc())
    )
    if approval is None:
        raise ConflictError(
            "this revision has no valid approval", [FieldProblem("state", "needs approval")]
        )
    return approval


def publish(
    session: Session, draft_id: str, actor: Principal, *, now: datetime | None = None
) -> Published:
    """Publish the approved revision; refuse if its text is not byte-for-byte what was approved."""
    now = now or utcnow()
    row = draft_row(session, draft_id)
    if DraftState(row.state) is not DraftState.approved:
        move(session, row, Action.publish, actor.name)  # raises the 409 naming what is allowed
    revision = current(row)
    approval = _valid_approval(session, row)
    renditions = [RenditionPublic.model_validate(r) for r in revision.renditions]
    if not approval.digest == revision.digest == drafts.renditions_digest(renditions):
        raise ConflictError(
            "the text differs from what was approved; it needs a new approval",
            [FieldProblem("digest", "stored text does not match the approved digest")],
        )
    kind = DraftKind(row.kind)
    incident = incidents.get_row(session, row.incident_id, for_update=True)
    target: AnyStatus | None = maintenance.before_publish(session, row, incident, now)
    if kind in STAGES:
        target = IncidentStatus(kind.value)
    if target is not None and incident.status != target.value:
        incidents.update_incident(
            session,
            incident.id,
            IncidentPatchFields(status=target),
            actor=actor.name,
            now=now,
        )
    changes = components.apply(session, incident, incident.status, now)
    update_ids = _status_page_updates(
        session, incident.id, incident.status, renditions, now, [c.as_affected() for c in changes]
    )
    incident.next_update_at = revision.next_update_at
    count = _outbox(session, row, renditions, update_ids, now)
    count += _subscriber_outbox(
        session, row, renditions, update_ids, {c.id for c in incident.components}, now
    )
    promises.record_from_publication(session, row, revision, now)
    reports.apply_postmortem(session, row, revision, now)
    move(
        session,
        row,
        Action.publish,
        actor.name,
        updates=list(update_ids.values()),
        deliveries=count,
    )
    _supersede_older(session, row, actor)
    return Published(
        draft=drafts.to_public(row), update_ids=list(update_ids.values()), deliveries=count
    )


def _status_page_updates(
    session: Session,
    incident_id: str,
    status: str,
    renditions: list[RenditionPublic],
    now: datetime,
    affected: list[dict[str, str]],
) -> dict[str, str]:
    """One Statuspage `incident_update` per language, from its status-page (or longest) text,
    with the title published beside it (the public page names the incident by it)."""
    ids: dict[str, str] = {}
    titles: dict[str, str] = {}
    for language in dict.fromkeys(r.language for r in renditions):
        own = [r for r in renditions if r.language is language]
        chosen = next((r for r in own if r.channel is Channel.statuspage), None) or max(
            own, key=lambda r: len(r.body)
        )
        update_id = new_id()
        session.add(
            IncidentUpdateRow(
                id=update_id,
                incident_id=incident_id,
                status=status,
                body=chosen.body,
                language=language.value,
                # Statuspage's {code, name, old_status, new_status} objects (JSON column).
                affected_components=affected,
                created_at=now,
                updated_at=now,
                display_at=now,
            )
        )
        titles[update_id] = chosen.title
        ids[language.value] = update_id
    session.flush()  # the update rows first: titles reference them, with no ORM relationship
    session.add_all(PublishedTitleRow(update_id=u, title=t) for u, t in titles.items())
    return ids


def _outbox(
    session: Session,
    row: DraftRow,
    renditions: list[RenditionPublic],
    update_ids: dict[str, str],
    now: datetime,
) -> int:
    """An outbox row per (rendition, configured target), written with the publication."""
    by_key = {(r.channel, r.language.value): r for r in renditions}
    count = 0
    targets = session.scalars(select(ChannelTargetRow).where(ChannelTargetRow.enabled.is_(True)))
    for target in targets:
        channel = ChannelName(target.channel)
        rendition = by_key.get((RENDITION_FOR[channel], target.language))
        if rendition is None:
            continue
        update_id = update_ids[target.language]
        session.add(
            DeliveryRow(
                idempotency_key=idempotency_key(update_id, channel.value, target.id),
                draft_id=row.id,
                incident_id=row.incident_id,
                update_id=update_id,
                channel=channel.value,
                language=target.language,
                target_kind="target",
                target_id=target.id,
                title=rendition.title,
                body=rendition.body,
                digest=text_digest(rendition.title, rendition.body),
                next_attempt_at=now,
            )
        )
        count += 1
    return count


def _rendition_for(
    by_key: dict[tuple[Channel, str], RenditionPublic], channel: ChannelName, language: str
) -> RenditionPublic | None:
    """The subscriber's language if drafted, else the other one. Email falls back to the
    status-page text when no email rendition was drafted; SMS never does (segment-checked text
    only)."""
    wanted = [RENDITION_FOR[channel]]
    if channel is ChannelName.email:
        wanted.append(Channel.statuspage)
    for rendition_channel in wanted:
        for lang in (language, *(lang.value for lang in Language if lang.value != language)):
            found = by_key.get((rendition_channel, lang))
            if found is not None:
                return found
    return None


def _subscriber_outbox(
    session: Session,
    row: DraftRow,
    renditions: list[RenditionPublic],
    update_ids: dict[str, str],
    component_ids: set[str],
    now: datetime,
) -> int:
    """An outbox row per confirmed subscriber of the incident's components (or of everything).

    The recipient (address, unsubscribe link) is resolved by the worker at send time, so an
    unsubscribe between publishing and sending still stops the message."""
    by_key = {(r.channel, r.language.value): r for r in renditions}
    count = 0
    for subscriber in subscribers.recipients(session, component_ids):
        channel = ChannelName(subscriber.kind)
        rendition = _rendition_for(by_key, channel, subscriber.language)
        if rendition is None:
            continue
        update_id = update_ids[rendition.language.value]
        session.add(
            DeliveryRow(
                idempotency_key=idempotency_key(update_id, channel.value, subscriber.id),
                draft_id=row.id,
                incident_id=row.incident_id,
                update_id=update_id,
                channel=channel.value,
                language=rendition.language.value,
                target_kind=SUBSCRIBER,
                target_id=subscriber.id,
                title=rendition.title,
                body=rendition.body,
                digest=text_digest(rendition.title, rendition.body),
                next_attempt_at=now,
            )
        )
        count += 1
    return count


def _supersede_older(session: Session, row: DraftRow, actor: Principal) -> None:
    older = session.scalars(
        select(DraftRow).where(
            DraftRow.incident_id == row.incident_id,
            DraftRow.id != row.id,
            DraftRow.created_at <= row.created_at,
            DraftRow.state.in_([s.value for s in OPEN]),
        )
    )
    for other in older:
        move(session, other, Action.supersede, actor.name, by=row.id)
