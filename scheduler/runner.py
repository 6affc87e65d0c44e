"""Time inside `ipbot run`: an APScheduler job that fires due reminders into the outbox, and the outbox
dispatcher. Only one scheduler acts: on PostgreSQL the holder of an advisory lock (the others still dispatch
— rows are claimed with SKIP LOCKED — and take the lock over when the leader goes); on SQLite there is a
single instance anyway.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Connection, delete, text
from sqlalchemy.orm import Session, sessionmaker

from bot.models import WeComSeen, utcnow
from handlers import subscriptions
from knowledge.errors import KnowledgeBaseError
from scheduler import calendar, escalation, reminders
from scheduler.outbox import Dispatcher, Sender
from scheduler.send_limits import ChannelLimits

log = logging.getLogger(__name__)
LEADER_LOCK = 0x1B0_7A1  # pg_try_advisory_lock key shared by every instance of this bot
FIRE_EVERY_SECONDS = 15
SEEN_KEPT = dt.timedelta(days=7)  # WeCom retries within seconds; a week of callback ids is plenty


class BackgroundJobs:
    def __init__(self, sessions: sessionmaker[Session], senders: Mapping[str, Sender],
                 limits: Mapping[str, ChannelLimits] | None = None, timezone: str = "Asia/Shanghai",
                 fire_every: float = FIRE_EVERY_SECONDS, poll: float = 1.0,
                 late_after: dt.timedelta = reminders.ON_TIME,
                 escalate_after: dt.timedelta = escalation.DEFAULT_AFTER) -> None:
        self.sessions = sessions
        self.dispatcher = Dispatcher(sessions, senders, limits)
        self.scheduler = AsyncIOScheduler(timezone=timezone)
        self.fire_every = fire_every
        self.poll = poll
        self.zone = ZoneInfo(timezone)
        self.late_after = late_after
        self.escalate_after = escalate_after
        self._stop = asyncio.Event()
        self._dispatching: asyncio.Task[None] | None = None
        self._leader: Connection | None = None

    def _take_leadership(self) -> bool:
        """True while this instance is the one scheduler. Non-leaders ask again on every tick, so another
        instance takes over within one tick when the leader stops or loses its database connection."""
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
        if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK}).scalar():
            # held for as long as this connection lives: out of the pool, so closing it really releases it
            connection.detach()
            self._leader = connection
            log.info("this instance schedules reminders")
            return True
        connection.close()
        return False

    @property
    def is_leader(self) -> bool:
        return self._leader is not None

    def fire_due_reminders(self) -> int:
        with self.sessions.begin() as session:
            fired = reminders.fire_due(session, on_time=self.late_after)
            escalated = escalation.escalate(session, self.escalate_after)
        if fired or escalated:
            log.info("queued %d reminder(s), escalated %d unacknowledged", len(fired), escalated)
        return len(fired)

    async def _fire(self) -> None:
        if await asyncio.to_thread(self._take_leadership):
            await asyncio.to_thread(self.fire_due_reminders)

    def daily_upkeep(self) -> int:
        """Daily: schedule subscriptions' next deadlines and the staff calendar's reminders, forget week-old
        WeCom callback ids; returns how many reminders were scheduled. A broken calendar file is logged, not fatal."""
        with self.sessions.begin() as session:
            created = subscriptions.top_up(session, self.zone)
            session.execute(delete(WeComSeen).where(WeComSeen.seen_at < utcnow() - SEEN_KEPT))
        try:
            events = calendar.load()
        except KnowledgeBaseError as exc:
            log.error("calendar not loaded:\n%s", exc)
            return created
        with self.sessions.begin() as session:
            return created + calendar.sync(session, events, self.zone)

    async def _daily_upkeep(self) -> None:
        if await asyncio.to_thread(self._take_leadership):
            await asyncio.to_thread(self.daily_upkeep)

    async def start(self) -> None:
        """Every instance runs the jobs; each tick does its work only on the leader (see _take_leadership)."""
        self._stop.clear()
        self.scheduler.add_job(self._fire, "interval", seconds=self.fire_every,
                               id="fire-reminders", max_instances=1, coalesce=True, replace_existing=True)
        self.scheduler.add_job(self._daily_upkeep, "cron", hour=3, id="daily-upkeep", coalesce=True,
                               replace_existing=True)
        self.scheduler.start()
        if await asyncio.to_thread(self._take_leadership):
            await self._daily_upkeep()
            await self._fire()  # reminders that fell due while the bot was down go out now
        else:
            log.info("another instance schedules reminders; this one dispatches and stands by")
        self._dispatching = asyncio.create_task(self.dispatcher.run(self._stop, self.poll))

    async def stop(self) -> None:
        self._stop.set()
        if self._dispatching is not None:
            await self._dispatching
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._leader is not None:
            self._leader.close()
            self._leader = None
