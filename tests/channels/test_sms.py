"""SMS: segment counting, the provider body template, and pre-send refusals."""

import pytest
from pydantic import SecretStr

from service.channels.config import SmsConfig
from service.channels.model import ChannelName, Outcome, Receipt
from service.channels.sms import HttpSmsPublisher, render_template, sms_encoding, sms_segments
from service.channels.text import short_ref
from tests.channels.receiver import Receiver, json_reply
from tests.channels.support import make_message, send

PHONE = "+8613800138000"


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 2),
        ("a" * 159 + "{", "GSM-7", 2),
        ("中" * 70, "UCS-2", 1),
        ("中" * 71, "UCS-2", 2),
        ("中" * 134, "UCS-2", 2),
        ("中" * 135, "UCS-2", 3),
        ("a" * 100 + "é" + "ç", "UCS-2", 2),  # ç is not in the GSM basic set (Ç is)
        ("Outage ✅", "UCS-2", 1),
    ],
)
def test_segments(text: str, encoding: str, segments: int) -> None:
    assert sms_encoding(text) == encoding
    assert sms_segments(text) == segments


def test_template_fills_placeholders_once_and_leaves_braces_in_text() -> None:
    template = {"msg": {"to": ["{to}"], "body": "{text}", "n": 1}, "src": "{sender}", "x": "{ref}"}
    values = {"to": PHONE, "text": "literal {to} and {ref}", "sender": "Herald", "ref": "r1"}
    assert render_template(template, values) == {
        "msg": {"to": [PHONE], "body": "literal {to} and {ref}", "n": 1},
        "src": "Herald",
        "x": "r1",
    }


def _send(rx: Receiver, body: str, address: str = PHONE, **config: object) -> Receipt:
    sms = SmsConfig(
        url=f"{rx.base}/v1/sms",
        auth_header="X-Api-Key",
        auth_value=SecretStr("key-123456"),
        sender_id="HERALD",
        message_id_field="data.message_id",
        **config,  # type: ignore[arg-type]
    )
    message = make_message(ChannelName.sms, address, body=body)
    return send(lambda c: HttpSmsPublisher(c, sms), message)


def test_provider_gets_the_rendered_template_and_auth_header() -> None:
    reply = {"data": {"message_id": "prov-42"}}
    text = "【Herald】支付服务部分不可用，15:30 前更新。"
    with Receiver(lambda _: json_reply(reply, 201)) as rx:
        receipt = _send(rx, text)
    assert receipt.outcome == Outcome.delivered
    assert receipt.provider_message_id == "prov-42"
    assert receipt.detail == "1 UCS-2 segment"
    req = rx.only
    assert req.path == "/v1/sms"
    assert req.headers["x-api-key"] == "key-123456"
    assert req.json() == {
        "to": PHONE,
        "text": text,
        "from": "HERALD",
        "ref": short_ref("upd-1:channel:recipient-1"),
    }


def test_too_many_segments_fail_before_any_request() -> None:
    with Receiver(lambda _: json_reply({})) as rx:
        receipt = _send(rx, "中" * 300, max_segments=4)
    assert receipt.outcome == Outcome.failed
    assert receipt.detail == "5 UCS-2 segments exceed the limit of 4"
    assert rx.requests == []


@pytest.mark.parametrize(
    "address", ["13800138000", "+0123456789", "+86 138 0013 8000", "tel:+86138"]
)
def test_non_e164_number_fails_before_any_request(address: str) -> None:
    with Receiver(lambda _: json_reply({})) as rx:
        receipt = _send(rx, "hello", address=address)
    assert receipt.outcome == Outcome.failed
    assert receipt.detail == "recipient is not an E.164 number"
    assert address not in receipt.detail
    assert rx.requests == []
