"""Promises, ETA suggestions, communication metrics, the post-incident report and `/metrics`.

`/metrics` (Prometheus) reveals incident counts and timings, so it asks for an admin token
unless `HERALD_METRICS_PUBLIC=true`; Prometheus sends one with `authorization: {credentials: …}`.
"""

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from service import eta, incidents, metrics, promises, reports
from service.api.deps import (
    Admin,
    AnyUser,
    Responder,
    RoleGate,
    SessionDep,
    SettingsDep,
    _bearer,
)
from service.domain.draft import DraftPublic
from service.domain.enums import Language
from service.drafting.port import Drafter
from service.errors import FieldProblem, ValidationFailed
from service.store.types import utcnow

router = APIRouter(tags=["reports"])


async def _template_drafter(request: Request) -> Drafter:
    drafter: Drafter = request.app.state.drafters["template"]
    return drafter


TemplateDrafterDep = Annotated[Drafter, Depends(_template_drafter)]


@router.get("/v1/promises", summary="Promises across incidents; overdue=true: still owed")
def list_promises(
    session: SessionDep, _: AnyUser, overdue: bool = False
) -> list[promises.PromisePublic]:
    return promises.list_promises(session, utcnow(), overdue_only=overdue)


@router.get("/v1/incidents/{incident_id}/promises", summary="An incident's promises, soonest first")
def incident_promises(
    incident_id: str, session: SessionDep, _: AnyUser
) -> list[promises.PromisePublic]:
    return promises.list_promises(session, utcnow(), incident_id=incident_id)


class TickSummary(BaseModel):
    """What one pass of the clock did (counts; the drafts it put into review by id)."""

    made: int
    kept: int
    missed: int
    reminded: int
    drafts: list[str]
    reminders_queued: int
    errors: list[str]


@router.post("/v1/promises/tick", summary="Run the cadence clock once now (admins)")
def tick(request: Request, session: SessionDep, settings: SettingsDep, _: Admin) -> TickSummary:
    result = promises.tick(session, utcnow(), clock_config(request, settings))
    session.commit()
    return TickSummary(
        made=len(result.made),
        kept=len(result.kept),
        missed=len(result.missed),
        reminded=len(result.reminded),
        drafts=result.drafts,
        reminders_queued=result.reminders_queued,
        errors=result.errors,
    )


def clock_config(request: Request, settings: SettingsDep) -> promises.ClockConfig:
    """The cadence clock's configuration for this app."""
    return promises.ClockConfig(
        drafter=request.app.state.drafters["template"],
        reminder_targets=settings.reminder_targets,
        support_contact=settings.support_contacts(),
        console_url=settings.public_url,
    )


@router.get("/v1/incidents/{incident_id}/eta", summary="Buffered ETA, or a history suggestion")
def incident_eta(
    incident_id: str, session: SessionDep, settings: SettingsDep, _: AnyUser
) -> eta.EtaEstimate:
    row = incidents.get_row(session, incident_id)
    return eta.estimate(session, row, now=utcnow(), buffer=settings.eta_buffer)


@router.get("/v1/incidents/{incident_id}/metrics", summary="Communication metrics of one incident")
def incident_metrics(incident_id: str, session: SessionDep, _: AnyUser) -> metrics.IncidentMetrics:
    row = incidents.get_row(session, incident_id)
    return metrics.incident_metrics(session, row, utcnow())


@router.get("/v1/reports/comms", summary="Communication metrics for incidents started in a range")
def comms_report(
    session: SessionDep,
    _: AnyUser,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> metrics.CommsReport:
    now = utcnow()
    end = end or now
    start = start or end - timedelta(days=30)
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None:
            raise ValidationFailed(
                f"'{name}' needs a UTC offset", [FieldProblem(name, "e.g. 2026-11-01T00:00:00Z")]
            )
    if end <= start:
        raise ValidationFailed("'to' must be after 'from'", [FieldProblem("to", "before 'from'")])
    return metrics.comms_report(session, start, end, now)


@router.post(
    "/v1/incidents/{incident_id}/postmortem",
    status_code=status.HTTP_201_CREATED,
    summary="Draft the post-incident report (it goes through review like any draft)",
)
def create_postmortem(
    incident_id: str,
    session: SessionDep,
    settings: SettingsDep,
    user: Responder,
    drafter: TemplateDrafterDep,
    response: Response,
    languages: Annotated[list[Language] | None, Query()] = None,
) -> DraftPublic:
    created = reports.create_postmortem(
        session,
        incident_id,
        drafter,
        actor=user.name,
        languages=languages,
        support_contact=settings.support_contacts(),
    )
    session.commit()
    response.headers["Location"] = f"/v1/drafts/{created.id}"
    return created


def metrics_access(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Open when `metrics_public`; otherwise an admin token, as every other admin route."""
    if not settings.metrics_public:
        RoleGate()(session, credentials)


@router.get(
    "/metrics",
    summary="Prometheus exposition of the communication metrics",
    response_class=Response,
    dependencies=[Depends(metrics_access)],
)
def prometheus(request: Request, settings: SettingsDep) -> Response:
    collector = metrics.CommsCollector(
        request.app.state.session_factory, timedelta(days=settings.metrics_window_days)
    )
    return Response(metrics.exposition(collector), media_type=CONTENT_TYPE_LATEST)
