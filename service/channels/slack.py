"""Slack incoming webhook: fallback `text` plus Block Kit blocks in mrkdwn.

Format per https://api.slack.com/messaging/webhooks (Sending messages using incoming webhooks)
and https://api.slack.com/reference/block-kit/blocks: POST https://hooks.slack.com/services/…
with {"text": "…", "blocks": [header, section(mrkdwn), context]}; header text at most 150
characters, section text at most 3000. Success is HTTP 200 with the body "ok"; errors are
400 invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived,
500 rollup_error (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks),
and 429 with Retry-After when rate limited (https://api.slack.com/apis/rate-limits).
"""

import re
from typing import Any

import httpx

from service.channels.addressing import AddressError, robot_url
from service.channels.logs import log_receipt
from service.channels.model import ChannelName, Message, Outcome, Receipt
from service.channels.robot import encode_json
from service.channels.text import fit_chars, status_label
from service.channels.transport import classify_status, post

_ERROR_WORD = re.compile(r"^[a-z_]{1,40}$")


def _mrkdwn_escape(text: str) -> str:
    # Slack's three control characters in mrkdwn text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    """The documented payload: `text` for notifications, blocks for the rendered message."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": fit_chars(message.title, 150)},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": fit_chars(message.body, 3000)}},
    ]
    if message.status_page_url:
        href = message.status_page_url.replace("|", "%7C").replace(">", "%3E")
        label = _mrkdwn_escape(status_label(message.language))
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{href}|{label}>"}]}
        )
    return {"text": fit_chars(f"{message.title}\n{message.body}", 3000), "blocks": blocks}


class SlackPublisher:
    """Posts to a Slack incoming webhook; the address is the webhook URL (or its path)."""

    channel = ChannelName.slack

    def __init__(self, client: httpx.AsyncClient, *, base_url: str, timeout: httpx.Timeout):
        self._client = client
        self._base = base_url
        self._timeout = timeout

    async def publish(self, message: Message) -> Receipt:
        """Send one message; 429 and 5xx are retried (with Retry-After), other errors fail."""
        receipt = await self._send(message)
        log_receipt(message, receipt)
        return receipt

    async def _send(self, message: Message) -> Receipt:
        try:
            url = robot_url(message.recipient.address, self._base)
        except AddressError as exc:
            return Receipt(outcome=Outcome.failed, detail=str(exc))
        reply = await post(
            self._client,
            url,
            content=encode_json(slack_payload(message)),
            headers={"Content-Type": "application/json; charset=utf-8"},
            timeout=self._timeout,
        )
        if isinstance(reply, Receipt):
            return reply
        text = reply.body.decode("utf-8", errors="replace").strip()
        word = text if _ERROR_WORD.match(text) else ""
        failure = classify_status(reply)
        if failure is not None:
            detail = f"{failure.detail} {word}".strip()
            return failure.model_copy(update={"detail": detail})
        if text == "ok":
            return Receipt(outcome=Outcome.delivered, status_code=reply.status, detail="ok")
        # A 2xx that is not Slack's "ok": delivery is unconfirmed and a retry could post twice.
        return Receipt(
            outcome=Outcome.failed,
            status_code=reply.status,
            detail=f"unexpected reply {word}".strip(),
        )
