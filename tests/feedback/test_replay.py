"""`herald feed replay` against a real server on loopback: rate, counts, idempotent re-runs."""

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from service.domain.enums import Role
from tests.conftest import Tokens


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)


def test_replay_streams_a_file_and_repeats_are_duplicates(
    server: str, tokens: Tokens, tmp_path: Path
) -> None:
    data = tmp_path / "posts.jsonl"
    lines = [{"text": f"post number {n}, the app is down", "label": "negative"} for n in range(40)]
    data.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    command = [
        str(Path(sys.executable).with_name("herald")),
        "feed",
        "replay",
        str(data),
        "--url",
        server,
        "--token",
        tokens[Role.comms_lead],
        "--rate",
        "200",
        "--batch",
        "10",
    ]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert first.returncode == 0, first.stderr
    assert "sent 40 accepted 40 duplicates 0 errors 0" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert "sent 40 accepted 0 duplicates 40 errors 0" in again.stdout
