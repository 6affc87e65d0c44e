"""The one clock everything below the app reads: injected, so tests can set the time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]  # an aware UTC datetime


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def zone_label(zone: dt.tzinfo, at: dt.datetime | None = None) -> str:
    """The time zone as a reader is told it beside local times: its name and UTC offset, e.g.
    "Asia/Shanghai，UTC+08:00" (the offset at `at`, else now)."""
    moment = (at or system_clock()).astimezone(zone)
    offset = moment.utcoffset() or dt.timedelta(0)
    sign, minutes = ("+" if offset >= dt.timedelta(0) else "-"), abs(int(offset.total_seconds())) // 60
    return f"{getattr(zone, 'key', None) or moment.tzname()}，UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
