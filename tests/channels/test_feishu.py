"""Feishu/Lark custom bot: card and post payloads, body signature, result codes."""

import base64
import hashlib
import hmac

import pytest

from service.channels.feishu import FeishuPublisher, feishu_sign
from service.channels.model import ChannelName, Outcome, Receipt
from service.channels.transport import timeout_of
from tests.channels.receiver import Receiver, json_reply
from tests.channels.support import ZH_BODY, ZH_TITLE, make_message, send

HOOK = "0b4c7e2a-1111-2222-3333-444455556666"
SECRET = "feishu-secret-abc"
NOW = 1_767_225_600.9


def _send(
    rx: Receiver, msg_type: str = "interactive", secret: str | None = SECRET, language: str = "zh"
) -> Receipt:
    return send(
        lambda c: FeishuPublisher(
            c,
            base_url=f"{rx.base}/open-apis/bot/v2/hook/",
            timeout=timeout_of(5, 5),
            msg_type=msg_type,  # type: ignore[arg-type]
            clock=lambda: NOW,
        ),
        make_message(ChannelName.feishu, HOOK, secret=secret, language=language),
    )


def test_signed_interactive_card() -> None:
    with Receiver(lambda _: json_reply({"code": 0, "data": {}, "msg": "success"})) as rx:
        receipt = _send(rx)
    assert receipt.outcome == Outcome.delivered
    req = rx.only
    assert req.path == f"/open-apis/bot/v2/hook/{HOOK}"
    body = req.json()
    assert body["timestamp"] == "1767225600"  # seconds, as a string
    key = f"1767225600\n{SECRET}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected == feishu_sign(SECRET, 1767225600)
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"] == {"title": {"tag": "plain_text", "content": ZH_TITLE}}
    assert card["elements"][0] == {"tag": "div", "text": {"tag": "lark_md", "content": ZH_BODY}}
    assert card["elements"][1] == {
        "tag": "action",
        "actions": [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": "查看状态页"},
                "type": "default",
                "url": "https://status.example.com/incidents/inc-1",
            }
        ],
    }


def test_unsigned_post_message() -> None:
    with Receiver(lambda _: json_reply({"code": 0, "data": {}, "msg": "success"})) as rx:
        receipt = _send(rx, msg_type="post", secret=None, language="en")
    assert receipt.outcome == Outcome.delivered
    body = rx.only.json()
    assert "timestamp" not in body
    assert "sign" not in body
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["en_us"]
    assert post["title"] == "Payments partially unavailable"
    assert post["content"] == [
        [{"tag": "text", "text": "**Impact**: some payments fail."}],
        [{"tag": "text", "text": "Next update by 15:30 UTC."}],
        [{"tag": "a", "text": "Status page", "href": "https://status.example.com/incidents/inc-1"}],
    ]


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ({"StatusCode": 0, "StatusMessage": "success"}, Outcome.delivered),
        ({"code": 11232, "msg": "frequency limited"}, Outcome.retry),
        (
            {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"},
            Outcome.failed,
        ),
        ({"code": 19024, "msg": "Key Words Not Found"}, Outcome.failed),
        ({"code": 9499, "msg": "Bad Request"}, Outcome.failed),
    ],
)
def test_result_code_is_classified(reply: dict[str, object], outcome: Outcome) -> None:
    with Receiver(lambda _: json_reply(reply)) as rx:
        receipt = _send(rx)
    assert receipt.outcome == outcome
