"""已办 on staff reminders: recorded once by the recipient or any staff member; nobody pressing it within the
configured delay gets the reminder sent again and the staff group told, once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Address, StaffChat
from bot.core.models import OutboxMessage, Reminder
from bot.core.outbox import Dispatcher
from handlers.router import Router
from knowledge.service import KnowledgeService
from scheduler import escalation, reminders
from tests.helpers import CollectingSender, Person, outbox_rows, utc_now

# Tomorrow, on the hour: the outbox takes what falls due from the real clock, so the time must lie ahead of it.
T = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).astimezone(dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    return Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss", "terminal:clerk"}))


def _fire_and_send(sessions: sessionmaker[Session], sender: CollectingSender, now: dt.datetime) -> None:
    with sessions.begin() as session:
        reminders.fire_due(session, now)
        escalation.escalate(session, now, dt.timedelta(hours=4))
    asyncio.run(Dispatcher(sessions, {"terminal": sender}).run_once(now))


def _set_sent_at(sessions: sessionmaker[Session], moment: dt.datetime) -> None:
    with sessions.begin() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.sent_at = moment


def test_a_staff_reminder_carries_an_ack_button_and_the_press_is_recorded_once(
        staffed: Router, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "提交季度报表", ["terminal:clerk"], T, None, needs_ack=True, now=utc_now())
    sender = CollectingSender()
    _fire_and_send(sessions, sender, T)
    ((chat, reply),) = sender.sent
    assert chat == Address("terminal", "clerk") and [b.label for row in reply.buttons for b in row] == ["已办"]
    clerk = Person(staffed, "clerk")
    clerk.sends_payload(reply.buttons[0][0].payload)
    assert "已记录为已办" in clerk.text
    (row,) = outbox_rows(sessions)
    assert row.acknowledged_at is not None and row.acknowledged_by == "terminal:clerk"
    boss = Person(staffed, "boss")
    boss.sends_payload(reply.buttons[0][0].payload)
    assert "已由terminal:clerk在" in boss.text


def test_only_the_recipient_or_staff_may_acknowledge(staffed: Router, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "提交季度报表", ["terminal:clerk"], T, None, needs_ack=True, now=utc_now())
    sender = CollectingSender()
    _fire_and_send(sessions, sender, T)
    payload = sender.sent[0][1].buttons[0][0].payload
    stranger = Person(staffed, "stranger")
    stranger.sends_payload(payload)
    assert "不是发给你的" in stranger.text and outbox_rows(sessions)[0].acknowledged_at is None
    stranger.sends_payload("ack:999999")
    assert "没有找到这条提醒" in stranger.text
    boss = Person(staffed, "boss")
    boss.sends_payload(payload)
    assert "已记录为已办" in boss.text


def test_enterprise_reminders_have_no_ack_button(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "商标续展期开始", ["terminal:shop"], T, None, now=utc_now())
    sender = CollectingSender()
    _fire_and_send(sessions, sender, T)
    assert sender.sent[0][1].buttons == ()
    _set_sent_at(sessions, T)
    with sessions.begin() as session:
        assert escalation.escalate(session, T + dt.timedelta(days=1), dt.timedelta(hours=4)) == 0


def test_unacknowledged_is_sent_again_and_staff_are_told_once(staffed: Router, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "提交季度报表", ["terminal:clerk"], T, None, needs_ack=True, now=utc_now())
    sender = CollectingSender()
    _fire_and_send(sessions, sender, T)
    _set_sent_at(sessions, T)
    _fire_and_send(sessions, sender, T + dt.timedelta(hours=3, minutes=59))
    assert len(sender.sent) == 1  # not yet
    _fire_and_send(sessions, sender, T + dt.timedelta(hours=4))
    assert [to for to, _reply in sender.sent] == [Address("terminal", "clerk"), Address("terminal", "clerk"),
                                                StaffChat("terminal")]
    again, notice = sender.sent[1][1], sender.sent[2][1]
    assert again.text.startswith("【再次提醒") and "提交季度报表" in again.text
    assert "terminal:clerk" in notice.text and "4小时" in notice.text
    _fire_and_send(sessions, sender, T + dt.timedelta(hours=9))
    assert len(sender.sent) == 3  # escalated once only
    clerk = Person(staffed, "clerk")
    clerk.sends_payload(again.buttons[0][0].payload)  # the repeat's button acknowledges the reminder
    assert "已记录为已办" in clerk.text and outbox_rows(sessions)[0].acknowledged_at is not None


def test_acknowledged_in_time_is_not_escalated(staffed: Router, sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "宣传周筹备", ["staff:terminal"], T, None, needs_ack=True, now=utc_now())
    sender = CollectingSender()
    _fire_and_send(sessions, sender, T)
    _set_sent_at(sessions, T)
    Person(staffed, "boss").sends_payload(sender.sent[0][1].buttons[0][0].payload)
    _fire_and_send(sessions, sender, T + dt.timedelta(hours=5))
    assert len(sender.sent) == 1


def test_remind_to_staff_asks_for_ack_and_to_a_chat_does_not(staffed: Router, sessions: sessionmaker[Session]) -> None:
    boss = Person(staffed, "boss")
    boss.says(f"/remind {LATER:%Y-%m-%d} 09:00 me 交报表")
    boss.says(f"/remind {LATER:%Y-%m-%d} 09:00 telegram:55 商标续展")
    with sessions() as session:
        rows = session.scalars(select(Reminder).order_by(Reminder.id)).all()
        assert [r.needs_ack for r in rows] == [True, False]
