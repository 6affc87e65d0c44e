"""What every instance of the bot must agree on about one WeChat Official Account, kept in the database: the
access token (console_setting: JSON with its expiry; /cgi-bin/token invalidates the previous token, so one is
shared) and the followers (wechat_follower: who follows, when each last wrote).

A follower's interactions are noted in the transaction that stores the callback in the inbox (bot/pipeline.py:
`alongside`), so they cost no write of their own. From them the sender knows, before calling WeChat, whether
customer-service messages may go: for 48 hours after the follower's last message, or for a minute after a
follow, a scan or a menu click (WeChat's rules; errcode 45015 otherwise).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import ConsoleSetting, WeChatFollower

TOKEN_SETTING = "wechat_access_token"
MESSAGE_WINDOW = dt.timedelta(hours=48)  # after the follower's message
EVENT_WINDOW = dt.timedelta(minutes=1)  # after a follow, a scan or a menu click


class Reach(enum.Enum):
    OPEN = "open"  # customer-service messages may go
    CLOSED = "closed"  # they would get 45015: a template message, or nothing
    UNKNOWN = "unknown"  # nothing noted about this follower (e.g. wrote before the table existed): try
    UNFOLLOWED = "unfollowed"  # nothing goes


@dataclass(frozen=True)
class Interaction:
    """A follower did something (WeChat's CreateTime `at`): sent a `message`, caused an `event` (a scan, a
    menu click), `follow`ed or `unfollow`ed."""

    openid: str
    what: str
    at: dt.datetime

    def note(self, session: Session) -> None:
        """Record it in the caller's transaction (a later time never goes back: WeChat retries arrive late)."""
        row = session.get(WeChatFollower, self.openid)
        if row is None:
            row = WeChatFollower(openid=self.openid, following=True, changed_at=self.at)
            session.add(row)
        if self.what == "unfollow":
            row.following, row.changed_at = False, self.at
            return
        if self.what == "follow" and not row.following:
            row.following, row.changed_at = True, self.at
        if self.what == "message":
            row.last_message_at = max(row.last_message_at or self.at, self.at)
        else:
            row.last_event_at = max(row.last_event_at or self.at, self.at)


def reach(row: WeChatFollower | None, now: dt.datetime) -> Reach:
    if row is None:
        return Reach.UNKNOWN
    if not row.following:
        return Reach.UNFOLLOWED
    if row.last_message_at is not None and now - row.last_message_at < MESSAGE_WINDOW:
        return Reach.OPEN
    if row.last_event_at is not None and now - row.last_event_at < EVENT_WINDOW:
        return Reach.OPEN
    return Reach.CLOSED


class AccountState:
    def __init__(self, sessions: sessionmaker[Session], writer: AbstractContextManager[object] | None = None) -> None:
        self.sessions = sessions
        self.writer = writer or contextlib.nullcontext()

    # ---- the access token ------------------------------------------------------------------------------
    def token(self) -> tuple[str, float] | None:
        with self.sessions() as session:
            row = session.get(ConsoleSetting, TOKEN_SETTING)
            if row is None:
                return None
            try:
                kept = json.loads(row.value)
                return str(kept["token"]), float(kept["expires"])
            except (ValueError, KeyError, TypeError):
                return None

    def keep_token(self, token: str, expires: float) -> None:
        value = json.dumps({"token": token, "expires": expires})
        for attempt in (1, 2):  # another instance may insert the same name at the same moment
            try:
                with self.writer, self.sessions.begin() as session:
                    row = session.get(ConsoleSetting, TOKEN_SETTING)
                    if row is None:
                        session.add(ConsoleSetting(name=TOKEN_SETTING, value=value))
                    else:
                        row.value = value
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def forget_token(self, token: str) -> None:
        """WeChat called `token` invalid: the next call fetches a new one (unless another did already)."""
        kept = self.token()
        if kept is not None and kept[0] == token:
            self.keep_token(token, 0.0)

    # ---- followers ---------------------------------------------------------------------------------------
    def reach(self, openid: str, now: dt.datetime) -> Reach:
        with self.sessions() as session:
            return reach(session.get(WeChatFollower, openid), now)

    def window_closed(self, openid: str, now: dt.datetime) -> None:
        """WeChat answered 45015: until the follower writes again, no customer-service message is tried."""
        for attempt in (1, 2):  # the follower's first row may be inserted by a callback at the same moment
            try:
                with self.writer, self.sessions.begin() as session:
                    row = session.get(WeChatFollower, openid)
                    if row is None:
                        session.add(WeChatFollower(openid=openid, following=True, changed_at=now))
                    elif (row.last_message_at or now) <= now and (row.last_event_at or now) <= now:
                        row.last_message_at = row.last_event_at = None
                return
            except IntegrityError:
                if attempt == 2:
                    raise
