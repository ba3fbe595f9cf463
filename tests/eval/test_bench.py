"""Benchmarks, run short: the HTTP draft benchmark against a real server, guard checks/s."""

import json
from pathlib import Path

from typer.testing import CliRunner

from eval.bench import draft_http
from tests.eval.conftest import herald, write_jsonl


def test_alert_to_first_draft_over_http_on_a_real_server() -> None:
    result = draft_http.run(iterations=5, warmup=1)
    assert result["failures"] == 0  # every alert came back with its first draft's id
    assert result["alert_to_first_draft_ms"]["n"] == 5
    assert result["draft_ms"]["n"] == 5
    samples = result["samples_ms"]
    assert all(x > 0 for x in samples["alert_to_first_draft"] + samples["draft"])
    assert result["server_cpu_ms_per_alert"] > 0
    assert "alert → first guarded draft" in draft_http.render(result)


def test_guard_bench_writes_json(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    text = herald(runner, "bench", "guards", "--seconds", "0.2", "--json", str(out))
    data = json.loads(out.read_text())
    assert set(data["results"]) == {"zh", "en"}
    assert all(r["checks"] > 0 and r["chars"] == 600 for r in data["results"].values())
    assert "checks/s" in text


def test_sentiment_bench_compares_batched_with_one_post_per_call(
    runner: CliRunner, tmp_path: Path
) -> None:
    for stem, lang in (
        ("sentiment_en_tweeteval", "en"),
        ("sentiment_en_twitter_us_airline", "en"),
        ("sentiment_zh_weibo_senti_100k", "zh"),
    ):
        rows = [
            {"id": str(i), "text": f"post {i} good", "label": "positive", "lang": lang}
            for i in range(12)
        ]
        write_jsonl(tmp_path / f"{stem}.jsonl", rows)
    out = tmp_path / "s.json"
    herald(
        runner, "bench", "sentiment", "--data", str(tmp_path), "--rows", "12",
        "--transformer", str(tmp_path / "absent"), "--json", str(out),
    )  # fmt: skip
    data = json.loads(out.read_text())
    assert data["default sentiment_en_tweeteval batch-1 posts/s"] > 0
    assert data["default sentiment_zh_weibo_senti_100k batched / batch-1 (12 rows)"] > 0
    assert data["transformers"].startswith("skipped")
