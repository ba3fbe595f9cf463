"""What one delivery is made of: channel, recipient, rendered message, and receipt."""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ChannelName(StrEnum):
    """Every channel an approved update can go out on."""

    statuspage = "statuspage"
    webhook = "webhook"
    wecom = "wecom"
    dingtalk = "dingtalk"
    feishu = "feishu"
    slack = "slack"
    email = "email"
    sms = "sms"


class Recipient(BaseModel):
    """Where one message goes. `address` and `secret` are never logged nor put in a receipt."""

    model_config = ConfigDict(frozen=True)

    address: str = Field(
        description="Robot/webhook URL (or the bare key/token of a chat robot), "
        "an email address, or an E.164 phone number."
    )
    secret: str | None = Field(
        default=None, description="HMAC secret: generic webhook, DingTalk and Feishu signing."
    )
    name: str | None = None
    unsubscribe_url: str | None = Field(
        default=None, description="Email only: one-click unsubscribe link (List-Unsubscribe)."
    )

    def __repr__(self) -> str:
        # Reprs end up in tracebacks and log lines; the address and secret must not.
        return f"Recipient(name={self.name!r})"

    __str__ = __repr__


class Message(BaseModel):
    """One approved rendition of one update, to one recipient on one channel."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str = Field(
        min_length=1, description="Stable per (update, channel, recipient); sent where allowed."
    )
    incident_id: str
    update_id: str
    channel: ChannelName
    language: Literal["zh", "en"]
    title: str
    body: str = Field(description="Already rendered: markdown for chat, plain text for SMS.")
    status_page_url: str | None = None
    recipient: Recipient


class Outcome(StrEnum):
    """How one attempt ended: the worker retries `retry` and dead-letters `failed`."""

    delivered = "delivered"
    retry = "retry"  # transient: timeout, connection error, 5xx, 429, vendor rate limit
    failed = "failed"  # permanent: retrying the same request cannot succeed


class Receipt(BaseModel):
    """The result of one attempt. `detail` is safe for logs: no address, token or secret."""

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    status_code: int | None = None
    provider_message_id: str | None = None
    detail: str = ""
    retry_after_s: float | None = None
