"""DingTalk (钉钉) custom robot: markdown message, signed when the robot has a secret (加签).

Format per https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages and
https://open.dingtalk.com/document/robots/customize-robot-security-settings:
POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN&timestamp=MS&sign=SIGN with
{"msgtype": "markdown", "markdown": {"title": "…", "text": "…"}}. SIGN is the URL-encoded
Base64 of HMAC-SHA256, keyed by the secret, over "{timestamp}\\n{secret}"; the timestamp is in
milliseconds and must be within an hour of DingTalk's clock. The reply is
{"errcode": 0, "errmsg": "ok"}; a robot may send 20 messages a minute, then is throttled 10 min.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import httpx

from service.channels.addressing import robot_url
from service.channels.model import ChannelName, Message, Receipt
from service.channels.robot import deliver
from service.channels.text import fit_chars, status_label

MAX_TEXT_CHARS = 5000


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Base64 HMAC-SHA256 of "{timestamp}\\n{secret}" keyed by the secret (before URL-encoding)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_payload(message: Message) -> dict[str, Any]:
    """The documented markdown payload: `title` shows in the chat list, `text` in the chat."""
    link = (
        f"\n\n[{status_label(message.language)}]({message.status_page_url})"
        if message.status_page_url
        else ""
    )
    head = f"#### {message.title}\n\n"
    body = fit_chars(message.body, MAX_TEXT_CHARS - len(head) - len(link))
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.title, "text": head + body + link},
    }


class DingTalkPublisher:
    """Posts to a DingTalk robot; the address is the webhook URL or its access token."""

    channel = ChannelName.dingtalk

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        timeout: httpx.Timeout,
        clock: Callable[[], float] = time.time,
    ):
        self._client = client
        self._base = base_url
        self._timeout = timeout
        self._clock = clock

    def _url(self, message: Message) -> httpx.URL:
        url = robot_url(message.recipient.address, self._base, token_param="access_token")
        secret = message.recipient.secret
        if not secret:
            return url  # keyword or IP-allowlist robots are not signed
        timestamp_ms = int(self._clock() * 1000)
        # httpx percent-encodes the Base64 value, which is the documented urlEncode step.
        return url.copy_merge_params(
            {"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)}
        )

    async def publish(self, message: Message) -> Receipt:
        """Send one markdown message; rate-limit codes are retried, other codes fail."""
        return await deliver(
            self._client,
            message,
            vendor="dingtalk",
            url=lambda: self._url(message),
            payload=lambda: dingtalk_payload(message),
            timeout=self._timeout,
        )
