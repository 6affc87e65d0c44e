"""Sessions, the cookie secret and the login throttle.

The session cookie is signed with the secret (IPBOT_CONSOLE_SECRET, else one generated once and kept in
console_setting, so a restart keeps everyone signed in) and carries a random token; the server keeps the token's
SHA-256 with the account and an expiry, so logging out, a password change or disabling the account ends the
session for real. The expiry slides: a session unused for IPBOT_CONSOLE_IDLE_MINUTES ends (and is at most
SESSION_LIFETIME long); an ended row is kept a while so the next request can say it timed out. Wrong passwords
are counted per account name from one address (THROTTLE_LIMIT in THROTTLE_WINDOW), per address (ADDRESS_LIMIT),
and per name from anywhere, where they only make the next attempt wait (a delay that grows, at most
MAX_NAME_DELAY): nobody can lock a colleague out by typing wrong passwords for their name. A refused attempt is
told in the same words whatever the password. The password itself is checked outside any database transaction
(bot/console/login.py).
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
DEFAULT_IDLE = dt.timedelta(minutes=30)
TOUCH_EVERY = dt.timedelta(minutes=1)  # a session's last use is written at most this often (fewer writes)
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


def accept(session: Session, failure_id: int, account_id: int, address: str, now: dt.datetime,
           idle: dt.timedelta = DEFAULT_IDLE) -> tuple[Staff, str] | None:
    """The password was right: the failure recorded in advance goes, and a session begins (None when the
    account was disabled meanwhile)."""
    session.execute(delete(LoginFailure).where(LoginFailure.id == failure_id))
    account = session.get(StaffAccount, account_id)
    if account is None or account.disabled:
        return None
    # ended sessions are kept a while, so a browser coming back is told its session timed out
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now - SESSION_LIFETIME))
    token = secrets.token_urlsafe(32)
    row = ConsoleSession(token_hash=_hash(token), account_id=account.id, created_at=now,
                         expires_at=now + min(idle, SESSION_LIFETIME), address=address[:64])
    session.add(row)
    session.flush()
    return Staff(account.id, account.name, account.role, row.id), token


def forget_failure(session: Session, failure_id: int) -> None:
    """A password confirmed outside the login form (修改密码): the failure recorded in advance goes."""
    session.execute(delete(LoginFailure).where(LoginFailure.id == failure_id))


@dataclass(frozen=True)
class Lookup:
    """What a request's session token stands for: who (None when nobody), whether a session existed but timed
    out (idle, or past SESSION_LIFETIME), and whether its last use should be written now."""

    staff: Staff | None
    timed_out: bool = False
    touch: bool = False


def look_up(session: Session, token: str, now: dt.datetime, idle: dt.timedelta = DEFAULT_IDLE) -> Lookup:
    found = session.execute(
        select(ConsoleSession.id, ConsoleSession.created_at, ConsoleSession.expires_at, StaffAccount.id,
               StaffAccount.name, StaffAccount.role)
        .join(StaffAccount, StaffAccount.id == ConsoleSession.account_id)
        .where(ConsoleSession.token_hash == _hash(token), StaffAccount.disabled.is_(False))).first()
    if found is None:
        return Lookup(None)
    session_id, created, expires, account_id, name, role = found
    if _aware(expires) <= now:
        return Lookup(None, timed_out=True)
    slid = min(now + idle, _aware(created) + SESSION_LIFETIME)
    # written when it moved on by a step (or back: a session from before a shorter IPBOT_CONSOLE_IDLE_MINUTES)
    due = abs(slid - _aware(expires)) >= min(TOUCH_EVERY, idle / 10)
    return Lookup(Staff(account_id, name, role, session_id), touch=due)


def touch(session: Session, session_id: int, now: dt.datetime, idle: dt.timedelta = DEFAULT_IDLE) -> None:
    """The session was used now: it lasts `idle` from now (never beyond SESSION_LIFETIME from its start)."""
    row = session.get(ConsoleSession, session_id)
    if row is not None and _aware(row.expires_at) > now:
        row.expires_at = min(now + idle, _aware(row.created_at) + SESSION_LIFETIME)


def end_timed_out(session: Session, token: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))


def signed_in(session: Session, token: str, now: dt.datetime) -> Staff | None:
    return look_up(session, token, now).staff


def end_other_sessions(session: Session, account_id: int, keep_session_id: int) -> None:
    """Every browser of this account but the one in use is signed out (after its own password change)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account_id,
                                                 ConsoleSession.id != keep_session_id))


def log_out(session: Session, session_id: int) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.id == session_id))
