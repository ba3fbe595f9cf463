"""The post-incident report: drafted from the bank case's timeline, guarded, approved, published."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.cadence.timelines import BANK_T0, MIN, Timeline, run_bank


def _statuspage(draft: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in draft["revision"]["renditions"] if r["channel"] == "statuspage")


def test_postmortem_passes_the_guards_and_becomes_the_postmortem_body(
    line: Timeline, client: TestClient
) -> None:
    run_bank(line)
    url = f"/v1/incidents/{line.incident_id}/postmortem"
    line.at(BANK_T0 + timedelta(hours=20))  # the next-day report
    draft = line.call("POST", url, Role.responder)
    assert draft["kind"] == "postmortem"
    assert draft["state"] == "draft"
    errors = [
        (r["channel"], f["rule_id"], f["match"])
        for r in draft["revision"]["renditions"]
        for f in r["guard"]["findings"]
        if f["level"] == "error"
    ]
    assert errors == []
    assert draft["revision"]["passed"] is True
    assert "+report@" in draft["revision"]["provenance"]["prompt_version"]
    body = _statuspage(draft)["body"]
    # Impact window, cause, what was done, follow-ups, and the communication record.
    for expected in (
        "09:00",
        "09:45",
        "45分钟",
        "核心账务系统的数据库连接异常",
        "已切换到备用数据库",
        "完善数据库故障的自动切换",
        "技术团队正在切换到备用数据库",
        "首次公告在问题发生后5分钟发布",
        "我们共发布了3次更新",
        "承诺的3次更新中有3次按时发布",
        "我们公布的1个预计恢复时间中有1个按时兑现",
    ):
        assert expected in body, expected

    line.call("POST", f"/v1/drafts/{draft['id']}/submit", Role.responder)
    revision = draft["revision"]
    line.call(
        "POST",
        f"/v1/drafts/{draft['id']}/approve",
        Role.approver,
        json={"revision": revision["number"], "digest": revision["digest"]},
    )
    line.call("POST", f"/v1/drafts/{draft['id']}/publish", Role.responder)
    incident = line.call("GET", f"/v1/incidents/{line.incident_id}", Role.comms_lead)
    assert incident["postmortem_body"] == body
    # The report is not an update on the incident's clock: the ledger did not change.
    m = line.call("GET", f"/v1/incidents/{line.incident_id}/metrics", Role.comms_lead)
    assert (m["promises_kept"], m["promises_missed"], m["published_updates"]) == (3, 0, 3)


def test_postmortem_waits_for_resolution(line: Timeline) -> None:
    line.open(
        BANK_T0,
        {"name": "手机银行无法登录", "herald": {"severity": "P0", "languages": ["zh"]}},
    )
    line.at(BANK_T0 + 10 * MIN)
    response = line.client.post(
        f"/v1/incidents/{line.incident_id}/postmortem", headers=line.tokens.auth(Role.responder)
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
