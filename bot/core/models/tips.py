"""Online infringement reports (线上快速维权): reports, their photos and events."""


from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base, UTCDateTime, utcnow


class Tip(Base):
    """An infringement report (线上快速维权): a draft while the person fills it in (status 'draft', one per
    person: `draft_owner` is set only then and is unique), then a report with its WQ number that staff move
    through its statuses (handlers/tips/status.py). After the retention period a closed report keeps its
    figures (kind, county, status, dates) and loses the reporter's contact, chat and photos (`purged_at`)."""

    __tablename__ = "tip"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # WQ202612 0007 4831: month, sequence, random part
    number: Mapped[str | None] = mapped_column(String(16), nullable=True, unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    draft_owner: Mapped[str | None] = mapped_column(String(160), nullable=True, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    step: Mapped[str] = mapped_column(String(16), default="kind")  # where a draft is
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # trademark | patent | gi | other
    right_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    county: Mapped[str | None] = mapped_column(String(32), nullable=True)  # 博乐市 …, or 网上 / 其他
    place: Mapped[str | None] = mapped_column(String(500), nullable=True)
    place_key: Mapped[str | None] = mapped_column(String(500), nullable=True)  # normalised, for grouping
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    staff_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_tip_status", "status", "submitted_at"),
                      Index("ix_tip_place_key", "place_key"),
                      Index("ix_tip_reporter", "channel", "user_id"))


class TipPhoto(Base):
    """A photo of a report: the platform's file id first (kept in the conversation's transaction, so nothing
    is lost), then the cleaned file in the media folder once the downloader (bot/photo_fetcher.py) has it."""

    __tablename__ = "tip_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tip.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1..5
    channel: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | stored | rejected | deleted
    # not_image | too_large | too_many_pixels | unreachable
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(100), nullable=True)  # inside the media folder
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    stored_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_tip_photo_tip", "tip_id", "position"),
                      Index("ix_tip_photo_pending", "status", "next_attempt_at"))


class TipEvent(Base):
    """Every status change of a report: who, when, from what to what, and the note the reporter sees."""

    __tablename__ = "tip_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tip.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(160))  # telegram:42, or "reporter" for the submission
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_tip_event_tip", "tip_id", "id"),)
