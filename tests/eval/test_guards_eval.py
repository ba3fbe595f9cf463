"""`herald eval guards`: the guard over the human-written updates of an incidents file."""

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.eval.conftest import herald


def test_counts_updates_stages_and_required_elements(
    incidents_file: Path, runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "g.json"
    text = herald(runner, "eval", "guards", "--data", str(incidents_file), "--json", str(out))
    data = json.loads(out.read_text())["Guard over human-written updates"]
    # Three non-empty updates: the empty 'update' body is not a text to check.
    assert data["updates"] == 3
    assert data["per_stage"] == {"investigating": 2, "resolved": 1}
    # Only the second investigating update gives a next-update time.
    assert data["updates_hit_by_rule"]["required.NextUpdateTime"] == 1
    assert data["required_coverage_by_rule"]["required.NextUpdateTime"] == 0.5
    # Thanks and a support channel are required only when resolved, and that update lacks both.
    assert data["required_coverage_by_rule"]["required.Thanks"] == 0.0
    assert data["updates_hit_by_rule"]["required.Thanks"] == 1
    assert data["hit_rates"]["required.Thanks"] == 1 / 3
    # The P0 update promises its next update 40 min out, past the 30-minute cadence.
    assert data["updates_hit_by_rule"]["timing.Cadence"] == 1
    assert data["passed"] == 0
    assert "required.NextUpdateTime" in text
