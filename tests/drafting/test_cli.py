"""`herald draft` through typer's runner."""

import json
from pathlib import Path

from typer.testing import CliRunner

import service.cli.draft  # noqa: F401  (registers the command until service/cli imports it)
from service.cli import app


def test_draft_command_prints_renditions_with_guard_reports(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(
        json.dumps(
            {
                "name": "云存储服务访问异常",
                "severity": "P1",
                "facts": {
                    "affected_components": ["云存储服务"],
                    "timezone": "Asia/Shanghai",
                    "detected_at": "2023-10-15T14:30:00+08:00",
                },
            }
        )
    )
    result = CliRunner().invoke(
        app,
        [
            "draft",
            "--facts",
            str(facts),
            "--stage",
            "investigating",
            "--lang",
            "zh",
            "--channel",
            "sms",
            "--channel",
            "statuspage",
            "--now",
            "2023-10-15T14:40:00+08:00",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["channel"] for r in data["renditions"]] == ["sms", "statuspage"]
    assert all(r["guard"]["passed"] for r in data["renditions"])
    assert "北京时间15:40" in data["renditions"][1]["body"]


def test_draft_command_rejects_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(
        app,
        [
            "draft",
            "--facts",
            str(bad),
            "--stage",
            "resolved",
            "--lang",
            "en",
            "--channel",
            "sms",
        ],
    )
    assert result.exit_code == 2
