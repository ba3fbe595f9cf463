"""Feedback intake: validate, refuse under backpressure, insert idempotently, acknowledge.

Posts are stored unscored; a scoring worker picks them up. Nothing here logs a post's text.
"""

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.errors import FieldProblem, ServiceError, ValidationFailed
from service.feedback.model import MAX_BATCH, FeedbackIn, IntakeReceipt
from service.store.db import insert_skipping_conflicts
from service.store.tables import FeedbackPostRow, IncidentRow
from service.store.types import utcnow

_ITEMS = TypeAdapter(list[FeedbackIn])
_ONE = TypeAdapter(FeedbackIn)


@dataclass
class Backpressure(ServiceError):
    """The scoring backlog is over its bound: try again after `retry_after_s`."""

    retry_after_s: int = 1
    status = 429
    title = "Too many requests"
    type_slug = "backpressure"


def hash_author(author: str, secret: str) -> str:
    """HMAC-SHA256 of an author handle: stable for counting repeat authors, not reversible."""
    return hmac.new(secret.encode(), author.encode(), hashlib.sha256).hexdigest()


def _problems(exc: ValidationError, prefix: str) -> list[FieldProblem]:
    return [
        FieldProblem("/".join([prefix, *(str(p) for p in e["loc"])]).strip("/"), e["msg"])
        for e in exc.errors()
    ]


def parse_body(body: Any) -> list[FeedbackIn]:
    """A single post object, `{"items": [...]}` or a bare list; field paths name the item."""
    if isinstance(body, dict) and set(body) == {"items"}:
        body = body["items"]
    if isinstance(body, list):
        if len(body) > MAX_BATCH:
            raise ValidationFailed(
                f"a batch holds at most {MAX_BATCH} posts, this one {len(body)}",
                [FieldProblem("items", f"at most {MAX_BATCH} posts per request")],
            )
        if not body:
            raise ValidationFailed("no posts", [FieldProblem("items", "must not be empty")])
        try:
            return _ITEMS.validate_python(body)
        except ValidationError as exc:
            raise ValidationFailed("invalid posts", _problems(exc, "items")) from exc
    try:
        return [_ONE.validate_python(body)]
    except ValidationError as exc:
        raise ValidationFailed("invalid post", _problems(exc, "")) from exc


def backlog(session: Session) -> int:
    """How many stored posts await scoring."""
    return (
        session.scalar(
            select(func.count())
            .select_from(FeedbackPostRow)
            .where(FeedbackPostRow.scored_at.is_(None))
        )
        or 0
    )


def _check_incidents(session: Session, items: Sequence[FeedbackIn]) -> None:
    named = {i.incident_id for i in items if i.incident_id}
    if not named:
        return
    known = set(session.scalars(select(IncidentRow.id).where(IncidentRow.id.in_(named))))
    problems = [
        FieldProblem(f"items/{n}/incident_id", f"no incident {item.incident_id!r}")
        for n, item in enumerate(items)
        if item.incident_id and item.incident_id not in known
    ]
    if problems:
        raise ValidationFailed("unknown incident", problems)


def ingest(
    session: Session,
    items: Sequence[FeedbackIn],
    *,
    secret: str,
    backlog_limit: int,
    retry_after_s: int,
    now: datetime | None = None,
) -> IntakeReceipt:
    """Insert new posts, skip known (source, external_id); the caller commits before answering."""
    waiting = backlog(session)
    if waiting >= backlog_limit:
        raise Backpressure(
            f"{waiting} posts await scoring (bound {backlog_limit}); retry later",
            retry_after_s=retry_after_s,
        )
    _check_incidents(session, items)
    now = now or utcnow()
    unique = {(i.source, i.external_id): i for i in items}
    rows = [
        {
            "source": item.source,
            "external_id": item.external_id,
            "author_hash": hash_author(item.author, secret),
            "text": item.text,
            "lang": item.lang,
            "url": item.url,
            "created_at": item.created_at,
            "received_at": now,
            "explicit_incident": item.incident_id is not None,
            "incident_id": item.incident_id,
            "link_confidence": 1.0 if item.incident_id else None,
        }
        for item in unique.values()
    ]
    inserted = session.execute(
        insert_skipping_conflicts(session, FeedbackPostRow, ["source", "external_id"]).returning(
            FeedbackPostRow.id
        ),
        rows,
    ).all()
    return IntakeReceipt(accepted=len(inserted), duplicates=len(items) - len(inserted))
