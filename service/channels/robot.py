"""The shared path of the chat robots: resolve the URL, POST the JSON, classify the reply."""

import json
from collections.abc import Callable
from typing import Any

import httpx

from service.channels.addressing import AddressError
from service.channels.codes import vendor_codes
from service.channels.logs import log_receipt
from service.channels.model import Message, Outcome, Receipt
from service.channels.transport import classify_status, post


def encode_json(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (Chinese stays readable and within the vendors' byte budgets)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def deliver(
    client: httpx.AsyncClient,
    message: Message,
    *,
    vendor: str,
    url: Callable[[], httpx.URL],
    payload: Callable[[], dict[str, Any]],
    timeout: httpx.Timeout,
) -> Receipt:
    """POST one robot message and classify the reply with the vendor's code table."""
    secret = message.recipient.secret
    try:
        target = url()
    except AddressError as exc:
        receipt = Receipt(outcome=Outcome.failed, detail=str(exc))
    else:
        reply = await post(
            client,
            target,
            content=encode_json(payload()),
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=timeout,
        )
        if isinstance(reply, Receipt):
            receipt = reply
        else:
            receipt = classify_status(reply) or vendor_codes()[vendor].classify(
                reply.json(), reply.status, message.recipient.address, str(target), secret
            )
    log_receipt(message, receipt)
    return receipt
