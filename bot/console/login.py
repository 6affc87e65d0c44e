"""Signing in and out."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session

from bot.console import audit, auth, texts
from bot.console.web import LOGIN_URL, SESSION_COOKIE, ConsoleHandler


def _yield_to_the_chat() -> None:
    """The password thread at the lowest CPU priority (Argon2's lanes, threads it starts, inherit it): under a
    flood of logins the cores go to answering messages first."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: the default priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


PASSWORD_CHECKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-check",
                                     initializer=_yield_to_the_chat)
_PAGE = re.compile(r"/console/(?!/)[A-Za-z0-9/_.~%?=&+-]*")


def _safe_next(value: str) -> str:
    """Only a page of the console (no other site, no //host, nothing that could break a header: CR, LF)."""
    return value if _PAGE.fullmatch(value) else "/console/"


class Login(ConsoleHandler):
    role = None

    async def get(self) -> None:
        self.page("login.html", next=_safe_next(self.get_query_argument("next", "/console/")), username="")

    async def post(self) -> None:
        name = self.form("username").strip()
        password = self.form("password")
        target = _safe_next(self.form("next", "/console/"))
        if not name or not password:
            self.page("login.html", error=texts.LOGIN_MISSING, next=target, username=name)
            return
        now, address = self.deps.clock(), self.address
        failure = await self.change(lambda session: auth.reserve(session, name, address, now))
        if failure is None:
            self.page("login.html", error=texts.LOGIN_THROTTLED, status=429, next=target, username=name)
            return
        # on a thread of its own, not the shared pool the chat's database work runs on: a flood of logins
        # waits there, one Argon2 check at a time, and never holds up a message
        account_id = await asyncio.get_running_loop().run_in_executor(
            PASSWORD_CHECKS, auth.check_password, self.deps.sessions, name, password)

        def accept(session: Session) -> tuple[auth.Staff, str] | None:
            if account_id is None:
                return None
            signed = auth.accept(session, failure, account_id, address, now, self.deps.idle)
            if signed is not None:
                audit.record(session, signed[0].name, "login", "", address, now)
            return signed

        outcome = await self.change(accept) if account_id is not None else None
        if not isinstance(outcome, tuple):
            self.page("login.html", error=texts.LOGIN_WRONG, status=401, next=target, username=name)
        else:
            self.set_session_cookie(outcome[1])
            self.redirect(target)


class Logout(ConsoleHandler):
    async def post(self) -> None:
        me = self.me

        def end(session: Session) -> None:
            auth.log_out(session, me.session_id)
            self.audit(session, "logout", "")

        await self.change(end)
        self.clear_cookie(SESSION_COOKIE, path="/console")
        self.done(texts.SIGNED_OUT, LOGIN_URL)
