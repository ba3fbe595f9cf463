"""The seed's two P0 cases replayed through the real API: the metrics they must yield."""

from datetime import datetime

from fastapi.testclient import TestClient

from service.domain.enums import Role
from tests.cadence.timelines import BANK_T0, MIN, SHOP_T0, Timeline, run_bank, run_shop
from tests.conftest import Tokens


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
