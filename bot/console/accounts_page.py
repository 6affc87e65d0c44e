"""账号 (admins only): the accounts, their roles and chat ids; add, disable or enable, change a role, link
and unlink chat ids; and the audit log of every change made in the console (read only)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import accounts, audit, texts
from bot.console.web import ConsoleHandler
from bot.core.models import AuditLog

ACTIONS = ("add", "disable", "enable", "role", "link", "unlink")


class AccountsPage(ConsoleHandler):
    role = "admin"

    async def show(self, error: str | None = None) -> None:
        def load(session: Session) -> tuple[list[accounts.AccountView], list[AuditLog]]:
            return accounts.listing(session), audit.recent(session)

        listed, log = await self.read(load)
        self.page("accounts.html", error=error, accounts=listed, log=log, roles=accounts.ROLES,
                  actions=texts.ACTIONS)

    async def get(self, *_rest: str) -> None:
        await self.show()

    async def post(self, action: str = "") -> None:
        if action not in ACTIONS:
            raise HTTPError(404)
        name, role = self.form("name").strip(), self.form("role").strip()
        value, now, me = self.form("address").strip(), self.deps.clock(), self.me
        if name == me.name and (action == "disable" or (action == "role" and role != "admin")):
            await self.show(texts.NOT_YOURSELF)
            return

        def act(session: Session) -> str:
            if action == "add":
                account = accounts.add(session, name, role, self.form("password"), now)
                self.audit(session, "account.add", f"{account.name} ({account.role})")
                return texts.ACCOUNT_ADDED.format(name=account.name)
            if action in ("disable", "enable"):
                account = accounts.set_disabled(session, name, action == "disable")
                self.audit(session, f"account.{action}", account.name)
                done = texts.ACCOUNT_DISABLED if action == "disable" else texts.ACCOUNT_ENABLED
                return done.format(name=account.name)
            if action == "role":
                account = accounts.set_role(session, name, role)
                self.audit(session, "account.role", f"{account.name} → {account.role}")
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
