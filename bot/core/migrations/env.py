"""Alembic environment: runs on the connection handed over by bot.core.db (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from bot.core.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` run by hand: use IPBOT_DATABASE_URL
        from bot.settings import Settings

        engine = create_engine(Settings().database_url)
        with engine.begin() as conn:
            _migrate(conn)
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
