"""Helpers shared by the tests (fixtures are in conftest.py): a sender that collects, a person driving the
router, the whole bot running in a thread or as a real `ipbot run` process, and waiting for something to
happen with a generous deadline (never a fixed sleep)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import App, build_app
from bot.console import accounts
from bot.core.clock import system_clock
from bot.core.messages import Address, Incoming, Reply, StaffChat, Target
from bot.core.models import OutboxMessage
from bot.settings import Settings
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from handlers.tips import downloads as tip_downloads
from handlers.tips import photos as tip_photos
from knowledge.service import KnowledgeService
from tests.doubles.wecom_api import AES_KEY, AGENT_ID, CORP_ID, SECRET, TOKEN, WeComDouble

T = TypeVar("T")
XSRF = re.compile(r'name="_xsrf" value="([^"]+)"')


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_PORTS = itertools.count()


def free_port() -> int:
    """A port for a process a test starts, which binds it later. Taken below the kernel's ephemeral range
    (32768-60999 here), where no `bind(0)` of another test's server lands in the meantime, and apart for each
    pytest-xdist worker (gw0, gw1...), so two workers never pick the same one."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    for _ in range(1000):
        port = 20000 + (worker % 10) * 1000 + next(_PORTS) % 1000
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (a process of an earlier run, say): the next one
            return port
    raise RuntimeError("no free port between 20000 and 30000")


def until(find: Callable[[], T | None], timeout: float = 30.0, what: str = "") -> T:
    """Wait until find() gives something (true), and return it."""
    deadline = time.monotonic() + timeout
    while True:
        found = find()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"not seen in {timeout} s: {what or find}")
        time.sleep(0.02)


