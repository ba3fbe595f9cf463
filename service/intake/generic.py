"""Herald's generic JSON alert, for senders with no vendor format of their own.

POST one object, or a non-empty JSON array of them, to ``/v1/alerts/generic``::

    {
      "dedup_key": "checkout-errors",              # required: same key = same incident
      "status": "firing",                          # required: "firing" | "resolved"
      "title": "Checkout fails for some users",    # required: one user-level line
      "description": "Card payments return errors after the 14:02 deploy.",
      "severity": "critical",                      # looked up in the mapping's severity values
      "labels": {"service": "checkout", "region": "eu-west-1"},  # string values only
      "annotations": {"runbook_url": "https://runbooks.example.com/checkout"},
      "started_at": "2026-03-02T14:05:00Z",        # ISO 8601 with a UTC offset
      "ended_at": null,                            # only with "status": "resolved"
      "url": "https://grafana.example.com/d/checkout"
    }

Only ``dedup_key``, ``status`` and ``title`` are required. Unknown fields are rejected, so a typo
fails loudly instead of being dropped. The dedup key is both the group key and the fingerprint.
"""

from typing import Literal

from pydantic import ConfigDict, Field

from service.intake.errors import IntakeError
from service.intake.model import AlertStatus, NormalizedAlert
from service.intake.validation import ROOT, Timestamp, VendorShape, join_path, validate_shape


class GenericAlert(VendorShape):
    model_config = ConfigDict(extra="forbid")

    dedup_key: str = Field(min_length=1, max_length=255)
    status: Literal["firing", "resolved"]
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    severity: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    started_at: Timestamp = None
    ended_at: Timestamp = None
    url: str | None = None


def parse(payload: object) -> list[NormalizedAlert]:
    """Read one generic alert object, or an array of them."""
    if isinstance(payload, list):
        if not payload:
            raise IntakeError(ROOT, "the array is empty")
        return [_parse_one(item, prefix=str(index)) for index, item in enumerate(payload)]
    return [_parse_one(payload, prefix="")]


def _parse_one(payload: object, prefix: str) -> NormalizedAlert:
    alert = validate_shape(GenericAlert, payload, prefix=prefix)
    if alert.ended_at is not None:
        field = join_path(prefix, "ended_at")
        if alert.status != "resolved":
            raise IntakeError(field, "only a resolved alert has an end time")
        if alert.started_at is not None and alert.ended_at < alert.started_at:
            raise IntakeError(field, "is before started_at")
    return NormalizedAlert(
        source="generic",
        group_key=alert.dedup_key,
        fingerprint=alert.dedup_key,
        status=AlertStatus(alert.status),
        title=alert.title.strip() or alert.dedup_key,
        description=alert.description,
        labels=alert.labels,
        annotations=alert.annotations,
        severity_raw=alert.severity,
        starts_at=alert.started_at,
        ends_at=alert.ended_at,
        url=alert.url,
    )
