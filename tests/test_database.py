"""The database layer on every backend under test."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect, text

from bot.core import db


def test_schema_is_created_on_first_use_and_reused(database_url: str) -> None:
    engine, _sessions = db.open_database(database_url)
    assert {"question_log", "handoff_request", "alembic_version"} <= set(inspect(engine).get_table_names())
    assert db.is_current(engine)
    engine.dispose()
    engine, _sessions = db.open_database(database_url)  # second start: nothing to migrate, nothing lost
    assert db.is_current(engine)
    engine.dispose()


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    engine, _sessions = db.open_database(database_url)
    db.downgrade(engine, "base")
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


def test_the_inbox_migration_moves_staff_group_targets_to_their_own_form(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO reminder (created_at, text, recipients, next_fire_at, active, needs_ack) "
                                "VALUES (CURRENT_TIMESTAMP, '宣传周', :to, CURRENT_TIMESTAMP, :yes, :yes)"),
                           {"to": '["telegram:staff", "wecom:lisi"]', "yes": True})
    db.upgrade(engine)
    with engine.connect() as connection:
        recipients = connection.execute(text("SELECT recipients FROM reminder")).scalar()
    engine.dispose()
    moved = json.loads(recipients) if isinstance(recipients, str) else recipients
    assert moved == ["staff:telegram", "wecom:lisi"]


def test_the_followers_migration_moves_unfollows_to_their_table_and_back(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.upgrade(engine, "0014")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO console_setting (name, value) VALUES "
                                "('wechat_unfollowed:oGone', '1765000000'), ('wechat_access_token', '{}')"))
    db.upgrade(engine)
    with engine.connect() as connection:
        followers = connection.execute(text("SELECT openid, following FROM wechat_follower")).all()
        names = set(connection.execute(text("SELECT name FROM console_setting")).scalars())
    assert [(openid, bool(following)) for openid, following in followers] == [("oGone", False)]
    assert names == {"wechat_access_token"}
    db.downgrade(engine, "0014")  # and back: nobody who left is written to again
    with engine.connect() as connection:
        names = set(connection.execute(text("SELECT name FROM console_setting")).scalars())
    engine.dispose()
    assert names == {"wechat_access_token", "wechat_unfollowed:oGone"}
