"""One scheduler leader on PostgreSQL: the advisory lock is held without an open transaction, the others
stand by, and one of them takes over when the leader goes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbox import Dispatcher
from scheduler.runner import LEADER_LOCK, BackgroundJobs
from tests.conftest import PG_URL


@pytest.fixture
def another_schema() -> Iterator[sessionmaker[Session]]:
    """Sessions on a schema of its own in the same PostgreSQL database."""
    if PG_URL is None:
        pytest.skip("PostgreSQL only")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    engine = create_engine(f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}")
    yield sessionmaker(engine)
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_one_leader_idle_between_ticks_and_a_successor(sessions: sessionmaker[Session], database_url: str,
                                                       another_schema: sessionmaker[Session]) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs a single instance")
    dispatcher = Dispatcher(sessions, {})
    first, second = BackgroundJobs(sessions, dispatcher), BackgroundJobs(sessions, dispatcher)
    try:
        assert first.take_leadership() and first.take_leadership()  # and it stays leader
        assert not second.take_leadership()
        assert first.is_leader and not second.is_leader
        with sessions() as session:
            states = session.execute(text(
                "SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :key AND l.objsubid = 2 "
                "AND l.objid = (hashtext(current_schema())::bigint & 4294967295)::oid"),  # this schema's
                {"key": LEADER_LOCK}).scalars().all()
        assert states == ["idle"]  # one holder, not "idle in transaction": vacuum is not held back
        other_schema = BackgroundJobs(another_schema, dispatcher)
        try:  # another bot in another schema of the same database has a leader of its own
            assert other_schema.take_leadership()
        finally:
            other_schema.release_leadership()
        first.release_leadership()  # the leader goes away
        assert second.take_leadership()
    finally:
        for jobs in (first, second):
            jobs.release_leadership()
