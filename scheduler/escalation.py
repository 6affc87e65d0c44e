"""Escalation of staff reminders nobody acknowledged: once the configured delay has passed since it was sent,
the reminder is sent again to its recipient and, when that was not the staff group, the staff group is told.
Each reminder is escalated once; acknowledging the first message or the repeat both count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.messages import Button, Reply, StaffChat
from bot.core.models import OutboxMessage
from bot.core.outbox import enqueue, target_of
from scheduler import texts as text
from scheduler.reminders import ACK_PREFIX, LATE_NOTE

DEFAULT_AFTER = dt.timedelta(hours=4)


def escalate(session: Session, now: dt.datetime, after: dt.timedelta = DEFAULT_AFTER) -> int:
    """Queue the repeats and staff notices due now; returns how many reminders were escalated."""
    rows = session.scalars(select(OutboxMessage).where(
        OutboxMessage.ack_required.is_(True), OutboxMessage.status == "sent",
        OutboxMessage.acknowledged_at.is_(None), OutboxMessage.escalated_at.is_(None),
        OutboxMessage.sent_at <= now - after).with_for_update(skip_locked=True)).all()
    minutes = max(1, round(after.total_seconds() / 60))
    delay = text.HOURS.format(n=minutes // 60) if minutes % 60 == 0 else text.MINUTES.format(n=minutes)
    for row in rows:
        body = row.text.removeprefix(LATE_NOTE)
        ack = ((Button(text.ACK_BUTTON, f"{ACK_PREFIX}{row.id}"),),)
        to = target_of(row)
        enqueue(session, to, Reply(text.AGAIN.format(text=body), ack, kind=row.kind), key=f"again:{row.id}", now=now)
        if not row.to_staff:
            notice = text.ESCALATED.format(to=to, delay=delay, text=body)
            enqueue(session, StaffChat(row.channel), Reply(notice, ack), key=f"escalated:{row.id}", now=now)
        row.escalated_at = now
    return len(rows)


def next_due(session: Session, after: dt.timedelta = DEFAULT_AFTER) -> dt.datetime | None:
    """When the next escalation falls due (None: nothing waits for 已办)."""
    oldest = session.scalar(select(func.min(OutboxMessage.sent_at)).where(
        OutboxMessage.ack_required.is_(True), OutboxMessage.status == "sent",
        OutboxMessage.acknowledged_at.is_(None), OutboxMessage.escalated_at.is_(None)))
    return oldest + after if oldest is not None else None