def outbox_rows(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    """Everything queued for sending, oldest first."""
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


class CollectingSender:
    """An outbox sender that keeps what it was given (instead of sending it)."""

    def __init__(self) -> None:
        self.sent: list[tuple[Target, Reply]] = []

    async def send(self, to: Target, reply: Reply) -> None:
        self.sent.append((to, reply))


class Person:
    """Drives the router the way a user would: types text, presses buttons by label."""

    def __init__(self, router: Router, user_id: str = "u1", channel: str = "terminal") -> None:
        self.router = router
        self.user_id = user_id
        self.channel = channel
        self.last: list[Reply] = []

    def says(self, message: str) -> list[Reply]:
        self.last = self.router.handle(Incoming(self.channel, self.user_id, self.user_id, text=message))
        return self.last

    def presses(self, label: str) -> list[Reply]:
        for reply in self.last:
            for row in reply.buttons:
                for button in row:
                    if button.label == label:
                        return self.sends_payload(button.payload)
        raise AssertionError(f"no button {label!r} in {[r.labels() for r in self.last]}")

    def sends_payload(self, payload: str) -> list[Reply]:
        self.last = self.router.handle(Incoming(self.channel, self.user_id, self.user_id, payload=payload))
        return self.last

    def _mine(self) -> list[Reply]:
        return [r for r in self.last if r.to in (None, Address(self.channel, self.user_id))]

    @property
    def text(self) -> str:
        """What this person sees."""
        return "\n".join(r.text for r in self._mine())

    @property
    def labels(self) -> list[str]:
        return [label for r in self._mine() for label in r.labels()]

    @property
    def to_staff(self) -> str:
        """What their last message sent to the staff chat."""
        return "\n".join(r.text for r in self.last if isinstance(r.to, StaffChat))


class RunningApp:
    """The whole bot, built as `ipbot run` builds it (pipeline, outbox, reminders, the HTTP server on a free
    port unless the settings say otherwise), running in an event loop in a thread of its own."""

    def __init__(self, settings: Settings, knowledge: KnowledgeService | None = None, poll: float = 0.05,
                 prepare: Callable[[App], None] = lambda _app: None) -> None:
        """prepare: changes to the app before it starts."""
        if "http_listen" not in settings.model_fields_set:  # never the default port: tests run side by side
            settings = settings.model_copy(update={"http_listen": "127.0.0.1:0"})
        self.app: App = build_app(settings, knowledge, poll=poll)
        prepare(self.app)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self.app.start())

    def call(self, coroutine: object, timeout: float = 30.0) -> object:
        """Run a coroutine on the app's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)  # type: ignore[arg-type]

    @property
    def port(self) -> int:
        assert self.app.http is not None
        return self.app.http.port

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.app.router.sessions

    def settle(self) -> None:
        """Wait until the messages taken in so far are handled (their replies are queued by then)."""
        self.call(self.app.pipeline.drain())

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.call(self.app.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class RunningBot(RunningApp):
    """The whole bot with a per-user flood limit of `limit` a minute; `answer` may answer a message first (a
    reply list) or leave it to the router (an empty list)."""

    def __init__(self, settings: Settings, knowledge: KnowledgeService, limit: int = 20,
                 answer: Callable[[Router, Session, Incoming], list[Reply]] | None = None) -> None:
        def prepare(app: App) -> None:
            app.router.rate_limiter = RateLimiter(limit=limit, window=60)
            if answer is not None:
                router, plain = app.router, app.router.answer
                router.answer = lambda session, incoming: answer(router, session, incoming) or plain(  # type: ignore[method-assign]
                    session, incoming)

        super().__init__(settings, knowledge, prepare=prepare)


def wecom_settings(double: WeComDouble, database_url: str, **extra: object) -> Settings:
    """Every WeCom setting, pointing at the double; staff: wecom:boss."""
    return Settings(database_url=database_url, wecom_corp_id=CORP_ID, wecom_agent_id=AGENT_ID,
                    wecom_secret=SECRET, wecom_token=TOKEN, wecom_aes_key=AES_KEY,
                    wecom_robot_webhook_url=double.robot_url, wecom_api_base_url=double.base_url,
                    http_listen="127.0.0.1:0", staff="wecom:boss", **extra)  # type: ignore[arg-type]


class RunningConsole(RunningApp):
    """The whole bot serving the staff console on a free port (no channel unless the settings name one)."""

    def __init__(self, database_url: str, knowledge: KnowledgeService | None, **settings: object) -> None:
        super().__init__(Settings(database_url=database_url, http_listen="127.0.0.1:0", **settings),  # type: ignore[arg-type]
                         knowledge)
        self.url = f"http://127.0.0.1:{self.port}"

    def add_account(self, name: str, role: str = "staff", password: str = "correct-horse-1") -> None:
        with self.sessions.begin() as session:
            accounts.add(session, name, role, password, system_clock())

    def client(self) -> Browser:
        return Browser(self.url)


@contextlib.contextmanager
def learning_console(database_url: str, name: str, role: str) -> Iterator[RunningConsole]:
    """A console whose knowledge takes in what staff teach and edit through it (the overlay read from its
    database, as `ipbot run` has it), with one account signed up."""
    from bot.core.db import open_database
    from handlers.taught_phrasings import LearnedSource

    engine, sessions = open_database(database_url)
    running = RunningConsole(database_url, KnowledgeService(overlay=LearnedSource(sessions)))
    running.add_account(name, role)
    try:
        yield running
    finally:
        running.stop()
        engine.dispose()


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

    def post(self, path: str, data: dict[str, str | list[str]] | None = None, csrf: bool = True,
             **kwargs: object) -> httpx.Response:
        if csrf and not self.token:
            self.get("/console/login")
        form: dict[str, str | list[str]] = {**({"_xsrf": self.token} if csrf else {}), **(data or {})}
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


class BotProcess:
    """`ipbot run` as a real process (killed with SIGKILL in the crash tests), its log in the folder."""

    def __init__(self, env: dict[str, str], folder: Path, ready: Callable[[], bool], timeout: float = 60.0) -> None:
        self.log = folder / f"run-{time.monotonic_ns()}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env={**os.environ, **env},
                                            cwd=folder, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                self.process.wait(timeout=10)
                raise AssertionError(f"ipbot run did not come up; its log:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def photo_with_gps(mode: str = "RGB", fmt: str = "JPEG") -> bytes:
    image = Image.new(mode, (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90°
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (44.0, 54.0, 0.0), "E", (82.0, 4.0, 0.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def jpeg(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "JPEG")
    return out.getvalue()


class Reporter(Person):
    def sends_photo(self, file_id: str, caption: str | None = None) -> list[Reply]:
        self.last = self.router.handle(Incoming(self.channel, self.user_id, self.user_id, text=caption,
                                                photos=(file_id,)))
        return self.last

    def sends_attachment(self, kind: str) -> list[Reply]:
        self.last = self.router.handle(Incoming(self.channel, self.user_id, self.user_id, attachment=kind))
        return self.last


def fill_in(reporter: Reporter, photo: str | None = "file-1", contact: str | None = "13800000000") -> str:
    """Walks the whole report as a person would; returns the WQ number."""
    reporter.says("/tip")
    assert reporter.labels == ["商标", "专利", "地理标志", "其他"]
    reporter.presses("地理标志")
    assert "精河枸杞" in reporter.labels and "跳过" in reporter.labels
    reporter.presses("精河枸杞")
    assert reporter.labels == ["博乐市", "阿拉山口市", "精河县", "温泉县", "网上", "其他地方"]
    reporter.presses("精河县")
    reporter.says("枸杞一条街 3号 张记干果店")
    assert "发生了什么" in reporter.text
    reporter.says("散装枸杞冒用精河枸杞地理标志，包装上印了专用标志")
    assert reporter.labels == ["跳过"]
    if photo is not None:
        reporter.sends_photo(photo)
        assert "已收到1张照片" in reporter.text and reporter.labels == ["完成"]
        reporter.presses("完成")
    else:
        reporter.presses("跳过")
    assert "联系方式" in reporter.text
    if contact:
        reporter.says(contact)
    else:
        reporter.presses("匿名")
    assert "请核对" in reporter.text and "精河枸杞" in reporter.text and "张记干果店" in reporter.text
    reporter.presses("提交")
    number = next(w for w in reporter.text.replace("，", " ").replace("。", " ").split() if w.startswith("WQ"))
    return number


def store_photos(sessions: sessionmaker[Session], media: Path, data: bytes | None = None) -> list[Reply]:
    """What the downloader does once it has the bytes (bot/photo_fetcher.py), for every pending photo."""
    replies: list[Reply] = []
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        for waiting in tip_downloads.waiting(session, now):
            try:
                cleaned = tip_photos.clean(data if data is not None else jpeg())
            except tip_photos.Rejected as exc:
                replies += tip_downloads.rejected(session, waiting.photo_id, exc.reason, media, now)
                continue
            name = tip_photos.file_name_for(waiting.tip_id, waiting.photo_id, cleaned.extension)
            tip_photos.write(media, name, cleaned.data)
            replies += tip_downloads.stored(session, waiting.photo_id, name, len(cleaned.data), media, now) or []
    return replies


SURVEY_OPTIONS = ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解"]


def open_wave(router: Router, name: str = "2026Q4") -> None:
    """terminal:boss opens a survey wave."""
    boss = Person(router, "boss")
    boss.says(f"/survey_open {name}")
    assert "已开启调查" in boss.text


def answer_all(person: Person, pick: str = "满意") -> None:
    """The whole survey, the same pick for every item, no comment."""
    person.says("/survey")
    person.presses("同意")
    person.presses("权利人（企业）")
    person.presses("精河县")
    for _ in range(12):
        assert person.labels == SURVEY_OPTIONS
        person.presses(pick)
    person.presses("跳过")
