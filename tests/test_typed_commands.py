"""A menu label or command word typed instead of pressed does what the button does (我要举报, 转人工, 结束人工,
满意度调查), also in the middle of a handoff; the same words inside a real question are a question."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import HandoffRequest
from handlers.router import Router
from tests.helpers import Person


def test_typing_end_of_handoff_ends_it_instead_of_being_relayed_to_staff(
        router: Router, sessions: sessionmaker[Session]) -> None:
    person = Person(router)
    person.says("转人工")
    assert "转接人工" in person.text and person.labels == ["结束人工"]
    person.says("结束人工！")
    assert "人工咨询已结束" in person.text and "结束人工" not in person.to_staff.replace("用户已结束", "")
    with sessions() as session:
        assert session.scalars(select(HandoffRequest.status)).all() == ["closed"]


def test_typed_menu_labels_start_the_report_and_the_survey(router: Router) -> None:
    person = Person(router)
    person.says("我要举报")
    assert person.labels == ["商标", "专利", "地理标志", "其他"]  # the report's first step, as /tip
    other = Person(router, "u2")
    other.says("满意度调查")
    assert "满意度调查" in other.text and "不太确定" not in other.text  # the survey's answer, not the engine's


def test_the_same_words_in_a_question_are_a_question(router: Router) -> None:
    person = Person(router)
    person.says("举报商标侵权要准备哪些材料")
    assert "转接人工" not in person.text and "举报侵权线索（可匿名）" not in person.text
