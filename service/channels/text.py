"""Small text helpers shared by the adapters: byte budgets, link labels, stable references."""

import hashlib
from typing import Literal

_STATUS_LABEL = {"zh": "查看状态页", "en": "Status page"}


def status_label(language: Literal["zh", "en"]) -> str:
    """The label of the link to the status page, in the message's language."""
    return _STATUS_LABEL[language]


def fit_utf8(text: str, max_bytes: int, ellipsis: str = "…") -> str:
    """`text` cut so its UTF-8 encoding fits `max_bytes`, never inside a character."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    budget = max_bytes - len(ellipsis.encode("utf-8"))
    cut = text.encode("utf-8")[: max(budget, 0)].decode("utf-8", errors="ignore")
    return cut + ellipsis


def fit_chars(text: str, max_chars: int, ellipsis: str = "…") -> str:
    """`text` cut to `max_chars` characters."""
    return text if len(text) <= max_chars else text[: max_chars - len(ellipsis)] + ellipsis


def short_ref(idempotency_key: str) -> str:
    """A stable 32-hex reference from the idempotency key (Message-ID, SMS client reference)."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
