"""Helpers: drive incidents through drafts, review and publication with an injected clock."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service import approvals, drafts, incidents, publishing
from service.domain.draft import DraftCreate, DraftPublic
from service.domain.enums import Role
from service.domain.incident import IncidentCreate, IncidentPatchFields
from service.drafting.template import TemplateDrafter
from service.store.db import make_engine, make_session_factory
from service.users import Principal

AUTHOR = Principal(id="u1", name="responder-user", role=Role.responder)
APPROVER = Principal(id="u2", name="approver-user", role=Role.approver)
DRAFTER = TemplateDrafter()


@contextmanager
def session_for(db_url: str) -> Iterator[Session]:
    """One session on the test database; the caller commits."""
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def open_incident(session: Session, now: datetime, **incident: Any) -> str:
    """Create an incident at `now` from Statuspage-shaped fields; returns its id."""
    body = IncidentCreate.model_validate({"incident": incident})
    created = incidents.create_incident(session, body.incident, actor=AUTHOR.name, now=now)
    session.commit()
    return created.id


def patch(session: Session, incident_id: str, now: datetime, **fields: Any) -> None:
    incidents.update_incident(
        session,
        incident_id,
        IncidentPatchFields.model_validate(fields),
        actor=AUTHOR.name,
        now=now,
    )
    session.commit()


def draft(session: Session, incident_id: str, now: datetime, **request: Any) -> DraftPublic:
    created = drafts.create_draft(
        session,
        incident_id,
        DraftCreate.model_validate({"now": now, "drafter": "template", **request}),
        {DRAFTER.name: DRAFTER},
        actor=AUTHOR.name,
        now=now,
    )
    session.commit()
    return created


def approve_and_publish(session: Session, draft_id: str, now: datetime) -> None:
    """Submit if needed, approve as another person, publish at `now`."""
    current = drafts.get_draft(session, draft_id)
    if current.state.value == "draft":
        approvals.submit(session, draft_id, AUTHOR)
    approvals.approve(
        session,
        draft_id,
        approvals.ApproveBody(revision=current.revision.number, digest=current.revision.digest),
        APPROVER,
        solo_mode=False,
    )
    publishing.publish(session, draft_id, AUTHOR, now=now)
    session.commit()
