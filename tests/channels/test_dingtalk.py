"""DingTalk custom robot: markdown payload, token + timestamp + sign in the query, errcodes."""

import base64
import hashlib
import hmac

import pytest

from service.channels.dingtalk import DingTalkPublisher, dingtalk_sign
from service.channels.model import ChannelName, Outcome, Receipt
from service.channels.transport import timeout_of
from tests.channels.receiver import Receiver, Reply, json_reply
from tests.channels.support import EN_BODY, EN_TITLE, make_message, send

TOKEN = "c3a1f0e9d8b7a6c5e4f3a2b1"
SECRET = "SEC0123456789abcdef0123456789abcdef"
NOW = 1_767_225_600.123


def _send(rx: Receiver, address: str, secret: str | None) -> Receipt:
    return send(
        lambda c: DingTalkPublisher(
            c, base_url=f"{rx.base}/robot/send", timeout=timeout_of(5, 5), clock=lambda: NOW
        ),
        make_message(ChannelName.dingtalk, address, secret=secret, language="en"),
    )


def test_signed_markdown_message() -> None:
    with Receiver(lambda _: json_reply({"errcode": 0, "errmsg": "ok"})) as rx:
        receipt = _send(rx, TOKEN, SECRET)
    assert receipt.outcome == Outcome.delivered
    req = rx.only
    assert req.path == "/robot/send"
    assert req.query["access_token"] == [TOKEN]
    assert req.query["timestamp"] == ["1767225600123"]  # milliseconds
    # The receiver's own check, as DingTalk documents it (parse_qs undoes the URL-encoding).
    string_to_sign = f"1767225600123\n{SECRET}".encode()
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), string_to_sign, hashlib.sha256).digest()
    ).decode()
    assert req.query["sign"] == [expected]
    assert dingtalk_sign(SECRET, 1767225600123) == expected
    body = req.json()
    assert body == {
        "msgtype": "markdown",
        "markdown": {
            "title": EN_TITLE,
            "text": f"#### {EN_TITLE}\n\n{EN_BODY}\n\n"
            "[Status page](https://status.example.com/incidents/inc-1)",
        },
    }


def test_sign_with_url_unsafe_base64_survives_the_query() -> None:
    # Find a timestamp whose signature contains '+' or '/', which must be percent-encoded.
    ts = next(t for t in range(1000, 2000) if set(dingtalk_sign(SECRET, t)) & {"+", "/"})
    seen: list[str] = []

    def respond(req: object) -> Reply:
        seen.append(req.query["sign"][0])  # type: ignore[attr-defined]
        return json_reply({"errcode": 0, "errmsg": "ok"})

    with Receiver(respond) as rx:
        receipt = send(
            lambda c: DingTalkPublisher(
                c,
                base_url=f"{rx.base}/robot/send",
                timeout=timeout_of(5, 5),
                clock=lambda: (ts + 0.5) / 1000,
            ),
            make_message(ChannelName.dingtalk, TOKEN, secret=SECRET),
        )
    assert receipt.outcome == Outcome.delivered
    assert seen == [dingtalk_sign(SECRET, ts)]


def test_unsigned_robot_sends_no_timestamp_or_sign() -> None:
    with Receiver(lambda _: json_reply({"errcode": 0, "errmsg": "ok"})) as rx:
        receipt = _send(rx, f"{rx.base}/robot/send?access_token={TOKEN}", None)
    assert receipt.outcome == Outcome.delivered
    assert rx.only.query == {"access_token": [TOKEN]}


@pytest.mark.parametrize(
    ("reply", "outcome", "retry_after"),
    [
        (
            {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
            Outcome.retry,
            600.0,
        ),
        ({"errcode": 410100, "errmsg": "send too fast"}, Outcome.retry, 600.0),
        ({"errcode": -1, "errmsg": "system busy"}, Outcome.retry, None),
        ({"errcode": 310000, "errmsg": "sign not match"}, Outcome.failed, None),
        ({"errcode": 300001, "errmsg": "token is not exist"}, Outcome.failed, None),
    ],
)
def test_errcode_is_classified(
    reply: dict[str, object], outcome: Outcome, retry_after: float | None
) -> None:
    with Receiver(lambda _: json_reply(reply)) as rx:
        receipt = _send(rx, TOKEN, SECRET)
    assert receipt.outcome == outcome
    assert receipt.retry_after_s == retry_after
    assert receipt.detail.startswith(f"code {reply['errcode']}")
