"""Shared test helpers: message factory and a one-shot async send."""

import asyncio
from collections.abc import Callable

import httpx

from service.channels.config import HttpConfig
from service.channels.model import ChannelName, Message, Receipt, Recipient
from service.channels.port import Publisher
from service.channels.transport import make_client

ZH_TITLE = "支付服务部分不可用"
ZH_BODY = "**影响**：部分用户付款失败。\n我们正在处理，预计 15:30 前再次更新。"
EN_TITLE = "Payments partially unavailable"
EN_BODY = "**Impact**: some payments fail.\nNext update by 15:30 UTC."


def make_message(
    channel: ChannelName,
    address: str,
    *,
    secret: str | None = None,
    language: str = "zh",
    body: str | None = None,
    title: str | None = None,
    status_page_url: str | None = "https://status.example.com/incidents/inc-1",
    unsubscribe_url: str | None = None,
    key: str = "upd-1:channel:recipient-1",
) -> Message:
    zh = language == "zh"
    return Message(
        idempotency_key=key,
        incident_id="inc-1",
        update_id="upd-1",
        channel=channel,
        language="zh" if zh else "en",
        title=title if title is not None else (ZH_TITLE if zh else EN_TITLE),
        body=body if body is not None else (ZH_BODY if zh else EN_BODY),
        status_page_url=status_page_url,
        recipient=Recipient(
            address=address, secret=secret, name="Ops", unsubscribe_url=unsubscribe_url
        ),
    )


def send(
    build: Callable[[httpx.AsyncClient], Publisher],
    message: Message,
    *,
    timeout_s: float = 5.0,
) -> Receipt:
    """Build a publisher around a fresh shared client and publish one message."""

    async def go() -> Receipt:
        async with make_client(HttpConfig(timeout_s=timeout_s, connect_timeout_s=timeout_s)) as c:
            return await build(c).publish(message)

    return asyncio.run(go())
