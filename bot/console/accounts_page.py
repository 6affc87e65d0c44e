"""账号 (admins only): the accounts, their roles and chat ids; add, disable or enable, change a role, link
and unlink chat ids, reset a password; and the audit log of every change made in the console (read only).

Disabling, unlinking and resetting ask first (a confirm page: the same form again with confirm=yes). A reset
gives the account a password the system makes and shows once, on the answer to the confirming POST: the
admin never picks (or reuses) a colleague's password, nobody else sees it, and the colleague changes it to
their own on 修改密码 — what people expect of a 重置密码."""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import accounts, audit, audit_labels, texts
from bot.console.login import PASSWORD_CHECKS
from bot.console.web import ConsoleHandler

ACTIONS = ("add", "disable", "enable", "role", "link", "unlink", "reset")


class AccountsPage(ConsoleHandler):
    role = "admin"

    async def show(self, error: str | None = None, reset: tuple[str, str] | None = None) -> None:
        def load(session: Session) -> tuple[list[accounts.AccountView], list[audit_labels.Shown]]:
            return accounts.listing(session), [audit_labels.shown(e) for e in audit.recent(session)]

        listed, log = await self.read(load)
        self.page("accounts.html", error=error, accounts=listed, log=log, roles=accounts.ROLES, reset=reset,
                  reset_done=texts.RESET_DONE.format(name=reset[0]) if reset else "")

    async def get(self, *_rest: str) -> None:
        await self.show()

    async def post(self, action: str = "") -> None:
        if action not in ACTIONS:
            raise HTTPError(404)
        name, role = self.form("name").strip(), self.form("role").strip()
        value, now, me = self.form("address").strip(), self.deps.clock(), self.me
        if accounts.same_name(name) == accounts.same_name(me.name) and (
                action == "disable" or (action == "role" and role != "admin")):
            await self.show(texts.NOT_YOURSELF)
            return
        if action == "reset" and accounts.same_name(name) == accounts.same_name(me.name):
            await self.show(texts.RESET_YOURSELF)
            return
        if action in ("disable", "reset", "unlink") and not self.confirmed():
            await self.ask(action, name, value)
            return
        if action == "reset":
            await self.reset(name)
            return

        def act(session: Session) -> str:
            if action == "add":
                account = accounts.add(session, name, role, self.form("password"), now)
                self.audit(session, "account.add", f"{account.name}（{texts.ROLE_NAMES[account.role]}）")
                return texts.ACCOUNT_ADDED.format(name=account.name)
            if action in ("disable", "enable"):
                account = accounts.set_disabled(session, name, action == "disable")
                self.audit(session, f"account.{action}", account.name)
                done = texts.ACCOUNT_DISABLED if action == "disable" else texts.ACCOUNT_ENABLED
                return done.format(name=account.name)
            if action == "role":
                account = accounts.set_role(session, name, role)
                self.audit(session, "account.role", f"{account.name} → {texts.ROLE_NAMES[account.role]}")
                return texts.ACCOUNT_ROLE.format(name=account.name, role=texts.ROLE_NAMES[account.role])
            if action == "link":
                row = accounts.link(session, name, value, now)
                self.audit(session, "account.link", f"{name} ← {row.address}")
                return texts.ACCOUNT_LINKED.format(value=row.address, name=name)
            accounts.unlink(session, name, value)
            self.audit(session, "account.unlink", f"{name} ✕ {value}")
            return texts.ACCOUNT_UNLINKED.format(value=value, name=name)

        try:
            said = await self.change(act)
        except accounts.AccountError as exc:
            await self.show(str(exc))
            return
        self.done(said, "/console/accounts")

    async def ask(self, action: str, name: str, value: str) -> None:
        """The confirm step (for an account that exists: else the plain error at once)."""
        found = await self.read(lambda s: accounts.find(s, name))
        if found is None:
            await self.show(texts.NO_ACCOUNT.format(name=name[:64]))
            return
        title, message, button = {"disable": texts.CONFIRM_DISABLE, "reset": texts.CONFIRM_RESET,
                                  "unlink": texts.CONFIRM_UNLINK}[action]
        self.ask_to_confirm(title, message.format(name=found.name, value=value[:60]), button, "/console/accounts",
                            {"name": found.name, "address": value})

    async def reset(self, name: str) -> None:
        password = accounts.generated_password()
        hashed = await asyncio.get_running_loop().run_in_executor(PASSWORD_CHECKS, accounts.hash_password, password)

        def store(session: Session) -> str:
            account = accounts.get(session, name)
            accounts.store_password(session, account.id, hashed)
            self.audit(session, "account.reset", account.name)  # never the password itself
            return account.name

        try:
            done = await self.change(store)
        except accounts.AccountError as exc:
            await self.show(str(exc))
            return
        await self.show(reset=(done, password))
