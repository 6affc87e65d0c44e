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
import logging
import signal
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import retention
from bot.core.clock import Clock, system_clock
from bot.core.datafile import DataFileError
from bot.core.db import make_reader, open_database
from bot.core.kept_secrets import SURVEY_SALT, TELEGRAM_WEBHOOK_SECRET, kept_secret
from bot.core.outbox import Dispatcher
from bot.photo_fetcher import PhotoFetcher
from bot.pipeline import Pipeline
from bot.settings import Settings
from handlers import subscriptions
from handlers.indicators import calendar as indicator_calendar
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from handlers.survey import definition as survey_definition
from handlers.taught_phrasings import LearnedSource
from handlers.tips import upkeep as tips_upkeep
from knowledge.service import KnowledgeService
from scheduler import calendar
from scheduler.runner import BackgroundJobs, Upkeep

if TYPE_CHECKING:  # `ipbot chat` builds only the router: no HTTP server, no channel libraries
    from bot.channels.base import Channel
    from bot.http_server import HttpServer
    from bot.metrics import Metrics

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
    fetcher: PhotoFetcher | None = None  # report photos from the platforms
    metrics: Metrics | None = None  # served at /metrics
    _sweeping: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _fetching: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    @property
    def channel_names(self) -> list[str]:
        return [channel.name for channel in self.channels]

    def describe(self) -> str:
        parts = [", ".join(self.channel_names) or "no channel"]
        if self.http is not None:
            parts.append(f"HTTP on {self.settings.http_listen} (staff console: "
                         f"http://{self.settings.http_listen}/console/)")
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
        if self.fetcher is not None:
            self._fetching = asyncio.create_task(self.fetcher.run(self.jobs.stopping))

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
        if self._fetching is not None:  # before the channels' clients close: it uses them
            await self._fetching
            self._fetching = None
        for channel in self.channels:
            with contextlib.suppress(Exception):
                await channel.close()
        if self.metrics is not None:
            self.metrics.close()
        bind = self.router.sessions.kw.get("bind")
        if bind is not None:  # the app opened its engine: its connections go with it
            bind.dispose()


def _calendar_upkeep(zone: ZoneInfo) -> Upkeep:
    def staff_calendar(session: Session, now: dt.datetime) -> int:
        try:
            events = calendar.load()
        except DataFileError as exc:
            log.error("calendar not loaded:\n%s", exc)
            events = []
        # the plans' reporting dates (handlers/indicators/data/plan-*.yaml) are staff-calendar events too
        return calendar.sync(session, [*events, *indicator_calendar.current_reporting_events()], zone, now)

    return staff_calendar


def _tip_upkeep(settings: Settings) -> list[Upkeep]:
    """Reports: drafts left a week go; closed reports past the retention period lose contact and photos."""
    media, retention = settings.media_folder, dt.timedelta(days=settings.tip_retention_days)

    def tip_drafts(session: Session, now: dt.datetime) -> int:
        return tips_upkeep.discard_drafts(session, media, now)

    def tip_retention(session: Session, now: dt.datetime) -> int:
        return tips_upkeep.purge_closed(session, media, retention, now)

    return [tip_drafts, tip_retention]


def _retention_upkeep(settings: Settings) -> list[Upkeep]:
    """The question log and the console's audit log kept as long as their settings say (bot/retention.py)."""
    def question_log_retention(session: Session, now: dt.datetime) -> int:
        return retention.forget_questions(session, now, settings.question_log_retention_days)

    def audit_log_retention(session: Session, now: dt.datetime) -> int:
        return retention.forget_audit(session, now, settings.audit_log_retention_days)

    return [question_log_retention, audit_log_retention]


def build_router(settings: Settings, knowledge: KnowledgeService | None = None, clock: Clock = system_clock,
                 writer: AbstractContextManager[object] | None = None, learn: bool = False) -> Router:
    """learn: also answer with what staff taught in this database (always when no knowledge is given)."""
    _engine, sessions = open_database(settings.database_url)
    with sessions.begin() as session:  # one salt per install, kept: respondents cannot be found by hashing ids
        salt = kept_secret(session, SURVEY_SALT, settings.survey_salt)
    definition = survey_definition.load(Path(settings.survey_file) if settings.survey_file
                                        else survey_definition.DEFINITION)
    if knowledge is None:
        knowledge = KnowledgeService(Path(settings.knowledge_dir) if settings.knowledge_dir else None,
                                     overlay=LearnedSource(sessions))
    elif learn and knowledge.overlay_source is None:
        knowledge.attach(LearnedSource(sessions))
    router = Router(knowledge, sessions, staff_ids=settings.staff_ids,
                  rate_limiter=RateLimiter(limit=settings.user_messages_per_minute, window=60.0),
                  survey_definition=definition, survey_salt=salt, timezone=settings.timezone,
                  clock=clock, writer=writer)
    router.media_dir = settings.media_folder
    return router


