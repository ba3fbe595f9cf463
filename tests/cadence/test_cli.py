"""`herald report` and `herald promises`, run as real subprocesses against a SQLite file."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service.store.migrate import upgrade
from tests.cadence.support import approve_and_publish, draft, open_incident, session_for

HERALD = str(Path(sys.executable).with_name("herald"))


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A wide terminal, so rich does not wrap the incident names.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    return subprocess.run([HERALD, *args], env=env, capture_output=True, text=True, timeout=120)


def test_report_json_and_table_and_tick(tmp_path: Path) -> None:
    db = tmp_path / "herald.db"
    url = f"sqlite:///{db}"
    upgrade(url)
    # Real time here: the subprocess reads the wall clock.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    t0 = now - timedelta(hours=2)
    with session_for(url) as session:
        late = open_incident(
            session,
            t0,
            name="Login unavailable",
            herald={
                "severity": "P1",
                "languages": ["en"],
                "facts": {"symptoms": ["sign-in fails"], "detected_at": t0.isoformat()},
            },
        )
        quick = open_incident(
            session,
            now - timedelta(minutes=20),
            name="Search slow",
            herald={
                "severity": "P2",
                "languages": ["en"],
                "facts": {
                    "symptoms": ["search is slow"],
                    "detected_at": (now - timedelta(minutes=20)).isoformat(),
                },
            },
        )
        made = draft(session, quick, now - timedelta(minutes=10))
        approve_and_publish(session, made.id, now - timedelta(minutes=10))

    ticked = _run(db, "promises", "tick")
    assert ticked.returncode == 0, ticked.stderr
    # The P1 incident's first notice (due 30 min after detection) was never published.
    assert "made 1" in ticked.stdout
    assert "missed 1" in ticked.stdout
    assert "drafts 1" in ticked.stdout
    overdue = _run(db, "promises", "overdue")
    assert late in overdue.stdout
    assert quick not in overdue.stdout

    result = _run(db, "report", "--json", "--from", (t0 - timedelta(days=1)).isoformat())
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    by_id = {m["incident_id"]: m for m in report["incidents"]}
    assert by_id[quick]["time_to_first_notice_min"] == 10
    assert by_id[quick]["first_notice_on_time"] is True
    assert by_id[late]["promises_missed"] == 1
    assert by_id[late]["overdue_promises"] == 1
    assert report["aggregate"]["cadence_adherence"] == 0.5

    table = _run(db, "report")
    assert table.returncode == 0, table.stderr
    assert "Login unavailable" in table.stdout
    assert "Aggregate" in table.stdout
    assert "50 %" in table.stdout  # cadence over both: one first notice kept, one missed
    bad = _run(db, "report", "--from", "yesterday")
    assert bad.returncode != 0
