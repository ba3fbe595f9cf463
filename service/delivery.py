"""The outbox worker: deliver each (update, channel, recipient) with retries, backoff, dead letters.

Claiming is a conditional UPDATE (state and lease checked in the WHERE clause), so two workers
never hold one row, on SQLite or PostgreSQL; PostgreSQL also skips rows another worker has locked.
A worker killed mid-send leaves its rows leased; when the lease lapses another worker sends them
again with the same idempotency key, which receivers use to drop the repeat.
"""

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service import subscribers
from service.channels.model import ChannelName, Message, Outcome, Receipt, Recipient
from service.channels.port import Publisher
from service.channels.registry import build_publishers
from service.config import Settings
from service.publishing import SUBSCRIBER, text_digest
from service.statuspage.strings import Strings
from service.statuspage.strings import load as load_strings
from service.store.tables import ChannelTargetRow, ConfirmationRow, DeliveryRow, SubscriberRow
from service.store.types import utcnow

log = logging.getLogger(__name__)


class DeliveryState(StrEnum):
    pending = "pending"
    sending = "sending"
    retry = "retry"
    delivered = "delivered"
    dead = "dead"


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    idempotency_key: str
    update_id: str
    channel: str
    language: str
    target_id: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_s: float = 2.0
    cap_s: float = 600.0

    def backoff(self, attempts: int, retry_after_s: float | None) -> timedelta:
        """Exponential, capped; a receiver's Retry-After wins when it asks for longer."""
        seconds = min(self.cap_s, self.base_s * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=max(seconds, retry_after_s or 0.0))


# Both outboxes share the columns the worker reads and writes.
Outbox = type[DeliveryRow] | type[ConfirmationRow]


@dataclass(frozen=True)
class SubscriberTexts:
    """What subscriber messages need beyond the outbox row: links, page name, token lifetime."""

    public_url: str
    page_name: str = "Herald status"
    token_ttl: timedelta = timedelta(hours=72)
    strings: Strings | None = None


@dataclass(frozen=True)
class Job:
    id: int
    attempts: int
    message: Message
    digest: str
    outbox: Outbox = DeliveryRow


