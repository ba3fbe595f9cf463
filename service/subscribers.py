"""Public subscribers: subscribe (double opt-in), confirm, unsubscribe, and who gets an update.

Tokens and SMS codes are random and stored only as SHA-256 hashes; the worker mints them when it
sends, so no raw token rests in the outbox. Addresses are stored (they are needed to send) but
never logged, never listed whole, and never put in an audit entry.
"""

import hashlib
import ipaddress
import logging
import re
import secrets
from datetime import datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.domain.enums import Language
from service.errors import ConflictError, FieldProblem, NotFoundError, ValidationFailed
from service.ids import new_id
from service.statuspage.strings import Strings
from service.store.tables import (
    ComponentRow,
    ConfirmationRow,
    SubscriberRow,
    SubscriberTokenRow,
)
from service.store.types import as_utc, utcnow

log = logging.getLogger(__name__)

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_CODE_ATTEMPTS = 5
UNSUBSCRIBE_TTL = timedelta(days=400)  # links in old emails keep working for a good while


class SubscriberKind(StrEnum):
    email = "email"
    sms = "sms"
    webhook = "webhook"


class SubscriberState(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    unsubscribed = "unsubscribed"


class TokenPurpose(StrEnum):
    confirm = "confirm"
    code = "code"
    unsubscribe = "unsubscribe"


class SubscribeBody(BaseModel):
    """A subscription request. Repeating it is harmless: it never sends more than one
    confirmation per resend interval and never changes a confirmed subscription."""

    model_config = ConfigDict(extra="forbid")

    kind: SubscriberKind
    address: str = Field(min_length=3, max_length=2000)
    component_ids: list[str] = Field(
        default_factory=list, max_length=200, description="Empty: every component."
    )
    language: Language = Language.en
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="Webhook only: the HMAC key you verify X-Herald-Signature with.",
    )


class SubscribeAccepted(BaseModel):
    """The same answer whether the address was new, pending or already confirmed."""

    kind: SubscriberKind
    address: str = Field(description="Masked.")
    detail: str


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str = Field(min_length=3, max_length=40, description="The E.164 number.")
    code: str = Field(min_length=4, max_length=12)


class SubscriptionChanged(BaseModel):
    kind: SubscriberKind
    address: str = Field(description="Masked.")
    state: SubscriberState
    language: Language


class SubscriberPublic(BaseModel):
    """What staff see: a masked contact, never the address or the webhook secret."""

    id: str
    kind: SubscriberKind
    address: str = Field(description="Masked.")
    language: Language
    component_ids: list[str]
    state: SubscriberState
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_hash(subscriber_id: str, code: str) -> str:
    return hash_secret(f"{subscriber_id}:{code}")


def normalise(kind: SubscriberKind, address: str, *, private_ok: bool = False) -> str:
    """The canonical form of an address, or a 422 naming what is wrong with it."""
    address = address.strip()
    problem = None
    if kind is SubscriberKind.email:
        try:
            parsed = Address(addr_spec=address)
            if not parsed.domain or "." not in parsed.domain:
                problem = "not an email address"
            address = f"{parsed.username}@{parsed.domain.lower()}"
        except (ValueError, IndexError, MessageError):
            problem = "not an email address"
    elif kind is SubscriberKind.sms:
        address = re.sub(r"[\s()-]", "", address)
        if not _E164.match(address):
            problem = "not an E.164 phone number such as +8613800138000"
    else:
        problem = _webhook_problem(address, private_ok=private_ok)
    if problem:
        raise ValidationFailed(f"address: {problem}", [FieldProblem("address", problem)])
    return address


def _webhook_problem(url: str, *, private_ok: bool) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "not a URL"
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "must be an http(s) URL"
    if parts.username or parts.password:
        return "must not carry credentials"
    if private_ok:
        return None
    if parts.scheme != "https":
        return "must use https"
    host = parts.hostname
    # A public endpoint must not make this server call into its own network (SSRF).
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        return "must be a public host"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    if not ip.is_global:
        return "must be a public host"
    return None


def mask(kind: SubscriberKind | str, address: str) -> str:
    """A contact shown to staff: enough to recognise, not enough to use."""
    kind = SubscriberKind(kind)
    if kind is SubscriberKind.email:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if kind is SubscriberKind.sms:
        return f"{address[:3]}{'*' * max(len(address) - 7, 3)}{address[-4:]}"
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.hostname}/…"


def address_hash(kind: SubscriberKind, address: str) -> str:
    return hash_secret(f"{kind.value}:{address}")


def _public(row: SubscriberRow) -> SubscriberPublic:
    return SubscriberPublic(
        id=row.id,
        kind=SubscriberKind(row.kind),
        address=mask(row.kind, row.address),
        language=Language(row.language),
        component_ids=list(row.component_ids),
        state=SubscriberState(row.state),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        unsubscribed_at=row.unsubscribed_at,
    )


