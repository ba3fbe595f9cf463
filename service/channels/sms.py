"""SMS through a configurable JSON-over-HTTP provider, with segment counting.

Segments follow 3GPP TS 23.038 / 23.040: GSM-7 texts fit 160 septets in one SMS and 153 per part
when concatenated (extension characters such as `{ } [ ] € ~ ^ | \\` cost two septets); any
other character forces UCS-2: 70 UTF-16 units alone, 67 per part. The counter is the one the
guards already use for the `style.SmsSegments` rule, so drafts and delivery agree.
"""

import re
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from guards.checks.metric import sms_segments as _guard_sms_segments
from service.channels.config import SmsConfig
from service.channels.logs import log_receipt, scrub
from service.channels.model import ChannelName, Message, Outcome, Receipt
from service.channels.robot import encode_json
from service.channels.text import short_ref
from service.channels.transport import classify_status, post, timeout_of

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PLACEHOLDER = re.compile(r"\{(to|text|sender|ref)\}")

Encoding = Literal["GSM-7", "UCS-2"]


def sms_encoding(text: str) -> Encoding:
    """ "GSM-7" when every character is in the GSM 03.38 sets, else "UCS-2"."""
    return "GSM-7" if _guard_sms_segments(text)[0] == "GSM-7" else "UCS-2"


def sms_segments(text: str) -> int:
    """How many SMS parts `text` takes (GSM-7 160/153, UCS-2 70/67)."""
    return _guard_sms_segments(text)[1]


def render_template(template: Any, values: Mapping[str, str]) -> Any:
    """The body template with `{to}`, `{text}`, `{sender}`, `{ref}` filled in string values.

    Substitution is one pass over the template, so braces inside the text stay literal."""
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    if isinstance(template, dict):
        return {key: render_template(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [render_template(item, values) for item in template]
    return template


def _dig(reply: Any, path: str) -> str | None:
    for part in path.split("."):
        if not isinstance(reply, dict):
            return None
        reply = reply.get(part)
    return str(reply) if isinstance(reply, str | int) and not isinstance(reply, bool) else None


class HttpSmsPublisher:
    """Sends the plain-text body to an E.164 number through the configured provider."""

    channel = ChannelName.sms

    def __init__(self, client: httpx.AsyncClient, config: SmsConfig):
        self._client = client
        self._config = config
        self._timeout = timeout_of(config.timeout_s, config.timeout_s)

    async def publish(self, message: Message) -> Receipt:
        """Send once; over-long texts and non-E.164 numbers fail before any request."""
        receipt = await self._send(message)
        log_receipt(message, receipt)
        return receipt

    async def _send(self, message: Message) -> Receipt:
        config = self._config
        to = message.recipient.address.strip()
        if not _E164.match(to):
            return Receipt(outcome=Outcome.failed, detail="recipient is not an E.164 number")
        text = message.body
        segments, encoding = sms_segments(text), sms_encoding(text)
        if segments > config.max_segments:
            return Receipt(
                outcome=Outcome.failed,
                detail=f"{segments} {encoding} segments exceed the limit of {config.max_segments}",
            )
        values = {
            "to": to,
            "text": text,
            "sender": config.sender_id,
            "ref": short_ref(message.idempotency_key),
        }
        headers = {"Content-Type": "application/json; charset=utf-8"}
        secret = config.auth_value.get_secret_value() if config.auth_value else None
        if secret:
            headers[config.auth_header] = secret
        reply = await post(
            self._client,
            config.url,
            content=encode_json(render_template(config.body_template, values)),
            headers=headers,
            timeout=self._timeout,
        )
        if isinstance(reply, Receipt):
            return reply
        failure = classify_status(reply)
        if failure is not None:
            return failure
        message_id = (
            _dig(reply.json(), config.message_id_field) if config.message_id_field else None
        )
        return Receipt(
            outcome=Outcome.delivered,
            status_code=reply.status,
            provider_message_id=scrub(message_id, to, secret, limit=128) if message_id else None,
            detail=f"{segments} {encoding} segment{'s' if segments > 1 else ''}",
        )
