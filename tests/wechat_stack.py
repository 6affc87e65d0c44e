"""The WeChat tests' stack (tests/test_wechat*.py): the whole bot as `ipbot run` builds it with WeChat's
settings pointing at the WeChat API double, and WeChat's side of the callback (tests/doubles/wechat_api.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import OutboxMessage
from bot.settings import Settings
from knowledge.service import KnowledgeService
from tests.doubles.wechat_api import AES_KEY, APP_ID, APP_SECRET, TOKEN, WeChatDouble, WeChatServer
from tests.helpers import RunningApp


def wechat_settings(double: WeChatDouble, database_url: str, safe: bool = True, **extra: object) -> Settings:
    return Settings(database_url=database_url, wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET,
                    wechat_token=TOKEN, wechat_aes_key=AES_KEY if safe else None,
                    wechat_api_base_url=double.base_url, http_listen="127.0.0.1:0", **extra)  # type: ignore[arg-type]


@dataclass
class Stack:
    double: WeChatDouble
    wechat: WeChatServer
    running: RunningApp

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.running.sessions

    def count(self, model: type) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def outbox(self, chat: str) -> list[OutboxMessage]:
        with self.sessions() as session:
            return list(session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat)
                                        .order_by(OutboxMessage.id)))

    def wait_status(self, chat: str, status: str, timeout: float = 15.0) -> OutboxMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [row for row in self.outbox(chat) if row.status == status]
            if found:
                return found[0]
            time.sleep(0.05)
        raise TimeoutError(f"no {status} outbox message to {chat}: {[r.status for r in self.outbox(chat)]}")

    def wait_dead(self, chat: str, timeout: float = 15.0) -> OutboxMessage:
        return self.wait_status(chat, "dead", timeout)


def stack(double: WeChatDouble, knowledge: KnowledgeService, database_url: str, safe: bool = True,
          **extra: object) -> Iterator[Stack]:
    running = RunningApp(wechat_settings(double, database_url, safe, **extra), knowledge)
    try:
        assert running.app.channel_names == ["wechat"]
        yield Stack(double, WeChatServer(f"http://127.0.0.1:{running.port}/wechat/callback", safe=safe), running)
    finally:
        running.stop()
