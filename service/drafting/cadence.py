"""Communication clocks from the YAML cadence policy: next-update times and public ETAs."""

import math
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.domain.enums import Language, Severity
from service.domain.facts import IncidentFacts

POLICY_PATH = Path(__file__).with_name("cadence.yaml")


class SeverityClock(BaseModel):
    """The clocks of one severity level (minutes; None means 'as planned')."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: dict[Language, str]
    acknowledge_minutes: int = Field(ge=1)
    first_notice_minutes: int | None = Field(default=None, ge=1)
    update_interval_minutes: int | None = Field(default=None, ge=5)
    shortened_interval_minutes: int | None = Field(default=None, ge=5)
    unplanned_interval_minutes: int | None = Field(default=None, ge=5)
    approver_minutes: int = Field(ge=1)
    first_notice_target_minutes: int | None = Field(
        default=None, ge=1, description="Best-practice time to first notice (PLAYBOOK §1)."
    )
    remind_before_minutes: int = Field(
        default=10, ge=1, description="Warn responders this long before a promise falls due."
    )


class MaintenancePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_notice_hours: float = Field(gt=0)
    remind_before_minutes: int = Field(
        default=120, ge=1, description="Warn this long before the 24 h notice deadline."
    )


class EtaPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    buffer_default: float
    buffer_min: float = Field(ge=0)
    buffer_max: float
    round_to_minutes: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> "EtaPolicy":
        if not self.buffer_min <= self.buffer_default <= self.buffer_max:
            raise ValueError("need buffer_min <= buffer_default <= buffer_max")
        return self


class CadencePolicy(BaseModel):
    """The whole cadence file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    round_to_minutes: int = Field(ge=1, le=60)
    severities: dict[Severity, SeverityClock]
    maintenance: MaintenancePolicy
    eta: EtaPolicy

    @model_validator(mode="after")
    def _every_severity(self) -> "CadencePolicy":
        missing = set(Severity) - set(self.severities)
        if missing:
            raise ValueError(f"cadence policy lacks {sorted(missing)}")
        return self

    def interval(
        self, severity: Severity, *, shorten: bool = False, unplanned: bool = False
    ) -> int | None:
        """Minutes until the next update for a severity (None: as planned)."""
        clock = self.severities[severity]
        minutes = clock.update_interval_minutes
        if shorten and clock.shortened_interval_minutes is not None:
            minutes = clock.shortened_interval_minutes
        if minutes is None and unplanned:
            minutes = clock.unplanned_interval_minutes
        return minutes


@cache
def load_policy(path: Path = POLICY_PATH) -> CadencePolicy:
    """The cadence policy, validated, loaded once per path."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return CadencePolicy.model_validate(data)


def _floor_to(at: datetime, step: int) -> datetime:
    at = at.replace(second=0, microsecond=0)
    return at - timedelta(minutes=at.minute % step)


def _ceil_to(at: datetime, step: int) -> datetime:
    floored = _floor_to(at, step)
    return floored if floored == at else floored + timedelta(minutes=step)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def next_update_at(
    severity: Severity,
    now: datetime,
    *,
    shorten: bool = False,
    unplanned: bool = False,
    policy: CadencePolicy | None = None,
) -> datetime | None:
    """When the next update is due: inside the severity's window, on a clean clock time.

    None for 'as planned' severities unless `unplanned` asks for their fallback clock.
    Rounding is down to the policy's step (in UTC minutes, which are clean in every whole-hour
    and half-hour zone), so the promise never lands later than the cadence allows.
    """
    _require_aware(now)
    pol = policy or load_policy()
    minutes = pol.interval(severity, shorten=shorten, unplanned=unplanned)
    if minutes is None:
        return None
    latest = now + timedelta(minutes=minutes)
    at = _floor_to(latest, pol.round_to_minutes)
    # A step longer than the interval could round back to now; never promise the past.
    return at if at > now else latest.replace(second=0, microsecond=0)


def buffered_minutes(estimate: int, buffer: float, step: int) -> int:
    """Engineering's estimate plus the buffer, rounded up to the step (PLAYBOOK §9)."""
    return math.ceil(estimate * (1 + buffer) / step - 1e-9) * step


def public_eta(
    facts: IncidentFacts,
    *,
    buffer: float | None = None,
    now: datetime | None = None,
    policy: CadencePolicy | None = None,
) -> datetime | None:
    """The ETA to publish: estimate × (1 + buffer), rounded up to 5 minutes, from when it was given.

    Counts from `facts.eta_estimated_at`, else from `now`; None when engineering gave no
    estimate. Where the base is not on a 5-minute mark, the result moves up to the next clean
    clock time if that stays within the policy's largest buffer.
    """
    pol = policy or load_policy()
    b = pol.eta.buffer_default if buffer is None else buffer
    if not pol.eta.buffer_min <= b <= pol.eta.buffer_max:
        raise ValueError(
            f"ETA buffer {b} is outside {pol.eta.buffer_min}–{pol.eta.buffer_max} (PLAYBOOK §9)"
        )
    estimate = facts.engineering_eta_minutes
    base = facts.eta_estimated_at or now
    if estimate is None or base is None:
        return None
    _require_aware(base)
    # Count from the whole minute: a published clock time has no seconds.
    base = base.replace(second=0, microsecond=0)
    step = pol.eta.round_to_minutes
    at = base + timedelta(minutes=buffered_minutes(estimate, b, step))
    clean = _ceil_to(at, step)
    if clean <= base + timedelta(minutes=estimate * (1 + pol.eta.buffer_max)):
        return clean
    # Keep to the minute, rounding up so the promise is never earlier than the buffer allows.
    return _ceil_to(at, 1)


def first_notice_deadline(
    severity: Severity, detected_at: datetime, *, policy: CadencePolicy | None = None
) -> datetime | None:
    """When the first public notice is due: detection plus the window (None: as planned)."""
    _require_aware(detected_at)
    minutes = (policy or load_policy()).severities[severity].first_notice_minutes
    return None if minutes is None else detected_at + timedelta(minutes=minutes)


def maintenance_notice_deadline(
    scheduled_for: datetime, *, policy: CadencePolicy | None = None
) -> datetime:
    """The latest time a maintenance notice may go out: `min_notice_hours` before the window."""
    _require_aware(scheduled_for)
    hours = (policy or load_policy()).maintenance.min_notice_hours
    return scheduled_for - timedelta(hours=hours)


def remind_before(
    severity: Severity, *, maintenance: bool = False, policy: CadencePolicy | None = None
) -> timedelta:
    """How long before a promise falls due the responders are warned."""
    pol = policy or load_policy()
    minutes = (
        pol.maintenance.remind_before_minutes
        if maintenance
        else pol.severities[severity].remind_before_minutes
    )
    return timedelta(minutes=minutes)
