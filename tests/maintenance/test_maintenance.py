"""Scheduled maintenance on both databases: the 24 h notice rule, the approver's audited late
notice, reminders drafted (never published) with an injected clock, and status transitions."""

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import maintenance, promises
from service.app import build_drafters
from service.config import Settings
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory, session_scope
from service.store.types import utcnow
from tests.conftest import Tokens
from tests.statuspage import flow


def _maintenance(
    client: TestClient, tokens: Tokens, start: datetime, component_ids: list[str]
) -> dict[str, Any]:
    body = {
        "incident": {
            "name": "Database upgrade",
            "scheduled_for": start.isoformat(),
            "scheduled_until": (start + timedelta(hours=2)).isoformat(),
            "component_ids": component_ids,
            "herald": {
                "kind": "maintenance",
                "severity": "P3",
                "languages": ["zh", "en"],
                "facts": {"affected_components": ["Login"], "timezone": "Asia/Shanghai"},
            },
        }
    }
    response = client.post("/v1/incidents", json=body, headers=tokens.auth(Role.responder))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _draft(client: TestClient, tokens: Tokens, incident_id: str, target: str = "scheduled") -> Any:
    return client.post(
        f"/v1/incidents/{incident_id}/maintenance-drafts",
        json={"target_status": target},
        headers=tokens.auth(Role.responder),
    )


def _publish_target(
    client: TestClient, tokens: Tokens, incident_id: str, target: str = "scheduled"
) -> Any:
    created = _draft(client, tokens, incident_id, target)
    assert created.status_code == 201, created.text
    return flow.publish(client, tokens, created.json()["draft"])


@pytest.fixture
def login(client: TestClient, tokens: Tokens) -> str:
    return flow.component(client, tokens, "Login")


def test_notice_inside_24_hours_is_refused_unless_an_approver_flags_it(
    client: TestClient, tokens: Tokens, login: str
) -> None:
    item = _maintenance(client, tokens, utcnow() + timedelta(hours=3), [login])
    created = _draft(client, tokens, item["id"]).json()
    assert created["purpose"] == "notice"
    # The guard already flags the short notice in the text; waiving that finding at approval is
    # not enough: publishing checks the window itself and wants the explicit flag.
    assert not created["draft"]["revision"]["passed"]
    refused = flow.publish(client, tokens, created["draft"], waive="notice is late, see flag")
    assert refused.status_code == 409
    assert "24 h" in refused.json()["detail"]
    assert client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"] == []

    flag = {"reason": "emergency", "note": "security patch cannot wait for the notice period"}
    url = f"/v1/drafts/{created['draft']['id']}/late-notice"
    assert client.post(url, json=flag, headers=tokens.auth(Role.responder)).status_code == 403
    flagged = client.post(url, json=flag, headers=tokens.auth(Role.approver))
    assert flagged.status_code == 200, flagged.text
    assert flagged.json()["late_notice"] == "emergency"
    published = client.post(
        f"/v1/drafts/{created['draft']['id']}/publish", headers=tokens.auth(Role.responder)
    )
    assert published.status_code == 200, published.text
    audit = client.get(
        f"/v1/audit?object_id={created['draft']['id']}", headers=tokens.auth(Role.admin)
    ).json()
    assert "maintenance.late_notice" in [entry["action"] for entry in audit]


def test_notice_well_ahead_is_published_and_listed(
    client: TestClient, tokens: Tokens, login: str
) -> None:
    start = utcnow() + timedelta(hours=48)
    item = _maintenance(client, tokens, start, [login])
    assert _publish_target(client, tokens, item["id"]).status_code == 200
    upcoming = client.get("/api/v2/scheduled-maintenances/upcoming.json").json()
    [window] = upcoming["scheduled_maintenances"]
    assert window["id"] == item["id"]
    assert window["status"] == "scheduled"
    assert window["impact"] == "maintenance"
    assert datetime.fromisoformat(window["scheduled_for"]) == start.replace(microsecond=0) or (
        abs(datetime.fromisoformat(window["scheduled_for"]) - start) < timedelta(seconds=1)
    )
    summary = client.get("/api/v2/summary.json").json()
    assert [m["id"] for m in summary["scheduled_maintenances"]] == [item["id"]]
    assert summary["components"][0]["status"] == "operational"  # nothing changes before it starts
    assert (
        client.get("/api/v2/scheduled-maintenances/active.json").json()["scheduled_maintenances"]
        == []
    )
    assert "Database upgrade" in client.get("/?lang=en").text


