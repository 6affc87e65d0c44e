"""Staff in chat by their console account: the chat ids (`telegram:123`) linked to enabled accounts count as
staff like those in IPBOT_STAFF. Read at most every REFRESH seconds (one small indexed query), so a link
made or an account disabled in the console counts within that time, and a message costs nothing extra."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import StaffAccount, StaffLink

REFRESH = 10.0  # seconds

LINKED = (select(StaffLink.address).join(StaffAccount, StaffAccount.id == StaffLink.account_id)
          .where(StaffAccount.disabled.is_(False)))


class LinkedStaff:
    def __init__(self, refresh: float = REFRESH, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.refresh = refresh
        self._monotonic = monotonic
        self._read_at: float | None = None
        self._base: frozenset[str] = frozenset()
        self._together: frozenset[str] = frozenset()

    def together(self, session: Session, base: frozenset[str]) -> frozenset[str]:
        """`base` (IPBOT_STAFF) and the ids linked to enabled accounts."""
        now = self._monotonic()
        if self._read_at is None or now - self._read_at >= self.refresh or base is not self._base:
            linked = frozenset(session.scalars(LINKED))
            self._base, self._together, self._read_at = base, base | linked, now
        return self._together
