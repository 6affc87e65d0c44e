"""The message path and answering: inbox, outbox, question log, handoffs, what staff taught or edited."""


from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base, UTCDateTime, utcnow


class QuestionLog(Base):
    """Every question asked, what the bot answered, and what the user thought of it."""

    __tablename__ = "question_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(64), nullable=True)
    entry_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    confident: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(16))
    feedback: Mapped[str | None] = mapped_column(String(16), nullable=True)  # helpful | unhelpful
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review: Mapped[str | None] = mapped_column(String(16), nullable=True)  # taught | not_ip | ignored (by staff)

    __table_args__ = (
        Index("ix_question_log_created_at", "created_at"),
        Index("ix_question_log_user", "channel", "user_id"),
    )


class HandoffRequest(Base):
    """A user asked for a person. Staff channels (Telegram, WeCom) pick these up."""

    __tablename__ = "handoff_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question_log.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    last_activity_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)  # user | staff | timeout

    __table_args__ = (Index("ix_handoff_request_status", "status"),)


class InboxMessage(Base):
    """A message or button press taken in from a platform, stored before the platform is told it arrived
    (Telegram's next getUpdates offset, WeCom's 200). It is handled from here: the conversation's changes,
    the question log and every reply (through the outbox) are written in the transaction that marks it done,
    so a crash at any point leaves it either pending (handled again at start) or done with its replies queued.
    The key (Telegram update_id, WeCom MsgId or event key) makes a platform's redelivery a no-op."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    incoming: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("channel", "key", name="uq_inbox_key"),
                      Index("ix_inbox_status", "status", "id"),
                      Index("ix_inbox_received_at", "received_at"))


class OutboxMessage(Base):
    """A proactive message to send (reminder, invitation, notice). Written in the same transaction as what
    caused it; the dispatcher sends it and marks it sent once. The idempotency key (e.g. reminder + fire
    time) keeps the same message from being queued twice."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # a chart, sent as a picture
    file_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    ack_required: Mapped[bool] = mapped_column(Boolean, default=False)  # a staff reminder with an 已办 button
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(160), nullable=True)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    to_staff: Mapped[bool] = mapped_column(Boolean, default=False)  # the channel's staff chat (chat_id unused)
    answer: Mapped[bool] = mapped_column(Boolean, default=False)  # the answer to a message just taken in
    # what a proactive message is (bot.core.messages.KINDS): a channel may deliver kinds differently
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class LearnedPhrasing(Base):
    """A phrasing staff taught: answered from then on with `entry_id`, or declined as not about IP when
    `entry_id` is empty. `key` is the phrasing's comparable form (knowledge.overlay.phrasing_key)."""

    __tablename__ = "learned_phrasing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    text: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    taught_by: Mapped[str] = mapped_column(String(160))  # telegram:123, console:zhangsan, cli
    taught_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    question_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the logged question it came from


class KbEntryVersion(Base):
    """One version of a knowledge-base entry edited or created in the console. The newest row of an entry that
    is not a draft is what the bot answers with; `data` empty means the entry is back to its packaged file. A
    draft (an entry created in the console and not yet published) is kept but never answered. Rows are only
    added."""

    __tablename__ = "kb_entry_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    author: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    __table_args__ = (Index("ix_kb_entry_version_entry", "entry_id", "id"),)


# ---- the staff console (bot/console) ---------------------------------------------------------------------
