"""Migrations match the models, run both ways, and keep the audit log append-only (both DBs)."""

import pytest
import sqlalchemy as sa
from alembic import command

from service.store.db import make_engine
from service.store.migrate import alembic_config


def test_models_and_migrations_agree(db_url: str) -> None:
    # Raises if autogenerate would produce a new migration: a model change without one.
    command.check(alembic_config(db_url))


def test_downgrade_to_base_and_back(db_url: str) -> None:
    config = alembic_config(db_url)
    command.downgrade(config, "base")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert "incidents" not in sa.inspect(conn).get_table_names()
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert "incidents" in sa.inspect(conn).get_table_names()
    engine.dispose()


def test_audit_log_refuses_update_and_delete(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
                "VALUES (CURRENT_TIMESTAMP, 'a', 'x', 'incident', 'i1', '{}')"
            )
        )
    for statement in ("UPDATE audit_log SET actor = 'b'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT actor FROM audit_log")).scalars().all() == ["a"]
    engine.dispose()
