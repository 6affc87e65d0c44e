"""The database layer on every backend under test."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from bot import db


def test_schema_is_created_on_first_use_and_reused(database_url: str) -> None:
    engine, _sessions = db.open_database(database_url)
    assert {"question_log", "handoff_request", "alembic_version"} <= set(inspect(engine).get_table_names())
    assert db.is_current(engine)
    engine.dispose()
    engine, _sessions = db.open_database(database_url)  # second start: nothing to migrate, nothing lost
    assert db.is_current(engine)
    engine.dispose()


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    from alembic import command

    engine, _sessions = db.open_database(database_url)
    with engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "base")
    assert "question_log" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    assert db.is_current(engine)
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine, _sessions = db.open_database(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_the_schema_head_constant_matches_the_migration_scripts() -> None:
    assert db.migration_heads() == {db.SCHEMA_HEAD}
