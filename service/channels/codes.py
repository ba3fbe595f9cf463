"""Vendor result codes as data (`codes.yaml`): which mean delivered, retry or failed."""

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from service.channels.logs import scrub
from service.channels.model import Outcome, Receipt

_PATH = Path(__file__).with_name("codes.yaml")


class RetryCode(BaseModel):
    """A code that means "try again later"."""

    model_config = ConfigDict(frozen=True)

    code: int
    retry_after_s: float | None = None


class VendorCodes(BaseModel):
    """One vendor's result-code policy."""

    model_config = ConfigDict(frozen=True)

    doc: str
    field: str
    alt_field: str | None = None
    message_field: str
    success: list[int]
    retry: list[RetryCode]

    def classify(self, reply: Any, status: int, *sensitive: str | None) -> Receipt:
        """The receipt for a 2xx JSON reply from this vendor."""
        if not isinstance(reply, dict):
            # Delivery cannot be confirmed, and robots have no idempotency: a retry could post
            # twice. A person looks at the dead letter instead.
            return Receipt(outcome=Outcome.failed, status_code=status, detail="reply is not JSON")
        code = reply.get(self.field, reply.get(self.alt_field) if self.alt_field else None)
        if isinstance(code, str) and code.lstrip("-").isdigit():
            code = int(code)
        if not isinstance(code, int):
            # A 2xx without a result code: a proxy page or an API change (see above).
            return Receipt(outcome=Outcome.failed, status_code=status, detail="no result code")
        text = str(reply.get(self.message_field, ""))
        if code in self.success:
            return Receipt(outcome=Outcome.delivered, status_code=status, detail="ok")
        detail = scrub(f"code {code}: {text}", *sensitive)
        for rule in self.retry:
            if rule.code == code:
                return Receipt(
                    outcome=Outcome.retry,
                    status_code=status,
                    detail=detail,
                    retry_after_s=rule.retry_after_s,
                )
        return Receipt(outcome=Outcome.failed, status_code=status, detail=detail)


@lru_cache(maxsize=1)
def vendor_codes() -> dict[str, VendorCodes]:
    """All vendors' policies, read and validated once."""
    raw = yaml.safe_load(_PATH.read_text(encoding="utf-8"))
    return {name: VendorCodes.model_validate(entry) for name, entry in raw.items()}
