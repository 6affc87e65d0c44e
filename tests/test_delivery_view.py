"""Staff see dead messages with the reason and can queue one again; nobody else can."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from bot.core.delivery import PermanentFailure
from bot.core.messages import Address, Reply, Target
from bot.core.outbox import Dispatcher, enqueue, status_counts
from handlers.router import Router
from tests.helpers import CollectingSender, Person


class Blocked:
    async def send(self, chat_id: Target, reply: Reply) -> None:
        raise PermanentFailure("Forbidden: bot was blocked by the user")


def test_dead_messages_are_shown_to_staff_and_can_be_sent_again(staffed: Router,
                                                                  sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        enqueue(session, Address("terminal", "shop"), Reply("商标续展期开始"))
    asyncio.run(Dispatcher(sessions, {"terminal": Blocked()}).run_once())
    boss = Person(staffed, "boss")
    boss.says("/outbox")
    assert "已停发 1" in boss.text and "terminal:shop" in boss.text and "blocked" in boss.text
    assert "商标续展期开始" in boss.text
    visitor = Person(staffed, "visitor")
    visitor.sends_payload("or:1")
    assert "只对工作人员开放" in visitor.text
    with sessions() as session:
        assert status_counts(session)["dead"] == 1
    boss.presses(boss.labels[0])
    assert "已重新排队" in boss.text
    sender = CollectingSender()
    asyncio.run(Dispatcher(sessions, {"terminal": sender}).run_once(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)))
    assert [(chat, reply.text) for chat, reply in sender.sent] == [(Address("terminal", "shop"), "商标续展期开始")]
    boss.sends_payload("or:1")
    assert "不是停发的消息" in boss.text


def test_nothing_dead(staffed: Router) -> None:
    boss = Person(staffed, "boss")
    boss.says("/outbox")
    assert "没有停发的消息" in boss.text
