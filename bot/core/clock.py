"""The one clock everything below the app reads: injected, so tests can set the time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]  # an aware UTC datetime


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
