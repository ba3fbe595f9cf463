"""The comms lead's sentiment dashboard: a server-rendered snapshot, then live server-sent events.

The data are the feedback feed's own (`service.feedback.feed`); the stream is the API's stream,
admitted here by the same CommsLead gate through the console's session cookie.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import select

from service.api import feedback as feedback_api
from service.api.deps import CommsLead, SessionDep, SettingsDep
from service.console import auth, page
from service.console.auth import Viewer
from service.errors import ServiceError
from service.feedback import feed
from service.feedback.model import FeedSnapshot
from service.sentiment.model import Concern
from service.store.tables import IncidentRow
from service.store.types import utcnow

router = APIRouter(prefix="/console", include_in_schema=False)

IncidentQuery = Annotated[str | None, Query(max_length=64)]


def _open_incidents(session: SessionDep) -> list[IncidentRow]:
    query = (
        select(IncidentRow)
        .where(IncidentRow.resolved_at.is_(None))
        .order_by(IncidentRow.started_at.desc())
        .limit(100)
    )
    return list(session.scalars(query))


@router.get("/feed")
def dashboard(
    request: Request, session: SessionDep, user: Viewer, incident_id: IncidentQuery = None
) -> HTMLResponse:
    """Volume and negative share over time, markers, concern mix, recent posts, spike, tone."""
    if not auth.may(user, CommsLead):
        return page.render(
            request,
            "feed.html",
            user,
            allowed=False,
            choices=[],
            selected=None,
            snap=None,
            concerns=list(Concern),
        )
    choices = _open_incidents(session)
    selected = incident_id or (choices[0].id if choices else None)
    snap: FeedSnapshot | None = None
    if selected is not None:
        try:
            snap = feed.snapshot(session, utcnow(), request.app.state.feedback_policy, selected)
        except ServiceError as exc:
            return page.render(request, "error.html", user, status_code=exc.status, error=exc)
    return page.render(
        request,
        "feed.html",
        user,
        allowed=True,
        choices=choices,
        selected=selected,
        snap=snap,
        concerns=list(Concern),
    )


@router.get("/feed/stream")
async def stream(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    incident_id: IncidentQuery = None,
    interval_s: Annotated[float | None, Query(gt=0, le=300)] = None,
) -> StreamingResponse:
    """The feed's event stream for a signed-in comms lead (EventSource sends the cookie)."""
    principal = auth.admit(session, auth.session_token(request), CommsLead)
    return await feedback_api.stream(
        request,
        session,
        principal,
        settings,
        request.app.state.feedback_policy,
        incident_id,
        interval_s,
        None,
    )
