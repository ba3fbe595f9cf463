"""The seed's two P0 cases (PLAYBOOK §11) as API timelines on a frozen clock.

Bank core system: 45 min outage, first notice at +5 min, identified with alternatives at +15,
resolved at +45, next-day report. E-commerce payments during a sales peak: 30 % of orders fail
for 2 h, short updates on the shortened cadence on four channels. `time_machine` moves the wall
clock, so every timestamp the service writes (events, approvals, updates) is the simulated one.
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
