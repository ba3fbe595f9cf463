"""`herald eval drafts`: every stage × channel × language of a suite, beside the human baseline."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eval.drafts.cases import jobs
from eval.drafts.derive import fault_case
from service.cli import app
from tests.eval.conftest import herald, write_jsonl

CHANNELS = 7


def _run(runner: CliRunner, tmp_path: Path, *args: str) -> tuple[dict[str, Any], str]:
    out = tmp_path / "d.json"
    text = herald(runner, "eval", "drafts", *args, "--json", str(out))
    (section,) = json.loads(out.read_text()).values()
    return section, text


def test_incidents_suite_counts_every_rendition(
    incidents_file: Path, runner: CliRunner, tmp_path: Path
) -> None:
    page = tmp_path / "d.html"
    data, text = _run(
        runner, tmp_path, "--suite", "incidents", "--data", str(incidents_file), "--html", str(page)
    )
    # Minor: investigating, identified, monitoring, resolved, summary; critical adds the notice.
    assert data["cases"] == 2
    assert data["drafts"] == 5 + 6
    assert data["renditions"] == 11 * CHANNELS * 2
    assert data["pass_rate"] == data["passed"] / data["renditions"]
    assert data["latency_ms"]["per_draft"]["n"] == 11
    assert {c: s["n"] for c, s in data["chars_by_channel"].items()} == dict.fromkeys(
        ["statuspage", "email", "sms", "wecom", "dingtalk", "feishu", "slack"], 22
    )
    assert sum(data["sms_segments"].values()) == 22
    assert 0 <= data["required_coverage"] <= 1
    # The baseline defaults to the suite's own file: its three human-written updates.
    assert data["baseline"]["updates"] == 3
    assert "human-written" in text
    assert "texts checked" in text

    html = page.read_text()
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    svgs = html.count("<svg")
    assert svgs == 4
    rest = html
    for _ in range(svgs):  # every chart is well-formed XML
        start = rest.index("<svg")
        end = rest.index("</svg>", start) + len("</svg>")
        ET.fromstring(rest[start:end])
        rest = rest[end:]


def test_one_language_without_baseline(
    incidents_file: Path, runner: CliRunner, tmp_path: Path
) -> None:
    data, _ = _run(
        runner, tmp_path, "--suite", "incidents", "--data", str(incidents_file),
        "--lang", "en", "--no-baseline",
    )  # fmt: skip
    assert data["languages"] == ["en"]
    assert data["renditions"] == 11 * CHANNELS
    assert data["baseline"] is None


def test_faults_suite_on_a_hand_written_record(
    incidents_file: Path, runner: CliRunner, tmp_path: Path
) -> None:
    record = {
        "id": "ict-test-1",
        "lang": "zh",
        "started_at": "2016-06-12 04:35:00",
        "ended_at": "2016-06-12 06:05:00",
        "affected_system": "集中ERP",
        "anomaly_subtype": "系统无法访问",
        "cause_category": "软件缺陷",
        "cause_subcategory": "程序缺陷",
        "symptom": "用户无法登录。",
        "handling_process": "重启应用服务后恢复。",
        "remediation": "加强巡检。",
    }
    faults = write_jsonl(tmp_path / "faults.jsonl", [record])
    data, _ = _run(
        runner, tmp_path, "--suite", "faults", "--data", str(faults), "--lang", "zh",
        "--baseline", str(incidents_file),
    )  # fmt: skip
    steps = len(list(jobs(fault_case(record))))
    assert data["drafts"] == steps
    assert data["renditions"] == steps * CHANNELS
    assert data["languages"] == ["zh"]
    assert data["baseline"]["updates"] == 3


def test_llm_drafter_needs_an_endpoint(
    incidents_file: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HERALD_LLM_BASE_URL", raising=False)

    result = runner.invoke(
        app, ["eval", "drafts", "--suite", "incidents", "--data", str(incidents_file),
              "--drafter", "llm"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "HERALD_LLM_BASE_URL" in result.output
