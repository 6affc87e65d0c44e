"""The whole bot built as `ipbot run` builds it, serving the staff console on a free port from an event loop
in a thread of its own; and a browser-like HTTP client that signs in (used by the console tests)."""

from __future__ import annotations

import asyncio
import re
import threading

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.app import App, build_app
from bot.console import accounts
from bot.core.clock import system_clock
from bot.settings import Settings
from knowledge.service import KnowledgeService

XSRF = re.compile(r'name="_xsrf" value="([^"]+)"')


class RunningConsole:
    def __init__(self, database_url: str, knowledge: KnowledgeService, **settings: object) -> None:
        self.app: App = build_app(Settings(database_url=database_url, http_listen="127.0.0.1:0",
                                           **settings), knowledge, poll=0.05)  # type: ignore[arg-type]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.app.start(), self.loop).result(timeout=30)
        assert self.app.http is not None
        self.url = f"http://127.0.0.1:{self.app.http.port}"

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.app.router.sessions

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.app.stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def add_account(self, name: str, role: str = "staff", password: str = "correct-horse-1") -> None:
        with self.sessions.begin() as session:
            accounts.add(session, name, role, password, system_clock())

    def client(self) -> Browser:
        return Browser(self.url)


class Browser:
    """An HTTP client that keeps cookies and sends the CSRF token of the last page it opened."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
        self.token = ""

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        response = self.http.get(path, **kwargs)  # type: ignore[arg-type]
        if found := XSRF.search(response.text):
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True,
             **kwargs: object) -> httpx.Response:
        if csrf and not self.token:
            self.get("/console/login")
        form = {**({"_xsrf": self.token} if csrf else {}), **(data or {})}
        return self.http.post(path, data=form, **kwargs)  # type: ignore[arg-type]

    def sign_in(self, name: str, password: str = "correct-horse-1") -> httpx.Response:
        """Signs in and, as a browser following the redirect, opens the first page: the forms' token is the
        session's from then on."""
        self.get("/console/login")
        response = self.post("/console/login", {"username": name, "password": password, "next": "/console/"})
        if response.status_code == 302:
            self.get(response.headers["location"])
        return response

    def page(self, path: str) -> str:
        """A page's text, after checking it opened."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return response.text
