"""Escalation of staff reminders nobody acknowledged: once the configured delay has passed since it was sent,
the reminder is sent again to its recipient and, when that was not the staff group, the staff group is told.
Each reminder is escalated once; acknowledging the first message or the repeat both count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import OutboxMessage, utcnow
from handlers.texts import remind as text
from handlers.types import STAFF_CHAT, Button, Reply
from scheduler.outbox import enqueue
from scheduler.reminders import ACK_PREFIX, LATE_NOTE

DEFAULT_AFTER = dt.timedelta(hours=4)


def escalate(session: Session, after: dt.timedelta = DEFAULT_AFTER, now: dt.datetime | None = None) -> int:
    """Queue the repeats and staff notices due now; returns how many reminders were escalated."""
    now = now or utcnow()
    rows = session.scalars(select(OutboxMessage).where(
        OutboxMessage.ack_required.is_(True), OutboxMessage.status == "sent",
        OutboxMessage.acknowledged_at.is_(None), OutboxMessage.escalated_at.is_(None),
        OutboxMessage.sent_at <= now - after).with_for_update(skip_locked=True)).all()
    minutes = max(1, round(after.total_seconds() / 60))
    delay = text.HOURS.format(n=minutes // 60) if minutes % 60 == 0 else text.MINUTES.format(n=minutes)
    for row in rows:
        body = row.text.removeprefix(LATE_NOTE)
        ack = ((Button(text.ACK_BUTTON, f"{ACK_PREFIX}{row.id}"),),)
        enqueue(session, row.channel, row.chat_id, Reply(text.AGAIN.format(text=body), ack), key=f"again:{row.id}")
        if row.chat_id != STAFF_CHAT:
            notice = text.ESCALATED.format(to=f"{row.channel}:{row.chat_id}", delay=delay, text=body)
            enqueue(session, row.channel, STAFF_CHAT, Reply(notice, ack), key=f"escalated:{row.id}")
        row.escalated_at = now
    return len(rows)
