"""Time inside `ipbot run`: reminders fired at their time into the outbox, the daily upkeep, and the outbox
dispatcher. Only one scheduler acts: on PostgreSQL the holder of an advisory lock (the others still dispatch
— rows are claimed with SKIP LOCKED — and take the lock over when the leader goes); on SQLite there is a
single instance anyway.

Reminders do not wait for a fixed poll: the loop sleeps until the earliest reminder (or escalation) falls
due, woken early when something new is scheduled in this process, and looks again at least every
`recheck` seconds for reminders another process (`ipbot remind add`) scheduled. A look reads when the next
one falls due first (a plain read: on SQLite through a reader engine that takes no lock) and opens a write
transaction only when something is due, so an idle bot never takes SQLite's write lock for reminders.
APScheduler runs only the daily upkeep (at 03:00).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock, system_clock
from bot.core.db import make_reader
from bot.core.outbox import Dispatcher
from scheduler import escalation, reminders

log = logging.getLogger(__name__)
LEADER_LOCK = 0x1B0_7A1  # pg_try_advisory_lock key shared by every instance of this bot
# Advisory locks are the whole database's: the second key, the schema's, keeps the instances of two bots
# in two schemas of one database (say, tests running side by side) from standing by for each other.
LEADER_LOCK_SQL = "SELECT pg_try_advisory_lock(:key, hashtext(current_schema()))"
LEADER_UNLOCK_SQL = "SELECT pg_advisory_unlock(:key, hashtext(current_schema()))"
RECHECK_SECONDS = 1.0
Upkeep = Callable[[Session, dt.datetime], int]  # a daily task: returns how many things it scheduled


class BackgroundJobs:
    def __init__(self, sessions: sessionmaker[Session], dispatcher: Dispatcher, timezone: str = "Asia/Shanghai",
                 recheck: float = RECHECK_SECONDS, poll: float = 1.0,
                 late_after: dt.timedelta = reminders.ON_TIME,
                 escalate_after: dt.timedelta = escalation.DEFAULT_AFTER,
                 daily: Sequence[Upkeep] = (), clock: Clock = system_clock) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.scheduler = AsyncIOScheduler(timezone=timezone)
        self.recheck = recheck
        self.poll = poll
        self.zone = ZoneInfo(timezone)
        self.late_after = late_after
        self.escalate_after = escalate_after
        self.daily = tuple(daily)
        self.clock = clock
        self._stop = asyncio.Event()
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._leader: Connection | None = None
        self._leads = False  # what the last look found: this instance schedules (the /metrics gauge)
        bind = sessions.kw.get("bind")
        # reads of when the next reminder falls due: on SQLite an engine of their own that takes no write lock
        self._reader_engine: Engine | None = make_reader(bind) if isinstance(bind, Engine) else None
        self.reader = sessionmaker(self._reader_engine) if self._reader_engine is not None else sessions
        self.on_fired: Callable[[list[bool]], None] = lambda _late: None  # whether each fired reminder was late

    def take_leadership(self) -> bool:
        """True while this instance is the one scheduler. Non-leaders ask again on every look, so another
        instance takes over within a second or so when the leader stops or loses its database connection."""
        self._leads = self._take_leadership()
        return self._leads

    def _take_leadership(self) -> bool:
        bind = self.sessions.kw.get("bind")
        if bind is None or bind.dialect.name != "postgresql":
            return True
        if self._leader is not None:
            try:
                self._leader.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection (and with it the lock) is gone
                log.warning("lost the scheduler lock's connection; trying to take it again")
                self._leader.invalidate()
                self._leader.close()
                self._leader = None
        # autocommit: the lock belongs to the session, and no transaction stays open (idle in transaction
        # would hold back PostgreSQL's vacuum for as long as this instance leads)
        connection = bind.connect().execution_options(isolation_level="AUTOCOMMIT")
        if connection.execute(text(LEADER_LOCK_SQL), {"key": LEADER_LOCK}).scalar():
            # held for as long as this connection lives: out of the pool, so closing it really releases it
            connection.detach()
            self._leader = connection
            log.info("this instance schedules reminders")
            return True
        connection.close()
        return False

    def release_leadership(self) -> None:
        """Give the lock up (at stop): another instance takes over on its next look."""
        self._leads = False
        if self._leader is not None:
            # unlocked before the connection closes: the server ends a closed session's locks only when its
            # backend has gone, which may be a moment later than a successor asks
            with contextlib.suppress(Exception):
                self._leader.execute(text(LEADER_UNLOCK_SQL), {"key": LEADER_LOCK})
            self._leader.close()
            self._leader = None

    @property
    def stopping(self) -> asyncio.Event:
        """Set when the jobs stop (other loops of the app stop with them)."""
        return self._stop

    @property
    def is_leader(self) -> bool:
        return self._leader is not None

    @property
    def leads(self) -> bool:
        """Whether this instance schedules reminders now (on SQLite: once started, always)."""
        return self._leads

    def fire_due_reminders(self) -> int:
        now = self.clock()
        with self.dispatcher.writer, self.sessions.begin() as session:
            fired = reminders.fire_due(session, now, on_time=self.late_after)
            escalated = escalation.escalate(session, now, self.escalate_after)
        if fired:
            try:
                self.on_fired([f.late for f in fired])
            except Exception:
                log.exception("metrics observer failed")
        if fired or escalated:
            log.info("queued %d reminder(s), escalated %d unacknowledged", len(fired), escalated)
        return len(fired)

    def next_due(self) -> dt.datetime | None:
        """When the earliest reminder or escalation falls due (None: nothing waits). Read only."""
        with self.reader() as session:
            times = [reminders.next_due(session), escalation.next_due(session, self.escalate_after)]
        due = [t for t in times if t is not None]
        return min(due) if due else None

    def _tick(self) -> float:
        """Fire what is due (on the leader); seconds until the next look. The write transaction is opened
        only when the read says something is due."""
        if not self.take_leadership():
            return self.recheck
        due = self.next_due()
        if due is not None and due <= self.clock():
            if self.fire_due_reminders():
                self.dispatcher.wake_threadsafe()
            due = self.next_due()
        if due is None:
            return self.recheck
        return max(0.0, min(self.recheck, (due - self.clock()).total_seconds()))

    async def _reminders(self) -> None:
        assert self._wake is not None
        while not self._stop.is_set():
            try:
                delay = await asyncio.to_thread(self._tick)
            except Exception:
                log.exception("reminder check failed")
                delay = self.recheck
            self._wake.clear()
            waiting = [asyncio.ensure_future(self._stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiting, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            for future in waiting:
                future.cancel()

    def wake(self) -> None:
        """Something was scheduled (a reminder added or changed): look again now."""
        if self._wake is not None:
            self._wake.set()

    def daily_upkeep(self) -> int:
        """Daily: every upkeep task (subscriptions' next deadlines, the staff calendar, old inbox rows), each in
        its own transaction, a failure logged and the others still run; returns how many were scheduled."""
        created = 0
        for task in self.daily:
            try:
                with self.dispatcher.writer, self.sessions.begin() as session:
                    created += task(session, self.clock())
            except Exception:
                log.exception("daily upkeep task %s failed", getattr(task, "__name__", task))
        return created

    async def _daily_upkeep(self) -> None:
        if await asyncio.to_thread(self.take_leadership):
            await asyncio.to_thread(self.daily_upkeep)
            self.wake()

    async def start(self) -> None:
        """Every instance runs the loops; only the leader fires reminders and does the upkeep."""
        self._stop.clear()
        self._wake = asyncio.Event()
        await asyncio.to_thread(self.dispatcher.release_orphans)
        self.scheduler.add_job(self._daily_upkeep, "cron", hour=3, id="daily-upkeep", coalesce=True,
                               replace_existing=True)
        self.scheduler.start()
        if await asyncio.to_thread(self.take_leadership):
            await self._daily_upkeep()
        else:
            log.info("another instance schedules reminders; this one dispatches and stands by")
        self._tasks = [asyncio.create_task(self._reminders()),
                       asyncio.create_task(self.dispatcher.run(self._stop, self.poll))]

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(Exception):
                await task
        self._tasks = []
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.release_leadership()
        if self._reader_engine is not None and self._reader_engine is not self.sessions.kw.get("bind"):
            self._reader_engine.dispose()
