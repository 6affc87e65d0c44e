"""What every channel is — what `build_app` (bot/app.py) uses of one: a name, its send limits and sender for
the outbox, where the photo downloader fetches what users sent, its HTTP routes on the project's server, and
start/stop/close. Everything a channel needs is given at construction; what it takes in goes to the pipeline
(bot/pipeline.py), what it sends comes from the outbox. `build_app` keeps its channels in a list[Channel], so
mypy checks each channel against this protocol. (The terminal of `ipbot chat` is not one: it calls the
router directly.)"""

from __future__ import annotations

from typing import Protocol

from bot.core.delivery import Sender
from bot.core.send_limits import ChannelLimits
from bot.http_server import Route
from bot.media_source import MediaSource


class Channel(Protocol):
    @property
    def name(self) -> str:
        """The channel's name in addresses ("telegram:123") and outbox rows."""

    @property
    def sender(self) -> Sender:
        """Sends what the outbox dispatcher hands it."""

    @property
    def limits(self) -> ChannelLimits:
        """The platform's send limits, kept by the dispatcher."""

    @property
    def media(self) -> MediaSource | None:
        """Where the photo downloader fetches files users sent (None: the channel takes no photos)."""

    def routes(self) -> list[Route]:
        """Its handlers on the project's one HTTP server (webhooks, callbacks); may be empty."""

    async def start(self) -> None:
        """Start taking messages in (polling, or being ready for the routes' calls)."""

    async def stop(self) -> None:
        """Take nothing new in (what was taken in is the pipeline's to finish)."""

    async def close(self) -> None:
        """Close the platform clients, once nothing more is sent."""
