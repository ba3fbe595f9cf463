"""Every HTTP adapter against a real loopback receiver: success and each scripted failure."""

import logging
import socket

import pytest

from service.channels.logs import install_redaction
from service.channels.model import ChannelName, Outcome
from tests.channels.adapters import HTTP_CHANNELS, SUCCESS_BODY, target
from tests.channels.receiver import HANG, Captured, Receiver, Reply, text_reply
from tests.channels.support import send


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
def test_success_is_delivered_and_logs_stay_clean(
    channel: ChannelName, caplog: pytest.LogCaptureFixture
) -> None:
    content_type, body = SUCCESS_BODY[channel]
    install_redaction()
    caplog.set_level(logging.DEBUG)
    with Receiver(lambda _: Reply(200, body, {"Content-Type": content_type})) as rx:
        t = target(channel, rx.base)
        receipt = send(t.build, t.message)
    assert receipt.outcome == Outcome.delivered, receipt
    assert receipt.status_code == 200
    assert len(rx.requests) == 1
    # httpx logged the request (so the check below is not vacuous) with its URL redacted.
    assert any(r.name == "httpx" for r in caplog.records)
    logged = caplog.text + receipt.model_dump_json()
    for value in t.sensitive:
        assert value not in logged


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
@pytest.mark.parametrize(
    ("reply", "outcome", "retry_after"),
    [
        (text_reply("boom", 500), Outcome.retry, None),
        (text_reply("busy", 503, **{"Retry-After": "7"}), Outcome.retry, 7.0),
        (text_reply("slow down", 429, **{"Retry-After": "2"}), Outcome.retry, 2.0),
        (text_reply("invalid_payload", 400), Outcome.failed, None),
        (text_reply("action_prohibited", 403), Outcome.failed, None),
        (Reply(302, b"", {"Location": "https://elsewhere.example/"}), Outcome.failed, None),
    ],
    ids=["500", "503-retry-after", "429-retry-after", "400", "403", "302"],
)
def test_http_status_is_classified(
    channel: ChannelName, reply: Reply, outcome: Outcome, retry_after: float | None
) -> None:
    with Receiver(lambda _: reply) as rx:
        t = target(channel, rx.base)
        receipt = send(t.build, t.message)
    assert receipt.outcome == outcome
    assert receipt.status_code == reply.status
    assert receipt.retry_after_s == retry_after
    assert len(rx.requests) == 1  # one attempt: retrying is the worker's job


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
def test_receiver_that_hangs_past_the_timeout_is_retried(channel: ChannelName) -> None:
    def respond(_: Captured) -> Reply:
        return HANG

    with Receiver(respond) as rx:
        t = target(channel, rx.base, timeout_s=0.3)
        receipt = send(t.build, t.message)
    assert receipt.outcome == Outcome.retry
    assert receipt.detail.startswith("timeout")
    assert receipt.status_code is None


@pytest.mark.parametrize("channel", HTTP_CHANNELS)
def test_refused_connection_is_retried(channel: ChannelName) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    t = target(channel, f"http://127.0.0.1:{port}")
    receipt = send(t.build, t.message)
    assert receipt.outcome == Outcome.retry
    assert receipt.detail.startswith("transport error")
