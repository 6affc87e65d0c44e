"""Reminders: the project's own table is the source of truth; firing one writes its messages to the outbox
in the same transaction, keyed by reminder and fire time, so nothing is sent twice.

A reminder that fell due while the bot was down is still sent when it comes back, marked late, if it is
less than LATE_GRACE overdue; an older one is skipped. Of a recurring reminder's missed times only the
latest is sent; it then moves on to its next time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.messages import REMINDER, Reply, parse_target
from bot.core.models import Reminder
from bot.core.outbox import enqueue
from scheduler import texts
from scheduler.recipients import ReminderError as ReminderError  # re-exported: reminders.ReminderError
from scheduler.recipients import parse_recipients as parse_recipients

LATE_GRACE = dt.timedelta(hours=12)
ON_TIME = dt.timedelta(minutes=2)
LATE_NOTE = texts.LATE_NOTE
EVERY = re.compile(r"^(\d{1,4})([mhdw])$")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
ACK_PREFIX = "ack:"  # button payload: ack:<outbox message id>


def parse_every(value: str | None) -> int | None:
    if value is None:
        return None
    match = EVERY.match(value.strip())
    if match is None or int(match.group(1)) == 0:
        raise ReminderError(f"--every takes a number and a unit m/h/d/w, e.g. 1d or 12h (got {value!r})")
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)]


def add(session: Session, text: str, recipients: list[str], at: dt.datetime, every_seconds: int | None,
        needs_ack: bool = False, *, now: dt.datetime) -> Reminder:
    """needs_ack: each delivery carries an 已办 button and is escalated if nobody presses it."""
    if not text.strip():
        raise ReminderError("the reminder text is empty")
    row = Reminder(text=text.strip(), recipients=recipients, next_fire_at=at.astimezone(dt.UTC),
                   every_seconds=every_seconds, active=True, created_at=now, needs_ack=needs_ack)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Fired:
    reminder_id: int
    fire_at: dt.datetime
    late: bool
    queued: int


def fire_due(session: Session, now: dt.datetime, on_time: dt.timedelta = ON_TIME) -> list[Fired]:
    """Queue every reminder that is due; move recurring ones on, retire one-shot ones. One sent more than
    `on_time` after its time is marked late."""
    fired: list[Fired] = []
    due = session.scalars(select(Reminder).where(Reminder.active.is_(True), Reminder.next_fire_at <= now)
                          .order_by(Reminder.next_fire_at).with_for_update(skip_locked=True)).all()
    for reminder in due:
        fire_at = reminder.next_fire_at
        step = dt.timedelta(seconds=reminder.every_seconds or 0)
        latest = fire_at
        while step and latest + step <= now:  # of several missed times, only the latest is worth sending
            latest += step
        overdue = now - latest
        if overdue <= LATE_GRACE:
            late = overdue > on_time
            text = f"{LATE_NOTE}{reminder.text}" if late else reminder.text
            queued = 0
            for recipient in reminder.recipients:
                key = f"reminder:{reminder.id}@{latest.isoformat()}:{recipient}"
                row = enqueue(session, parse_target(recipient), Reply(text, kind=REMINDER), key=key, late=late, now=now)
                if row is not None:
                    if reminder.needs_ack:
                        row.ack_required = True
                        row.buttons = [[[texts.ACK_BUTTON, f"{ACK_PREFIX}{row.id}"]]]
                    queued += 1
            fired.append(Fired(reminder.id, latest, late, queued))
        if step:
            reminder.next_fire_at = latest + step
        else:
            reminder.active = False
    return fired


def next_due(session: Session) -> dt.datetime | None:
    """When the earliest active reminder falls due (None: none)."""
    return session.scalar(select(func.min(Reminder.next_fire_at)).where(Reminder.active.is_(True)))
