"""`build_publishers`: every external channel, built from config, delivers to loopback receivers."""

import asyncio
import logging

import pytest

from service.channels import (
    ChannelName,
    ChannelsConfig,
    Outcome,
    SmsConfig,
    SmtpConfig,
    VendorUrls,
    build_publishers,
    make_client,
)
from service.channels.config import HttpConfig
from service.channels.model import Receipt
from tests.channels.adapters import SUCCESS_BODY
from tests.channels.mailserver import Recorder, smtp_server
from tests.channels.receiver import Captured, Receiver, Reply
from tests.channels.support import make_message

ROUTES = {
    "hooks": ChannelName.webhook,
    "wecom": ChannelName.wecom,
    "ding": ChannelName.dingtalk,
    "feishu": ChannelName.feishu,
    "slack": ChannelName.slack,
    "sms": ChannelName.sms,
}
SECRETS = ["wecom-key-0001", "ding-token-0002", "SECding-0003", "fs-hook-0004", "fs-sec-0005"]


def test_only_configured_channels_are_built() -> None:
    publishers = build_publishers(ChannelsConfig())
    assert set(publishers) == {
        ChannelName.webhook,
        ChannelName.wecom,
        ChannelName.dingtalk,
        ChannelName.feishu,
        ChannelName.slack,
    }
    for name, publisher in publishers.items():
        assert publisher.channel == name


def test_every_channel_delivers_end_to_end(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def respond(req: Captured) -> Reply:
        channel = ROUTES[req.path.split("/")[1]]
        content_type, body = SUCCESS_BODY[channel]
        return Reply(200, body, {"Content-Type": content_type})

    recorder = Recorder()
    with Receiver(respond) as rx, smtp_server(recorder) as smtp:
        config = ChannelsConfig(
            http=HttpConfig(timeout_s=5),
            urls=VendorUrls(
                wecom=f"{rx.base}/wecom/send",
                dingtalk=f"{rx.base}/ding/send",
                feishu=f"{rx.base}/feishu/hook/",
                slack=f"{rx.base}/slack/services/",
            ),
            smtp=SmtpConfig(host="127.0.0.1", port=smtp.port, tls_mode="none"),
            sms=SmsConfig(url=f"{rx.base}/sms/send"),
        )
        messages = {
            ChannelName.webhook: make_message(
                ChannelName.webhook, f"{rx.base}/hooks/partner", secret="whsec-0006"
            ),
            ChannelName.wecom: make_message(ChannelName.wecom, SECRETS[0]),
            ChannelName.dingtalk: make_message(ChannelName.dingtalk, SECRETS[1], secret=SECRETS[2]),
            ChannelName.feishu: make_message(ChannelName.feishu, SECRETS[3], secret=SECRETS[4]),
            ChannelName.slack: make_message(ChannelName.slack, "T1/B2/slack-0007"),
            ChannelName.email: make_message(ChannelName.email, "ops-0008@customer.example"),
            ChannelName.sms: make_message(ChannelName.sms, "+8613800000008", body="短信测试"),
        }

        async def go() -> dict[ChannelName, Receipt]:
            async with make_client(config.http) as client:
                publishers = build_publishers(config, client=client)
                assert set(publishers) == set(messages)
                results = await asyncio.gather(
                    *(publishers[name].publish(message) for name, message in messages.items())
                )
                return dict(zip(messages, results, strict=True))

        receipts = asyncio.run(go())
    assert {name: r.outcome for name, r in receipts.items()} == dict.fromkeys(
        messages, Outcome.delivered
    )
    assert len(rx.requests) == 6
    assert recorder.received[0].rcpt_tos == ["ops-0008@customer.example"]
    # The sending side's logs (ours, httpx, httpcore, aiosmtplib); the test SMTP server's own
    # "mail.log" protocol trace is the receiver's business.
    sent_logs = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")
    )
    assert "channel=email" in sent_logs
    for value in [*SECRETS, "whsec-0006", "slack-0007", "ops-0008", "+8613800000008"]:
        assert value not in sent_logs
