"""Shared fixtures: a migrated database per backend (SQLite, PostgreSQL) and a token per role.

Tests that take `db_url` (directly or through `app`/`client`) run once per backend. PostgreSQL is
the server named by HERALD_TEST_PG_URL (default: the local one CI starts); if it is unreachable
those tests fail loudly rather than skip, unless HERALD_TEST_SKIP_PG=1 is set for a local run.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.app import create_app
from service.config import Settings
from service.domain.enums import Role
from service.store.db import make_engine, make_session_factory, normalise_url, session_scope
from service.store.migrate import upgrade
from service.store.tables import Base

PG_URL = os.environ.get("HERALD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SKIP_PG = os.environ.get("HERALD_TEST_SKIP_PG") == "1"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (cheaper than migrating every time)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A private schema in the test PostgreSQL database, migrated once for the session."""
    if SKIP_PG:
        pytest.skip("HERALD_TEST_SKIP_PG=1")
    schema = f"herald_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = (
        sa.make_url(normalise_url(PG_URL))
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database for one test, on each backend in turn."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "herald.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_schema_url")
    yield url
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    # Tests drive the delivery worker explicitly; one test covers the in-process worker.
    return Settings(database_url=db_url, worker_in_process=False)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


class Tokens(dict[Role, str]):
    """A token per role, plus helpers to build Authorization headers."""

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self[role]}"}


@pytest.fixture
def tokens(db_url: str) -> Tokens:
    from service import users

    engine = make_engine(db_url)
    issued = Tokens()
    with session_scope(make_session_factory(engine)) as session:
        for role in Role:
            issued[role] = users.create_user(
                session, f"{role.value}-user", role, actor="test"
            ).token
    engine.dispose()
    return issued
