"""Feedback ingest load test: posts/s over loopback HTTP, zero loss, bounded server memory.

Starts `herald serve` on 127.0.0.1 (a fresh port) against a fresh database: a temporary SQLite
file, or, when DATABASE_URL names PostgreSQL, a fresh schema there (dropped afterwards). Scoring
runs in `--scorers` separate `herald feed score-worker` processes. Replays the shared sentiment
files in a loop at `--rate` posts/s for `--seconds`, then checks posts acknowledged == rows stored,
and reports throughput, request latency p50/p99, the server's peak RSS (VmHWM) and scoring lag.

python -m eval.bench.feedback_ingest [--seconds 60] [--rate 1000] [--json OUT]
"""

import argparse
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from service.feedback.replay import Replayer, posts
from service.store.db import normalise_url

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
FILES = (
    "sentiment_zh_weibo_senti_100k.jsonl",
    "sentiment_en_tweeteval.jsonl",
    "sentiment_zh_waimai_10k.jsonl",
    "sentiment_en_twitter_us_airline.jsonl",
)


def _herald() -> str:
    return str(Path(sys.executable).with_name("herald"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's worker processes), from /proc."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pids
    for child in children:
        pids += _tree(int(child))
    return pids


def _status_mb(pid: int, field: str) -> float | None:
    """A memory field of /proc/PID/status (VmRSS, VmHWM) summed over the process tree, in MiB."""
    total, seen = 0, False
    for member in _tree(pid):
        try:
            lines = Path(f"/proc/{member}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith(f"{field}:"):
                total += int(line.split()[1])
                seen = True
    return round(total / 1024, 1) if seen else None


def _peak_rss_mb(pid: int) -> float | None:
    """Peak resident set (VmHWM) of the server and its worker processes, summed."""
    return _status_mb(pid, "VmHWM")


def _rss_mb(pid: int) -> float | None:
    return _status_mb(pid, "VmRSS")


@contextmanager
def fresh_database(workdir: Path) -> Iterator[str]:
    """A SQLite file in `workdir`, or a new schema in DATABASE_URL's PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{workdir / 'herald.db'}"
        return
    schema = f"herald_ingest_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalise_url(url))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            sa.make_url(normalise_url(url))
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _interleave(files: Sequence[Path]) -> Iterator[dict[str, Any]]:
    """Posts from every file in turn, each file looping with fresh ids."""
    streams = [posts(f, loop=True) for f in files]
    for stream in itertools.cycle(streams):
        yield next(stream)


def _stored(url: str) -> tuple[int, int]:
    engine = sa.create_engine(normalise_url(url))
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM feedback_posts")).scalar_one()
        unscored = conn.execute(
            sa.text("SELECT count(*) FROM feedback_posts WHERE scored_at IS NULL")
        ).scalar_one()
    engine.dispose()
    return int(total), int(unscored)


# A second load run against the same server while the replay goes on: (base URL, a responder's
# token, seconds) → its own figures (eval/bench/load.py drives drafts this way).
SideLoad = Callable[[str, str, float], dict[str, Any]]


def run(args: argparse.Namespace, side_load: SideLoad | None = None) -> dict[str, Any]:
    """Serve, replay, count; returns the figures."""
    files = [Path(args.data) / name for name in FILES]
    with tempfile.TemporaryDirectory() as tmp, fresh_database(Path(tmp)) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "HERALD_LOG_LEVEL": "warning",
            "HERALD_FEEDBACK_SCORING_IN_PROCESS": "false",
            "HERALD_WORKER_IN_PROCESS": "false",
        }
        herald = _herald()
        subprocess.run([herald, "migrate"], env=env, check=True, capture_output=True)
        created = subprocess.run(
            [herald, "users", "create", "ingest-bench", "--role", "comms_lead"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        token = created.stdout.strip().splitlines()[-1]
        port = _free_port()
        log = (Path(tmp) / "server.log").open("wb")
        server = subprocess.Popen(
            [herald, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        scorers = [
            subprocess.Popen(
                [herald, "feed", "score-worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.scorers)
        ]
        base = f"http://127.0.0.1:{port}"
        rss_samples: list[float] = []
        lag_samples: list[float] = []
        done = threading.Event()

        def sample() -> None:
            with httpx.Client(timeout=10) as client:
                while not done.wait(1.0):
                    rss = _rss_mb(server.pid)
                    if rss is not None:
                        rss_samples.append(rss)
                    try:
                        snap = client.get(
                            f"{base}/v1/feed/snapshot",
                            headers={"Authorization": f"Bearer {token}"},
                        ).json()
                        lag_samples.append(float(snap["scoring_lag_s"]))
                    except (httpx.HTTPError, KeyError, ValueError):
                        pass

        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.1)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            side: dict[str, Any] = {}
            side_thread = None
            if side_load is not None:
                responder = (
                    subprocess.run(
                        [herald, "users", "create", "load-responder", "--role", "responder"],
                        env=env,
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                side_thread = threading.Thread(
                    target=lambda: side.update(side_load(base, responder, args.seconds))
                )
                side_thread.start()
            replayer = Replayer(
                base, token, rate=args.rate, batch=args.batch, concurrency=args.concurrency
            )
            stats = replayer.run(_interleave(files), seconds=args.seconds).summary()
            if side_thread is not None:
                side_thread.join()
            done.set()
            sampler.join()
            peak = _peak_rss_mb(server.pid)
            total, unscored = _stored(url)
            drain_started = time.monotonic()
            while unscored and time.monotonic() - drain_started < args.drain_s:
                time.sleep(1)
                total, unscored = _stored(url)
            drained_in = round(time.monotonic() - drain_started, 1)
        finally:
            done.set()
            for proc in (*scorers, server):
                proc.send_signal(signal.SIGTERM)
            for proc in (*scorers, server):
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            log.close()
        acknowledged = stats["accepted"] + stats["duplicates"]
        return {
            "database": sa.make_url(url).get_backend_name(),
            "seconds_target": args.seconds,
            "rate_target": args.rate,
            "batch": args.batch,
            "concurrency": args.concurrency,
            "scorers": args.scorers,
            **stats,
            "rows_stored": total,
            "lost": stats["accepted"] - total,
            "zero_loss": stats["accepted"] == total and stats["errors"] == 0,
            "acknowledged": acknowledged,
            "server_peak_rss_mb": peak,
            "server_rss_mb_first": rss_samples[0] if rss_samples else None,
            "server_rss_mb_last": rss_samples[-1] if rss_samples else None,
            "scoring_lag_s_max": max(lag_samples) if lag_samples else None,
            "unscored_after_drain": unscored,
            "drain_seconds": drained_in,
            **({"side_load": side} if side_load is not None else {}),
        }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test; exit 1 unless every acknowledged post was stored at the target rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=1000.0, help="Target posts per second.")
    parser.add_argument("--batch", type=int, default=250, help="Posts per request.")
    parser.add_argument("--concurrency", type=int, default=4, help="Requests in flight.")
    parser.add_argument("--scorers", type=int, default=1, help="Scoring worker processes.")
    parser.add_argument("--drain-s", type=float, default=120.0, help="Wait for scoring after.")
    parser.add_argument("--data", default=str(DATA), help="Folder of the shared data files.")
    parser.add_argument("--json", type=Path, default=None, help="Write the figures here.")
    args = parser.parse_args(argv)
    result = run(args)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    fast_enough = result["posts_per_s"] >= 0.98 * args.rate
    return 0 if result["zero_loss"] and fast_enough else 1


if __name__ == "__main__":
    raise SystemExit(main())
