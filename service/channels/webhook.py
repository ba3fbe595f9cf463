"""Generic outgoing webhook, signed with HMAC-SHA256 so receivers can trust and dedupe it.

Body: {id, incident_id, update_id, channel, language, title, body, status_page_url, sent_at}.
Headers: `X-Herald-Timestamp` (Unix seconds), `X-Herald-Signature: sha256=<hex HMAC-SHA256 of
"{timestamp}.{raw body}" keyed by the recipient's secret>`, `Idempotency-Key`. The scheme follows
the timestamped-signature pattern of Stripe and Slack request signing
(https://docs.stripe.com/webhooks#verify-manually), so replayed or altered bodies are rejected.
Receivers verify with `verify_signature`.
"""

import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from service.channels.logs import log_receipt, scrub
from service.channels.model import ChannelName, Message, Outcome, Receipt
from service.channels.robot import encode_json
from service.channels.transport import classify_status, post

SIGNATURE_HEADER = "X-Herald-Signature"
TIMESTAMP_HEADER = "X-Herald-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: "sha256=" + hex HMAC-SHA256 of "{timestamp}.{body}"."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    tolerance_s: float = 300,
    now: float | None = None,
) -> bool:
    """True when `header` signs `body` at `timestamp` and the timestamp is within tolerance."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header.strip())


def webhook_payload(message: Message, sent_at: datetime) -> dict[str, Any]:
    """The JSON document a receiver gets."""
    return {
        "id": message.idempotency_key,
        "incident_id": message.incident_id,
        "update_id": message.update_id,
        "channel": message.channel.value,
        "language": message.language,
        "title": message.title,
        "body": message.body,
        "status_page_url": message.status_page_url,
        "sent_at": sent_at.isoformat().replace("+00:00", "Z"),
    }


class SignedWebhookPublisher:
    """POSTs the signed JSON document to the recipient's URL."""

    channel = ChannelName.webhook

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        timeout: httpx.Timeout,
        clock: Callable[[], float] = time.time,
    ):
        self._client = client
        self._timeout = timeout
        self._clock = clock

    async def publish(self, message: Message) -> Receipt:
        """Send once; 2xx is delivered, 408/425/429/5xx and transport errors are retried."""
        receipt = await self._send(message)
        log_receipt(message, receipt)
        return receipt

    async def _send(self, message: Message) -> Receipt:
        secret = message.recipient.secret
        if not secret:
            return Receipt(outcome=Outcome.failed, detail="recipient has no signing secret")
        address = message.recipient.address
        if not address.startswith(("https://", "http://")):
            return Receipt(outcome=Outcome.failed, detail="recipient address is not an http(s) URL")
        now = self._clock()
        timestamp = str(int(now))
        body = encode_json(webhook_payload(message, datetime.fromtimestamp(now, UTC)))
        reply = await post(
            self._client,
            address,
            content=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(secret, timestamp, body),
                IDEMPOTENCY_HEADER: message.idempotency_key,
            },
            timeout=self._timeout,
        )
        if isinstance(reply, Receipt):
            return reply
        failure = classify_status(reply)
        if failure is not None:
            return failure
        return Receipt(
            outcome=Outcome.delivered,
            status_code=reply.status,
            provider_message_id=_receiver_id(reply.json(), address, secret),
            detail="ok",
        )


def _receiver_id(reply: Any, *sensitive: str) -> str | None:
    """The receiver's own id for the delivery, when its JSON reply offers one."""
    if isinstance(reply, dict) and isinstance(reply.get("id"), str | int):
        return scrub(str(reply["id"]), *sensitive, limit=128)
    return None
