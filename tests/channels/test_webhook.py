"""Generic signed webhook: exact document, headers, and a receiver that verifies the signature."""

import hashlib
import hmac
import json

import pytest

from service.channels.model import ChannelName, Outcome
from service.channels.transport import timeout_of
from service.channels.webhook import SignedWebhookPublisher, sign, verify_signature
from tests.channels.receiver import Captured, Receiver, Reply, json_reply, text_reply
from tests.channels.support import ZH_BODY, ZH_TITLE, make_message, send

SECRET = "whsec-test-secret-123"
NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def verifying_receiver(secret: str) -> Receiver:
    """A receiver that answers 202 only to correctly signed requests (401 otherwise)."""

    def respond(req: Captured) -> Reply:
        ok = verify_signature(
            secret,
            req.headers["x-herald-timestamp"],
            req.body,
            req.headers["x-herald-signature"],
            tolerance_s=300,
            now=NOW + 5,
        )
        return json_reply({"id": "rcv-77"}, 202) if ok else text_reply("bad signature", 401)

    return Receiver(respond)


def test_signed_document_reaches_a_verifying_receiver() -> None:
    with verifying_receiver(SECRET) as rx:
        message = make_message(ChannelName.webhook, f"{rx.base}/hook", secret=SECRET)
        receipt = send(
            lambda c: SignedWebhookPublisher(c, timeout=timeout_of(5, 5), clock=lambda: NOW),
            message,
        )
    assert receipt.outcome == Outcome.delivered
    assert receipt.status_code == 202
    assert receipt.provider_message_id == "rcv-77"
    req = rx.only
    assert req.path == "/hook"
    assert req.headers["content-type"].startswith("application/json")
    assert req.headers["idempotency-key"] == message.idempotency_key
    assert req.headers["x-herald-timestamp"] == "1767225600"
    expected = hmac.new(SECRET.encode(), b"1767225600." + req.body, hashlib.sha256).hexdigest()
    assert req.headers["x-herald-signature"] == f"sha256={expected}"
    assert req.json() == {
        "id": message.idempotency_key,
        "incident_id": "inc-1",
        "update_id": "upd-1",
        "channel": "webhook",
        "language": "zh",
        "title": ZH_TITLE,
        "body": ZH_BODY,
        "status_page_url": "https://status.example.com/incidents/inc-1",
        "sent_at": "2026-01-01T00:00:00Z",
    }
    assert "支付" in req.body.decode("utf-8")  # UTF-8 on the wire, not \u escapes


def test_receiver_rejects_a_wrong_secret_and_the_adapter_reports_failed() -> None:
    with verifying_receiver("another-secret") as rx:
        message = make_message(ChannelName.webhook, f"{rx.base}/hook", secret=SECRET)
        receipt = send(
            lambda c: SignedWebhookPublisher(c, timeout=timeout_of(5, 5), clock=lambda: NOW),
            message,
        )
    assert receipt.outcome == Outcome.failed
    assert receipt.status_code == 401


def test_verify_signature_rejects_tampering_staleness_and_garbage() -> None:
    body = json.dumps({"a": 1}).encode()
    header = sign(SECRET, "1000", body)
    assert verify_signature(SECRET, "1000", body, header, tolerance_s=300, now=1100)
    assert not verify_signature(SECRET, "1000", body + b" ", header, tolerance_s=300, now=1100)
    assert not verify_signature(SECRET, "1001", body, header, tolerance_s=300, now=1100)
    assert not verify_signature("other", "1000", body, header, tolerance_s=300, now=1100)
    assert not verify_signature(SECRET, "1000", body, header, tolerance_s=300, now=1400)
    assert not verify_signature(SECRET, "soon", body, header, tolerance_s=300, now=1100)


@pytest.mark.parametrize(
    ("address", "secret", "detail"),
    [
        ("https://hooks.example.com/x", None, "recipient has no signing secret"),
        ("ftp://hooks.example.com/x", SECRET, "recipient address is not an http(s) URL"),
    ],
)
def test_unsendable_recipient_fails_without_a_request(
    address: str, secret: str | None, detail: str
) -> None:
    with Receiver(lambda _: json_reply({})) as rx:
        message = make_message(ChannelName.webhook, address, secret=secret)
        receipt = send(lambda c: SignedWebhookPublisher(c, timeout=timeout_of(1, 1)), message)
    assert receipt.outcome == Outcome.failed
    assert receipt.detail == detail
    assert rx.requests == []
