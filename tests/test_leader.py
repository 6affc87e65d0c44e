"""One scheduler leader on PostgreSQL: the advisory lock is held without an open transaction, the others
stand by, and one of them takes over when the leader goes."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbox import Dispatcher
from scheduler.runner import LEADER_LOCK, BackgroundJobs


def test_one_leader_idle_between_ticks_and_a_successor(sessions: sessionmaker[Session], database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs a single instance")
    dispatcher = Dispatcher(sessions, {})
    first, second = BackgroundJobs(sessions, dispatcher), BackgroundJobs(sessions, dispatcher)
    try:
        assert first.take_leadership() and first.take_leadership()  # and it stays leader
        assert not second.take_leadership()
        assert first.is_leader and not second.is_leader
        with sessions() as session:  # (other schemas' tests may hold their own schema's lock meanwhile)
            states = session.execute(text(
                "SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :key "
                "AND l.objid = (hashtext(current_schema())::bigint & 4294967295)::oid"),
                {"key": LEADER_LOCK}).scalars().all()
        assert states == ["idle"]  # one holder, not "idle in transaction": vacuum is not held back
        first.release_leadership()  # the leader goes away
        assert second.take_leadership()
    finally:
        for jobs in (first, second):
            jobs.release_leadership()
