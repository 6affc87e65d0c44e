"""Reminders and deadline subscriptions."""


from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

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