class DeliveryWorker:
    """Claims due outbox rows, sends them through the channel publishers, records each outcome."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        publishers: Mapping[ChannelName, Publisher],
        *,
        policy: RetryPolicy = RetryPolicy(),
        lease_s: float = 60.0,
        batch: int = 20,
        status_page_url: str | None = None,
        subscriber_texts: SubscriberTexts | None = None,
    ) -> None:
        self.factory = factory
        self.publishers = publishers
        self.policy = policy
        self.lease = timedelta(seconds=lease_s)
        self.batch = batch
        self.status_page_url = status_page_url
        self.texts = subscriber_texts or SubscriberTexts(
            public_url=status_page_url or "http://127.0.0.1:8000"
        )

    def claim(self, now: datetime | None = None) -> list[Job]:
        """Lease up to `batch` due rows to this worker: updates first, then confirmations."""
        now = now or utcnow()
        jobs: list[Job] = []
        with self.factory() as session, session.begin():
            for row_id, attempt in self._lease(session, DeliveryRow, now, self.batch):
                row = session.get(DeliveryRow, row_id)
                job = self._delivery_job(session, row, attempt, now) if row else None
                if job is not None:
                    jobs.append(job)
            for row_id, attempt in self._lease(
                session, ConfirmationRow, now, self.batch - len(jobs)
            ):
                confirmation = session.get(ConfirmationRow, row_id)
                job = (
                    self._confirmation_job(session, confirmation, attempt, now)
                    if confirmation
                    else None
                )
                if job is not None:
                    jobs.append(job)
        return jobs

    def _lease(
        self, session: Session, outbox: Outbox, now: datetime, limit: int
    ) -> list[tuple[int, int]]:
        """(id, this attempt's number) of each due row of one outbox this worker now holds."""
        if limit <= 0:
            return []
        due = or_(
            outbox.state.in_([DeliveryState.pending.value, DeliveryState.retry.value]),
            (outbox.state == DeliveryState.sending.value) & (outbox.lease_until < now),
        )
        candidates = session.scalars(
            select(outbox)
            .where(due, outbox.next_attempt_at <= now)
            .order_by(outbox.next_attempt_at, outbox.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        leased: list[tuple[int, int]] = []
        for row in candidates:
            # select() over a union of two mapped classes is typed as their base class.
            row_id: int = row.id  # type: ignore[attr-defined]
            attempt: int = row.attempts + 1  # type: ignore[attr-defined]
            # Session.execute is typed as Result; an UPDATE gives a CursorResult (rowcount).
            claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                update(outbox)
                .where(outbox.id == row_id, due)
                .values(
                    state=DeliveryState.sending.value,
                    lease_until=now + self.lease,
                    attempts=outbox.attempts + 1,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:
                leased.append((row_id, attempt))
        return leased

    def _delivery_job(
        self, session: Session, row: DeliveryRow, attempt: int, now: datetime
    ) -> Job | None:
        if row.target_kind == SUBSCRIBER:
            recipient = self._subscriber(session, row.target_id, now)
            url = f"{self.texts.public_url.rstrip('/')}/incidents/{row.incident_id}"
            if recipient is None:
                self._finish(
                    session, DeliveryRow, row.id, DeliveryState.dead, now, "no longer subscribed"
                )
                return None
            return Job(
                id=row.id,
                attempts=attempt,
                digest=row.digest,
                message=self._message(row, recipient, url),
            )
        target = session.get(ChannelTargetRow, row.target_id)
        if target is None:
            self._finish(
                session, DeliveryRow, row.id, DeliveryState.dead, now, "target was deleted"
            )
            return None
        recipient = Recipient(address=target.address, secret=target.secret, name=target.name)
        return Job(
            id=row.id,
            attempts=attempt,
            digest=row.digest,
            message=self._message(row, recipient, self.status_page_url),
        )

    def _subscriber(self, session: Session, subscriber_id: str, now: datetime) -> Recipient | None:
        """A confirmed subscriber as a recipient, with a freshly minted unsubscribe link."""
        subscriber = session.get(SubscriberRow, subscriber_id)
        if subscriber is None or subscriber.state != subscribers.SubscriberState.confirmed.value:
            return None
        token = subscribers.mint_token(
            session,
            subscriber.id,
            subscribers.TokenPurpose.unsubscribe,
            ttl=subscribers.UNSUBSCRIBE_TTL,
            now=now,
        )
        return Recipient(
            address=subscriber.address,
            secret=subscriber.secret,
            unsubscribe_url=subscribers.unsubscribe_url(self.texts.public_url, token),
        )

    def _confirmation_job(
        self, session: Session, row: ConfirmationRow, attempt: int, now: datetime
    ) -> Job | None:
        """The confirmation message, its token minted now (only the hash is stored)."""
        subscriber = session.get(SubscriberRow, row.subscriber_id)
        if subscriber is None or subscriber.state != subscribers.SubscriberState.pending.value:
            self._finish(
                session, ConfirmationRow, row.id, DeliveryState.dead, now, "not pending any more"
            )
            return None
        kind = subscribers.SubscriberKind(subscriber.kind)
        purpose = (
            subscribers.TokenPurpose.code
            if kind is subscribers.SubscriberKind.sms
            else subscribers.TokenPurpose.confirm
        )
        ttl = self.texts.token_ttl
        token = subscribers.mint_token(session, subscriber.id, purpose, ttl=ttl, now=now)
        title, body = subscribers.confirmation_text(
            subscriber,
            self.texts.strings or load_strings(),
            page_name=self.texts.page_name,
            public_url=self.texts.public_url,
            token=token,
            ttl=ttl,
        )
        message = Message(
            idempotency_key=row.idempotency_key,
            incident_id="",
            update_id="",
            channel=ChannelName(kind.value),
            language="zh" if subscriber.language == "zh" else "en",
            title=title,
            body=body,
            status_page_url=None,
            recipient=Recipient(address=subscriber.address, secret=subscriber.secret),
        )
        return Job(
            id=row.id,
            attempts=attempt,
            digest=text_digest(title, body),
            message=message,
            outbox=ConfirmationRow,
        )

    def _message(self, row: DeliveryRow, recipient: Recipient, url: str | None) -> Message:
        return Message(
            idempotency_key=row.idempotency_key,
            incident_id=row.incident_id,
            update_id=row.update_id,
            channel=ChannelName(row.channel),
            language="zh" if row.language == "zh" else "en",
            title=row.title,
            body=row.body,
            status_page_url=url,
            recipient=recipient,
        )

    async def send(self, job: Job) -> Receipt:
        """One attempt; refuses text that is not what the outbox row's digest says."""
        if text_digest(job.message.title, job.message.body) != job.digest:
            return Receipt(outcome=Outcome.failed, detail="text does not match its approved digest")
        publisher = self.publishers.get(job.message.channel)
        if publisher is None:
            return Receipt(outcome=Outcome.retry, detail=f"{job.message.channel} not configured")
        try:
            return await publisher.publish(job.message)
        except Exception as exc:  # a publisher bug must not kill the worker; retry and log it
            log.exception("publisher %s raised", job.message.channel)
            return Receipt(outcome=Outcome.retry, detail=f"publisher error: {type(exc).__name__}")

    def record(self, job: Job, receipt: Receipt, now: datetime | None = None) -> DeliveryState:
        now = now or utcnow()
        if receipt.outcome is Outcome.delivered:
            state = DeliveryState.delivered
        elif receipt.outcome is Outcome.failed or job.attempts >= self.policy.max_attempts:
            state = DeliveryState.dead
        else:
            state = DeliveryState.retry
        with self.factory() as session, session.begin():
            self._finish(
                session,
                job.outbox,
                job.id,
                state,
                now,
                receipt.detail,
                receipt=receipt,
                retry_at=now + self.policy.backoff(job.attempts, receipt.retry_after_s),
            )
        log.info(
            "delivery %s %s on %s after %s attempt(s)",
            job.id,
            state.value,
            job.message.channel,
            job.attempts,
        )
        return state

    @staticmethod
    def _finish(
        session: Session,
        outbox: Outbox,
        delivery_id: int,
        state: DeliveryState,
        now: datetime,
        detail: str,
        *,
        receipt: Receipt | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        values: dict[str, object] = {
            "state": state.value,
            "lease_until": None,
            "updated_at": now,
            "last_error": None if state is DeliveryState.delivered else detail,
        }
        if receipt is not None:
            values["receipt"] = receipt.model_dump(mode="json")
        if state is DeliveryState.delivered:
            values["delivered_at"] = now
        if state is DeliveryState.retry and retry_at is not None:
            values["next_attempt_at"] = retry_at
        session.execute(update(outbox).where(outbox.id == delivery_id).values(**values))

    async def run_once(self) -> int:
        """Claim a batch and send it concurrently; returns how many were attempted."""
        jobs = await asyncio.to_thread(self.claim)
        receipts = await asyncio.gather(*(self.send(job) for job in jobs))
        for job, receipt in zip(jobs, receipts, strict=True):
            await asyncio.to_thread(self.record, job, receipt)
        return len(jobs)

    async def run_forever(self, stop: asyncio.Event, idle_s: float = 1.0) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception:  # keep the loop alive through a database hiccup
                log.exception("delivery loop failed; retrying")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=idle_s)


def list_deliveries(session: Session, draft_id: str) -> list[DeliveryPublic]:
    rows = session.scalars(
        select(DeliveryRow).where(DeliveryRow.draft_id == draft_id).order_by(DeliveryRow.id)
    )
    return [DeliveryPublic.model_validate(r) for r in rows]


def build_worker(
    settings: Settings, factory: sessionmaker[Session], client: httpx.AsyncClient
) -> DeliveryWorker:
    """The outbox worker the settings describe; `client` belongs to the caller's event loop."""
    return DeliveryWorker(
        factory,
        build_publishers(settings.channels, client=client),
        policy=RetryPolicy(
            max_attempts=settings.delivery_max_attempts, base_s=settings.delivery_backoff_s
        ),
        lease_s=settings.delivery_lease_s,
        status_page_url=settings.public_url,
        subscriber_texts=SubscriberTexts(
            public_url=settings.public_url,
            page_name=settings.status_page_name,
            token_ttl=timedelta(hours=settings.subscriber_token_ttl_h),
        ),
    )
