"""Incidents: Statuspage-shaped CRUD, list filters, timeline and intake proposals."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service import incidents
from service.api.deps import Admin, AnyUser, Responder, SessionDep
from service.domain.incident import (
    IncidentCreate,
    IncidentPublic,
    IncidentUpdate,
    Proposal,
    TimelineEvent,
)
from service.incidents import IncidentFilter

router = APIRouter(prefix="/v1/incidents", tags=["incidents"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("", summary="List incidents, newest first")
def list_incidents(
    session: SessionDep, _: AnyUser, limit: Limit = 50, offset: Offset = 0
) -> list[IncidentPublic]:
    return incidents.list_incidents(session, limit=limit, offset=offset)


@router.get("/unresolved", summary="Incidents not yet resolved (maintenance excluded)")
def list_unresolved(
    session: SessionDep, _: AnyUser, limit: Limit = 50, offset: Offset = 0
) -> list[IncidentPublic]:
    return incidents.list_incidents(
        session, filter=IncidentFilter.unresolved, limit=limit, offset=offset
    )


@router.get("/upcoming", summary="Scheduled maintenance that has not ended, soonest first")
def list_upcoming(
    session: SessionDep, _: AnyUser, limit: Limit = 50, offset: Offset = 0
) -> list[IncidentPublic]:
    return incidents.list_incidents(
        session, filter=IncidentFilter.upcoming_maintenance, limit=limit, offset=offset
    )


@router.get("/active_maintenance", summary="Maintenance in progress or verifying")
def list_active_maintenance(
    session: SessionDep, _: AnyUser, limit: Limit = 50, offset: Offset = 0
) -> list[IncidentPublic]:
    return incidents.list_incidents(
        session, filter=IncidentFilter.active_maintenance, limit=limit, offset=offset
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an incident")
def create_incident(
    body: IncidentCreate, session: SessionDep, user: Responder, response: Response
) -> IncidentPublic:
    created = incidents.create_incident(session, body.incident, actor=user.name)
    session.commit()
    response.headers["Location"] = f"/v1/incidents/{created.id}"
    return created


@router.get("/{incident_id}", summary="One incident with its components and published updates")
def get_incident(incident_id: str, session: SessionDep, _: AnyUser) -> IncidentPublic:
    return incidents.get_incident(session, incident_id)


@router.patch("/{incident_id}", summary="Change status, facts, severity or components")
def update_incident(
    incident_id: str, body: IncidentUpdate, session: SessionDep, user: Responder
) -> IncidentPublic:
    updated = incidents.update_incident(session, incident_id, body.incident, actor=user.name)
    session.commit()
    return updated


@router.delete(
    "/{incident_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete an incident"
)
def delete_incident(incident_id: str, session: SessionDep, user: Admin) -> None:
    incidents.delete_incident(session, incident_id, actor=user.name)
    session.commit()


@router.get("/{incident_id}/timeline", summary="Everything that happened, oldest first")
def get_timeline(incident_id: str, session: SessionDep, _: AnyUser) -> list[TimelineEvent]:
    return incidents.timeline(session, incident_id)


@router.get("/{incident_id}/proposals", summary="Changes intake suggested")
def list_proposals(incident_id: str, session: SessionDep, _: AnyUser) -> list[Proposal]:
    return incidents.list_proposals(session, incident_id)


@router.post("/{incident_id}/proposals/{proposal_id}/accept", summary="Apply a proposal")
def accept_proposal(
    incident_id: str, proposal_id: str, session: SessionDep, user: Responder
) -> Proposal:
    decided = incidents.decide_proposal(
        session, incident_id, proposal_id, accept=True, actor=user.name
    )
    session.commit()
    return decided


@router.post("/{incident_id}/proposals/{proposal_id}/dismiss", summary="Dismiss a proposal")
def dismiss_proposal(
    incident_id: str, proposal_id: str, session: SessionDep, user: Responder
) -> Proposal:
    decided = incidents.decide_proposal(
        session, incident_id, proposal_id, accept=False, actor=user.name
    )
    session.commit()
    return decided
