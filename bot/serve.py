"""`ipbot run`: every configured channel, the project's HTTP server, the reminder scheduler and the outbox
dispatcher, in one event loop. Telegram runs when its token is set, WeCom when its five settings are, both
when both are; replies and proactive messages of either go through the same outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal

from bot.http_server import HttpServer, Route
from bot.settings import Settings
from handlers.router import Router
from scheduler.outbox import Sender
from scheduler.runner import BackgroundJobs
from scheduler.send_limits import ChannelLimits

log = logging.getLogger(__name__)


class Services:
    def __init__(self, settings: Settings, router: Router, fire_every: float | None = None,
                 poll: float = 1.0) -> None:
        from bot.channels.telegram import TelegramChannel, TelegramSender
        from bot.channels.telegram import send_limits as telegram_limits
        from bot.channels.wecom import WeComChannel
        from bot.channels.wecom import send_limits as wecom_limits

        self.settings = settings
        senders: dict[str, Sender] = {}
        limits: dict[str, ChannelLimits] = {}
        routes: list[Route] = []
        self.telegram: TelegramChannel | None = None
        self.wecom: WeComChannel | None = None
        if settings.telegram_token:
            self.telegram = TelegramChannel(settings, router.rest, first=router.first)
            senders["telegram"], limits["telegram"] = TelegramSender(self.telegram), telegram_limits(settings)
            routes += self.telegram.routes()
        if settings.wecom_configured:
            self.wecom = WeComChannel(settings, router.handle, router.sessions)
            senders["wecom"], limits["wecom"] = self.wecom.sender, wecom_limits()
            routes += self.wecom.routes()
        self.jobs = BackgroundJobs(router.sessions, senders, limits, timezone=settings.timezone,
                                   fire_every=fire_every or settings.reminder_check_seconds, poll=poll,
                                   late_after=dt.timedelta(seconds=settings.reminder_late_after_seconds),
                                   escalate_after=dt.timedelta(seconds=settings.reminder_escalate_after_seconds))
        if self.wecom is not None:
            self.wecom.wake = self.jobs.dispatcher.wake
        if self.telegram is not None:
            self.telegram.outbox, self.telegram.wake = router.sessions, self.jobs.dispatcher.wake
        self.http = HttpServer(settings.http_listen, routes) if routes else None

    @property
    def channels(self) -> list[str]:
        return [name for name, channel in (("Telegram", self.telegram), ("WeCom", self.wecom)) if channel]

    async def start(self) -> None:
        if self.http is not None:
            self.http.start()
        if self.telegram is not None:
            await self.telegram.start(own_server=False)
        if self.wecom is not None:
            await self.wecom.set_menu()
        await self.jobs.start()

    async def stop(self) -> None:
        """Take nothing new in, finish what was taken in, stop sending, then close the clients."""
        if self.http is not None:
            await self.http.stop()
        if self.wecom is not None:
            await self.wecom.drain()
        if self.telegram is not None:
            await self.telegram.stop()
        await self.jobs.stop()
        if self.wecom is not None:
            await self.wecom.close()


async def serve_until_stopped(services: Services) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await services.start()
    try:
        await stop.wait()
    finally:
        await services.stop()


def describe(services: Services) -> str:
    parts = [", ".join(services.channels)]
    if services.http is not None:
        parts.append(f"HTTP on {services.settings.http_listen}")
    return "; ".join(parts)
