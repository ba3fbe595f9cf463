"""The issue-10 load run: 20 responders drafting while 1,000 feedback posts/s arrive, for 60 s.

One real server (`herald serve` on loopback; PostgreSQL when DATABASE_URL names it, as `make load`
does), the feedback replay of `eval/bench/feedback_ingest.py`, and, in a process of their own, 20
threads, each a responder asking for drafts (status page + SMS, zh + en) of their own incident,
again and again: a responder reads a draft before asking for the next, so each waits `--think-s`
(default 1 s, ±50 % jitter) between answer and next request — 20 responders then offer about 20
drafts/s. Each starts after a random share of one think time (people do not all click in the same
millisecond; threads started together would, and their first requests would queue behind each
other on a cold server). `--think-s 0` is a saturation test instead (all start at once, and every
responder asks again the instant it is answered). Passes when no request fails, every
acknowledged post is stored, and the drafts' p99 latency is ≤ 200 ms.

python -m eval.bench.load [--seconds 60] [--rate 1000] [--responders 20] [--think-s 1] [--json OUT]
"""

import argparse
import http.client
import json
import multiprocessing
import random
import statistics
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.bench import feedback_ingest
from eval.bench.draft_http import LeanClient


def incident_body(n: int) -> dict[str, Any]:
    """Responder n's incident: checkout failing for a fifth of users."""
    return {
        "incident": {
            "name": f"Load incident {n}",
            "herald": {
                "severity": "P1",
                "languages": ["zh", "en"],
                "facts": {
                    "symptoms": ["checkout payments fail"],
                    "affected_share_pct": 20,
                    "affected_components": ["Checkout"],
                    "timezone": "Asia/Shanghai",
                },
            },
        }
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def draft_load(
    base: str, token: str, seconds: float, responders: int = 20, think_s: float = 1.0
) -> dict[str, Any]:
    """`responders` threads, each drafting its own incident in a loop until `seconds` pass."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def responder(n: int) -> None:
        jitter = random.Random(n)
        client = LeanClient(base, token)
        try:
            incident = client.post("/v1/incidents", incident_body(n))
            incident_id = incident.json()["id"]
            time.sleep(think_s * jitter.random())
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    response = client.post(
                        f"/v1/incidents/{incident_id}/drafts", {"channels": ["statuspage", "sms"]}
                    )
                    ok = response.status_code == 201
                    detail = f"HTTP {response.status_code}"
                except (OSError, http.client.HTTPException) as exc:
                    client.close()  # the next request opens a new connection
                    ok, detail = False, type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(detail)
                if think_s > 0:
                    time.sleep(think_s * jitter.uniform(0.5, 1.5))
        finally:
            client.close()

    threads = [threading.Thread(target=responder, args=(n,)) for n in range(responders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "responders": responders,
        "think_s": think_s,
        "drafts": len(latencies),
        "drafts_per_s": round(len(latencies) / seconds, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "draft_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "draft_ms_p99": round(_percentile(latencies, 0.99), 1) if latencies else None,
        "draft_ms_max": round(max(latencies), 1) if latencies else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="Feedback posts per second.")
    parser.add_argument("--responders", type=int, default=20)
    parser.add_argument(
        "--think-s", type=float, default=1.0, help="A responder's pause between drafts (0: none)."
    )
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--scorers", type=int, default=1)
    parser.add_argument("--drain-s", type=float, default=120.0)
    parser.add_argument("--data", default=str(feedback_ingest.DATA))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    # The responders run in a process of their own: in the replay's process, its threads would
    # hold the GIL while a responder's answer waits to be read, and that wait would be timed.
    spawn = multiprocessing.get_context("spawn")

    def side_load(base: str, token: str, secs: float) -> dict[str, Any]:
        with spawn.Pool(1) as pool:
            figures: dict[str, Any] = pool.apply(
                draft_load, (base, token, secs, args.responders, args.think_s)
            )
            return figures

    result = feedback_ingest.run(args, side_load=side_load)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    drafting = result["side_load"]
    passed = (
        result["zero_loss"]
        and drafting["errors"] == 0
        and drafting["draft_ms_p99"] is not None
        and drafting["draft_ms_p99"] <= 200
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
