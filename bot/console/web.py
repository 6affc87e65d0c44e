"""The base of every console page: who is signed in (or a redirect to the login page), the CSRF check on
every POST, the role check, database work off the event loop, and rendering with the shared layout.

A page: subclass ConsoleHandler, set `role` ("staff" or "admin"; None only for the login page), render with
`self.page("x.html", ...)` (the template extends "base.html"), read with `await self.read(fn)` and change
things with `await self.change(fn)` (fn gets the session; a change is written with its audit entry by
`self.audit(session, action, detail)`). Register it in app.py `routes`."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from tornado.web import HTTPError, RequestHandler, create_signed_value, decode_signed_value

from bot.client_address import Network, client_address
from bot.console import audit, auth, texts
from bot.core import texts as core_texts
from bot.core.clock import Clock, system_clock, zone_label
from handlers.survey.definition import SurveyDefinition
from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "ipbot_console"
FLASH_COOKIE = "ipbot_flash"
LOGIN_URL = "/console/login"
T = TypeVar("T")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class ConsoleDeps:
    """What the pages need of the running bot (built in bot/app.py)."""

    sessions: sessionmaker[Session]
    secret: str
    survey: SurveyDefinition
    zone: ZoneInfo
    staff_ids: Callable[[Session], frozenset[str]]  # IPBOT_STAFF and the ids linked to enabled accounts
    wake: Callable[[], None] = lambda: None  # the outbox dispatcher and the reminder scheduler: work is queued
    clock: Clock = system_clock
    channels: tuple[str, ...] = ()  # the configured chat channels
    writer: AbstractContextManager[object] = field(default_factory=contextlib.nullcontext)
    knowledge: KnowledgeService | None = None  # the bot's live knowledge base (知识库, 待处理问题)
    proxies: tuple[Network, ...] = ()  # IPBOT_TRUSTED_PROXIES
    media: Path | None = None  # report photos (线索): served only to a signed-in page, never as static files
    idle: dt.timedelta = auth.DEFAULT_IDLE  # IPBOT_CONSOLE_IDLE_MINUTES: an unused session ends after this long


class ConsoleHandler(RequestHandler):
    role: ClassVar[str | None] = "staff"

    def initialize(self, deps: ConsoleDeps) -> None:
        self.deps = deps
        self.staff: auth.Staff | None = None

    def get_template_path(self) -> str:
        return str(TEMPLATES)

    def set_default_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    # ---- the checks, before any page runs ---------------------------------------------------------------
    async def prepare(self) -> None:
        if self.request.method not in ("GET", "HEAD"):
            self.check_xsrf_cookie()  # raises 403 without a matching token
        if self.role is None:
            return
        token = self.session_token()
        now, idle = self.deps.clock(), self.deps.idle
        found = await self.read(lambda s: auth.look_up(s, token, now, idle)) if token else auth.Lookup(None)
        if found.staff is None:
            if found.timed_out and token:
                await self.change(lambda s: auth.end_timed_out(s, token))
                self.clear_cookie(SESSION_COOKIE, path="/console")
                self.flash(texts.TIMED_OUT)
            if self.request.method in ("GET", "HEAD"):
                self.redirect(f"{LOGIN_URL}?next={quote(self.request.uri or '/console/')}")
                return
            if found.timed_out:  # a form sent after the timeout: to the login page, then back to that page
                self.redirect(f"{LOGIN_URL}?next={quote(self._referring_page())}", status=303)
                return
            raise HTTPError(403, reason="not signed in")
        if found.touch:
            session_id = found.staff.session_id
            await self.change(lambda s: auth.touch(s, session_id, now, idle))
        self.staff = staff = found.staff
        if self.role == "admin" and not staff.is_admin:
            raise HTTPError(403)

    def _referring_page(self) -> str:
        """The console page a form was sent from (its path only), else the overview."""
        referer = urlsplit(self.request.headers.get("Referer", ""))
        host_ok = not referer.netloc or referer.netloc == self.request.host
        return referer.path if host_ok and referer.path.startswith("/console/") else "/console/"

    def _get_raw_xsrf_token(self) -> tuple[int | None, bytes, float]:
        """Signed in, the form token is derived from the session (HMAC with the console's secret): a token
        planted with a cookie of the attacker's choosing is worth nothing. Before signing in (the login form),
        tornado's double-submit cookie. (Overrides a tornado method the check and the forms both use.)"""
        session = self.session_token()
        if not session:
            return super()._get_raw_xsrf_token()
        derived = hmac.new(self.deps.secret.encode(), b"xsrf|" + session.encode(), hashlib.sha256).digest()
        return 2, derived[:16], 0.0

    def session_token(self) -> str | None:
        raw = self.get_cookie(SESSION_COOKIE)
        value = decode_signed_value(self.deps.secret, SESSION_COOKIE, raw, max_age_days=1) if raw else None
        return value.decode() if value else None

    @property
    def me(self) -> auth.Staff:
        """The signed-in staff member (every page but the login page has one)."""
        assert self.staff is not None
        return self.staff

    @property
    def address(self) -> str:
        """The client's address (behind a trusted proxy, the one it reports: bot/client_address.py)."""
        return client_address(self.request.remote_ip or "", self.request.headers, self.deps.proxies)

    def is_https(self) -> bool:
        return self.request.protocol == "https" or self.request.headers.get("X-Forwarded-Proto") == "https"

    def set_cookie(self, name: str, value: str | bytes, *args: Any, **kwargs: Any) -> None:
        """Every console cookie Secure over https (tornado sets the CSRF cookie itself: this catches it too)."""
        if self.is_https():
            kwargs["secure"] = True
        super().set_cookie(name, value, *args, **kwargs)

    def set_session_cookie(self, token: str) -> None:
        signed = create_signed_value(self.deps.secret, SESSION_COOKIE, token).decode()
        self.set_cookie(SESSION_COOKIE, signed, path="/console", httponly=True, samesite="Strict",
                        secure=self.is_https(), max_age=int(auth.SESSION_LIFETIME.total_seconds()))

    # ---- the database, off the event loop -----------------------------------------------------------
    async def read(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.deps.sessions() as session:
                return fn(session)

        return await asyncio.to_thread(run)

    async def change(self, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self.deps.writer, self.deps.sessions.begin() as session:
                return fn(session)

        return await asyncio.to_thread(run)

    def audit(self, session: Session, action: str, detail: str) -> None:
        audit.record(session, self.me.name, action, detail, self.address, self.deps.clock())

    # ---- answers ------------------------------------------------------------------------------------
    def flash(self, message: str) -> None:
        """A message shown once on the next page (after a redirect)."""
        signed = create_signed_value(self.deps.secret, FLASH_COOKIE, message).decode()
        self.set_cookie(FLASH_COOKIE, signed, path="/console", httponly=True, samesite="Strict",
                        secure=self.is_https())

    def done(self, message: str, to: str) -> None:
        self.flash(message)
        self.redirect(to)

    def _take_flash(self) -> str | None:
        raw = self.get_cookie(FLASH_COOKIE)
        if not raw:
            return None
        self.clear_cookie(FLASH_COOKIE, path="/console")
        value = decode_signed_value(self.deps.secret, FLASH_COOKIE, raw, max_age_days=1)
        return value.decode() if value else None

    def page(self, template: str, *, error: str | None = None, status: int = 200, **values: Any) -> None:
        """Render a page in the shared layout; `error` shows as a warning (with status 400 by default)."""
        if error is not None and status == 200:
            status = 400
        self.set_status(status)
        nav = [(label, url) for label, url, role in texts.NAV if role == "staff" or (self.staff and
                                                                                   self.staff.is_admin)]
        self.render(template, staff=self.staff, nav=nav, here=self.request.path, flash=self._take_flash(),
                    error=error, site_title=texts.TITLE, role_names=texts.ROLE_NAMES,
                    local=self.local, channel_name=core_texts.channel_name,
                    zone_label=zone_label(self.deps.zone, self.deps.clock()), **values)

    def local(self, moment: dt.datetime | None, form: str = "%Y-%m-%d %H:%M") -> str:
        """A stored UTC time as shown to staff (IPBOT_TIMEZONE)."""
        return "" if moment is None else moment.astimezone(self.deps.zone).strftime(form)

    def form(self, name: str, default: str = "") -> str:
        return self.get_body_argument(name, default) or default

    def confirmed(self) -> bool:
        """Whether the form carries the confirm step's answer (a destructive action's second POST)."""
        return self.form("confirm") == "yes"

    def ask_to_confirm(self, title: str, message: str, button: str, back: str,
                       fields: dict[str, str] | None = None) -> None:
        """The confirm step before a destructive action: a page saying what will happen, the same form again
        (its fields, plus confirm=yes) to the same address, and a way back. It needs no JavaScript."""
        self.page("confirm.html", title=title, message=message, button=button, action=self.request.path,
                  fields=fields or {}, back=back)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = {403: texts.FORBIDDEN, 404: texts.NOT_FOUND, 400: texts.BAD_REQUEST}.get(status_code,
                                                                                            texts.SERVER_ERROR)
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if status_code == 403 and isinstance(exc, HTTPError) and "xsrf" in (exc.log_message or "").lower():
            message = texts.CSRF
        try:
            self.page("error.html", status=status_code, title=texts.ERROR_TITLES.get(status_code, texts.SERVER_ERROR),
                      message=message)
        except Exception:
            log.exception("error page failed")
            self.finish(message)


class NotFound(ConsoleHandler):
    """Any other path under /console/: a clear 404 (after the sign-in check)."""

    async def get(self, *_args: str) -> None:
        raise HTTPError(404)

    async def post(self, *_args: str) -> None:
        raise HTTPError(404)
