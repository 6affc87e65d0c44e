"""Staff reminders in chat: /remind for themselves, the staff group, all staff or subscribers; /reminders
lists them with cancel buttons; everyone else is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import Reminder
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.helpers import Person

LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).astimezone(dt.timezone(dt.timedelta(hours=8)))
WHEN = f"{LATER:%Y-%m-%d} 09:00"


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    return Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss", "telegram:7"}))


def _reminders(sessions: sessionmaker[Session]) -> list[Reminder]:
    with sessions() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.id)))


@pytest.mark.parametrize("command", [f"/remind {WHEN} me 交报表", "/reminders"])
def test_refused_to_everyone_else(staffed: Router, command: str) -> None:
    visitor = Person(staffed, "visitor")
    visitor.says(command)
    assert "只对工作人员开放" in visitor.text


def test_schedule_list_and_cancel(staffed: Router, sessions: sessionmaker[Session]) -> None:
    boss = Person(staffed, "boss")
    boss.says(f"/remind {WHEN} me 提交季度报表")
    assert "已设置提醒（编号1）" in boss.text
    boss.says(f"/remind {WHEN} allstaff 宣传周筹备会")
    boss.says(f"/remind {WHEN} staff 检查人工咨询")
    assert [r.recipients for r in _reminders(sessions)] == [
        ["terminal:boss"], ["telegram:7", "terminal:boss"], ["staff:terminal"]]
    boss.says("/reminders")
    assert "提交季度报表" in boss.text and boss.labels == ["取消1", "取消2", "取消3"]
    Person(staffed, "visitor").sends_payload("rc:1")
    assert _reminders(sessions)[0].active
    boss.presses("取消1")
    assert "已取消提醒（编号1）" in boss.text and not _reminders(sessions)[0].active
    boss.sends_payload("rc:1")
    assert "不存在或已经发出" in boss.text


def test_subscribers_as_the_audience(staffed: Router, sessions: sessionmaker[Session]) -> None:
    boss = Person(staffed, "boss")
    boss.says(f"/remind {WHEN} 订阅:商标 商标宣传日活动")
    assert "没有找到要提醒的对象" in boss.text
    Person(staffed, "shop").says("/subscribe 商标 2020-05-01 馕坊")
    boss.says(f"/remind {WHEN} 订阅:商标 商标宣传日活动")
    assert "发给1个对象" in boss.text
    assert _reminders(sessions)[-1].recipients == ["terminal:shop"]


@pytest.mark.parametrize(("argument", "reply"), [
    ("", "用法"), ("明天 九点 me 开会", "时间没看懂"), ("2020-01-01 09:00 me 开会", "已经过去"),
    (f"{WHEN} fax:1 开会", "没有找到要提醒的对象"),
])
def test_bad_input_is_explained(staffed: Router, argument: str, reply: str) -> None:
    boss = Person(staffed, "boss")
    boss.says(f"/remind {argument}".strip())
    assert reply in boss.text
