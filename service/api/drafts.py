"""Drafts: request a guarded, multi-channel, bilingual update for an incident; read it back."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from service import approvals, delivery, drafts, publishing
from service.api.deps import AnyUser, Approver, Responder, SessionDep, SettingsDep
from service.api.feedback import PolicyDep
from service.api.responses import json_response
from service.domain.draft import DraftCreate, DraftPublic, RevisionWithDiff
from service.drafting.port import Drafter

router = APIRouter(tags=["drafts"])


async def get_drafters(request: Request) -> dict[str, Drafter]:
    drafters: dict[str, Drafter] = request.app.state.drafters
    return drafters


DraftersDep = Annotated[dict[str, Drafter], Depends(get_drafters)]


@router.post(
    "/v1/incidents/{incident_id}/drafts",
    status_code=status.HTTP_201_CREATED,
    response_model=DraftPublic,
    summary="Draft the next update: one rendition per channel × language, each guarded",
)
def create_draft(
    incident_id: str,
    body: DraftCreate,
    session: SessionDep,
    user: Responder,
    drafters: DraftersDep,
    settings: SettingsDep,
    feedback_policy: PolicyDep,
) -> Response:
    created = drafts.create_draft(
        session,
        incident_id,
        body,
        drafters,
        actor=user.name,
        support_contact=settings.support_contacts(),
        feedback_policy=feedback_policy,
    )
    session.commit()
    return json_response(
        created, status.HTTP_201_CREATED, headers={"Location": f"/v1/drafts/{created.id}"}
    )


@router.get("/v1/incidents/{incident_id}/drafts", summary="An incident's drafts, newest first")
def list_drafts(incident_id: str, session: SessionDep, _: AnyUser) -> list[DraftPublic]:
    return drafts.list_drafts(session, incident_id)


@router.get("/v1/drafts/{draft_id}", summary="One draft with its current revision")
def get_draft(draft_id: str, session: SessionDep, _: AnyUser) -> DraftPublic:
    return drafts.get_draft(session, draft_id)


@router.post("/v1/drafts/{draft_id}/submit", summary="Send a draft for review")
def submit(draft_id: str, session: SessionDep, user: Responder) -> DraftPublic:
    result = approvals.submit(session, draft_id, user)
    session.commit()
    return result


@router.post(
    "/v1/drafts/{draft_id}/revisions",
    status_code=status.HTTP_201_CREATED,
    summary="Edit: a new revision, guards re-run, earlier approvals void",
)
def edit(
    draft_id: str,
    body: approvals.EditBody,
    session: SessionDep,
    user: Responder,
    settings: SettingsDep,
) -> DraftPublic:
    result = approvals.edit(
        session, draft_id, body, user, support_contact=settings.support_contacts()
    )
    session.commit()
    return result


@router.get("/v1/drafts/{draft_id}/revisions", summary="Every revision with its diff")
def list_revisions(draft_id: str, session: SessionDep, _: AnyUser) -> list[RevisionWithDiff]:
    return drafts.list_revisions(session, draft_id)


@router.post("/v1/drafts/{draft_id}/approve", summary="Sign off the exact text (four eyes)")
def approve(
    draft_id: str,
    body: approvals.ApproveBody,
    session: SessionDep,
    user: Approver,
    settings: SettingsDep,
) -> DraftPublic:
    result = approvals.approve(session, draft_id, body, user, solo_mode=settings.solo_mode)
    session.commit()
    return result


@router.post("/v1/drafts/{draft_id}/request-changes", summary="Send back to the author")
def request_changes(
    draft_id: str, body: approvals.CommentBody, session: SessionDep, user: Approver
) -> DraftPublic:
    result = approvals.request_changes(session, draft_id, body, user)
    session.commit()
    return result


@router.post("/v1/drafts/{draft_id}/reject", summary="Close a draft without publishing")
def reject(
    draft_id: str, body: approvals.CommentBody, session: SessionDep, user: Approver
) -> DraftPublic:
    result = approvals.reject(session, draft_id, body, user)
    session.commit()
    return result


@router.post("/v1/drafts/{draft_id}/publish", summary="Publish the approved text everywhere")
def publish(draft_id: str, session: SessionDep, user: Responder) -> publishing.Published:
    result = publishing.publish(session, draft_id, user)
    session.commit()
    return result


@router.get("/v1/drafts/{draft_id}/deliveries", summary="Per-channel delivery status")
def list_deliveries(
    draft_id: str, session: SessionDep, _: AnyUser
) -> list[delivery.DeliveryPublic]:
    drafts.get_draft(session, draft_id)
    return delivery.list_deliveries(session, draft_id)
