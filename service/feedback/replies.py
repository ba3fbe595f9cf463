"""Suggested replies: an FAQ answer built from the published facts, pending a second person.

Herald never sends a reply; `approved` means a human may now paste it where the post was.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit, incidents
from service.domain.enums import Language
from service.domain.facts import IncidentFacts
from service.drafting.timefmt import clock
from service.errors import ConflictError, FieldProblem, NotFoundError, PermissionDenied
from service.feedback.aggregate import PUBLISH_EVENT
from service.feedback.model import ReplyCreate, ReplyDecision, ReplyPublic, ReplyState
from service.ids import new_id
from service.sentiment.concerns import suggest_faq
from service.sentiment.model import Concern
from service.store.tables import (
    DraftRow,
    FeedbackPostRow,
    FeedbackReplyRow,
    IncidentEventRow,
    IncidentRow,
)
from service.store.types import utcnow
from service.users import Principal


def _number(value: float | None) -> float | int | None:
    """30.0 reads as 30 in a reply."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def published_facts(
    session: Session, row: IncidentRow, lang: Language, now: datetime
) -> dict[str, Any]:
    """The facts `suggest_faq` reads, as of the incident's latest published update."""
    event = session.scalar(
        select(IncidentEventRow)
        .where(IncidentEventRow.incident_id == row.id, IncidentEventRow.type == PUBLISH_EVENT)
        .order_by(IncidentEventRow.at.desc(), IncidentEventRow.id.desc())
        .limit(1)
    )
    if event is None:
        raise ConflictError(
            "nothing has been published for this incident yet; a reply may only repeat "
            "what an approved update said",
            [FieldProblem("incident_id", "no published update")],
        )
    facts = IncidentFacts.model_validate(row.facts)
    out: dict[str, Any] = {
        "affected_components": facts.affected_components,
        "affected_regions": facts.affected_regions,
        "affected_share_pct": _number(facts.affected_share_pct),
        "cause": facts.cause,
        "published_draft_id": event.data.get("draft_id"),
    }
    draft = session.get(DraftRow, event.data.get("draft_id") or "")
    revision = (
        next((r for r in draft.revisions if r.number == draft.current_revision), None)
        if draft
        else None
    )
    zone = facts.timezone
    if revision is not None and revision.eta_at is not None:
        out["eta_text"] = clock(revision.eta_at, zone, lang, now)
    if revision is not None and revision.next_update_at is not None:
        out["next_update_at"] = clock(revision.next_update_at, zone, lang, now)
    if facts.recovered_at is not None:
        out["recovered_at"] = clock(facts.recovered_at, zone, lang, now)
    return {k: v for k, v in out.items() if v not in (None, [])}


def _post(session: Session, post_id: int) -> FeedbackPostRow:
    post = session.get(FeedbackPostRow, post_id)
    if post is None:
        raise NotFoundError(f"no feedback post {post_id}")
    return post


def _reply(session: Session, reply_id: str) -> FeedbackReplyRow:
    reply = session.get(FeedbackReplyRow, reply_id, with_for_update=True)
    if reply is None:
        raise NotFoundError(f"no suggested reply {reply_id!r}")
    return reply


def create_reply(
    session: Session,
    post_id: int,
    body: ReplyCreate,
    actor: Principal,
    *,
    now: datetime | None = None,
) -> ReplyPublic:
    """Suggest an FAQ answer to a scored, linked post; it waits for an approver."""
    now = now or utcnow()
    post = _post(session, post_id)
    if post.concern is None or post.incident_id is None:
        raise ConflictError(
            "the post is not scored and linked to an incident yet",
            [FieldProblem("post_id", "unscored or unlinked")],
        )
    lang = Language(body.lang or post.lang or "zh")
    concern = Concern(post.concern)
    incident = incidents.get_row(session, post.incident_id)
    facts = published_facts(session, incident, lang, now)
    text = suggest_faq(concern, facts, lang.value)
    if text is None:
        raise ConflictError(
            f"the published update says nothing that answers a {concern.value} question; "
            "answer this post by hand",
            [FieldProblem("concern", f"no published fact answers {concern.value}")],
        )
    row = FeedbackReplyRow(
        id=new_id(),
        post_id=post.id,
        incident_id=incident.id,
        concern=concern.value,
        language=lang.value,
        body=text,
        facts=facts,
        state=ReplyState.pending.value,
        created_by=actor.name,
        created_at=now,
    )
    session.add(row)
    session.flush()
    created = ReplyPublic.model_validate(row)
    audit.record(
        session,
        actor=actor.name,
        action="feedback_reply.create",
        object_type="feedback_reply",
        object_id=row.id,
        after=created,
        detail={"post_id": post.id, "concern": concern.value},
    )
    return created


def decide(
    session: Session,
    reply_id: str,
    decision: ReplyDecision,
    actor: Principal,
    *,
    approve: bool,
    solo_mode: bool = False,
    now: datetime | None = None,
) -> ReplyPublic:
    """Approve (never by its own author, unless solo mode) or reject a pending reply."""
    row = _reply(session, reply_id)
    if ReplyState(row.state) is not ReplyState.pending:
        raise ConflictError(
            f"the reply is already {row.state}", [FieldProblem("state", "must be pending")]
        )
    if approve and row.created_by == actor.name and not solo_mode:
        raise PermissionDenied(
            "whoever suggested a reply cannot approve it (four eyes); ask another approver"
        )
    before = ReplyPublic.model_validate(row)
    row.state = (ReplyState.approved if approve else ReplyState.rejected).value
    row.decided_by = actor.name
    row.decided_at = now or utcnow()
    row.comment = decision.comment
    after = ReplyPublic.model_validate(row)
    audit.record(
        session,
        actor=actor.name,
        action=f"feedback_reply.{'approve' if approve else 'reject'}",
        object_type="feedback_reply",
        object_id=row.id,
        before=before,
        after=after,
        detail={"self_approved": approve and row.created_by == actor.name},
    )
    return after


def list_replies(
    session: Session, state: ReplyState | None = None, incident_id: str | None = None
) -> list[ReplyPublic]:
    """Suggested replies, newest first."""
    query = select(FeedbackReplyRow).order_by(FeedbackReplyRow.created_at.desc()).limit(500)
    if state is not None:
        query = query.where(FeedbackReplyRow.state == state.value)
    if incident_id is not None:
        query = query.where(FeedbackReplyRow.incident_id == incident_id)
    return [ReplyPublic.model_validate(r) for r in session.scalars(query)]