def _check_components(session: Session, ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        return []
    found = set(session.scalars(select(ComponentRow.id).where(ComponentRow.id.in_(unique))))
    problems = [
        FieldProblem(f"component_ids/{i}", f"no component {cid!r}")
        for i, cid in enumerate(unique)
        if cid not in found
    ]
    if problems:
        raise ValidationFailed("unknown component", problems)
    return unique


def _queue_confirmation(session: Session, row: SubscriberRow, now: datetime) -> None:
    session.add(
        ConfirmationRow(
            idempotency_key=f"confirm:{row.id}:{new_id()}",
            subscriber_id=row.id,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    row.confirmation_sent_at = now


def subscribe(
    session: Session,
    body: SubscribeBody,
    *,
    resend_s: float,
    private_ok: bool = False,
    now: datetime | None = None,
) -> SubscribeAccepted:
    """Record a pending subscription and queue its confirmation (idempotent per address)."""
    now = now or utcnow()
    kind = body.kind
    address = normalise(kind, body.address, private_ok=private_ok)
    if kind is SubscriberKind.webhook and not body.secret:
        raise ValidationFailed(
            "a webhook subscription needs a signing secret",
            [FieldProblem("secret", "required for webhooks (16+ characters)")],
        )
    components = _check_components(session, body.component_ids)
    digest = address_hash(kind, address)
    row = _find(session, kind, digest)
    if row is None:
        row = SubscriberRow(
            id=new_id(),
            kind=kind.value,
            address=address,
            address_hash=digest,
            language=body.language.value,
            state=SubscriberState.pending.value,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            # The same address subscribed concurrently: carry on with that row.
            found = _find(session, kind, digest)
            assert found is not None
            row = found
    if row.state != SubscriberState.confirmed.value:
        # Unconfirmed settings are harmless to replace; a confirmed subscription is never
        # changed by an unauthenticated request.
        row.language = body.language.value
        row.component_ids = components
        row.secret = body.secret if kind is SubscriberKind.webhook else None
        row.state = SubscriberState.pending.value
        row.code_attempts = 0
        row.unsubscribed_at = None
        row.updated_at = now
        last = as_utc(row.confirmation_sent_at)
        if last is None or (now - last).total_seconds() >= resend_s:
            _queue_confirmation(session, row, now)
            audit.record(
                session,
                actor=f"subscriber:{row.id}",
                action="subscriber.subscribe",
                object_type="subscriber",
                object_id=row.id,
                detail={"kind": kind.value, "components": components, "language": row.language},
            )
    log.info("subscription request for subscriber %s (%s)", row.id, kind.value)
    return SubscribeAccepted(
        kind=kind,
        address=mask(kind, address),
        detail="If the address is valid, a confirmation is on its way.",
    )


def _find(session: Session, kind: SubscriberKind, digest: str) -> SubscriberRow | None:
    return session.scalar(
        select(SubscriberRow).where(
            SubscriberRow.kind == kind.value, SubscriberRow.address_hash == digest
        )
    )


def mint_token(
    session: Session,
    subscriber_id: str,
    purpose: TokenPurpose,
    *,
    ttl: timedelta,
    now: datetime | None = None,
) -> str:
    """A new random token (or 6-digit code) for a subscriber; only its hash is stored."""
    now = now or utcnow()
    if purpose is TokenPurpose.code:
        token = f"{secrets.randbelow(1_000_000):06d}"
        digest = _code_hash(subscriber_id, token)
    else:
        token = secrets.token_urlsafe(32)
        digest = hash_secret(token)
    session.add(
        SubscriberTokenRow(
            subscriber_id=subscriber_id,
            purpose=purpose.value,
            token_hash=digest,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return token


def _valid_token(
    session: Session, digest: str, purposes: set[TokenPurpose], now: datetime
) -> SubscriberTokenRow | None:
    row = session.scalar(select(SubscriberTokenRow).where(SubscriberTokenRow.token_hash == digest))
    if row is None or TokenPurpose(row.purpose) not in purposes:
        return None
    if row.expires_at <= now:
        return None
    return row


def _confirm(session: Session, row: SubscriberRow, now: datetime, how: str) -> None:
    if row.state == SubscriberState.pending.value:
        row.state = SubscriberState.confirmed.value
        row.confirmed_at = now
        row.updated_at = now
        audit.record(
            session,
            actor=f"subscriber:{row.id}",
            action="subscriber.confirm",
            object_type="subscriber",
            object_id=row.id,
            detail={"via": how},
        )


def _changed(row: SubscriberRow) -> SubscriptionChanged:
    return SubscriptionChanged(
        kind=SubscriberKind(row.kind),
        address=mask(row.kind, row.address),
        state=SubscriberState(row.state),
        language=Language(row.language),
    )


_INVALID_LINK = "this link is invalid or has expired; subscribe again for a new one"


def confirm(session: Session, token: str, *, now: datetime | None = None) -> SubscriptionChanged:
    """Confirm with the token from an email link or a webhook ping (single use)."""
    now = now or utcnow()
    found = _valid_token(session, hash_secret(token), {TokenPurpose.confirm}, now)
    if found is None or found.used_at is not None:
        raise NotFoundError(_INVALID_LINK)
    subscriber = session.get(SubscriberRow, found.subscriber_id)
    assert subscriber is not None  # tokens cascade with their subscriber
    if subscriber.state == SubscriberState.unsubscribed.value:
        raise NotFoundError(_INVALID_LINK)
    found.used_at = now
    _confirm(session, subscriber, now, "link")
    return _changed(subscriber)


def wrong_code() -> ValidationFailed:
    return ValidationFailed("the code is wrong or has expired", [FieldProblem("code", "wrong")])


def confirm_code(
    session: Session, body: CodeBody, *, now: datetime | None = None
) -> SubscriptionChanged | None:
    """Confirm an SMS subscription with the code sent to the phone (a few tries only).

    None means a wrong code: the caller commits (so the failed try counts), then refuses."""
    now = now or utcnow()
    address = normalise(SubscriberKind.sms, body.address)
    row = _find(session, SubscriberKind.sms, address_hash(SubscriberKind.sms, address))
    if row is None or row.state == SubscriberState.unsubscribed.value:
        return None
    if row.state == SubscriberState.confirmed.value:
        return _changed(row)
    if row.code_attempts >= MAX_CODE_ATTEMPTS:
        raise ConflictError(
            "too many wrong codes; subscribe again to get a new one",
            [FieldProblem("code", "attempts exhausted")],
        )
    found = _valid_token(session, _code_hash(row.id, body.code.strip()), {TokenPurpose.code}, now)
    if found is None or found.used_at is not None:
        row.code_attempts += 1
        return None
    found.used_at = now
    _confirm(session, row, now, "code")
    return _changed(row)


def unsubscribe(
    session: Session, token: str, *, now: datetime | None = None
) -> SubscriptionChanged:
    """Stop every message to this subscriber. Repeating it is harmless."""
    now = now or utcnow()
    found = _valid_token(session, hash_secret(token), {TokenPurpose.unsubscribe}, now)
    if found is None:
        raise NotFoundError("this unsubscribe link is invalid or has expired")
    row = session.get(SubscriberRow, found.subscriber_id)
    assert row is not None
    if row.state != SubscriberState.unsubscribed.value:
        row.state = SubscriberState.unsubscribed.value
        row.unsubscribed_at = now
        row.updated_at = now
        audit.record(
            session,
            actor=f"subscriber:{row.id}",
            action="subscriber.unsubscribe",
            object_type="subscriber",
            object_id=row.id,
        )
    return _changed(row)


def list_subscribers(
    session: Session, *, state: SubscriberState | None = None, limit: int = 100, offset: int = 0
) -> list[SubscriberPublic]:
    """Masked, newest first."""
    query = select(SubscriberRow).order_by(SubscriberRow.created_at.desc(), SubscriberRow.id)
    if state is not None:
        query = query.where(SubscriberRow.state == state.value)
    return [_public(r) for r in session.scalars(query.limit(limit).offset(offset))]


def recipients(session: Session, component_ids: set[str]) -> list[SubscriberRow]:
    """Confirmed subscribers of any of these components, or of everything."""
    rows = session.scalars(
        select(SubscriberRow)
        .where(SubscriberRow.state == SubscriberState.confirmed.value)
        .order_by(SubscriberRow.id)
    )
    return [r for r in rows if not r.component_ids or component_ids & set(r.component_ids)]


def confirmation_text(
    row: SubscriberRow,
    strings: Strings,
    *,
    page_name: str,
    public_url: str,
    token: str,
    ttl: timedelta,
) -> tuple[str, str]:
    """Title and body of a confirmation; `token` is a link token, or the code for SMS."""
    words = strings.of(Language(row.language))
    url = f"{public_url.rstrip('/')}/v1/public/subscribers/confirm?token={token}"
    title = words.confirm_title.format(page=page_name)
    kind = SubscriberKind(row.kind)
    if kind is SubscriberKind.sms:
        hours = f"{ttl.total_seconds() / 3600:g}"
        return "", words.confirm_sms.format(page=page_name, code=token, hours=hours)
    template = words.confirm_email if kind is SubscriberKind.email else words.confirm_webhook
    return title, template.format(page=page_name, url=url)


def unsubscribe_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/v1/public/subscribers/unsubscribe?token={token}"
