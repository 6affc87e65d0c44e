"""Reminders and deadline subscriptions.

Writing a reminder row (added, moved, cancelled) marks the session: `reminders_changed(session)` tells
whoever committed it that the reminder loop should look again (see bot/pipeline.py).
"""


from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from bot.core.models.base import Base, UTCDateTime, utcnow


class Reminder(Base):
    """A scheduled message to one or more recipients ("channel:id"), once or every `every_seconds`."""

    __tablename__ = "reminder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_fire_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    every_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    needs_ack: Mapped[bool] = mapped_column(Boolean, default=False)  # staff reminders: 已办 button, escalation
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id"), nullable=True)

    __table_args__ = (Index("ix_reminder_due", "active", "next_fire_at"),)


_CHANGED = "reminders_changed"


@event.listens_for(Reminder, "after_insert")
@event.listens_for(Reminder, "after_update")
def _mark_changed(_mapper: Any, _connection: Any, target: Reminder) -> None:
    session = object_session(target)
    if session is not None:
        session.info[_CHANGED] = True


def reminders_changed(session: Session) -> bool:
    """Whether this session wrote a reminder row (through the ORM) since it was made."""
    return bool(session.info.get(_CHANGED))


class Subscription(Base):
    """An enterprise follows one trademark or patent; its legal deadlines become reminders to that chat."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # trademark | invention | utility_model | design
    start_date: Mapped[dt.date] = mapped_column(Date)  # trademark approval date or patent filing date
    label: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
