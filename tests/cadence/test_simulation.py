"""The seed's two P0 cases (PLAYBOOK §11), replayed through the real API on a frozen clock.

Bank core system: 45 min outage, first notice at +5 min, identified with alternatives at +15,
resolved at +45, next-day report. E-commerce payments during a sales peak: 30 % of orders fail
for 2 h, short updates every 15 minutes on four channels. `time_machine` moves the wall clock, so
every timestamp the service writes (events, approvals, updates) is the simulated one.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.conftest import Tokens

CST = ZoneInfo("Asia/Shanghai")
BANK_T0 = datetime(2026, 11, 2, 9, 0, tzinfo=CST)
SHOP_T0 = datetime(2026, 11, 11, 20, 0, tzinfo=CST)
MIN = timedelta(minutes=1)


class Timeline:
    """Drives one incident through the API, moving the frozen clock before each call."""

    def __init__(self, client: TestClient, tokens: Tokens, traveller: Any) -> None:
        self.client = client
        self.tokens = tokens
        self.traveller = traveller
        self.incident_id = ""

    def at(self, when: datetime) -> None:
        self.traveller.move_to(when)

    def call(self, method: str, url: str, role: Role, **kwargs: Any) -> Any:
        response = self.client.request(method, url, headers=self.tokens.auth(role), **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def open(self, when: datetime, incident: dict[str, Any]) -> None:
        self.at(when)
        created = self.call("POST", "/v1/incidents", Role.responder, json={"incident": incident})
        self.incident_id = created["id"]

    def facts(self, when: datetime, **facts: Any) -> None:
        self.at(when)
        body = {"incident": {"herald": {"facts": facts}}}
        self.call("PATCH", f"/v1/incidents/{self.incident_id}", Role.responder, json=body)

    def update(
        self,
        drafted: datetime,
        approved: datetime,
        published: datetime,
        stage: str,
        channels: list[str],
        **extra: Any,
    ) -> dict[str, Any]:
        """Draft at `drafted` (submitted at once), approve and publish at the times given."""
        self.at(drafted)
        draft = self.call(
            "POST",
            f"/v1/incidents/{self.incident_id}/drafts",
            Role.responder,
            json={"stage": stage, "channels": channels, "now": drafted.isoformat(), **extra},
        )
        failing = [
            (r["channel"], r["language"], f["rule_id"], f["match"])
            for r in draft["revision"]["renditions"]
            for f in r["guard"]["findings"]
            if f["level"] == "error"
        ]
        assert draft["revision"]["passed"], failing
        self.call("POST", f"/v1/drafts/{draft['id']}/submit", Role.responder)
        self.at(approved)
        revision = draft["revision"]
        self.call(
            "POST",
            f"/v1/drafts/{draft['id']}/approve",
            Role.approver,
            json={"revision": revision["number"], "digest": revision["digest"]},
        )
        self.at(published)
        self.call("POST", f"/v1/drafts/{draft['id']}/publish", Role.responder)
        return draft


def run_bank(line: Timeline) -> dict[str, Any]:
    t0 = BANK_T0
    line.open(
        t0,
        {
            "name": "手机银行无法登录",
            "herald": {
                "severity": "P0",
                "kind": "full_outage",
                "languages": ["zh"],
                "facts": {
                    "symptoms": ["手机银行和网上银行无法登录"],
                    "affected_components": ["手机银行", "网上银行"],
                    "affected_share_pct": 100,
                    "detected_at": t0.isoformat(),
                    "timezone": "Asia/Shanghai",
                },
            },
        },
    )
    channels = ["statuspage", "sms", "wecom"]
    first = line.update(t0 + 2 * MIN, t0 + 4 * MIN, t0 + 5 * MIN, "investigating", channels)
    line.facts(
        t0 + 12 * MIN,
        cause="核心账务系统的数据库连接异常",
        workaround="您可以拨打电话银行或前往营业网点办理业务",
        actions=["技术团队正在切换到备用数据库"],
        engineering_eta_minutes=20,
        eta_estimated_at=(t0 + 15 * MIN).isoformat(),
    )
    # Drafted at +15 and signed off within the minute: the draft's next-update time counts from
    # the draft, so an earlier draft would promise 09:40 and the 09:45 resolution would miss it.
    sec = timedelta(seconds=1)
    second = line.update(
        t0 + 15 * MIN, t0 + 15 * MIN + 40 * sec, t0 + 15 * MIN + 50 * sec, "identified", channels
    )
    line.facts(
        t0 + 42 * MIN,
        fix_applied="已切换到备用数据库",
        recovered_at=(t0 + 45 * MIN).isoformat(),
        follow_ups=["完善数据库故障的自动切换"],
    )
    line.update(t0 + 43 * MIN, t0 + 44 * MIN, t0 + 45 * MIN, "resolved", channels)
    return {"first": first, "second": second}


def run_shop(line: Timeline) -> int:
    """Returns how many updates were published."""
    t0 = SHOP_T0
    line.open(
        t0,
        {
            "name": "Payments failing at checkout",
            "herald": {
                "severity": "P0",
                "kind": "partial_outage",
                "languages": ["en"],
                "facts": {
                    "symptoms": ["some payments fail at checkout"],
                    "affected_components": ["Checkout"],
                    "affected_share_pct": 30,
                    "detected_at": t0.isoformat(),
                    "timezone": "Asia/Shanghai",
                },
            },
        },
    )
    channels = ["statuspage", "sms", "email", "wecom"]
    short = {"tone": {"shorten_cadence": True, "apologise": True}}
    first = line.update(
        t0 + 2 * MIN, t0 + 3 * MIN, t0 + 4 * MIN, "investigating", channels, **short
    )
    line.facts(
        t0 + 10 * MIN,
        cause="a configuration change at our payment provider",
        workaround="pay with a saved card or another payment method",
        actions=["we are routing payments through a second provider"],
        engineering_eta_minutes=90,
        eta_estimated_at=(t0 + 15 * MIN).isoformat(),
    )
    # Short updates on the shortened (15-minute) cadence: each one is drafted three minutes
    # before the time the previous one promised and published a minute before it. The drafter
    # rounds promises down to a clean 5-minute mark, so the chain runs about every 10 minutes.
    end = t0 + 120 * MIN
    promised = _next(first)
    published = 1
    stage = "identified"
    while promised < end:
        if promised >= t0 + 90 * MIN and stage == "identified":
            line.facts(promised - 4 * MIN, fix_applied="payments now go through a second provider")
            stage = "monitoring"
        made = line.update(
            promised - 3 * MIN, promised - 2 * MIN, promised - MIN, stage, channels, **short
        )
        promised = _next(made)
        published += 1
    line.facts(end - 3 * MIN, recovered_at=(end - 5 * MIN).isoformat())
    line.update(end - 2 * MIN, end - MIN, end, "resolved", channels, **short)
    return published + 1


def _next(draft: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(draft["revision"]["next_update_at"])


@pytest.fixture
def line(client: TestClient, tokens: Tokens) -> Any:
    with time_machine.travel(BANK_T0, tick=False) as traveller:
        yield Timeline(client, tokens, traveller)


def test_bank_outage_metrics(line: Timeline) -> None:
    run_bank(line)
    line.at(BANK_T0 + 2 * 60 * MIN)
    m = line.call("GET", f"/v1/incidents/{line.incident_id}/metrics", Role.comms_lead)
    assert m["time_to_first_notice_min"] == 5
    assert m["first_notice_on_time"] is True
    assert m["first_notice_target_min"] == 5
    # First notice, next update due 09:35 (kept at 09:15), next due 09:45 (kept at 09:45).
    assert (m["promises_kept"], m["promises_missed"], m["cadence_adherence"]) == (3, 0, 1.0)
    # ETA: 20 min from 09:15 plus 40 % → 09:43, on the 5-minute mark 09:45; recovered 09:45.
    assert (m["eta_kept"], m["eta_missed"], m["eta_accuracy"]) == (1, 0, 1.0)
    assert m["eta_mean_abs_error_min"] == 0
    # Sign-offs took 2 min, 40 s and 1 min.
    assert m["approval_latency_median_min"] == 1
    assert m["approval_latency_max_min"] == 2
    assert m["approvals_within_deadline"] == 1.0
    assert (m["drafts"], m["published_updates"], m["drafts_per_published_update"]) == (3, 3, 1.0)
    assert m["overdue_promises"] == 0
    assert m["guard_errors_per_draft"] == 0


def test_ecommerce_peak_metrics(line: Timeline) -> None:
    published = run_shop(line)
    line.at(SHOP_T0 + 3 * 60 * MIN)
    m = line.call("GET", f"/v1/incidents/{line.incident_id}/metrics", Role.comms_lead)
    assert m["time_to_first_notice_min"] == 4
    assert m["published_updates"] == published
    # Each publication fulfilled exactly one promise (the first notice, then the previous
    # update's next-update time), every one on time.
    assert (m["promises_kept"], m["promises_missed"], m["cadence_adherence"]) == (
        published,
        0,
        1.0,
    )
    # ETA: 90 min from 20:15 plus 40 % → 22:21, on the 5-minute mark 22:25; recovered 21:55.
    assert (m["eta_kept"], m["eta_missed"], m["eta_accuracy"]) == (1, 0, 1.0)
    assert m["eta_mean_abs_error_min"] == 30
    assert m["drafts_per_published_update"] == 1.0
    promises = line.call("GET", f"/v1/incidents/{line.incident_id}/promises", Role.responder)
    gaps = [
        datetime.fromisoformat(p["due_at"]) - datetime.fromisoformat(p["made_at"])
        for p in promises
        if p["kind"] == "next_update"
    ]
    assert len(gaps) == published - 1
    assert max(gaps) <= 15 * MIN  # never a longer wait than the shortened cadence allows


def test_a_late_update_shows_in_the_metrics(line: Timeline) -> None:
    """The control: the same bank case with the identified update 10 minutes late."""
    t0 = BANK_T0
    line.open(
        t0,
        {
            "name": "手机银行无法登录",
            "herald": {
                "severity": "P0",
                "languages": ["zh"],
                "facts": {
                    "symptoms": ["手机银行无法登录"],
                    "affected_components": ["手机银行"],
                    "detected_at": t0.isoformat(),
                    "timezone": "Asia/Shanghai",
                },
            },
        },
    )
    line.update(t0 + 17 * MIN, t0 + 24 * MIN, t0 + 25 * MIN, "investigating", ["statuspage"])
    line.at(t0 + 26 * MIN)
    m = line.call("GET", f"/v1/incidents/{line.incident_id}/metrics", Role.comms_lead)
    assert m["time_to_first_notice_min"] == 25
    assert m["first_notice_on_time"] is False
    assert (m["promises_kept"], m["promises_missed"]) == (0, 1)
    assert m["approval_latency_median_min"] == 7
    assert m["approvals_within_deadline"] == 0.0


def test_report_over_both_cases_and_prometheus(
    line: Timeline, client: TestClient, tokens: Tokens
) -> None:
    run_bank(line)
    bank_id = line.incident_id
    run_shop(line)
    line.at(SHOP_T0 + 3 * 60 * MIN)
    report = line.call(
        "GET",
        "/v1/reports/comms",
        Role.comms_lead,
        params={"from": "2026-11-01T00:00:00+08:00", "to": "2026-12-01T00:00:00+08:00"},
    )
    agg = report["aggregate"]
    assert agg["incidents"] == 2
    assert agg["time_to_first_notice_median_min"] == 4.5
    assert agg["first_notice_on_time"] == 1.0
    assert agg["promises_missed"] == 0
    assert agg["cadence_adherence"] == 1.0
    assert agg["eta_accuracy"] == 1.0
    assert set(report["by_severity"]) == {"P0"}
    assert next(m["incident_id"] for m in report["incidents"]) == bank_id
    narrow = line.call(
        "GET",
        "/v1/reports/comms",
        Role.comms_lead,
        params={"from": "2026-11-10T00:00:00+08:00", "to": "2026-12-01T00:00:00+08:00"},
    )
    assert narrow["aggregate"]["incidents"] == 1

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=tokens.auth(Role.comms_lead)).status_code == 403
    scrape = client.get("/metrics", headers=tokens.auth(Role.admin))
    assert scrape.status_code == 200
    text = scrape.text
    kept = agg["promises_kept"] - 2  # less the two first notices
    assert f'herald_promises{{kind="next_update",state="kept"}} {kept:.1f}' in text
    assert 'herald_time_to_first_notice_seconds_bucket{le="300.0",severity="P0"} 2.0' in text
    assert 'herald_time_to_first_notice_seconds_bucket{le="60.0",severity="P0"} 0.0' in text
    assert 'herald_comms_ratio{measure="cadence_adherence",severity="all"} 1.0' in text
    assert "herald_promises_overdue 0.0" in text
