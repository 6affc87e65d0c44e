"""Builds the running bot from settings — one `build_app` for `ipbot chat`, `ipbot run`, the tests and the
benchmarks: database, knowledge base, router, pipeline, outbox dispatcher, background jobs, the channels
that are configured and the HTTP server they share.

    platform → channel (translates) → Pipeline.take (inbox, committed) → Router.answer → outbox → Dispatcher
             → channel's sender → platform
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.clock import Clock, system_clock
from bot.db import open_database
from bot.pipeline import Pipeline
from bot.settings import Settings
from handlers import subscriptions, survey_definition
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from knowledge.errors import DataFileError
from knowledge.service import KnowledgeService
from scheduler import calendar
from scheduler.outbox import Dispatcher
from scheduler.runner import BackgroundJobs, Upkeep

if TYPE_CHECKING:  # `ipbot chat` builds only the router: no HTTP server, no channel libraries
    from bot.channels.base import Channel
    from bot.http_server import HttpServer

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    router: Router
    pipeline: Pipeline
    dispatcher: Dispatcher
    jobs: BackgroundJobs
    channels: list[Channel] = field(default_factory=list)
    http: HttpServer | None = None
    _sweeping: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    @property
    def channel_names(self) -> list[str]:
        return [channel.name for channel in self.channels]

    def describe(self) -> str:
        parts = [", ".join(self.channel_names) or "no channel"]
        if self.http is not None:
            parts.append(f"HTTP on {self.settings.http_listen}")
        return "; ".join(parts)

    async def start(self) -> None:
        """Handle what a crash left in the inbox, then take new messages in."""
        if self.http is not None:
            self.http.start()
        await self.jobs.start()
        recovered = await self.pipeline.recover()
        if recovered:
            log.info("handling %d message(s) taken in before a restart", recovered)
        for channel in self.channels:
            await channel.start()
        self._sweeping = asyncio.create_task(self.pipeline.sweep(self.jobs.stopping))

    async def stop(self) -> None:
        """Take nothing new in, finish what was taken in, stop sending, then close the clients."""
        if self.http is not None:
            await self.http.stop()
        for channel in self.channels:
            with contextlib.suppress(Exception):
                await channel.stop()
        await self.pipeline.close()
        await self.jobs.stop()
        if self._sweeping is not None:
            await self._sweeping
            self._sweeping = None
        for channel in self.channels:
            with contextlib.suppress(Exception):
                await channel.close()
        bind = self.router.sessions.kw.get("bind")
        if bind is not None:  # the app opened its engine: its connections go with it
            bind.dispose()


def _calendar_upkeep(zone: ZoneInfo) -> Upkeep:
    def staff_calendar(session: Session, now: dt.datetime) -> int:
        try:
            events = calendar.load()
        except DataFileError as exc:
            log.error("calendar not loaded:\n%s", exc)
            return 0
        return calendar.sync(session, events, zone, now)

    return staff_calendar


def build_router(settings: Settings, knowledge: KnowledgeService | None = None, clock: Clock = system_clock,
                 writer: AbstractContextManager[object] | None = None) -> Router:
    _engine, sessions = open_database(settings.database_url)
    definition = survey_definition.load(Path(settings.survey_file) if settings.survey_file
                                        else survey_definition.DEFINITION)
    return Router(knowledge or KnowledgeService(), sessions, staff_ids=settings.staff_ids,
                  rate_limiter=RateLimiter(limit=settings.user_messages_per_minute, window=60.0),
                  survey_definition=definition, survey_salt=settings.survey_salt, timezone=settings.timezone,
                  clock=clock, writer=writer)


def build_app(settings: Settings | None = None, knowledge: KnowledgeService | None = None,
              clock: Clock = system_clock, poll: float = 1.0) -> App:
    """Everything `settings` configures, not yet started. Raises ValueError for a setting that cannot work
    (e.g. an EncodingAESKey that is not 43 characters)."""
    from bot.channels.telegram import TelegramChannel
    from bot.channels.wecom import WeComChannel
    from bot.http_server import HttpServer, Route

    settings = settings or Settings()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SQLite takes one writer at a time: waiting on a lock here is cheaper than its own back-off
    writer: AbstractContextManager[object] = threading.Lock() if settings.database_url.startswith("sqlite") \
        else contextlib.nullcontext()
    router = build_router(settings, knowledge, clock, writer)
    sessions = router.sessions

    def wake() -> None:  # replies were queued (and perhaps a reminder scheduled)
        dispatcher.wake()
        jobs.wake()

    # On SQLite one transaction writes at a time: one lane, with bigger batches, beats several waiting on the lock.
    lanes = 1 if settings.database_url.startswith("sqlite") else settings.telegram_concurrent_updates
    pipeline = Pipeline(router, sessions, wake, concurrency=lanes, clock=clock, writer=writer)
    channels: list[Channel] = []
    if settings.telegram_token:
        channels.append(TelegramChannel(settings, pipeline))
    if settings.wecom_configured:
        channels.append(WeComChannel(settings, pipeline))
    dispatcher = Dispatcher(sessions, {c.name: c.sender for c in channels}, {c.name: c.limits for c in channels},
                            clock=clock, writer=writer)
    zone = ZoneInfo(settings.timezone)
    daily: list[Upkeep] = [lambda session, now: subscriptions.top_up(session, zone, now), _calendar_upkeep(zone),
                           pipeline.forget_old]
    jobs = BackgroundJobs(sessions, dispatcher, timezone=settings.timezone, recheck=settings.reminder_check_seconds,
                          poll=poll, late_after=dt.timedelta(seconds=settings.reminder_late_after_seconds),
                          escalate_after=dt.timedelta(seconds=settings.reminder_escalate_after_seconds),
                          daily=daily, clock=clock)
    routes: list[Route] = [route for channel in channels for route in channel.routes()]
    app = App(settings, router, pipeline, dispatcher, jobs, channels, HttpServer(settings.http_listen, routes)
              if routes else None)
    # What start-up loaded lives as long as the process: out of the cyclic collector's sight, its full
    # collections stop walking it on every message's garbage.
    gc.freeze()
    return app


async def serve_until_stopped(app: App) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()
