"""修改密码: a signed-in person changes their own password — the current one, the new one twice, the rules
shown. A wrong current password counts as a failed login (the same throttle: a borrowed session cannot guess
it); the new one is hashed off the event loop; their other browsers are signed out, this one stays."""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session

from bot.console import accounts, auth, texts
from bot.console.login import PASSWORD_CHECKS
from bot.console.web import ConsoleHandler
from bot.core.models import StaffAccount


class PasswordPage(ConsoleHandler):
    def show(self, error: str | None = None, status: int = 200) -> None:
        self.page("password.html", error=error, status=status,
                  rules=texts.PASSWORD_RULES.format(min=accounts.MIN_PASSWORD, max=accounts.MAX_PASSWORD),
                  min_length=accounts.MIN_PASSWORD)

    async def get(self) -> None:
        self.show()

    async def post(self) -> None:
        me, now, address = self.me, self.deps.clock(), self.address
        current, new, again = self.form("current"), self.form("new"), self.form("again")
        if not current:
            self.show(texts.PASSWORD_CURRENT_MISSING)
            return
        try:
            accounts.check_new_password(new, again, me.name, current)
        except accounts.AccountError as exc:
            self.show(str(exc))
            return
        failure = await self.change(lambda s: auth.reserve(s, me.name, address, now))
        if failure is None:
            self.show(texts.LOGIN_THROTTLED, status=429)
            return
        loop = asyncio.get_running_loop()
        right = await loop.run_in_executor(PASSWORD_CHECKS, auth.check_password, self.deps.sessions, me.name, current)
        if right != me.id:
            self.show(texts.PASSWORD_CURRENT_WRONG, status=401)
            return
        hashed = await loop.run_in_executor(PASSWORD_CHECKS, accounts.hash_password, new)

        def store(session: Session) -> None:
            auth.forget_failure(session, failure)
            account = session.get(StaffAccount, me.id)
            if account is None:
                return
            account.password_hash = hashed
            auth.end_other_sessions(session, me.id, me.session_id)
            self.audit(session, "account.password", texts.AUDIT_OWN_PASSWORD)

        await self.change(store)
        self.done(texts.PASSWORD_CHANGED, "/console/password")