def build_app(settings: Settings | None = None, knowledge: KnowledgeService | None = None,
              clock: Clock = system_clock, poll: float = 1.0, learn: bool = False) -> App:
    """Everything `settings` configures, not yet started. Raises ValueError for a setting that cannot work
    (e.g. an EncodingAESKey that is not 43 characters)."""
    from bot.channels.telegram import TelegramChannel
    from bot.channels.wechat import WeChatChannel
    from bot.channels.wecom import WeComChannel
    from bot.console import app as console_app
    from bot.http_server import HttpServer, Route
    from bot.metrics import Metrics, MetricsHandler

    settings = settings or Settings()
    # SQLite takes one writer at a time: waiting on a lock here is cheaper than its own back-off
    writer: AbstractContextManager[object] = threading.Lock() if settings.database_url.startswith("sqlite") \
        else contextlib.nullcontext()
    router = build_router(settings, knowledge, clock, writer, learn)
    sessions = router.sessions

    def wake_all() -> None:  # the console changed something: any of them may have work
        dispatcher.wake()
        jobs.wake()
        fetcher.wake()

    # On SQLite one transaction writes at a time: one lane, with bigger batches, beats several waiting on the lock.
    lanes = 1 if settings.database_url.startswith("sqlite") else settings.telegram_concurrent_updates
    # Handled messages wake the outbox dispatcher (replies were queued). The photo downloader is woken only by
    # messages that carried a photo (a look costs a write transaction), the reminder loop only by a batch that
    # added or changed a reminder.
    pipeline = Pipeline(router, sessions, lambda: dispatcher.wake(), concurrency=lanes, clock=clock,
                        writer=writer, photos=lambda: fetcher.wake(), scheduled=lambda: jobs.wake())
    channels: list[Channel] = []
    if settings.telegram_token and settings.telegram_webhook_url:
        with sessions.begin() as session:  # a webhook is always authenticated: Telegram is told this secret
            secret = kept_secret(session, TELEGRAM_WEBHOOK_SECRET, settings.telegram_webhook_secret)
        settings = settings.model_copy(update={"telegram_webhook_secret": secret})
    if settings.telegram_token:
        channels.append(TelegramChannel(settings, pipeline))
    if settings.wecom_configured:
        channels.append(WeComChannel(settings, pipeline))
    if settings.wechat_configured:
        channels.append(WeChatChannel(settings, pipeline, writer))
    dispatcher = Dispatcher(sessions, {c.name: c.sender for c in channels}, {c.name: c.limits for c in channels},
                            clock=clock, writer=writer,
                            claim_lease=dt.timedelta(seconds=settings.outbox_claim_lease_seconds))
    zone = ZoneInfo(settings.timezone)
    daily: list[Upkeep] = [lambda session, now: subscriptions.top_up(session, zone, now), _calendar_upkeep(zone),
                           pipeline.forget_old, *_tip_upkeep(settings), *_retention_upkeep(settings)]
    jobs = BackgroundJobs(sessions, dispatcher, timezone=settings.timezone, recheck=settings.reminder_check_seconds,
                          poll=poll, late_after=dt.timedelta(seconds=settings.reminder_late_after_seconds),
                          escalate_after=dt.timedelta(seconds=settings.reminder_escalate_after_seconds),
                          daily=daily, clock=clock)
    fetcher = PhotoFetcher(sessions, {c.name: c.media for c in channels if c.media is not None},
                           settings.media_folder, writer, clock, dispatcher.wake_threadsafe, poll=max(poll, 0.05))
    metrics = Metrics(make_reader(sessions.kw["bind"]), [c.name for c in channels])
    pipeline.observe = metrics.handled
    jobs.on_fired = metrics.fired
    metrics.leads = lambda: jobs.leads
    routes: list[Route] = [route for channel in channels for route in channel.routes()]
    routes.append(("/metrics", MetricsHandler, {"metrics": metrics}))
    # the staff console in the browser, under /console/ (served even with no channel configured)
    routes += console_app.routes(console_app.deps_for(settings, router, wake_all, tuple(c.name for c in channels),
                                                      writer))
    # (process-wide setup — logging, gc.freeze — is the command's: bot/process.py)
    return App(settings, router, pipeline, dispatcher, jobs, channels, HttpServer(settings.http_listen, routes),
               fetcher, metrics)


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
