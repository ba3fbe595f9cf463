"""The `herald` command line, run as a real subprocess against a fresh SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings

HERALD = str(Path(sys.executable).with_name("herald"))


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run([HERALD, *args], env=env, capture_output=True, text=True, timeout=60)


def test_migrate_then_create_user_prints_a_working_token(tmp_path: Path) -> None:
    db = tmp_path / "herald.db"
    assert _run(db, "migrate").returncode == 0
    created = _run(db, "users", "create", "carol", "--role", "approver")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("hrld_")

    with TestClient(create_app(Settings(database_url=f"sqlite:///{db}"))) as client:
        response = client.get("/v1/incidents", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        # The token is stored hashed: it appears nowhere in the database file.
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("herald.db*"))
        assert token.encode() not in stored

    duplicate = _run(db, "users", "create", "carol", "--role", "admin")
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr
    listed = _run(db, "users", "list")
    assert "carol\tapprover\tactive" in listed.stdout


def test_bad_role_is_rejected(tmp_path: Path) -> None:
    db = tmp_path / "herald.db"
    _run(db, "migrate")
    result = _run(db, "users", "create", "dave", "--role", "overlord")
    assert result.returncode != 0
    assert "overlord" in result.stderr
