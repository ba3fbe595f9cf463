"""Tiny data files in the shared formats, written per test (the real data is never copied)."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows as JSON lines and return the path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


# Two incidents: a minor one (three updates, one with an empty body) and a critical one.
INCIDENTS = [
    {
        "provider": "github",
        "incident_id": "inc-a",
        "title": "Incident with Git Operations",
        "impact": "minor",
        "components": ["Git Operations"],
        "started_at": "2024-05-01T10:00:00Z",
        "resolved_at": "2024-05-01T11:00:00Z",
        "updates": [
            {
                "status": "investigating",
                "created_at": "2024-05-01T10:02:00Z",
                "body": "We are investigating reports of degraded performance for Git Operations.",
            },
            {"status": "update", "created_at": "2024-05-01T10:30:00Z", "body": ""},
            {
                "status": "resolved",
                "created_at": "2024-05-01T11:00:00Z",
                "body": "This incident has been resolved.",
            },
        ],
    },
    {
        "provider": "github",
        "incident_id": "inc-b",
        "title": "Incident with Actions",
        "impact": "critical",
        "components": ["Actions"],
        "started_at": "2024-05-02T08:00:00Z",
        "resolved_at": "2024-05-02T09:30:00Z",
        "updates": [
            {
                "status": "investigating",
                "created_at": "2024-05-02T08:05:00Z",
                "body": "We are investigating reports of failed Actions runs. About 30% of runs "
                "fail to start. We are rolling back a change. We will provide an update by "
                "08:45 UTC.",
            }
        ],
    },
]


@pytest.fixture
def incidents_file(tmp_path: Path) -> Path:
    """Two real-format incidents with three non-empty human-written updates."""
    return write_jsonl(tmp_path / "incidents_tiny.jsonl", INCIDENTS)


@pytest.fixture
def runner() -> CliRunner:
    """Invokes the `herald` app in-process."""
    return CliRunner()


def herald(runner: CliRunner, *args: str) -> str:
    """Run `herald ARGS`, fail on a non-zero exit, return stdout."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout
