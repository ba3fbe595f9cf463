"""WeCom (企业微信) group robot: markdown message to the robot's webhook.

Format per https://developer.work.weixin.qq.com/document/path/91770 (群机器人配置说明):
POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY with
{"msgtype": "markdown", "markdown": {"content": "…"}}, content at most 4096 bytes UTF-8;
the reply is {"errcode": 0, "errmsg": "ok"}; 45009 means over the 20-messages-a-minute limit.
"""

from typing import Any

import httpx

from service.channels.addressing import robot_url
from service.channels.model import ChannelName, Message, Receipt
from service.channels.robot import deliver
from service.channels.text import fit_utf8, status_label

MAX_CONTENT_BYTES = 4096


def wecom_payload(message: Message) -> dict[str, Any]:
    """The documented markdown payload; the body is cut to fit, the status link is kept."""
    head = f"**{message.title}**\n"
    tail = (
        f"\n[{status_label(message.language)}]({message.status_page_url})"
        if message.status_page_url
        else ""
    )
    budget = MAX_CONTENT_BYTES - len((head + tail).encode("utf-8"))
    content = head + fit_utf8(message.body, max(budget, 0)) + tail
    return {"msgtype": "markdown", "markdown": {"content": content}}


class WeComPublisher:
    """Posts to a WeCom group robot; the recipient address is the webhook URL or its key."""

    channel = ChannelName.wecom

    def __init__(self, client: httpx.AsyncClient, *, base_url: str, timeout: httpx.Timeout):
        self._client = client
        self._base = base_url
        self._timeout = timeout

    async def publish(self, message: Message) -> Receipt:
        """Send one markdown message; errcode 45009 and -1 are retried, other codes fail."""
        return await deliver(
            self._client,
            message,
            vendor="wecom",
            url=lambda: robot_url(message.recipient.address, self._base, token_param="key"),
            payload=lambda: wecom_payload(message),
            timeout=self._timeout,
        )
