"""What every channel is: a name, its send limits and sender for the outbox, its HTTP routes on the project's
server, and start/stop. Everything a channel needs is given at construction; what it takes in goes to the
pipeline (bot/pipeline.py), what it sends comes from the outbox."""

from __future__ import annotations

from typing import Protocol

from bot.core.delivery import Sender
from bot.core.send_limits import ChannelLimits
from bot.http_server import Route


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def sender(self) -> Sender: ...

    @property
    def limits(self) -> ChannelLimits: ...

    def routes(self) -> list[Route]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Take nothing new in (what was taken in is the pipeline's to finish)."""

    async def close(self) -> None:
        """Close the platform clients, once nothing more is sent."""