def test_transitions_happen_when_their_drafts_are_published(
    client: TestClient, tokens: Tokens, login: str
) -> None:
    item = _maintenance(client, tokens, utcnow() + timedelta(hours=30), [login])
    assert _publish_target(client, tokens, item["id"]).status_code == 200
    unpublished = _draft(client, tokens, item["id"], "in_progress")
    assert unpublished.json()["purpose"] == "transition"
    assert (
        client.get(f"/v1/incidents/{item['id']}", headers=tokens.auth(Role.responder)).json()[
            "status"
        ]
        == "scheduled"
    )  # drafting alone moves nothing

    assert _publish_target(client, tokens, item["id"], "in_progress").status_code == 200
    summary = client.get("/api/v2/summary.json").json()
    assert summary["components"][0]["status"] == "under_maintenance"
    assert summary["status"]["description"] == "Service Under Maintenance"
    [active] = client.get("/api/v2/scheduled-maintenances/active.json").json()[
        "scheduled_maintenances"
    ]
    assert active["status"] == "in_progress"
    backwards = _draft(client, tokens, item["id"], "scheduled")
    assert backwards.status_code == 409

    assert _publish_target(client, tokens, item["id"], "completed").status_code == 200
    summary = client.get("/api/v2/summary.json").json()
    assert summary["components"][0]["status"] == "operational"
    assert summary["scheduled_maintenances"] == []
    [done] = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    assert done["status"] == "completed"
    assert [u["status"] for u in done["incident_updates"]] == [
        "completed",
        "in_progress",
        "scheduled",
    ]


def test_reminders_are_drafted_once_within_the_lead_and_never_published(
    client: TestClient, tokens: Tokens, login: str, settings: Settings
) -> None:
    start = utcnow() + timedelta(hours=30)
    item = _maintenance(client, tokens, start, [login])
    unannounced = _maintenance(client, tokens, utcnow() + timedelta(hours=30), [login])
    assert _publish_target(client, tokens, item["id"]).status_code == 200
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    drafters = build_drafters(settings)
    lead = maintenance.reminder_lead(2)

    def tick(at: datetime) -> list[maintenance.MaintenanceDraftPublic]:
        with session_scope(factory) as session:
            return maintenance.due_reminders(session, at, lead=lead, drafters=drafters)

    try:
        assert tick(start - timedelta(hours=3)) == []
        [reminder] = tick(start - timedelta(hours=1, minutes=50))
        assert tick(start - timedelta(hours=1)) == []  # once per window
        assert tick(start + timedelta(minutes=1)) == []  # the window started: too late
    finally:
        engine.dispose()
    assert reminder.purpose == "reminder"
    assert reminder.draft.incident_id == item["id"]  # not the one never announced
    assert unannounced["id"] != item["id"]
    state = client.get(f"/v1/drafts/{reminder.draft.id}", headers=tokens.auth(Role.responder))
    assert state.json()["state"] == "in_review"
    assert state.json()["created_by"] == "herald:maintenance"
    updates = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    assert len(updates[0]["incident_updates"]) == 1  # only the notice is public
    # A reminder is inside the notice period by nature: its text is worded as a reminder, the
    # notice-period rule does not apply to it, and it publishes with no waiver and no flag.
    revision = reminder.draft.revision
    assert revision.passed, [r.guard for r in revision.renditions]
    bodies = {(r.channel.value, r.language.value): r.body for r in revision.renditions}
    assert bodies[("statuspage", "en")].startswith("Reminder: the scheduled maintenance of Login")
    assert bodies[("statuspage", "zh")].startswith("温馨提醒")
    assert bodies[("sms", "zh")].startswith("【维护提醒】")
    approved = flow.publish(client, tokens, reminder.draft.model_dump(mode="json"))
    assert approved.status_code == 200, approved.text


def _texts(draft: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["channel"], r["language"]): r["body"] for r in draft["revision"]["renditions"]}


def test_each_transition_has_its_own_guard_clean_wording_inside_the_window(
    client: TestClient, tokens: Tokens, login: str
) -> None:
    # Announced well ahead; the later texts are drafted when the window is near or open, where
    # the notice-period rule would refuse a notice but must not touch these.
    start = utcnow() + timedelta(hours=25)
    item = _maintenance(client, tokens, start, [login])
    notice = _draft(client, tokens, item["id"]).json()["draft"]
    assert "will be unavailable on" in _texts(notice)[("statuspage", "en")]
    assert flow.publish(client, tokens, notice).status_code == 200
    wording = {
        "in_progress": ("is now in progress", "现已开始"),
        "verifying": ("we are verifying", "正在公告的维护窗口"),
        "completed": ("has been completed and Login is available again", "已恢复访问"),
    }
    for target, (en, zh) in wording.items():
        at = start + timedelta(minutes=30 if target != "completed" else 130)
        response = client.post(
            f"/v1/incidents/{item['id']}/maintenance-drafts",
            json={"target_status": target, "now": at.isoformat()},
            headers=tokens.auth(Role.responder),
        )
        assert response.status_code == 201, response.text
        draft = response.json()["draft"]
        texts = _texts(draft)
        assert en in texts[("statuspage", "en")], texts
        assert zh in texts[("statuspage", "zh")], texts
        assert texts[("statuspage", "en")] != _texts(notice)[("statuspage", "en")]
        findings = [
            f["rule_id"]
            for r in draft["revision"]["renditions"]
            for f in r["guard"]["findings"]
            if f["level"] == "error"
        ]
        assert findings == [], (target, findings)
        assert flow.publish(client, tokens, draft).status_code == 200
    [done] = client.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
    assert [u["status"] for u in done["incident_updates"]] == [
        "completed",
        "verifying",
        "in_progress",
        "scheduled",
    ]
    assert "has been completed" in done["incident_updates"][0]["body"]


