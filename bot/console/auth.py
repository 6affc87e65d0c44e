"""Sessions, the cookie secret and the login throttle.

The session cookie is signed with the secret (IPBOT_CONSOLE_SECRET, else one generated once and kept in
console_setting, so a restart keeps everyone signed in) and carries a random token; the server keeps the
token's SHA-256 with the account and an expiry, so logging out, a password change or disabling the account
ends the session for real. Wrong passwords are counted per account name from one address (THROTTLE_LIMIT in
THROTTLE_WINDOW), per address (ADDRESS_LIMIT), and per name from anywhere, where they only make the next
attempt wait (a delay that grows, at most MAX_NAME_DELAY): nobody can lock a colleague out by typing wrong
passwords for their name. A refused attempt is told in the same words whatever the password. The password
itself is checked outside any database transaction (bot/console/login.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.console import accounts
from bot.core.models import ConsoleSession, LoginFailure, StaffAccount

SESSION_LIFETIME = dt.timedelta(hours=12)
THROTTLE_LIMIT = 5  # failures for one name from one address in the window
ADDRESS_LIMIT = 30  # failures from one address in the window, whatever the names
MAX_NAME_DELAY = dt.timedelta(minutes=1)  # the longest wait between attempts at one name from anywhere
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


def _lock(session: Session, *keys: str) -> None:
    """On PostgreSQL, one login at a time per name and per address (an advisory lock until the transaction
    ends), so concurrent attempts cannot all read the same count; SQLite's one writer already serializes."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"ipbot-login:{key}"})


def reserve(session: Session, name: str, address: str, now: dt.datetime) -> int | None:
    """Before a password is checked: None when this attempt is refused (too many failures for this name from
    this address, or from this address at all, or too soon after the name's last failures: a delay that grows
    with them, so nobody can lock another person out); else the id of a failure recorded in advance, which
    `accept` removes when the password was right. Counting and recording happen in one locked transaction."""
    name, address = accounts.same_name(name)[:64], address[:64]  # Boss, ｂｏｓｓ and boss count as one
    _lock(session, f"name:{name}", f"address:{address}")
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - THROTTLE_WINDOW))
    since = now - THROTTLE_WINDOW
    pair, by_address, by_name, last = session.execute(
        select(func.count().filter(LoginFailure.name == name, LoginFailure.address == address),
               func.count().filter(LoginFailure.address == address),
               func.count().filter(LoginFailure.name == name),
               func.max(LoginFailure.at).filter(LoginFailure.name == name))
        .where(LoginFailure.at >= since, or_(LoginFailure.name == name, LoginFailure.address == address))
    ).one()
    if pair >= THROTTLE_LIMIT or by_address >= ADDRESS_LIMIT:
        return None
    if by_name >= THROTTLE_LIMIT and last is not None and now < _aware(last) + name_delay(by_name):
        return None
    failure = LoginFailure(at=now, name=name, address=address)
    session.add(failure)
    session.flush()
    return failure.id


def name_delay(failures: int) -> dt.timedelta:
    """How long after a name's last failure its next attempt waits, once it has THROTTLE_LIMIT or more."""
    return min(dt.timedelta(seconds=2 ** (failures - THROTTLE_LIMIT)), MAX_NAME_DELAY)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def check_password(sessions: sessionmaker[Session], name: str, password: str) -> int | None:
    """The account id when `password` is right for `name` (enabled); None otherwise. Reads in a transaction of
    its own and verifies outside any (Argon2 is deliberately slow: it never holds the database's writer); the
    console runs it on one thread of its own (bot/console/login.py), so a flood of logins cannot take the
    workers or the cores the chat needs."""
    clean = name.strip()
    with sessions() as session:
        account = accounts.find(session, clean) if accounts.NAME.match(clean) else None
        if account is not None:
            session.expunge(account)
    right = accounts.verify(account, password)
    return account.id if right and account is not None else None


def accept(session: Session, failure_id: int, account_id: int, address: str, now: dt.datetime
           ) -> tuple[Staff, str] | None:
    """The password was right: the failure recorded in advance goes, and a session begins (None when the
    account was disabled meanwhile)."""
    session.execute(delete(LoginFailure).where(LoginFailure.id == failure_id))
    account = session.get(StaffAccount, account_id)
    if account is None or account.disabled:
        return None
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
