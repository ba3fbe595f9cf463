"""Alert intake webhooks: Alertmanager, Grafana, PagerDuty v3 and a generic JSON."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request

from service import alerts
from service.api.deps import Responder, SessionDep
from service.intake.mapping import AlertMapping

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


def get_mapping(request: Request) -> AlertMapping:
    mapping: AlertMapping = request.app.state.alert_mapping
    return mapping


MappingDep = Annotated[AlertMapping, Depends(get_mapping)]


@router.post(
    "/{source}",
    summary="Receive a monitoring webhook",
    description=(
        "`source` is `alertmanager` (webhook v4), `grafana` (unified alerting), `pagerduty` "
        "(v3 webhooks) or `generic` (see service/intake/README.md). Firing alerts create or "
        "update an incident, deduplicated by group key and fingerprint; alerts that clear create a "
        "status *proposal*. Nothing is published."
    ),
)
def receive_alert(
    source: str,
    payload: Annotated[Any, Body()],
    session: SessionDep,
    user: Responder,
    mapping: MappingDep,
) -> alerts.IntakeResult:
    result = alerts.ingest(session, source, payload, mapping, actor=f"{user.name}:{source}")
    session.commit()
    return result
