"""The outbox worker against real HTTP receivers on loopback, on both databases."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.channels.config import ChannelsConfig
from service.channels.registry import build_publishers
from service.channels.transport import make_client
from service.channels.webhook import verify_signature
from service.delivery import DeliveryWorker, RetryPolicy
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory
from tests.channels.receiver import Captured, Receiver, Reply, json_reply
from tests.conftest import Tokens

SECRET = "s3cret-for-tests"
NOW = "2026-11-28T14:40:00+08:00"


def _publish(client: TestClient, tokens: Tokens, targets: list[tuple[str, str]]) -> dict[str, Any]:
    """Targets (name, url) as signed webhooks; then draft, approve and publish one update."""
    admin = tokens.auth(Role.admin)
    for name, url in targets:
        created = client.post(
            "/v1/channel-targets",
            json={
                "channel": "webhook",
                "name": name,
                "address": url,
                "secret": SECRET,
                "language": "en",
            },
            headers=admin,
        )
        assert created.status_code == 201, created.text
        assert "address" not in created.json()
    incident = client.post(
        "/v1/incidents",
        json={
            "incident": {
                "name": "Checkout errors",
                "herald": {
                    "severity": "P1",
                    "facts": {
                        "symptoms": ["payments fail"],
                        "affected_components": ["Checkout"],
                        "detected_at": "2026-11-28T14:30:00+08:00",
                        "timezone": "Asia/Shanghai",
                    },
                },
            }
        },
        headers=tokens.auth(Role.responder),
    ).json()
    draft = client.post(
        f"/v1/incidents/{incident['id']}/drafts",
        json={"now": NOW},
        headers=tokens.auth(Role.responder),
    ).json()
    url = f"/v1/drafts/{draft['id']}"
    client.post(f"{url}/submit", headers=tokens.auth(Role.responder))
    revision = draft["revision"]
    client.post(
        f"{url}/approve",
        json={"revision": 1, "digest": revision["digest"]},
        headers=tokens.auth(Role.approver),
    )
    published = client.post(f"{url}/publish", headers=tokens.auth(Role.responder))
    assert published.status_code == 200, published.text
    assert published.json()["deliveries"] == len(targets)
    return draft


def _run_worker(db_url: str, rounds: int = 1, **policy: Any) -> list[int]:
    """Run `rounds` worker passes in one event loop; how many deliveries each attempted."""

    engine = make_engine(db_url)

    async def main() -> list[int]:
        config = ChannelsConfig()
        async with make_client(config.http) as http:
            worker = DeliveryWorker(
                make_session_factory(engine),
                build_publishers(config, client=http),
                policy=RetryPolicy(**policy),
                lease_s=30,
            )
            counts = []
            for _ in range(rounds):
                counts.append(await worker.run_once())
                await asyncio.sleep(0.05)
            return counts

    try:
        return asyncio.run(main())
    finally:
        engine.dispose()


def _deliveries(client: TestClient, tokens: Tokens, draft_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/drafts/{draft_id}/deliveries", headers=tokens.auth(Role.comms_lead))
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_delivers_signed_webhook_once(client: TestClient, tokens: Tokens, db_url: str) -> None:
    with Receiver(lambda _: json_reply({"ok": True})) as receiver:
        draft = _publish(client, tokens, [("partner", f"{receiver.base}/hook")])
        assert _run_worker(db_url, rounds=2) == [1, 0]  # nothing left after the first: sent once
        request = receiver.only
    headers = request.headers
    assert verify_signature(
        SECRET, headers["x-herald-timestamp"], request.body, headers["x-herald-signature"]
    )
    payload = request.json()
    en = next(r for r in draft["revision"]["renditions"] if r["language"] == "en")
    assert payload["body"] == en["body"]
    [row] = _deliveries(client, tokens, draft["id"])
    assert row["state"] == "delivered"
    assert row["idempotency_key"] == headers["idempotency-key"]


def test_retries_with_backoff_then_dead_letter(
    client: TestClient, tokens: Tokens, db_url: str
) -> None:
    with Receiver(lambda _: Reply(status=503)) as receiver:
        draft = _publish(client, tokens, [("flaky", f"{receiver.base}/hook")])
        assert _run_worker(db_url, max_attempts=2, base_s=0.01) == [1]
        [row] = _deliveries(client, tokens, draft["id"])
        assert (row["state"], row["attempts"]) == ("retry", 1)
        assert row["last_error"]
        assert _run_worker(db_url, max_attempts=2, base_s=0.01) == [1]
        [row] = _deliveries(client, tokens, draft["id"])
        assert (row["state"], row["attempts"]) == ("dead", 2)
        assert len(receiver.requests) == 2


def test_permanent_failure_is_dead_at_once(client: TestClient, tokens: Tokens, db_url: str) -> None:
    with Receiver(lambda _: Reply(status=400)) as receiver:
        draft = _publish(client, tokens, [("broken", f"{receiver.base}/hook")])
        _run_worker(db_url)
        [row] = _deliveries(client, tokens, draft["id"])
        assert row["state"] == "dead"
        assert len(receiver.requests) == 1


def test_tampered_outbox_text_is_never_sent(
    client: TestClient, tokens: Tokens, db_url: str
) -> None:
    with Receiver(lambda _: json_reply({"ok": True})) as receiver:
        draft = _publish(client, tokens, [("partner", f"{receiver.base}/hook")])
        engine = make_engine(db_url)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE deliveries SET body = 'We guarantee 100% uptime.'"))
        engine.dispose()
        _run_worker(db_url)
        assert receiver.requests == []
    [row] = _deliveries(client, tokens, draft["id"])
    assert row["state"] == "dead"
    assert "digest" in row["last_error"]


class DedupReceiver:
    """Answers slowly and records which idempotency keys it has processed."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.processed: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, request: Captured) -> Reply:
        time.sleep(self.delay_s)
        key = request.headers["idempotency-key"]
        with self.lock:
            first = key not in self.processed
            self.processed[key] += 1
        return json_reply({"ok": True, "duplicate": not first})


