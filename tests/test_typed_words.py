"""What people type besides questions: a menu label or command word does what its button does (我要举报, 转人工,
结束人工, 满意度调查), also in the middle of a handoff, while the same words inside a real question are a question;
a short follow-up is read with the previous question; 处理得怎么样了 after a report gives its status."""

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


def test_a_short_follow_up_is_read_with_the_previous_question(router: Router) -> None:
    person = Person(router)
    person.says("要多少钱")
    assert "不太确定" in person.text or "没有找到" in person.text  # alone it says too little
    fresh = Person(router, "u2")
    fresh.says("商标注册怎么办理")
    fresh.says("要多少钱")
    assert "不太确定" not in fresh.text and "元" in fresh.text  # the fees of registering a trademark


def test_asking_how_a_report_is_going_right_after_it_answers_with_its_status(router: Router) -> None:
    from tests.helpers import Reporter, fill_in

    reporter = Reporter(router, "u9")
    number = fill_in(reporter, photo=None)
    reporter.says("处理得怎么样了？")
    assert number in reporter.text and "已受理" in reporter.text
    stranger = Person(router, "u10")
    stranger.says("处理得怎么样了")  # no report of theirs: an ordinary (unsure) answer, nobody else's report
    assert number not in stranger.text
