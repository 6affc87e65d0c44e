"""One scheduler leader on PostgreSQL: the advisory lock is held without an open transaction, the others
stand by, and one of them takes over when the leader goes."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from scheduler.runner import BackgroundJobs


def test_one_leader_idle_between_ticks_and_a_successor(sessions: sessionmaker[Session], database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs a single instance")
    first, second = BackgroundJobs(sessions, {}), BackgroundJobs(sessions, {})
    try:
        assert first._take_leadership() and first._take_leadership()  # and it stays leader
        assert not second._take_leadership()
        assert first._leader is not None
        pid = first._leader.execute(text("SELECT pg_backend_pid()")).scalar()
        with sessions() as session:
            state = session.execute(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar()
        assert state == "idle"  # not "idle in transaction": vacuum is not held back
        first._leader.close()  # the leader goes away
        first._leader = None
        assert second._take_leadership()
    finally:
        for jobs in (first, second):
            if jobs._leader is not None:
                jobs._leader.close()
