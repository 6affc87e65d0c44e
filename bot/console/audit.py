"""The audit log: every change made in the console, appended in the transaction that makes it. The console
has no way to change or delete an entry (the 账号 page only reads it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import AuditLog

MAX_DETAIL = 500
SHOWN = 200


def record(session: Session, who: str, action: str, detail: str, address: str, now: dt.datetime) -> None:
    session.add(AuditLog(at=now, account=who[:64], action=action[:32], detail=detail[:MAX_DETAIL],
                         address=address[:64]))


def recent(session: Session, limit: int = SHOWN) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)))
