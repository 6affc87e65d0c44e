"""Sessions, the cookie secret and the login throttle.

The session cookie is signed with the secret (IPBOT_CONSOLE_SECRET, else one generated once and kept in
console_setting, so a restart keeps everyone signed in) and carries a random token; the server keeps the
token's SHA-256 with the account and an expiry, so logging out, a password change or disabling the account
ends the session for real. Wrong passwords are counted per account name and per address: THROTTLE_LIMIT in
THROTTLE_WINDOW and further attempts are refused, whatever the password, with the same words either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot.console import accounts
from bot.core.models import ConsoleSession, LoginFailure, StaffAccount

SESSION_LIFETIME = dt.timedelta(hours=12)
THROTTLE_LIMIT = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Staff:
    """Who is signed in (what every page is given)."""

    id: int
    name: str
    role: str
    session_id: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def throttled(session: Session, name: str, address: str, now: dt.datetime) -> bool:
    since = now - THROTTLE_WINDOW
    by_name, by_address = session.execute(
        select(func.count().filter(LoginFailure.name == name[:64]),
               func.count().filter(LoginFailure.address == address[:64]))
        .where(LoginFailure.at >= since, or_(LoginFailure.name == name[:64], LoginFailure.address == address[:64]))
    ).one()
    return bool(by_name >= THROTTLE_LIMIT or by_address >= THROTTLE_LIMIT)


def log_in(session: Session, name: str, password: str, address: str, now: dt.datetime
           ) -> tuple[Staff, str] | None:
    """The signed-in staff member and the session token, or None (wrong, disabled or throttled: the caller
    tells throttled apart first with `throttled`)."""
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - THROTTLE_WINDOW))
    account = accounts.find(session, name) if accounts.NAME.match(name.strip()) else None
    if not accounts.verify(account, password):
        session.add(LoginFailure(at=now, name=name.strip()[:64], address=address[:64]))
        return None
    assert account is not None
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(token_hash=_hash(token), account_id=account.id, created_at=now,
                         expires_at=now + SESSION_LIFETIME, address=address[:64])
    session.add(row)
    session.flush()
    return Staff(account.id, account.name, account.role, row.id), token


def signed_in(session: Session, token: str, now: dt.datetime) -> Staff | None:
    found = session.execute(
        select(ConsoleSession.id, StaffAccount.id, StaffAccount.name, StaffAccount.role)
        .join(StaffAccount, StaffAccount.id == ConsoleSession.account_id)
        .where(ConsoleSession.token_hash == _hash(token), ConsoleSession.expires_at > now,
               StaffAccount.disabled.is_(False))).first()
    if found is None:
        return None
    session_id, account_id, name, role = found
    return Staff(account_id, name, role, session_id)


def log_out(session: Session, session_id: int) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.id == session_id))
