"""Send limits for the outbox: "at most N messages in any T seconds", overall per channel and per chat.

A send is counted from the moment its answer came back. The server counted it no later than that, so a new
send started once the oldest of the last N answers is T seconds old can never make the server see N + 1 in
one window — whatever the network latency — and on a fast link the limit is used almost to the full.
Sends still waiting for their answer count as inside the window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.messages import Target


@dataclass(frozen=True)
class Window:
    count: int
    seconds: float


class SlidingWindow:
    def __init__(self, window: Window, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._answered: deque[float] = deque()
        self._in_flight = 0

    def _prune(self, now: float) -> None:
        while self._answered and self._answered[0] <= now - self.window.seconds:
            self._answered.popleft()

    def wait(self) -> float:
        """Seconds until a send may start (0 when it may start now)."""
        now = self.clock()
        self._prune(now)
        if self._in_flight + len(self._answered) < self.window.count:
            return 0.0
        if not self._answered:  # all taken by sends still waiting for their answers
            return 0.005
        return max(self._answered[0] + self.window.seconds - now, 0.001)

    def idle(self) -> bool:
        self._prune(self.clock())
        return not self._answered and not self._in_flight

    def started(self) -> None:
        self._in_flight += 1

    def answered(self) -> None:
        self._in_flight -= 1
        self._answered.append(self.clock())


@dataclass(frozen=True)
class ChannelLimits:
    """`overall` for everything the channel sends; `per_chat(target)` for one chat (None: no own limit)."""

    overall: Window | None = None
    per_chat: Callable[[Target], Window | None] = field(default=lambda _chat: None)
    in_flight: int = 8  # sends awaiting their answer at once


class Limiter:
    """The sliding windows of one dispatcher, made on first use."""

    def __init__(self, limits: dict[str, ChannelLimits], clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._overall: dict[str, SlidingWindow] = {}
        self._chats: dict[Target, SlidingWindow] = {}

    def of_channel(self, channel: str) -> ChannelLimits:
        return self.limits.get(channel) or ChannelLimits()

    def overall(self, channel: str) -> SlidingWindow | None:
        window = self.of_channel(channel).overall
        if window is None:
            return None
        if channel not in self._overall:
            self._overall[channel] = SlidingWindow(window, self.clock)
        return self._overall[channel]

    def chat(self, channel: str, to: Target) -> SlidingWindow | None:
        window = self.of_channel(channel).per_chat(to)
        if window is None:
            return None
        key = to
        if key not in self._chats:
            if len(self._chats) > 10_000:  # forget idle chats rather than grow without bound
                self._chats = {k: v for k, v in self._chats.items() if not v.idle()}
            self._chats[key] = SlidingWindow(window, self.clock)
        return self._chats[key]
