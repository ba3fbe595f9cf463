"""Cadence and ETA arithmetic: windows, rounding, buffers, time zones."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.domain.enums import Severity
from service.domain.facts import IncidentFacts
from service.drafting.cadence import load_policy, next_update_at, public_eta

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("severity", "minutes"), [(Severity.P0, 30), (Severity.P1, 60), (Severity.P2, 240)]
)
def test_next_update_stays_inside_the_window_on_a_clean_minute(
    severity: Severity, minutes: int
) -> None:
    now = datetime(2023, 10, 15, 14, 32, 41, tzinfo=SH)
    at = next_update_at(severity, now)
    assert at is not None
    assert now < at <= now + timedelta(minutes=minutes)
    assert at.minute % 5 == 0
    assert at.second == 0


def test_shortened_cadence_halves_p0() -> None:
    now = datetime(2023, 10, 15, 14, 30, tzinfo=SH)
    assert next_update_at(Severity.P0, now) == datetime(2023, 10, 15, 15, 0, tzinfo=SH)
    assert next_update_at(Severity.P0, now, shorten=True) == datetime(
        2023, 10, 15, 14, 45, tzinfo=SH
    )


def test_p3_is_as_planned_unless_unplanned() -> None:
    now = datetime(2023, 10, 15, 9, 0, tzinfo=SH)
    assert next_update_at(Severity.P3, now) is None
    assert next_update_at(Severity.P3, now, unplanned=True) == now + timedelta(hours=4)


def test_next_update_requires_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_update_at(Severity.P1, datetime(2023, 10, 15, 14, 30))


def test_eta_adds_the_buffer_and_rounds_up_to_five_minutes() -> None:
    base = datetime(2023, 10, 15, 15, 0, tzinfo=SH)
    facts = IncidentFacts(engineering_eta_minutes=40, eta_estimated_at=base)
    # 40 × 1.4 = 56 → 60 minutes.
    assert public_eta(facts) == base + timedelta(minutes=60)
    assert public_eta(facts, buffer=0.3) == base + timedelta(minutes=55)  # 52 → 55
    assert public_eta(facts, buffer=0.5) == base + timedelta(minutes=60)


def test_eta_counts_from_now_when_no_estimate_time_and_lands_in_the_guard_window() -> None:
    now = datetime(2023, 10, 15, 15, 2, 30, tzinfo=SH)
    eta = public_eta(IncidentFacts(engineering_eta_minutes=30), now=now)
    assert eta is not None
    assert eta.second == 0
    low, high = now + timedelta(minutes=30 * 1.3), now + timedelta(minutes=30 * 1.5 + 5)
    assert low - timedelta(minutes=1) <= eta <= high


def test_eta_buffer_outside_the_policy_is_rejected() -> None:
    with pytest.raises(ValueError, match="outside"):
        public_eta(IncidentFacts(engineering_eta_minutes=30), buffer=0.8, now=datetime.now(SH))


def test_no_estimate_no_eta() -> None:
    assert public_eta(IncidentFacts(), now=datetime.now(SH)) is None


def test_policy_is_data() -> None:
    policy = load_policy()
    assert policy.severities[Severity.P0].first_notice_minutes == 15
    assert policy.maintenance.min_notice_hours == 24
    assert policy.eta.buffer_default == pytest.approx(0.4)
