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

from service.channels.model import ChannelName, Message, Outcome, Receipt, Recipient
from service.channels.port import Publisher
from service.channels.registry import build_publishers
from service.config import Settings
from service.publishing import text_digest
from service.store.tables import ChannelTargetRow, DeliveryRow
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


@dataclass(frozen=True)
class Job:
    id: int
    attempts: int
    message: Message
    digest: str


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
    ) -> None:
        self.factory = factory
        self.publishers = publishers
        self.policy = policy
        self.lease = timedelta(seconds=lease_s)
        self.batch = batch
        self.status_page_url = status_page_url

    def claim(self, now: datetime | None = None) -> list[Job]:
        """Lease up to `batch` due rows to this worker."""
        now = now or utcnow()
        due = or_(
            DeliveryRow.state.in_([DeliveryState.pending.value, DeliveryState.retry.value]),
            (DeliveryRow.state == DeliveryState.sending.value) & (DeliveryRow.lease_until < now),
        )
        jobs: list[Job] = []
        with self.factory() as session, session.begin():
            candidates = session.scalars(
                select(DeliveryRow)
                .where(due, DeliveryRow.next_attempt_at <= now)
                .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            for row in candidates:
                # Session.execute is typed as Result; an UPDATE gives a CursorResult (rowcount).
                claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                    update(DeliveryRow)
                    .where(DeliveryRow.id == row.id, due)
                    .values(
                        state=DeliveryState.sending.value,
                        lease_until=now + self.lease,
                        attempts=DeliveryRow.attempts + 1,
                        updated_at=now,
                    )
                    .execution_options(synchronize_session=False)
                )
                if claimed.rowcount != 1:
                    continue
                target = session.get(ChannelTargetRow, row.target_id)
                if target is None:
                    self._finish(session, row.id, DeliveryState.dead, now, "target was deleted")
                    continue
                jobs.append(
                    Job(
                        id=row.id,
                        attempts=row.attempts + 1,
                        digest=row.digest,
                        message=self._message(row, target),
                    )
                )
        return jobs

    def _message(self, row: DeliveryRow, target: ChannelTargetRow) -> Message:
        return Message(
            idempotency_key=row.idempotency_key,
            incident_id=row.incident_id,
            update_id=row.update_id,
            channel=ChannelName(row.channel),
            language="zh" if row.language == "zh" else "en",
            title=row.title,
            body=row.body,
            status_page_url=self.status_page_url,
            recipient=Recipient(address=target.address, secret=target.secret, name=target.name),
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
        session.execute(update(DeliveryRow).where(DeliveryRow.id == delivery_id).values(**values))

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
    )
