"""The WeChat Official Account's followers: who follows, and when each last wrote — WeChat lets an account
send customer-service messages only within 48 hours of a follower's message (and a few for a minute after a
follow, a scan or a menu click); outside that, only template messages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.models.base import Base, UTCDateTime, utcnow


class WeChatFollower(Base):
    __tablename__ = "wechat_follower"

    openid: Mapped[str] = mapped_column(String(128), primary_key=True)
    following: Mapped[bool] = mapped_column(Boolean, default=True)  # False: unfollowed; nothing is sent to them
    last_message_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # the 48-hour window
    last_event_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # follow, scan, click
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)  # followed or unfollowed
