"""Who a reminder or a plan's reporting date goes to (channel:id, or staff:CHANNEL for the staff group), checked
without the database (the plan files use it, and `ipbot ask` loads those)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.messages import StaffChat, Target, parse_target

CHANNELS = ("telegram", "wecom", "terminal")
CHAT_ID = re.compile(r"^[\w@.\-]{1,128}$")


class ReminderError(ValueError):
    """Bad input for a reminder, with a message fit to show."""


def parse_recipients(values: Iterable[str]) -> list[str]:
    recipients = [v.strip() for v in values if v.strip()]
    if not recipients:
        raise ReminderError("no recipient: give --to telegram:123 (several comma-separated) or @FILE")
    bad = [r for r in recipients if _recipient(r) is None]
    if bad:
        raise ReminderError("not a recipient (expected channel:id, e.g. telegram:123, or staff:telegram for the "
                            f"staff group): {', '.join(bad[:3])}")
    return list(dict.fromkeys(str(_recipient(r)) for r in recipients))


def _recipient(text: str) -> Target | None:
    try:
        target = parse_target(text)
    except ValueError:
        return None
    if target.channel not in CHANNELS:
        return None
    if isinstance(target, StaffChat):
        return target
    return target if CHAT_ID.match(target.chat) else None
