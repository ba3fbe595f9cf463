"""`herald lint` exits 0 on a passing draft and 1 on an error-level finding, with JSON output."""

import json
from pathlib import Path

import pytest

from guards.cli import lint_main

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def test_lint_fails_the_bad_example_with_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "bad.md"
    draft.write_text("系统出现了一些小问题，我们正在努力解决，希望很快能好。\n", encoding="utf-8")
    code = lint_main(
        [
            str(draft),
            "--lang",
            "zh",
            "--stage",
            "investigating",
            "--kind",
            "incident",
            "--channel",
            "statuspage",
            "--now",
            "2023-10-15T14:30:00+08:00",
            "--timezone",
            "Asia/Shanghai",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["passed"] is False
    first = out["findings"][0]
    assert {"rule_id", "level", "message", "start", "end"} <= set(first)


def test_lint_passes_a_seed_stage_example_with_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(
        json.dumps(
            {
                "affected_share_pct": 40,
                "engineering_eta_minutes": 45,
                "affected_regions": ["华北", "华东"],
                "eta_estimated_at": "2023-10-15T15:00:00+08:00",
                "workaround": "切换到华南地区节点",
            }
        ),
        encoding="utf-8",
    )
    case = GOLDEN / "required" / "seed_identified.md"
    assert lint_main([str(case), "--facts", str(facts)]) == 0
    assert "passed" in capsys.readouterr().out


def test_lint_rejects_a_naive_now(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    draft = tmp_path / "d.md"
    draft.write_text("x", encoding="utf-8")
    assert lint_main([str(draft), "--lang", "en", "--now", "2023-10-15T14:30:00"]) == 2
    assert "herald lint" in capsys.readouterr().err