def _announced(
    client: TestClient, tokens: Tokens, login: str, hours: float
) -> tuple[dict[str, Any], datetime]:
    """A maintenance `hours` ahead whose notice is published; the incident and its start."""
    start = utcnow() + timedelta(hours=hours)
    item = _maintenance(client, tokens, start, [login])
    assert _publish_target(client, tokens, item["id"]).status_code == 200
    return item, start


def test_an_edited_reminder_is_still_checked_as_a_reminder(
    client: TestClient, tokens: Tokens, login: str, settings: Settings
) -> None:
    _, start = _announced(client, tokens, login, hours=25)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            [reminder] = maintenance.due_reminders(
                session,
                start - timedelta(hours=1),
                lead=maintenance.reminder_lead(2),
                drafters=build_drafters(settings),
            )
    finally:
        engine.dispose()
    [en] = [
        r
        for r in reminder.draft.revision.renditions
        if (r.channel.value, r.language.value) == ("statuspage", "en")
    ]
    edited = client.post(
        f"/v1/drafts/{reminder.draft.id}/revisions",
        json={
            "base_revision": 1,
            "renditions": [
                {
                    "channel": "statuspage",
                    "language": "en",
                    "title": en.title,
                    "body": en.body.replace("Reminder:", "Friendly reminder:"),
                }
            ],
        },
        headers=tokens.auth(Role.approver),
    )
    assert edited.status_code == 201, edited.text
    rules = [
        f["rule_id"]
        for r in edited.json()["revision"]["renditions"]
        for f in r["guard"]["findings"]
    ]
    assert "timing.MaintenanceNotice" not in rules
    assert edited.json()["revision"]["passed"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_tick_drafts_due_reminders(
    client: TestClient, tokens: Tokens, login: str, db_url: str
) -> None:
    start = utcnow() + timedelta(hours=26)
    item = _maintenance(client, tokens, start, [login])
    assert _publish_target(client, tokens, item["id"]).status_code == 200
    herald = str(Path(sys.executable).with_name("herald"))
    env = {**os.environ, "DATABASE_URL": db_url}
    at = (start - timedelta(hours=1)).isoformat()
    first = subprocess.run(
        [herald, "maintenance", "tick", "--now", at], env=env, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("1 reminder draft(s) created")
    again = subprocess.run(
        [herald, "maintenance", "tick", "--now", at], env=env, capture_output=True, text=True
    )
    assert again.stdout.strip().endswith("0 reminder draft(s) created")


def test_the_cadence_clock_drafts_due_reminders_in_process(
    client: TestClient, tokens: Tokens, login: str, settings: Settings
) -> None:
    # The same clock the app runs in its lifespan (and `herald promises tick` runs once).
    item, start = _announced(client, tokens, login, hours=26)
    engine = make_engine(settings.database_url)
    config = promises.ClockConfig(
        drafter=build_drafters(settings)["template"],
        maintenance_reminder_lead=maintenance.reminder_lead(settings.maintenance_reminder_h),
    )
    lead = timedelta(hours=settings.maintenance_reminder_h)
    try:
        factory = make_session_factory(engine)
        early = promises.tick_once(factory, config, now=start - lead - timedelta(minutes=5))
        due = promises.tick_once(factory, config, now=start - lead + timedelta(minutes=5))
        again = promises.tick_once(factory, config, now=start - lead + timedelta(minutes=10))
    finally:
        engine.dispose()
    assert early.maintenance_reminders == []
    assert len(due.maintenance_reminders) == 1
    assert again.maintenance_reminders == []
    reminder = client.get(
        f"/v1/drafts/{due.maintenance_reminders[0]}", headers=tokens.auth(Role.responder)
    ).json()
    assert reminder["incident_id"] == item["id"]
    assert reminder["state"] == "in_review"
