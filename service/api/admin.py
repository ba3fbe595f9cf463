"""Admin endpoints: the audit log and API users."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from service import audit, users
from service.api.deps import Admin, SessionDep
from service.domain.enums import Role

router = APIRouter(prefix="/v1", tags=["admin"])


@router.get("/audit", summary="The audit log, newest first")
def list_audit(
    session: SessionDep,
    _: Admin,
    object_id: str | None = None,
    since: datetime | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[audit.AuditEntry]:
    return audit.list_entries(
        session, object_id=object_id, since=since, limit=limit, before_id=before_id
    )


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[\w.@+-]+$")
    role: Role


@router.get("/users", summary="API users")
def list_users(session: SessionDep, _: Admin) -> list[users.UserPublic]:
    return users.list_users(session)


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="Create a user; the token is shown only in this response",
)
def create_user(body: UserCreate, session: SessionDep, admin: Admin) -> users.IssuedToken:
    issued = users.create_user(session, body.name, body.role, actor=admin.name)
    session.commit()
    return issued


@router.post("/users/{user_id}/revoke", summary="Revoke a user's token")
def revoke_user(user_id: str, session: SessionDep, admin: Admin) -> users.UserPublic:
    revoked = users.revoke_user(session, user_id, actor=admin.name)
    session.commit()
    return revoked
