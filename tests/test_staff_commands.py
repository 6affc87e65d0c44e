"""Staff commands are for staff only; what they show."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers.commands import COMMANDS
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.helpers import Person


@pytest.mark.parametrize("command", [f"/{c.name} 参数" for c in COMMANDS if c.staff_only])
def test_staff_commands_are_refused_to_everyone_else(staffed: Router, command: str) -> None:
    visitor = Person(staffed, "visitor")
    visitor.says(command)
    assert "只对工作人员开放" in visitor.text


def test_unanswered_lists_unsure_and_unhelpful_questions(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says("今天中午吃什么好")
    user.says("今天中午吃什么好")
    user.says("商标到期怎么续展")
    user.presses("没用")
    user.says("专利年费忘交了怎么办")
    boss.says("/unanswered")
    assert "今天中午吃什么好\n（2次，没把握" in boss.text
    assert "商标到期怎么续展\n（1次，用户说没用" in boss.text
    assert "专利年费" not in boss.text


def test_stats_count_questions_answers_and_helpfulness(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says("商标到期怎么续展")
    user.presses("有用")
    user.says("专利年费忘交了怎么办")
    user.presses("没用")
    user.says("今天中午吃什么好")
    user.says("转人工")
    boss.says("/stats")
    assert "最近7天：提问3次，答出2（67%），有用1（50%），转人工1次" in boss.text


def test_a_flood_gets_one_polite_warning_then_silence(knowledge: KnowledgeService,
                                                      sessions: sessionmaker[Session]) -> None:
    router = Router(knowledge, sessions, rate_limiter=RateLimiter(limit=3, window=60))
    person = Person(router)
    for _ in range(3):
        person.says("你好")
        assert "知识产权服务助手" in person.text
    person.says("你好")
    assert "太快" in person.text
    assert person.says("你好") == []
    assert "知识产权服务助手" in Person(router, "someone-else").says("你好")[0].text


def test_help_lists_the_staff_commands_to_staff_only(staffed: Router) -> None:
    boss, visitor = Person(staffed, "boss"), Person(staffed, "visitor")
    boss.says("/help")
    assert "工作人员命令" in boss.text and "/survey_invite" in boss.text
    visitor.says("/help")
    assert "工作人员命令" not in visitor.text
