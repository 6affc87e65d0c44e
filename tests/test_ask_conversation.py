"""The ask feature as a person meets it: a question in, an answer with buttons out, all logged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import HandoffRequest, QuestionLog
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.helpers import Person


def _logs(sessions: sessionmaker[Session]) -> list[QuestionLog]:
    with sessions() as session:
        return list(session.scalars(select(QuestionLog).order_by(QuestionLog.id)))


def test_an_answer_has_its_source_related_questions_feedback_and_a_person(person: Person) -> None:
    person.says("专利质押登记要准备哪些材料")
    assert "专利权质押合同" in person.text
    assert "依据：《专利权质押登记办法》" in person.text
    labels = person.labels
    assert {"有用", "没用", "转人工"} <= set(labels)
    assert "专利权质押登记去哪里办理？可以网上办吗？" in labels  # a related question


def test_pressing_a_related_question_answers_it(person: Person) -> None:
    person.says("专利质押登记要准备哪些材料")
    person.presses("专利权质押登记去哪里办理？可以网上办吗？")
    assert "专利业务办理系统" in person.text


def test_every_question_is_logged_with_topic_score_and_confidence(person: Person,
                                                                   sessions: sessionmaker[Session]) -> None:
    person.says("商标到期怎么续展")
    person.says("今天中午吃什么好")
    answered, declined = _logs(sessions)
    assert (answered.text, answered.topic, answered.confident) == ("商标到期怎么续展", "tm-renewal", True)
    assert answered.score > 0 and answered.entry_id == "tm-renewal-rules"
    assert (declined.topic, declined.confident) == (None, False)


def test_feedback_is_recorded_on_the_question(person: Person, sessions: sessionmaker[Session]) -> None:
    person.says("商标到期怎么续展")
    person.presses("没用")
    assert "改进" in person.text and "转人工" in person.labels
    assert _logs(sessions)[0].feedback == "unhelpful"
    person.says("商标到期怎么续展")
    person.presses("有用")
    assert [log.feedback for log in _logs(sessions)] == ["unhelpful", "helpful"]


def test_an_unsure_answer_says_so_and_offers_close_questions_and_a_person(person: Person) -> None:
    person.says("质押")
    assert "不太确定" in person.text
    assert len(person.labels) >= 3 and person.labels[-1] == "转人工"
    person.presses(person.labels[0])
    assert "依据：" in person.text


def test_everyday_questions_are_pointed_to_the_right_office(person: Person) -> None:
    person.says("社保断了怎么补")
    assert "不属于知识产权业务" in person.text and "人社" in person.text


def test_asking_for_a_person_opens_one_request(person: Person, sessions: sessionmaker[Session]) -> None:
    person.says("商标到期怎么续展")
    person.presses("转人工")
    assert "已为你转接人工" in person.text
    assert "用户的问题：商标到期怎么续展" in person.to_staff and "商标到期了怎么续展？" in person.to_staff
    person.sends_payload("h:0")
    assert "正在进行" in person.text
    with sessions() as session:
        requests = list(session.scalars(select(HandoffRequest)))
    assert len(requests) == 1 and requests[0].question_id == _logs(sessions)[0].id


def test_greetings_thanks_and_help_are_understood(person: Person, sessions: sessionmaker[Session]) -> None:
    person.says("你好")
    assert "知识产权服务助手" in person.text and len(person.labels) == 3
    person.says("谢谢！")
    assert "不客气" in person.text
    person.says("你能做什么")
    assert "质押融资" in person.text
    person.presses(person.labels[0])
    assert "依据：" in person.text
    assert [log.reason for log in _logs(sessions)] == ["button"]  # small talk is not logged as questions


def test_another_users_feedback_button_is_refused(router: Router, sessions: sessionmaker[Session]) -> None:
    alice, mallory = Person(router, "alice"), Person(router, "mallory")
    alice.says("商标到期怎么续展")
    question_id = _logs(sessions)[0].id
    mallory.sends_payload(f"f:{question_id}:n")
    assert "失效" in mallory.text
    assert _logs(sessions)[0].feedback is None


def test_stale_and_forged_buttons_get_a_graceful_answer(person: Person, sessions: sessionmaker[Session]) -> None:
    for payload in ["a:no-such-entry", "f:999999:y", "f:1:maybe", "zzz", "", "a:" + "x" * 500, "h:abc",
                    "f:-1:y", "a:../../etc/passwd"]:
        replies = person.sends_payload(payload)
        assert len(replies) == 1 and "失效" in replies[0].text, payload
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(QuestionLog)) == 0


@pytest.mark.parametrize("question", ["明天博乐下雨吗", "那个事情怎么弄", "哈哈哈哈哈嗯嗯"])
def test_chat_and_ipbot_ask_decline_in_the_same_words(person: Person, knowledge: KnowledgeService,
                                                      question: str) -> None:
    from bot.ask_command import answer

    given = answer(knowledge.engine, question)
    person.says(question)
    assert not given["confident"] and person.last[0].text == given["answer"]
