"""Request dependencies: the database session, settings and role-gated principals."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service.config import Settings
from service.domain.enums import Role
from service.errors import AuthenticationError, PermissionDenied
from service.users import Principal, authenticate


# The cheap dependencies are coroutines: FastAPI runs a plain `def` dependency in a worker
# thread, and each of those hops costs more than these functions do.
async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request; routers commit explicitly before answering.

    Opening a session does no I/O (it connects on first use), and closing one whose transaction
    has ended does none either; only a request that left a transaction open is rolled back, off
    the event loop."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]

_bearer = HTTPBearer(auto_error=False, description="A token from `herald users create`.")


class RoleGate:
    """Admit callers whose role is in `roles` (admins always); 401 and 403 stay distinct."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles) | {Role.admin}

    def __call__(
        self,
        session: SessionDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise AuthenticationError("send 'Authorization: Bearer <token>'")
        principal = authenticate(session, credentials.credentials)
        if principal is None:
            raise AuthenticationError("the token is unknown or revoked")
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(r.value for r in self.roles))
            raise PermissionDenied(
                f"role {principal.role.value!r} may not do this (allowed: {allowed})"
            )
        return principal


# Who may do what. Each endpoint names one of these, so the authorization matrix is readable here.
AnyUser = Annotated[Principal, Depends(RoleGate(Role.responder, Role.approver, Role.comms_lead))]
Responder = Annotated[Principal, Depends(RoleGate(Role.responder, Role.approver))]
Approver = Annotated[Principal, Depends(RoleGate(Role.approver))]
CommsLead = Annotated[Principal, Depends(RoleGate(Role.comms_lead))]
Admin = Annotated[Principal, Depends(RoleGate())]
