"""What the channels log, and how recipient addresses, tokens and secrets are kept out of logs."""

import logging

import httpx

from service.channels.model import Message, Receipt

logger = logging.getLogger("service.channels")


def scrub(text: str, *sensitive: str | None, limit: int = 160) -> str:
    """`text` with every sensitive value masked and cut to `limit` characters (for `detail`)."""
    for value in sensitive:
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: httpx.URL | str) -> str:
    """Scheme and host only: robot URLs carry their token in the path or the query."""
    parsed = httpx.URL(str(url))
    return f"{parsed.scheme}://{parsed.host}/…"


class RedactUrls(logging.Filter):
    """Rewrites URL arguments of httpx's request log line, which would print robot tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(
            isinstance(arg, httpx.URL) for arg in record.args
        ):
            record.args = tuple(
                safe_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


_FILTER = RedactUrls()


def install_redaction() -> None:
    """Attach the URL-redacting filter to httpx's logger (idempotent)."""
    httpx_logger = logging.getLogger("httpx")
    if _FILTER not in httpx_logger.filters:
        httpx_logger.addFilter(_FILTER)


def log_receipt(message: Message, receipt: Receipt) -> None:
    """One line per attempt, naming the update and the outcome but never the recipient."""
    level = logging.INFO if receipt.outcome == "delivered" else logging.WARNING
    logger.log(
        level,
        "channel=%s incident=%s update=%s outcome=%s status=%s detail=%s",
        message.channel.value,
        message.incident_id,
        message.update_id,
        receipt.outcome.value,
        receipt.status_code,
        receipt.detail,
    )
