"""`ipbot staff add|passwd|disable|enable|link|unlink|list`: accounts of the web staff console."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.cli import common

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def register(sub: Any) -> None:
    staff = sub.add_parser("staff", help="accounts of the web staff console")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    staff_add = staff_sub.add_parser("add", help="add an account (password from standard input or asked)")
    staff_add.add_argument("name")
    staff_add.add_argument("--role", choices=("admin", "staff"), default="staff")
    staff_add.set_defaults(func=cmd_add)
    for name, what, func in (("passwd", "set a new password (from standard input or asked)", cmd_passwd),
                             ("disable", "disable an account and end its sessions", cmd_disable),
                             ("enable", "enable it again", cmd_enable)):
        changing = staff_sub.add_parser(name, help=what)
        changing.add_argument("name")
        changing.set_defaults(func=func)
    for name, what, func in (("link", "link a chat id (telegram:123, wecom:zhangsan): staff in chat too", cmd_link),
                             ("unlink", "remove a linked chat id", cmd_unlink)):
        linking = staff_sub.add_parser(name, help=what)
        linking.add_argument("name")
        linking.add_argument("address")
        linking.set_defaults(func=func)
    staff_list = staff_sub.add_parser("list", help="accounts, roles and linked chat ids")
    staff_list.add_argument("--json", action="store_true")
    staff_list.set_defaults(func=cmd_list)


def _read_password() -> str:
    """From standard input (its first line), or asked twice with getpass at a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输入一次 / again: ") != first:
        raise SystemExit("两次输入的密码不一样 / the passwords differ")
    return first


def _change(act: Callable[[Session, str], str], ask_password: bool = False) -> int:
    """Run `act` (given the session and the password read, if asked for) in one transaction and print what it
    says; an account error goes to standard error, with exit code 2."""
    from bot.console import accounts

    sessions = common.open_database()
    try:
        password = _read_password() if ask_password else ""
        with sessions.begin() as session:
            said = act(session, password)
    except accounts.AccountError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    sys.stdout.write(said + "\n")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.core.clock import system_clock

    def add(session: Session, password: str) -> str:
        account = accounts.add(session, args.name, args.role, password, system_clock())
        return f"account {account.name} ({account.role}) added"

    return _change(add, ask_password=True)


def cmd_passwd(args: argparse.Namespace) -> int:
    from bot.console import accounts

    return _change(lambda session, password: f"password of {accounts.set_password(session, args.name, password).name}"
                                             " changed", ask_password=True)


def cmd_disable(args: argparse.Namespace) -> int:
    from bot.console import accounts

    return _change(lambda session, _: f"account {accounts.set_disabled(session, args.name, True).name} disabled")


def cmd_enable(args: argparse.Namespace) -> int:
    from bot.console import accounts

    return _change(lambda session, _: f"account {accounts.set_disabled(session, args.name, False).name} enabled")


def cmd_link(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.core.clock import system_clock

    def link(session: Session, _password: str) -> str:
        linked = accounts.link(session, args.name, args.address, system_clock())
        return f"{linked.address} linked to {args.name}"

    return _change(link)


def cmd_unlink(args: argparse.Namespace) -> int:
    from bot.console import accounts

    def unlink(session: Session, _password: str) -> str:
        accounts.unlink(session, args.name, args.address)
        return f"{args.address} unlinked from {args.name}"

    return _change(unlink)


def cmd_list(args: argparse.Namespace) -> int:
    from bot.console import accounts

    sessions = common.open_database()
    with sessions() as session:
        listed = accounts.listing(session)
    if args.json:
        sys.stdout.write(json.dumps([{"name": a.name, "role": a.role, "disabled": a.disabled,
                                      "links": list(a.links)} for a in listed], ensure_ascii=False) + "\n")
        return 0
    for a in listed:
        state = "disabled" if a.disabled else "enabled"
        sys.stdout.write(f"{a.name}\t{a.role}\t{state}\t{','.join(a.links)}\n")
    return 0
