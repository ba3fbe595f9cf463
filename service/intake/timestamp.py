"""Vendor timestamps: RFC 3339 strings, with Go's zero time standing for "not set"."""

from datetime import datetime


def parse_timestamp(value: object) -> datetime | None:
    """Parse an aware ISO 8601 timestamp; None, "" and Go's zero time (year 1) mean absent."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        if not value.strip():
            return None
        try:
            # Python 3.11 accepts RFC 3339 with "Z" and truncates Alertmanager's nanoseconds.
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    else:
        raise ValueError(f"expected an ISO 8601 timestamp string, got {type(value).__name__}")
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp has no UTC offset: {value!r}")
    # Alertmanager and Grafana send "0001-01-01T00:00:00Z" (Go's zero time) for "no end yet".
    if parsed.year == 1:
        return None
    return parsed
