"""The delivery contracts a channel implements: a Sender that sends one reply to one target, and the two ways a
send can fail. The outbox (bot/core/outbox.py) retries the first and parks the second as dead."""

from __future__ import annotations

from typing import Protocol

from bot.core.messages import Reply, Target


class TemporaryFailure(Exception):
    """Worth trying again later (rate limited, server error, network)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Will never succeed (chat not found, bot blocked): park the message."""


class Undeliverable(PermanentFailure):
    """Not sent, and not because the platform refused: the channel's rules say it cannot go (e.g. WeChat's
    48-hour window closed and no template message for its kind). Its text is the whole reason staff read."""


class Sender(Protocol):
    async def send(self, to: Target, reply: Reply) -> None: ...
