"""Database engine, sessions and schema migrations.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every transaction starts with
BEGIN IMMEDIATE so that read-then-write sequences cannot deadlock. PostgreSQL is used as is.
The schema is brought to the newest migration on first use.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# The newest migration. Checked against Alembic's own view in tests; lets a start-up on an up-to-date
# database skip importing Alembic at all (it costs about 10 MB and 100 ms).
SCHEMA_HEAD = "0016"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)  # no personal data in logs


def make_reader(engine: Engine) -> Engine:
    """An engine for short reads beside the writers. On SQLite every transaction of `engine` begins with
    BEGIN IMMEDIATE (it takes the write lock), so a read inside another transaction would wait for that one
    to end; this engine's plain reads do not (WAL lets readers go alongside the writer)."""
    if engine.url.get_backend_name() != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine  # (an in-memory database is private to its engine: there is no other to read it with)
    reader = create_engine(engine.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only=ON")

    return reader


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take effect
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


class SchemaTooNew(Exception):
    """The database was migrated by a newer version of ipbot: this one does not know its schema."""


def schema_versions(engine: Engine) -> set[str]:
    """The revisions in Alembic's version table (none for a new database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def check_not_newer(engine: Engine) -> None:
    """SchemaTooNew when the database is at a revision this version's migrations do not know (an older
    version started after an upgrade): said plainly instead of Alembic's "Can't locate revision"."""
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions()}
    unknown = sorted(schema_versions(engine) - known)
    if unknown:
        raise SchemaTooNew(f"the database is newer than this version of ipbot (schema {', '.join(unknown)}, this "
                           f"version knows up to {SCHEMA_HEAD}): install the newer version again or restore the "
                           f"backup taken before the upgrade")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied (up to `revision`); SchemaTooNew for a database a newer version
    migrated."""
    from alembic import command

    check_not_newer(engine)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to `revision` ("base": all of them)."""
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def is_current(engine: Engine) -> bool:
    """Whether the database is at SCHEMA_HEAD (read straight from Alembic's version table)."""
    return schema_versions(engine) == {SCHEMA_HEAD}


def migration_heads() -> set[str]:
    """The newest revisions according to Alembic's migration scripts."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(_alembic_config(None)).get_heads())


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """An engine on an up-to-date schema, and a session factory for it."""
    engine = make_engine(url)
    if not is_current(engine):
        upgrade(engine)
    _keep_private(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)


def _keep_private(engine: Engine) -> None:
    """A SQLite file (and its WAL) readable by its owner only, also one created before this rule or by hand."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(database + suffix)
        with contextlib.suppress(OSError):  # missing, or not ours to change: nothing to tighten
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
