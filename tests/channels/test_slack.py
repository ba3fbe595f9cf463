"""Slack incoming webhook: text + Block Kit payload, "ok" body, documented error strings."""

import pytest

from service.channels.model import ChannelName, Outcome, Receipt
from service.channels.slack import SlackPublisher
from service.channels.transport import timeout_of
from tests.channels.receiver import Receiver, Reply, text_reply
from tests.channels.support import EN_BODY, EN_TITLE, make_message, send

PATH = "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"


def _send(rx: Receiver, **kwargs: object) -> Receipt:
    return send(
        lambda c: SlackPublisher(c, base_url=f"{rx.base}/services/", timeout=timeout_of(5, 5)),
        make_message(ChannelName.slack, f"{rx.base}/services/{PATH}", language="en", **kwargs),  # type: ignore[arg-type]
    )


def test_blocks_payload() -> None:
    with Receiver(lambda _: text_reply("ok")) as rx:
        receipt = _send(rx)
    assert receipt.outcome == Outcome.delivered
    req = rx.only
    assert req.path == f"/services/{PATH}"
    assert req.json() == {
        "text": f"{EN_TITLE}\n{EN_BODY}",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": EN_TITLE}},
            {"type": "section", "text": {"type": "mrkdwn", "text": EN_BODY}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "<https://status.example.com/incidents/inc-1|Status page>",
                    }
                ],
            },
        ],
    }


def test_block_limits_are_respected() -> None:
    with Receiver(lambda _: text_reply("ok")) as rx:
        _send(rx, title="T" * 400, body="b" * 5000, status_page_url="https://s.example/a|b>c")
    blocks = rx.only.json()["blocks"]
    assert len(blocks[0]["text"]["text"]) == 150
    assert len(blocks[1]["text"]["text"]) == 3000
    assert blocks[2]["elements"][0]["text"] == "<https://s.example/a%7Cb%3Ec|Status page>"


@pytest.mark.parametrize(
    ("reply", "outcome", "word"),
    [
        (text_reply("invalid_payload", 400), Outcome.failed, "invalid_payload"),
        (text_reply("channel_not_found", 404), Outcome.failed, "channel_not_found"),
        (text_reply("channel_is_archived", 410), Outcome.failed, "channel_is_archived"),
        (text_reply("rollup_error", 500), Outcome.retry, "rollup_error"),
        (text_reply("<html>proxy</html>", 200), Outcome.failed, "unexpected reply"),
    ],
)
def test_documented_errors(reply: Reply, outcome: Outcome, word: str) -> None:
    with Receiver(lambda _: reply) as rx:
        receipt = _send(rx)
    assert receipt.outcome == outcome
    assert word in receipt.detail
