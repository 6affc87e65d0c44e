"""The staff web console: accounts, chat links, sessions, login throttle, audit log, settings."""


from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base, UTCDateTime, utcnow


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
    """Values kept across restarts: the secrets an install generates (bot/core/kept_secrets.py)."""

    __tablename__ = "console_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
