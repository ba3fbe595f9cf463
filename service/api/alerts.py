"""Alert intake webhooks: Alertmanager, Grafana, PagerDuty v3 and a generic JSON."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response

from service import alerts
from service.api.deps import Responder, SessionDep, SettingsDep
from service.api.drafts import DraftersDep
from service.api.responses import json_response
from service.intake.mapping import AlertMapping

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])


async def get_mapping(request: Request) -> AlertMapping:
    mapping: AlertMapping = request.app.state.alert_mapping
    return mapping


MappingDep = Annotated[AlertMapping, Depends(get_mapping)]


@router.post(
    "/{source}",
    response_model=alerts.IntakeResult,
    summary="Receive a monitoring webhook",
    description=(
        "`source` is `alertmanager` (webhook v4), `grafana` (unified alerting), `pagerduty` "
        "(v3 webhooks) or `generic` (see service/intake/README.md). Firing alerts create or "
        "update an incident, deduplicated by group key and fingerprint; alerts that clear create a "
        "status *proposal*. A new incident gets its first notice drafted into review at once "
        "(`first_draft_id`; setting `HERALD_FIRST_NOTICE_ON_ALERT`). Nothing is published."
    ),
)
def receive_alert(
    source: str,
    payload: Annotated[Any, Body()],
    session: SessionDep,
    user: Responder,
    mapping: MappingDep,
    drafters: DraftersDep,
    settings: SettingsDep,
) -> Response:
    result = alerts.ingest(session, source, payload, mapping, actor=f"{user.name}:{source}")
    if settings.first_notice_on_alert:
        alerts.draft_first_notices(
            session,
            result,
            drafters,
            channels=settings.first_notice_channels,
            support_contact=settings.support_contacts(),
        )
    session.commit()
    return json_response(result)
