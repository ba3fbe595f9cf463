"""Stream a JSONL file of posts into a running Herald at a target rate (demos and load tests).

Rows need a `text`; `lang`, `author`, `created_at`, `id` are used when present. Source and
external id come from the file name and line number (and the loop round), so a replay of the
same file is idempotent and a looped replay stores every round.
"""

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import httpx


@dataclass
class ReplayStats:
    """What a replay sent and what the server acknowledged."""

    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    errors: int = 0
    throttled: int = 0
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Acknowledged posts per second."""
        return (self.accepted + self.duplicates) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict (latency percentiles in ms)."""
        lat = sorted(self.latencies_ms)

        def pct(q: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(q * len(lat)))], 2) if lat else None

        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "throttled_requests": self.throttled,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "posts_per_s": round(self.rate, 1),
            "latency_ms_p50": pct(0.50),
            "latency_ms_p99": pct(0.99),
            "latency_ms_max": round(lat[-1], 2) if lat else None,
        }


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The file's rows that carry text."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if isinstance(row, dict) and row.get("text"):
                    rows.append(row)
    return rows


def posts(path: Path, *, loop: bool = False, source: str | None = None) -> Iterator[dict[str, Any]]:
    """Posts from a JSONL file, `created_at` stamped at read time; forever when `loop`."""
    rows = read_rows(path)
    source = (source or f"replay:{path.stem}")[:64]
    for round_no in count():
        for line_no, row in enumerate(rows, start=1):
            lang = row.get("lang")
            suffix = f":{round_no}" if round_no else ""
            yield {
                "source": source,
                "external_id": f"{line_no}{suffix}",
                "author": str(row.get("author") or f"{path.stem}-author-{line_no % 997}"),
                "text": str(row["text"])[:5000],
                "lang": lang if lang in ("zh", "en") else None,
                "created_at": row.get("created_at") or datetime.now(UTC).isoformat(),
            }
        if not loop:
            return


class Replayer:
    """Posts batches at a target rate from a few threads; retries on 429 after Retry-After."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        rate: float,
        batch: int = 200,
        concurrency: int = 4,
        max_attempts: int = 20,
        timeout_s: float = 30.0,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/v1/feedback"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.rate = rate
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        self.stats = ReplayStats()
        self._lock = threading.Lock()

    def _post(self, client: httpx.Client, items: list[dict[str, Any]]) -> None:
        for _attempt in range(self.max_attempts):
            started = time.perf_counter()
            try:
                response = client.post(self.endpoint, json={"items": items}, headers=self.headers)
            except httpx.TransportError:
                time.sleep(0.5)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with self._lock:
                self.stats.requests += 1
                self.stats.latencies_ms.append(elapsed)
            if response.status_code == 429:
                with self._lock:
                    self.stats.throttled += 1
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code == 202:
                body = response.json()
                with self._lock:
                    self.stats.sent += len(items)
                    self.stats.accepted += int(body["accepted"])
                    self.stats.duplicates += int(body["duplicates"])
                return
            break  # a 4xx other than 429 will not improve by retrying
        with self._lock:
            self.stats.sent += len(items)
            self.stats.errors += len(items)

    def run(self, source: Iterator[dict[str, Any]], seconds: float | None = None) -> ReplayStats:
        """Send until the source ends or `seconds` pass; batch k leaves at k·batch/rate."""
        take = threading.Lock()
        start = time.perf_counter()
        next_batch = count()

        def worker(client: httpx.Client) -> None:
            while True:
                with take:
                    k = next(next_batch)
                    due = start + k * self.batch / self.rate
                    if seconds is not None and due - start >= seconds:
                        return
                    items = [item for _, item in zip(range(self.batch), source, strict=False)]
                if not items:
                    return
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                self._post(client, items)

        limits = httpx.Limits(max_connections=self.concurrency)
        with (
            httpx.Client(timeout=self.timeout_s, limits=limits) as client,
            ThreadPoolExecutor(self.concurrency) as pool,
        ):
            for future in [pool.submit(worker, client) for _ in range(self.concurrency)]:
                future.result()
        self.stats.seconds = time.perf_counter() - start
        return self.stats
