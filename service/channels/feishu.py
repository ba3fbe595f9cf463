"""Feishu / Lark custom bot: an interactive card (or a rich-text post), optionally signed.

Format per https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (自定义机器人使用
指南): POST https://open.feishu.cn/open-apis/bot/v2/hook/ID with {"msg_type": "interactive",
"card": {…}} or {"msg_type": "post", "content": {"post": {"zh_cn": {title, content}}}}. With
signature verification on, the body also carries "timestamp" (seconds, within an hour) and
"sign" = Base64 of HMAC-SHA256 keyed by "{timestamp}\\n{secret}" over an empty message.
The reply is {"code": 0, "msg": "success", "data": {}} (older bots: {"StatusCode": 0});
11232 means the bot's rate limit (100 a minute, 5 a second) was hit. Bodies stay under 20 KB.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx

from service.channels.addressing import robot_url
from service.channels.model import ChannelName, Message, Receipt
from service.channels.robot import deliver
from service.channels.text import fit_utf8, status_label

MAX_BODY_BYTES = 16_000  # of the message body, leaving room for the card under 20 KB
_LOCALE = {"zh": "zh_cn", "en": "en_us"}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Base64 HMAC-SHA256 with key "{timestamp}\\n{secret}" over an empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def feishu_card(message: Message) -> dict[str, Any]:
    """An interactive card: plain-text header, the markdown body, a button to the status page."""
    elements: list[dict[str, Any]] = [
        {
            "tag": "div",
            "text": {"tag": "lark_md", "content": fit_utf8(message.body, MAX_BODY_BYTES)},
        }
    ]
    if message.status_page_url:
        button = {
            "tag": "button",
            "text": {"tag": "plain_text", "content": status_label(message.language)},
            "type": "default",
            "url": message.status_page_url,
        }
        elements.append({"tag": "action", "actions": [button]})
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": message.title}},
        "elements": elements,
    }


def feishu_post(message: Message) -> dict[str, Any]:
    """A rich-text post: one paragraph per non-empty body line, then the status-page link."""
    lines = fit_utf8(message.body, MAX_BODY_BYTES).splitlines()
    content: list[list[dict[str, str]]] = [
        [{"tag": "text", "text": line}] for line in lines if line
    ]
    if message.status_page_url:
        label = status_label(message.language)
        content.append([{"tag": "a", "text": label, "href": message.status_page_url}])
    return {"post": {_LOCALE[message.language]: {"title": message.title, "content": content}}}


def feishu_payload(
    message: Message, msg_type: Literal["interactive", "post"], signature: tuple[int, str] | None
) -> dict[str, Any]:
    """The request body, with `timestamp` and `sign` first when the bot is signed."""
    payload: dict[str, Any] = {}
    if signature is not None:
        payload["timestamp"] = str(signature[0])
        payload["sign"] = signature[1]
    payload["msg_type"] = msg_type
    if msg_type == "interactive":
        payload["card"] = feishu_card(message)
    else:
        payload["content"] = feishu_post(message)
    return payload


class FeishuPublisher:
    """Posts to a Feishu/Lark custom bot; the address is the hook URL or its hook id."""

    channel = ChannelName.feishu

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        timeout: httpx.Timeout,
        msg_type: Literal["interactive", "post"] = "interactive",
        clock: Callable[[], float] = time.time,
    ):
        self._client = client
        self._base = base_url
        self._timeout = timeout
        self._msg_type = msg_type
        self._clock = clock

    def _payload(self, message: Message) -> dict[str, Any]:
        secret = message.recipient.secret
        signature = None
        if secret:
            timestamp_s = int(self._clock())
            signature = (timestamp_s, feishu_sign(secret, timestamp_s))
        return feishu_payload(message, self._msg_type, signature)

    async def publish(self, message: Message) -> Receipt:
        """Send one card or post; code 11232 (rate limit) is retried, other codes fail."""
        return await deliver(
            self._client,
            message,
            vendor="feishu",
            url=lambda: robot_url(message.recipient.address, self._base),
            payload=lambda: self._payload(message),
            timeout=self._timeout,
        )
