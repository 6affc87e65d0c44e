"""Per-user flood control: at most `limit` messages in `window` seconds; one polite warning, then silence."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from enum import Enum

REMEMBERED = 10_000  # verdicts kept by message id: a message handled again (a batch redone) counts once


class Verdict(Enum):
    OK = "ok"
    WARN = "warn"  # over the limit: say so once
    DROP = "drop"  # still over the limit: already warned


class RateLimiter:
    def __init__(self, limit: int = 20, window: float = 60.0, max_users: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_users = max_users
        self._seen: dict[str, deque[float]] = {}
        self._warned: set[str] = set()
        self._verdicts: OrderedDict[str, Verdict] = OrderedDict()

    def check(self, key: str, now: float | None = None, message: str | None = None) -> Verdict:
        """The verdict on one more message from `key`. With `message` (an id), asking again about the same
        message gives the same verdict without counting it twice."""
        if message is not None:
            known = self._verdicts.get(message)
            if known is not None:
                return known
        verdict = self._check(key, time.monotonic() if now is None else now)
        if message is not None:
            self._verdicts[message] = verdict
            if len(self._verdicts) > REMEMBERED:
                self._verdicts.popitem(last=False)
        return verdict

    def _check(self, key: str, now: float) -> Verdict:
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= self.max_users:
                self._forget_idle(now)
            times = self._seen[key] = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(key)
            return Verdict.OK
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or now - t[-1] >= self.window]:
            del self._seen[key]
            self._warned.discard(key)
