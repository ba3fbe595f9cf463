"""Shared builders for guard tests."""

from datetime import datetime
from typing import Any

from guards import GuardContext


def ctx(lang: str = "zh", now: str | None = None, **kw: Any) -> GuardContext:
    """A context at the seed's draft time, in the audience's home zone."""
    zone = "Asia/Shanghai" if lang == "zh" else "UTC"
    offset = "+08:00" if lang == "zh" else "+00:00"
    stamp = now or f"2023-10-15T14:30:00{offset}"
    return GuardContext.model_validate(
        {"lang": lang, "now": datetime.fromisoformat(stamp), "timezone": zone, **kw}
    )
