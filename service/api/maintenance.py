"""Scheduled maintenance: drafts per target status, the approver's late-notice flag, reminders."""

from fastapi import APIRouter, Response, status

from service import maintenance
from service.api.deps import Admin, Approver, Responder, SessionDep, SettingsDep
from service.api.drafts import DraftersDep
from service.store.types import utcnow

router = APIRouter(tags=["maintenance"])


@router.post(
    "/v1/incidents/{incident_id}/maintenance-drafts",
    status_code=status.HTTP_201_CREATED,
    summary="Draft the notice or a status transition (in_progress, verifying, completed)",
)
def create_draft(
    incident_id: str,
    body: maintenance.MaintenanceDraftCreate,
    session: SessionDep,
    user: Responder,
    drafters: DraftersDep,
    settings: SettingsDep,
    response: Response,
) -> maintenance.MaintenanceDraftPublic:
    created = maintenance.create_draft(
        session,
        incident_id,
        body,
        drafters,
        actor=user.name,
        support_contact=settings.support_contacts(),
    )
    session.commit()
    response.headers["Location"] = f"/v1/drafts/{created.draft.id}"
    return created


@router.post(
    "/v1/drafts/{draft_id}/late-notice",
    summary="Allow a maintenance notice inside the 24 h notice period (emergency or extension)",
)
def late_notice(
    draft_id: str, body: maintenance.LateNoticeBody, session: SessionDep, user: Approver
) -> maintenance.MaintenanceDraftPublic:
    result = maintenance.flag_late_notice(session, draft_id, body, user)
    session.commit()
    return result


@router.post(
    "/v1/maintenance/tick",
    summary="Draft due maintenance reminders now (what `herald maintenance tick` does)",
)
def tick(
    session: SessionDep, _: Admin, drafters: DraftersDep, settings: SettingsDep
) -> list[maintenance.MaintenanceDraftPublic]:
    created = maintenance.due_reminders(
        session,
        utcnow(),
        lead=maintenance.reminder_lead(settings.maintenance_reminder_h),
        drafters=drafters,
        support_contact=settings.support_contacts(),
    )
    session.commit()
    return created
