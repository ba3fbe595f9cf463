"""The contract models and the `InMemoryPublisher` fake."""

import asyncio

import pytest
from pydantic import ValidationError

from service.channels import ChannelName, InMemoryPublisher, Outcome, Receipt
from service.channels.logs import safe_url, scrub
from tests.channels.support import make_message


def test_recipient_repr_hides_address_and_secret() -> None:
    message = make_message(ChannelName.dingtalk, "token-abcdef", secret="SECxyz123")
    for text in (repr(message), str(message), repr(message.recipient)):
        assert "token-abcdef" not in text
        assert "SECxyz123" not in text


def test_models_are_frozen() -> None:
    message = make_message(ChannelName.slack, "T/B/X")
    with pytest.raises(ValidationError):
        message.title = "changed"  # type: ignore[misc]


def test_fake_records_and_follows_its_script() -> None:
    fake = InMemoryPublisher(ChannelName.wecom, [Outcome.retry]).then(
        Receipt(outcome=Outcome.failed, detail="errcode 93000")
    )
    message = make_message(ChannelName.wecom, "key")

    async def go() -> list[Receipt]:
        return [await fake.publish(message) for _ in range(3)]

    receipts = asyncio.run(go())
    assert [r.outcome for r in receipts] == [Outcome.retry, Outcome.failed, Outcome.delivered]
    assert receipts[1].detail == "errcode 93000"
    assert fake.sent == [message] * 3


def test_fake_rejects_a_message_for_another_channel() -> None:
    fake = InMemoryPublisher(ChannelName.sms)
    with pytest.raises(ValueError, match="wecom message given to the sms publisher"):
        asyncio.run(fake.publish(make_message(ChannelName.wecom, "key")))


def test_scrub_and_safe_url() -> None:
    assert scrub("bad key k-123456 here", "k-123456", None) == "bad key *** here"
    assert len(scrub("x" * 500)) == 160
    assert (
        safe_url("https://hooks.slack.com/services/T/B/SECRET?x=1") == "https://hooks.slack.com/…"
    )
