"""kill -9 of the API server (a real subprocess) during feedback ingest and during publishing.

After a restart: no acknowledged feedback is lost, re-sent batches are not stored twice, every
publication is whole (its status-page updates and its outbox rows) or absent, and nothing is
published twice.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from service.domain.enums import Role
from service.store.db import make_engine
from tests.conftest import Tokens

HERALD = str(Path(sys.executable).with_name("herald"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(db_url: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "HERALD_WORKER_IN_PROCESS": "false",
        "HERALD_FEEDBACK_SCORING_IN_PROCESS": "false",
    }
    process = subprocess.Popen(
        [HERALD, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def _count(db_url: str, sql: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(sql)).scalar_one()
    engine.dispose()
    return int(value)


def _batch(index: int) -> dict[str, Any]:
    return {
        "items": [
            {
                "source": "crash",
                "external_id": f"{index}-{n}",
                "author": f"user{n}",
                "text": "The app is down again",
                "created_at": "2026-11-28T14:40:00+08:00",
            }
            for n in range(100)
        ]
    }


def test_feedback_survives_kill_9(db_url: str, tokens: Tokens) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1/feedback"
    headers = tokens.auth(Role.comms_lead)
    acknowledged: set[int] = set()
    sent = 0
    stop = threading.Event()

    def send_forever() -> None:
        nonlocal sent
        with httpx.Client(timeout=5) as client:
            index = 0
            while not stop.is_set():
                try:
                    response = client.post(url, json=_batch(index), headers=headers)
                    if response.status_code == 202:
                        acknowledged.add(index)
                except httpx.HTTPError:
                    pass  # the server died mid-request: this batch is not acknowledged
                sent = max(sent, index + 1)
                index += 1

    with _server(db_url, port) as server:
        sender = threading.Thread(target=send_forever)
        sender.start()
        time.sleep(1.5)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(5)
        stop.set()
        sender.join(10)
    assert acknowledged, "nothing was acknowledged before the kill"
    # Every acknowledged batch survived the kill.
    stored = _count(db_url, "SELECT COUNT(*) FROM feedback_posts")
    assert stored >= 100 * len(acknowledged)
    # After a restart the client re-sends everything it is unsure of (and more): no duplicates.
    with _server(db_url, port), httpx.Client(timeout=10) as client:
        duplicates = 0
        for index in range(sent):
            response = client.post(url, json=_batch(index), headers=headers)
            assert response.status_code == 202, response.text
            duplicates += response.json()["duplicates"]
    assert _count(db_url, "SELECT COUNT(*) FROM feedback_posts") == 100 * sent
    assert duplicates >= 100 * len(acknowledged)


def test_publishing_survives_kill_9(db_url: str, tokens: Tokens) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    drafts: list[str] = []
    with _server(db_url, port), httpx.Client(base_url=base, timeout=10) as client:
        client.post(
            "/v1/channel-targets",
            headers=tokens.auth(Role.admin),
            json={
                "channel": "webhook",
                "name": "partner",
                "address": "http://127.0.0.1:9/hook",
                "secret": "s",
                "language": "en",
            },
        )
        for n in range(8):
            incident = client.post(
                "/v1/incidents",
                headers=tokens.auth(Role.responder),
                json={
                    "incident": {
                        "name": f"Issue {n}",
                        "herald": {
                            "severity": "P2",
                            "facts": {
                                "symptoms": ["slow pages"],
                                "timezone": "UTC",
                                "detected_at": "2026-11-28T06:30:00Z",
                            },
                        },
                    }
                },
            ).json()
            draft = client.post(
                f"/v1/incidents/{incident['id']}/drafts",
                headers=tokens.auth(Role.responder),
                json={"now": "2026-11-28T06:40:00Z", "languages": ["en"]},
            ).json()
            client.post(f"/v1/drafts/{draft['id']}/submit", headers=tokens.auth(Role.responder))
            approved = client.post(
                f"/v1/drafts/{draft['id']}/approve",
                headers=tokens.auth(Role.approver),
                json={"revision": 1, "digest": draft["revision"]["digest"]},
            )
            assert approved.status_code == 200, approved.text
            drafts.append(draft["id"])

    def publish_all(results: dict[str, int]) -> None:
        with httpx.Client(base_url=base, timeout=5) as client:
            for draft_id in drafts:
                try:
                    response = client.post(
                        f"/v1/drafts/{draft_id}/publish", headers=tokens.auth(Role.responder)
                    )
                    results[draft_id] = response.status_code
                except httpx.HTTPError:
                    results[draft_id] = -1

    first: dict[str, int] = {}
    with _server(db_url, port) as server:
        publisher = threading.Thread(target=publish_all, args=(first,))
        publisher.start()
        while len(first) < 4 and publisher.is_alive():
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(5)
        publisher.join(30)
    _assert_consistent(db_url)
    second: dict[str, int] = {}
    with _server(db_url, port):
        publish_all(second)
    # Each draft is published exactly once: 200 once, then 409 for the retry.
    for draft_id in drafts:
        outcomes = [first.get(draft_id), second[draft_id]]
        assert outcomes.count(200) == 1 or (first.get(draft_id) == -1 and second[draft_id] == 409)
    _assert_consistent(db_url)
    assert _count(db_url, "SELECT COUNT(*) FROM drafts WHERE state = 'published'") == len(drafts)
    assert _count(db_url, "SELECT COUNT(*) FROM incident_updates") == len(drafts)
    assert _count(db_url, "SELECT COUNT(*) FROM deliveries") == len(drafts)


def _assert_consistent(db_url: str) -> None:
    published = _count(db_url, "SELECT COUNT(*) FROM drafts WHERE state = 'published'")
    assert _count(db_url, "SELECT COUNT(*) FROM incident_updates") == published
    assert _count(db_url, "SELECT COUNT(DISTINCT draft_id) FROM deliveries") == published
