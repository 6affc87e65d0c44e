"""/survey_invite: invitations go through the outbox to people who used the bot or subscribed, never to
staff or to those who already answered this wave, once per wave; the invitation's button starts the survey."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbox import Dispatcher, status_counts
from handlers.router import Router
from handlers.survey import definition as survey_definition
from tests.helpers import CollectingSender, Person, answer_all, open_wave


def _deliver(sessions: sessionmaker[Session]) -> CollectingSender:
    sender = CollectingSender()
    asyncio.run(Dispatcher(sessions, {"terminal": sender}).run_once(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)))
    return sender


def test_invitations_reach_users_and_subscribers_but_not_staff_or_respondents(
        staffed: Router, sessions: sessionmaker[Session]) -> None:
    Person(staffed, "asker").says("商标怎么注册")
    Person(staffed, "shop").says("/subscribe 商标 2020-05-01 馕坊")
    Person(staffed, "boss").says("专利年费怎么交")
    open_wave(staffed)
    answer_all(Person(staffed, "done"))
    boss = Person(staffed, "boss")
    boss.says("/survey_invite")
    assert "已安排发送邀请2份" in boss.text and "已完成答卷的1人" in boss.text
    sender = _deliver(sessions)
    assert sorted(str(to) for to, _reply in sender.sent) == ["terminal:asker", "terminal:shop"]
    invitation = sender.sent[0][1]
    assert "2026Q4" in invitation.text and invitation.buttons[0][0].label == "参加调查"
    asker = Person(staffed, "asker")
    asker.sends_payload(invitation.buttons[0][0].payload)
    assert asker.labels == ["同意", "不同意"]
    # the invitation and the consent text it leads to give the same duration (12 items + 2 profile questions)
    assert "大约两分钟" in invitation.text and "大约两分钟" in asker.text and "3分钟" not in invitation.text
    assert len(survey_definition.load().items) == 12


def test_inviting_again_sends_nothing_twice(staffed: Router, sessions: sessionmaker[Session]) -> None:
    Person(staffed, "asker").says("商标怎么注册")
    open_wave(staffed)
    boss = Person(staffed, "boss")
    boss.says("/survey_invite")
    boss.says("/survey_invite")
    assert "已安排发送邀请0份" in boss.text and "之前已邀请过的1人" in boss.text
    with sessions() as session:
        assert status_counts(session)["pending"] == 1


def test_subscribers_only_and_named_recipients(staffed: Router, sessions: sessionmaker[Session]) -> None:
    Person(staffed, "asker").says("商标怎么注册")
    Person(staffed, "shop").says("/subscribe 商标 2020-05-01 馕坊")
    open_wave(staffed)
    boss = Person(staffed, "boss")
    boss.says("/survey_invite 订阅")
    assert "已安排发送邀请1份" in boss.text
    boss.says("/survey_invite telegram:42 wecom:lisi")
    assert "已安排发送邀请2份" in boss.text
    # the others are on other channels
    assert sorted(str(to) for to, _reply in _deliver(sessions).sent) == ["terminal:shop"]
    boss.says("/survey_invite 随便写写")
    assert "用法：/survey_invite" in boss.text


def test_no_open_wave_and_not_for_visitors(staffed: Router, sessions: sessionmaker[Session]) -> None:
    boss = Person(staffed, "boss")
    boss.says("/survey_invite")
    assert "没有正在进行的调查" in boss.text
    visitor = Person(staffed, "visitor")
    visitor.says("/survey_invite")
    assert "只对工作人员开放" in visitor.text
    with sessions() as session:
        assert status_counts(session)["pending"] == 0
