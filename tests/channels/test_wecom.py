"""WeCom group robot: documented markdown payload, key in the query, errcode classification."""

import pytest

from service.channels.model import ChannelName, Outcome
from service.channels.transport import timeout_of
from service.channels.wecom import MAX_CONTENT_BYTES, WeComPublisher
from tests.channels.receiver import Receiver, json_reply
from tests.channels.support import ZH_BODY, ZH_TITLE, make_message, send

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.mark.parametrize("full_url", [False, True])
def test_markdown_message_shape(full_url: bool) -> None:
    with Receiver(lambda _: json_reply({"errcode": 0, "errmsg": "ok"})) as rx:
        address = f"{rx.base}/cgi-bin/webhook/send?key={KEY}" if full_url else KEY
        receipt = send(
            lambda c: WeComPublisher(
                c, base_url=f"{rx.base}/cgi-bin/webhook/send", timeout=timeout_of(5, 5)
            ),
            make_message(ChannelName.wecom, address),
        )
    assert receipt.outcome == Outcome.delivered
    req = rx.only
    assert req.path == "/cgi-bin/webhook/send"
    assert req.query == {"key": [KEY]}
    body = req.json()
    assert set(body) == {"msgtype", "markdown"}
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert content.startswith(f"**{ZH_TITLE}**\n")
    assert ZH_BODY in content
    assert content.endswith("[查看状态页](https://status.example.com/incidents/inc-1)")


@pytest.mark.parametrize(
    ("reply", "outcome", "retry_after"),
    [
        ({"errcode": 45009, "errmsg": "api freq out of limit"}, Outcome.retry, 60.0),
        ({"errcode": -1, "errmsg": "system busy"}, Outcome.retry, None),
        ({"errcode": 93000, "errmsg": "invalid webhook url"}, Outcome.failed, None),
        ({"errcode": 40058, "errmsg": "markdown.content exceed max length"}, Outcome.failed, None),
        ({"errmsg": "ok"}, Outcome.failed, None),
    ],
)
def test_errcode_is_classified(
    reply: dict[str, object], outcome: Outcome, retry_after: float | None
) -> None:
    with Receiver(lambda _: json_reply(reply)) as rx:
        receipt = send(
            lambda c: WeComPublisher(
                c, base_url=f"{rx.base}/cgi-bin/webhook/send", timeout=timeout_of(5, 5)
            ),
            make_message(ChannelName.wecom, KEY),
        )
    assert receipt.outcome == outcome
    assert receipt.retry_after_s == retry_after
    if "errcode" in reply:
        assert f"code {reply['errcode']}" in receipt.detail


def test_errmsg_echoing_the_key_is_scrubbed_from_the_receipt() -> None:
    reply = {"errcode": 93000, "errmsg": f"invalid webhook url, key={KEY}"}
    with Receiver(lambda _: json_reply(reply)) as rx:
        receipt = send(
            lambda c: WeComPublisher(
                c, base_url=f"{rx.base}/cgi-bin/webhook/send", timeout=timeout_of(5, 5)
            ),
            make_message(ChannelName.wecom, KEY),
        )
    assert receipt.outcome == Outcome.failed
    assert KEY not in receipt.detail


def test_long_body_is_cut_to_the_byte_limit_and_keeps_the_link() -> None:
    with Receiver(lambda _: json_reply({"errcode": 0, "errmsg": "ok"})) as rx:
        receipt = send(
            lambda c: WeComPublisher(
                c, base_url=f"{rx.base}/cgi-bin/webhook/send", timeout=timeout_of(5, 5)
            ),
            make_message(ChannelName.wecom, KEY, body="故障处理中。" * 1000),
        )
    assert receipt.outcome == Outcome.delivered
    content = rx.only.json()["markdown"]["content"]
    assert MAX_CONTENT_BYTES - 8 < len(content.encode("utf-8")) <= MAX_CONTENT_BYTES
    assert "…" in content
    assert content.endswith("(https://status.example.com/incidents/inc-1)")


@pytest.mark.parametrize(
    "address",
    [
        "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=k",
        "http://127.0.0.1:1/other/path?key=k",
        "key with spaces",
        "k&debug=1",
    ],
)
def test_address_outside_the_vendor_base_fails_without_a_request(address: str) -> None:
    with Receiver(lambda _: json_reply({"errcode": 0})) as rx:
        receipt = send(
            lambda c: WeComPublisher(
                c, base_url=f"{rx.base}/cgi-bin/webhook/send", timeout=timeout_of(5, 5)
            ),
            make_message(ChannelName.wecom, address),
        )
    assert receipt.outcome == Outcome.failed
    assert rx.requests == []
