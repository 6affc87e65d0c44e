"""The reminder loop of a running app: idle, it only reads (no write transaction, so no SQLite write lock),
and handled messages wake it only when they scheduled a reminder."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select

from bot.app import App, build_app
from bot.core.clock import system_clock
from bot.core.messages import Incoming
from bot.core.models import OutboxMessage
from bot.settings import Settings
from knowledge.service import KnowledgeService
from scheduler import reminders

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")


async def _until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


class LoopWatch:
    """Counts the reminder loop's looks and records every writing statement a look runs (on SQLite every
    write transaction starts with BEGIN IMMEDIATE; on PostgreSQL a write shows as INSERT/UPDATE/DELETE or
    a SELECT … FOR UPDATE)."""

    def __init__(self, app: App) -> None:
        self.looks = 0
        self.writes: list[str] = []
        self._inside = threading.local()
        tick = app.jobs._tick

        def watched() -> float:
            self._inside.on = True
            try:
                return tick()
            finally:
                self._inside.on = False
                self.looks += 1

        app.jobs._tick = watched  # type: ignore[method-assign]
        event.listen(app.router.sessions.kw["bind"], "before_cursor_execute", self._statement)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if getattr(self._inside, "on", False):
            sql = " ".join(statement.split()).upper()
            if sql.startswith(WRITES) or "FOR UPDATE" in sql:
                self.writes.append(sql[:80])


def _app(database_url: str, knowledge: KnowledgeService, **settings: Any) -> App:
    # the dispatcher's poll is long: it stays out of the way; the loop looks every 10 ms
    return build_app(Settings(database_url=database_url, http_listen="127.0.0.1:0", reminder_check_seconds=0.01,
                              **settings), knowledge, poll=3600)


def test_an_idle_app_takes_no_write_transaction_for_reminders(database_url: str,
                                                              knowledge: KnowledgeService) -> None:
    app = _app(database_url, knowledge)
    watch = LoopWatch(app)
    sessions = app.router.sessions

    async def scenario() -> None:
        await app.start()
        try:
            with sessions.begin() as session:  # one far ahead: read as "next due", never fired
                reminders.add(session, "later", ["terminal:u"], system_clock() + dt.timedelta(days=30), None,
                              now=system_clock())
            app.jobs.wake()
            await _until(lambda: watch.looks >= 10)
            assert watch.writes == []  # ten looks, nothing due: no write transaction
            with sessions.begin() as session:  # something due now: the next look fires it, in a write
                reminders.add(session, "now", ["terminal:u"], system_clock(), None, now=system_clock())
            app.jobs.wake()

            def fired() -> bool:
                with sessions() as session:
                    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.text == "now")) is not None

            await _until(fired)
            assert watch.writes  # (the watch does see the loop's writes)
            looked, written = watch.looks, len(watch.writes)
            await _until(lambda: watch.looks >= looked + 10)
            assert len(watch.writes) == written  # idle again: no more
        finally:
            await app.stop()

    asyncio.run(scenario())


def test_only_messages_that_schedule_a_reminder_wake_the_reminder_loop(database_url: str,
                                                                       knowledge: KnowledgeService) -> None:
    app = _app(database_url, knowledge, staff="terminal:boss")
    wakes: list[int] = []
    app.pipeline.scheduled = lambda: wakes.append(1)
    when = (system_clock() + dt.timedelta(days=30)).astimezone(app.jobs.zone)

    async def say(key: str, user: str, text: str) -> None:
        assert await app.pipeline.take("terminal", [(key, Incoming("terminal", user, user, text=text))]) == 1
        await app.pipeline.drain()

    async def scenario() -> None:
        try:
            await say("1", "u1", "商标怎么注册")
            await say("2", "boss", "/reminders")
            assert wakes == []  # answers were queued, nothing was scheduled
            await say("3", "boss", f"/remind {when:%Y-%m-%d %H:%M} me 交年度报告")
            assert wakes == [1]
        finally:
            await app.pipeline.close()

    asyncio.run(scenario())
    app.router.sessions.kw["bind"].dispose()
