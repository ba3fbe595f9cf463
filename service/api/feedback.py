"""Feedback: intake, suggested replies, tone guidance and the comms lead's live feed."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, status
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from service import incidents
from service.api.deps import AnyUser, Approver, CommsLead, SessionDep, SettingsDep
from service.api.problems import problem_response
from service.drafting.model import ToneGuidance
from service.errors import NotFoundError
from service.feedback import feed, intake, replies
from service.feedback.aggregate import aggregate_incident
from service.feedback.model import (
    Aggregate,
    FeedbackPublic,
    FeedSnapshot,
    IntakeReceipt,
    ReplyCreate,
    ReplyDecision,
    ReplyPublic,
    ReplyState,
)
from service.feedback.policy import FeedbackPolicy
from service.feedback.tone import tone_for
from service.store.tables import FeedbackPostRow
from service.store.types import utcnow

router = APIRouter(tags=["feedback"])

HEARTBEAT_S = 15.0


async def get_policy(request: Request) -> FeedbackPolicy:
    policy: FeedbackPolicy = request.app.state.feedback_policy  # loaded by create_app
    return policy


PolicyDep = Annotated[FeedbackPolicy, Depends(get_policy)]


@router.post(
    "/v1/feedback",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=IntakeReceipt,
    summary="Ingest one post or {items: [...]} (up to 1,000); idempotent on (source, external_id)",
    responses={429: {"description": "Scoring backlog over its bound; see Retry-After"}},
)
def ingest(
    body: Annotated[Any, Body()],
    session: SessionDep,
    settings: SettingsDep,
    _: AnyUser,
) -> IntakeReceipt | JSONResponse:
    items = intake.parse_body(body)
    try:
        receipt = intake.ingest(
            session,
            items,
            secret=settings.feedback_author_secret.get_secret_value(),
            backlog_limit=settings.feedback_backlog_limit,
            retry_after_s=settings.feedback_retry_after_s,
        )
    except intake.Backpressure as exc:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            type_slug=exc.type_slug,
            instance="/v1/feedback",
            headers={"Retry-After": str(exc.retry_after_s)},
        )
    # Acknowledge only what is durably stored.
    session.commit()
    return receipt


# Row ids are 64-bit in both databases; a larger number is a 422, not a driver overflow.
PostId = Annotated[int, Path(ge=1, le=2**62)]


@router.get("/v1/feedback/{post_id}", summary="One stored post with its score and link")
def get_post(post_id: PostId, session: SessionDep, _: CommsLead) -> FeedbackPublic:
    row = session.get(FeedbackPostRow, post_id)
    if row is None:
        raise NotFoundError(f"no feedback post {post_id}")
    return FeedbackPublic.model_validate(row)


@router.post(
    "/v1/feedback/{post_id}/reply-draft",
    status_code=status.HTTP_201_CREATED,
    summary="Suggest an FAQ reply from the published facts; an approver must approve it",
)
def reply_draft(
    post_id: PostId,
    session: SessionDep,
    user: AnyUser,
    body: ReplyCreate | None = None,
) -> ReplyPublic:
    created = replies.create_reply(session, post_id, body or ReplyCreate(), user)
    session.commit()
    return created


@router.get("/v1/feedback-replies", summary="Suggested replies, newest first")
def list_replies(
    session: SessionDep,
    _: AnyUser,
    state: ReplyState | None = None,
    incident_id: str | None = None,
) -> list[ReplyPublic]:
    return replies.list_replies(session, state, incident_id)


@router.post("/v1/feedback-replies/{reply_id}/approve", summary="Approve (four eyes)")
def approve_reply(
    reply_id: str,
    session: SessionDep,
    user: Approver,
    settings: SettingsDep,
    body: ReplyDecision | None = None,
) -> ReplyPublic:
    result = replies.decide(
        session,
        reply_id,
        body or ReplyDecision(),
        user,
        approve=True,
        solo_mode=settings.solo_mode,
    )
    session.commit()
    return result


@router.post("/v1/feedback-replies/{reply_id}/reject", summary="Reject a suggested reply")
def reject_reply(
    reply_id: str, session: SessionDep, user: Approver, body: ReplyDecision | None = None
) -> ReplyPublic:
    result = replies.decide(session, reply_id, body or ReplyDecision(), user, approve=False)
    session.commit()
    return result


@router.get(
    "/v1/incidents/{incident_id}/feedback",
    summary="The incident's feedback aggregate: windows, spikes, update markers",
)
def incident_aggregate(
    incident_id: str, session: SessionDep, _: AnyUser, policy: PolicyDep
) -> Aggregate:
    incidents.get_row(session, incident_id)
    return aggregate_incident(session, incident_id, utcnow(), policy)


@router.get(
    "/v1/incidents/{incident_id}/tone",
    summary="Tone guidance for the next update, from the feedback aggregate",
)
def incident_tone(
    incident_id: str, session: SessionDep, _: AnyUser, policy: PolicyDep
) -> ToneGuidance:
    incidents.get_row(session, incident_id)
    return tone_for(aggregate_incident(session, incident_id, utcnow(), policy), policy.tone)


@router.get("/v1/feed/snapshot", summary="The live feed as JSON (comms lead)")
def snapshot(
    session: SessionDep, _: CommsLead, policy: PolicyDep, incident_id: str | None = None
) -> FeedSnapshot:
    return feed.snapshot(session, utcnow(), policy, incident_id)


def _sse(event: str, data: str, event_id: int) -> str:
    return f"event: {event}\nid: {event_id}\ndata: {data}\n\n"


@router.get(
    "/v1/feed/stream",
    summary="The live feed as server-sent events (comms lead)",
    response_class=StreamingResponse,
)
async def stream(
    request: Request,
    session: SessionDep,
    _: CommsLead,
    settings: SettingsDep,
    policy: PolicyDep,
    incident_id: str | None = None,
    interval_s: Annotated[float | None, Query(gt=0, le=300)] = None,
    max_events: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> StreamingResponse:
    # Authentication is done; hand the connection back rather than hold it for the stream.
    session.close()
    factory: sessionmaker[Session] = request.app.state.session_factory
    every = interval_s or settings.feed_interval_s
    poll = min(1.0, every)

    def take_snapshot() -> FeedSnapshot:
        with factory() as own:
            return feed.snapshot(own, utcnow(), policy, incident_id)

    def scored_mark() -> object:
        with factory() as own:
            return feed.last_scored_at(own)

    if incident_id is not None:
        await asyncio.to_thread(take_snapshot)  # a 404 before the stream starts, not inside it

    async def events() -> AsyncIterator[str]:
        sent, seen = 0, object()
        due = wrote = time.monotonic()
        while not await request.is_disconnected():
            mark = await asyncio.to_thread(scored_mark)
            now = time.monotonic()
            if now >= due or mark != seen:
                snap = await asyncio.to_thread(take_snapshot)
                yield _sse("snapshot", snap.model_dump_json(), sent)
                sent, seen, due, wrote = sent + 1, mark, now + every, now
                if max_events is not None and sent >= max_events:
                    return
            elif now - wrote >= HEARTBEAT_S:
                yield ": heartbeat\n\n"
                wrote = now
            await asyncio.sleep(poll)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
