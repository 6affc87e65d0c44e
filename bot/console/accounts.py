"""Console accounts: create, change password, disable, link to chat ids; shared by `ipbot staff` and the
console's 账号 page. Passwords are hashed with Argon2id (argon2-cffi's defaults)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.console import texts
from bot.core.messages import Address, parse_target
from bot.core.models import ConsoleSession, StaffAccount, StaffLink

ROLES = ("admin", "staff")
NAME = re.compile(r"^[\w.@\-]{1,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
CHANNELS = ("telegram", "wecom", "terminal")

_hasher = PasswordHasher()
# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """Bad input for an account, with a message fit to show (Chinese)."""


@dataclass(frozen=True)
class AccountView:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: dt.datetime
    links: tuple[str, ...]


def same_name(name: str) -> str:
    """What makes two names the same account: full-width ｂｏｓｓ, Boss and boss are one name."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFKC", name.strip())
    if not NAME.match(name):
        raise AccountError(texts.BAD_NAME)
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(texts.SHORT_PASSWORD.format(n=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        raise AccountError(texts.LONG_PASSWORD.format(n=MAX_PASSWORD))
    return password


def check_new_password(password: str, again: str, name: str, current: str | None = None) -> str:
    """A new password as typed twice on a form: the rules (texts.PASSWORD_RULES), each broken one in words."""
    if password != again:
        raise AccountError(texts.PASSWORD_MISMATCH)
    check_password(password)
    if same_name(password) == same_name(name):
        raise AccountError(texts.PASSWORD_IS_NAME)
    if current is not None and password == current:
        raise AccountError(texts.PASSWORD_SAME)
    return password


# no 0/O, 1/l/I: a password read out on the phone
_READABLE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generated_password() -> str:
    """A new random password for an admin's reset: three groups of four (about 70 bits), easy to read out."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(3))


def hash_password(password: str) -> str:
    """Argon2id (slow on purpose: the console calls it off the event loop, outside any transaction)."""
    return _hasher.hash(check_password(password))


def store_password(session: Session, account_id: int, password_hash: str) -> StaffAccount:
    """A password hashed beforehand (hash_password) becomes the account's; every session of it ends."""
    account = session.get(StaffAccount, account_id)
    if account is None:
        raise AccountError(texts.NO_ACCOUNT.format(name=str(account_id)))
    account.password_hash = password_hash
    end_sessions(session, account)
    return account


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(texts.BAD_ROLE)
    return role


def find(session: Session, name: str) -> StaffAccount | None:
    """The account of this name, as people type it: exactly, or the same name in another case or width."""
    exact = session.scalars(select(StaffAccount).where(StaffAccount.name == name.strip())).first()
    if exact is not None:
        return exact
    wanted = same_name(name)
    return next((a for a in session.scalars(select(StaffAccount).order_by(StaffAccount.id))
                 if same_name(a.name) == wanted), None)


def get(session: Session, name: str) -> StaffAccount:
    account = find(session, name)
    if account is None:
        raise AccountError(texts.NO_ACCOUNT.format(name=name[:64]))
    return account


def add(session: Session, name: str, role: str, password: str, now: dt.datetime) -> StaffAccount:
    name, role, password = check_name(name), check_role(role), check_password(password)
    if find(session, name) is not None:
        raise AccountError(texts.NAME_TAKEN.format(name=name))
    account = StaffAccount(name=name, role=role, password_hash=_hasher.hash(password), disabled=False,
                           created_at=now)
    session.add(account)
    session.flush()
    return account


def end_sessions(session: Session, account: StaffAccount) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account.id))


def set_password(session: Session, name: str, password: str) -> StaffAccount:
    account = get(session, name)
    account.password_hash = _hasher.hash(check_password(password))
    end_sessions(session, account)  # a changed password signs every browser out
    return account


def set_disabled(session: Session, name: str, disabled: bool) -> StaffAccount:
    account = get(session, name)
    account.disabled = disabled
    if disabled:
        end_sessions(session, account)
    return account


def set_role(session: Session, name: str, role: str) -> StaffAccount:
    account = get(session, name)
    account.role = check_role(role)
    return account


def parse_address(text: str) -> str:
    try:
        target = parse_target(text)
    except ValueError as exc:
        raise AccountError(texts.BAD_ADDRESS.format(value=text[:60])) from exc
    if not isinstance(target, Address) or target.channel not in CHANNELS:
        raise AccountError(texts.BAD_ADDRESS.format(value=text[:60]))
    return str(target)


def link(session: Session, name: str, address: str, now: dt.datetime) -> StaffLink:
    account = get(session, name)
    address = parse_address(address)
    existing = session.scalars(select(StaffLink).where(StaffLink.address == address)).first()
    if existing is not None:
        owner = session.get(StaffAccount, existing.account_id)
        raise AccountError(texts.ADDRESS_TAKEN.format(value=address, name=owner.name if owner else "?"))
    row = StaffLink(account_id=account.id, address=address, created_at=now)
    session.add(row)
    session.flush()
    return row


def unlink(session: Session, name: str, address: str) -> None:
    account = get(session, name)
    address = parse_address(address)
    row = session.scalars(select(StaffLink).where(StaffLink.address == address,
                                                  StaffLink.account_id == account.id)).first()
    if row is None:
        raise AccountError(texts.NOT_LINKED.format(value=address, name=account.name))
    session.delete(row)


def links_of(session: Session, account_id: int) -> list[str]:
    return list(session.scalars(select(StaffLink.address).where(StaffLink.account_id == account_id)
                                .order_by(StaffLink.address)))


def listing(session: Session) -> list[AccountView]:
    accounts = session.scalars(select(StaffAccount).order_by(StaffAccount.name)).all()
    links: dict[int, list[str]] = {}
    for account_id, address in session.execute(select(StaffLink.account_id, StaffLink.address)
                                               .order_by(StaffLink.address)):
        links.setdefault(account_id, []).append(address)
    return [AccountView(a.id, a.name, a.role, a.disabled, a.created_at, tuple(links.get(a.id, ())))
            for a in accounts]


def verify(account: StaffAccount | None, password: str) -> bool:
    """Whether `password` is the account's (False for no account or a disabled one, after the same work)."""
    try:
        _hasher.verify(account.password_hash if account is not None else _DUMMY, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return False
    return account is not None and not account.disabled
