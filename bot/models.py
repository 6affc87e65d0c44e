"""SQLAlchemy models. Schema changes go through Alembic migrations in bot/migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always an aware UTC datetime in Python, on every backend.

    SQLite keeps no time zone and hands back naive datetimes; PostgreSQL hands back its session's zone.
    Values are stored as UTC (a naive value is taken to be UTC) and read back as aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


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


class SurveyWave(Base):
    """One round of the satisfaction survey (e.g. a quarter). Open while closed_at is empty."""

    __tablename__ = "survey_wave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SurveyResponse(Base):
    """One person's response in one wave; where they are in the survey lives here, so a restart loses nothing."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id"))
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    respondent: Mapped[str] = mapped_column(String(64))  # salted hash: what exports show
    version: Mapped[str] = mapped_column(String(32))  # the survey definition answered
    step: Mapped[str] = mapped_column(String(16))  # consent | group | county | item | comment | done | declined
    item_index: Mapped[int] = mapped_column(Integer, default=0)
    group: Mapped[str | None] = mapped_column(String(64), nullable=True)
    county: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("wave_id", "channel", "user_id", name="uq_survey_response_person"),)


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

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


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
    """One version of a knowledge-base entry edited in the console. The newest row of an entry is what the
    bot answers with; `data` empty means the entry is back to its packaged file. Rows are only added."""

    __tablename__ = "kb_entry_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    author: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_kb_entry_version_entry", "entry_id", "id"),)


# ---- the staff console (bot/console) ---------------------------------------------------------------------


class StaffAccount(Base):
    """A person who signs in to the web console (role admin or staff). Never deleted: disabled instead."""

    __tablename__ = "staff_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | staff
    password_hash: Mapped[str] = mapped_column(String(255))  # Argon2id, argon2-cffi's encoded form
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StaffLink(Base):
    """A chat id (`telegram:123`, `wecom:zhangsan`) of a console account: that person is staff in chat too."""

    __tablename__ = "staff_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    address: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ConsoleSession(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so logging out or
    disabling the account (deleting the row) really ends the session."""

    __tablename__ = "console_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    address: Mapped[str] = mapped_column(String(64), default="")


class LoginFailure(Base):
    """A wrong user name or password, for the login throttle (per account name and per address)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_login_failure_at", "at"),)


class AuditLog(Base):
    """Every change made in the console: who, when, what. The console only ever appends to it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    account: Mapped[str] = mapped_column(String(64))  # the account's name at the time
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_audit_log_at", "at"),)


class ConsoleSetting(Base):
    """Console values kept across restarts (the generated cookie secret when IPBOT_CONSOLE_SECRET is unset)."""

    __tablename__ = "console_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Tip(Base):
    """An infringement report (线上快速维权): a draft while the person fills it in (status 'draft', one per
    person: `draft_owner` is set only then and is unique), then a report with its WQ number that staff move
    through its statuses (handlers/tips_status.py). After the retention period a closed report keeps its
    figures (kind, county, status, dates) and loses the reporter's contact, chat and photos (`purged_at`)."""

    __tablename__ = "tip"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), nullable=True, unique=True)  # WQ202612 0007
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
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)  # not_image | too_large | unreachable
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


class IndicatorValue(Base):
    """A plan indicator's value for a period (a year, 2024, or a quarter, 2025Q3), with where it comes from.
    Rows are only added: the newest row of an indicator and period is its value; older ones are the record of
    corrections."""

    __tablename__ = "indicator_value"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(8))  # 2024 | 2025Q3
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(160))  # telegram:123, cli
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_indicator_value_indicator", "indicator_id", "period", "id"),)