def test_worker_killed_mid_delivery_resumes_without_loss(
    client: TestClient, tokens: Tokens, db_url: str, tmp_path: Path
) -> None:
    behaviour = DedupReceiver(delay_s=0.3)
    with Receiver(behaviour) as receiver:
        names = [f"partner-{i}" for i in range(6)]
        draft = _publish(client, tokens, [(n, f"{receiver.base}/{n}") for n in names])
        env = {**os.environ, "DATABASE_URL": db_url, "HERALD_DELIVERY_LEASE_S": "1"}
        herald = str(Path(sys.executable).with_name("herald"))
        first = subprocess.Popen(
            [herald, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGKILL)  # mid-send: requests are in flight
        first.wait(5)
        second = subprocess.Popen(
            [herald, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                rows = _deliveries(client, tokens, draft["id"])
                if all(r["state"] == "delivered" for r in rows):
                    break
                time.sleep(0.2)
        finally:
            second.terminate()
            second.wait(10)
    rows = _deliveries(client, tokens, draft["id"])
    assert [r["state"] for r in rows] == ["delivered"] * len(names)
    keys = {r["idempotency_key"] for r in rows}
    # Every recipient got its message, and processed it exactly once (repeats carry the same key).
    assert set(behaviour.processed) == keys
    paths = Counter(r.path for r in receiver.requests)
    assert set(paths) == {f"/{n}" for n in names}
    report = {"requests": len(receiver.requests), "processed": dict(behaviour.processed)}
    (tmp_path / "crash.json").write_text(json.dumps(report))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_in_process_worker_delivers(tokens: Tokens, db_url: str) -> None:
    from service.app import create_app
    from service.config import Settings

    with Receiver(lambda _: json_reply({"ok": True})) as receiver:
        app = create_app(Settings(database_url=db_url, worker_in_process=True))
        with TestClient(app) as client:
            draft = _publish(client, tokens, [("partner", f"{receiver.base}/hook")])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if _deliveries(client, tokens, draft["id"])[0]["state"] == "delivered":
                    break
                time.sleep(0.1)
            assert _deliveries(client, tokens, draft["id"])[0]["state"] == "delivered"
        assert len(receiver.requests) == 1
