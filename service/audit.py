"""The append-only audit log: who changed what, when, with digests of before and after."""

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.store.tables import AuditRow


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    digest_before: str | None
    digest_after: str | None
    detail: dict[str, Any]


def digest(value: BaseModel | dict[str, Any] | None) -> str | None:
    """SHA-256 of the canonical JSON form of a value; None stays None."""
    if value is None:
        return None
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: BaseModel | dict[str, Any] | None = None,
    after: BaseModel | dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction, so it commits or rolls back with the change."""
    session.add(
        AuditRow(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            digest_before=digest(before),
            digest_after=digest(after),
            detail=detail or {},
        )
    )


def list_entries(
    session: Session,
    *,
    object_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """Newest first; page backwards with `before_id`."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if object_id is not None:
        query = query.where(AuditRow.object_id == object_id)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    return [AuditEntry.model_validate(row) for row in session.scalars(query)]
