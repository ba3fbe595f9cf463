"""Each HTTP adapter pointed at a loopback receiver: how to build it and a message for it."""

from collections.abc import Callable
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from service.channels.config import SmsConfig
from service.channels.dingtalk import DingTalkPublisher
from service.channels.feishu import FeishuPublisher
from service.channels.model import ChannelName, Message
from service.channels.port import Publisher
from service.channels.slack import SlackPublisher
from service.channels.sms import HttpSmsPublisher
from service.channels.transport import timeout_of
from service.channels.webhook import SignedWebhookPublisher
from service.channels.wecom import WeComPublisher
from tests.channels.support import make_message

WECOM_KEY = "wk-5f1c2e-SECRETKEY"
DINGTALK_TOKEN = "dt-ACCESSTOKEN-77aa"
DINGTALK_SECRET = "SECdingtalk0123456789abcdef"
FEISHU_HOOK = "fs-hook-ffee-0011"
FEISHU_SECRET = "feishu-signing-secret-42"
SLACK_PATH = "T0001/B0002/SLACKSECRETXYZ"
WEBHOOK_SECRET = "whsec-generic-0987654321"
SMS_AUTH = "Bearer sms-provider-token-31337"
PHONE = "+8613800138000"


@dataclass(frozen=True)
class Target:
    build: Callable[[httpx.AsyncClient], Publisher]
    message: Message
    sensitive: tuple[str, ...]  # must never appear in logs or receipts


def target(channel: ChannelName, base: str, timeout_s: float = 5.0) -> Target:
    """A publisher of `channel` whose vendor base URL is the receiver at `base`."""
    timeout = timeout_of(timeout_s, timeout_s)
    if channel == ChannelName.wecom:
        return Target(
            lambda c: WeComPublisher(c, base_url=f"{base}/cgi-bin/webhook/send", timeout=timeout),
            make_message(channel, WECOM_KEY),
            (WECOM_KEY,),
        )
    if channel == ChannelName.dingtalk:
        return Target(
            lambda c: DingTalkPublisher(c, base_url=f"{base}/robot/send", timeout=timeout),
            make_message(channel, DINGTALK_TOKEN, secret=DINGTALK_SECRET),
            (DINGTALK_TOKEN, DINGTALK_SECRET),
        )
    if channel == ChannelName.feishu:
        return Target(
            lambda c: FeishuPublisher(
                c, base_url=f"{base}/open-apis/bot/v2/hook/", timeout=timeout
            ),
            make_message(channel, FEISHU_HOOK, secret=FEISHU_SECRET),
            (FEISHU_HOOK, FEISHU_SECRET),
        )
    if channel == ChannelName.slack:
        return Target(
            lambda c: SlackPublisher(c, base_url=f"{base}/services/", timeout=timeout),
            make_message(channel, f"{base}/services/{SLACK_PATH}", language="en"),
            (SLACK_PATH,),
        )
    if channel == ChannelName.webhook:
        address = f"{base}/hooks/herald/{WEBHOOK_SECRET[-6:]}"
        return Target(
            lambda c: SignedWebhookPublisher(c, timeout=timeout),
            make_message(channel, address, secret=WEBHOOK_SECRET),
            (address, WEBHOOK_SECRET),
        )
    if channel == ChannelName.sms:
        config = SmsConfig(
            url=f"{base}/v1/messages", auth_value=SecretStr(SMS_AUTH), timeout_s=timeout_s
        )
        return Target(
            lambda c: HttpSmsPublisher(c, config),
            make_message(channel, PHONE, body="【Herald】支付服务部分不可用，15:30 前更新。"),
            (PHONE, SMS_AUTH),
        )
    raise AssertionError(channel)


HTTP_CHANNELS = [
    ChannelName.webhook,
    ChannelName.wecom,
    ChannelName.dingtalk,
    ChannelName.feishu,
    ChannelName.slack,
    ChannelName.sms,
]

# What each vendor answers on success.
SUCCESS_BODY: dict[ChannelName, tuple[str, bytes]] = {
    ChannelName.webhook: ("application/json", b'{"id": "rcv-1"}'),
    ChannelName.wecom: ("application/json", b'{"errcode": 0, "errmsg": "ok"}'),
    ChannelName.dingtalk: ("application/json", b'{"errcode": 0, "errmsg": "ok"}'),
    ChannelName.feishu: ("application/json", b'{"code": 0, "msg": "success", "data": {}}'),
    ChannelName.slack: ("text/plain", b"ok"),
    ChannelName.sms: ("application/json", b'{"id": "sms-123", "status": "queued"}'),
}
