"""API users and their bearer tokens.

Tokens are 256-bit random strings, so a plain SHA-256 is enough to make the stored hash useless to a
thief (a slow password hash only matters for guessable secrets) and lets us look a token up by hash.
"""

import hashlib
import secrets
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.domain.enums import Role
from service.errors import ConflictError, FieldProblem, NotFoundError
from service.ids import new_id
from service.store.tables import UserRow
from service.store.types import utcnow

TOKEN_PREFIX = "hrld_"


class Principal(BaseModel):
    """Who is calling."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    role: Role


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class IssuedToken(BaseModel):
    user: UserPublic
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, name: str, role: Role, *, actor: str) -> IssuedToken:
    """Create a user and return its token; only the hash is kept, so this is the one look at it."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = UserRow(id=new_id(), name=name, role=role.value, token_hash=hash_token(token))
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(
            f"a user named {name!r} already exists", [FieldProblem("name", "already taken")]
        ) from exc
    user = UserPublic.model_validate(row)
    audit.record(
        session, actor=actor, action="user.create", object_type="user", object_id=row.id, after=user
    )
    return IssuedToken(user=user, token=token)


def revoke_user(session: Session, user_id: str, *, actor: str) -> UserPublic:
    row = session.get(UserRow, user_id) or session.scalar(
        select(UserRow).where(UserRow.name == user_id)
    )
    if row is None:
        raise NotFoundError(f"no user {user_id!r}")
    before = UserPublic.model_validate(row)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    after = UserPublic.model_validate(row)
    audit.record(
        session,
        actor=actor,
        action="user.revoke",
        object_type="user",
        object_id=row.id,
        before=before,
        after=after,
    )
    return after


def list_users(session: Session) -> list[UserPublic]:
    return [
        UserPublic.model_validate(r)
        for r in session.scalars(select(UserRow).order_by(UserRow.name))
    ]


def authenticate(session: Session, token: str) -> Principal | None:
    """The active user holding `token`, or None."""
    row = session.scalar(select(UserRow).where(UserRow.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(id=row.id, name=row.name, role=Role(row.role))
