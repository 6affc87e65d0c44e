"""The console's 待处理问题 and 知识库 pages over real HTTP: teaching from the browser, editing an entry with the
problems shown at their fields, publishing (answered at once, and by `ipbot ask`), versions and revert."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.core.db import open_database
from bot.core.messages import Incoming
from bot.core.models import AuditLog
from handlers.taught_phrasings import LearnedSource
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot
from tests.helpers import RunningConsole

MISSED = "我们合作社的牌子被隔壁县的人用了"
ENTRY = "tm-renewal-rules"


@pytest.fixture
def console(database_url: str) -> Iterator[RunningConsole]:
    engine, sessions = open_database(database_url)
    running = RunningConsole(database_url, KnowledgeService(overlay=LearnedSource(sessions)))
    running.add_account("clerk", "staff")
    yield running
    running.stop()
    engine.dispose()


def _ask(console: RunningConsole, question: str, user: str = "u1") -> str:
    replies = console.app.router.handle(Incoming("terminal", user, user, text=question))
    return "\n".join(r.text for r in replies)


def _cli_ask(database_url: str, question: str) -> dict[str, object]:
    done = ipbot("ask", "--json", question, env={"IPBOT_DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_question_is_taught_from_the_queue_and_answered_at_once(console: RunningConsole) -> None:
    assert "不太确定" in _ask(console, MISSED)
    _ask(console, MISSED, user="u2")
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/questions")
    assert MISSED in page and "2 次" in page and "归入：" in page and "不属于知识产权" in page
    number = page.split("编号 ", 1)[1].split("：", 1)[0]
    response = browser.post(f"/console/questions/{number}/teach", {"entry": "tm-infringement-what"})
    assert response.status_code == 302
    assert "已记住" in browser.page("/console/questions")
    assert "不太确定" not in _ask(console, MISSED)
    with console.sessions() as session:
        actions = list(session.scalars(select(AuditLog.action)))
    assert "question.teach" in actions


def test_teaching_to_an_unknown_entry_says_so_and_teaches_nothing(console: RunningConsole) -> None:
    _ask(console, MISSED)
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/questions")
    number = page.split("编号 ", 1)[1].split("：", 1)[0]
    browser.post(f"/console/questions/{number}/teach", {"entry": "no-such-entry"})
    assert "没有ID为“no-such-entry”的条目" in browser.page("/console/questions")
    assert "不太确定" in _ask(console, MISSED)


def test_not_ip_and_ignore_from_the_browser(console: RunningConsole) -> None:
    _ask(console, "我们那个牌子咋弄")
    _ask(console, "今天中午吃什么好")
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/questions")
    numbers = {text.split("：", 1)[1].split("<", 1)[0]: text.split("：", 1)[0]
               for text in page.split("编号 ")[1:]}
    browser.post(f"/console/questions/{numbers['我们那个牌子咋弄']}/not-ip")
    browser.post(f"/console/questions/{numbers['今天中午吃什么好']}/ignore")
    assert "没有待处理的问题" in browser.page("/console/questions")
    assert "不属于知识产权业务" in _ask(console, "我们那个牌子咋弄")


def test_the_try_box_shows_the_entries_a_question_reaches(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/knowledge?try=商标到期怎么续展")
    assert "有把握" in page and ENTRY in page
    page = browser.page("/console/knowledge?try=今天中午吃什么好")
    assert "没有找到相关条目" in page
    assert ENTRY in browser.page("/console/knowledge?q=续展") and "pledge-what-is" not in \
        browser.page("/console/knowledge?q=续展")


def test_an_edit_is_checked_at_its_field_then_published_and_reverted(
        console: RunningConsole, database_url: str) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert 'name="answer"' in page and 'name="alternates"' in page
    bad = browser.post(f"/console/knowledge/{ENTRY}", {"answer": "", "related": "nope-entry"})
    assert bad.status_code == 400
    assert "答案：不能为空" in bad.text and "相关条目“nope-entry”不存在" in bad.text
    old = _ask(console, "商标到期怎么续展")
    assert "续展" in old  # the refused edit changed nothing
    new_answer = "注册商标有效期10年，期满前12个月内续展（工作台测试新答案）。"
    good = browser.post(f"/console/knowledge/{ENTRY}", {"answer": new_answer, "note": "测试"})
    assert good.status_code == 302
    assert "已保存并发布" in browser.page(f"/console/knowledge/{ENTRY}")
    assert "工作台测试新答案" in _ask(console, "商标到期怎么续展")
    assert "工作台测试新答案" in str(_cli_ask(database_url, "商标到期怎么续展")["answer"])
    assert "已修改" in browser.page("/console/knowledge")
    reverted = browser.post(f"/console/knowledge/{ENTRY}/revert", {"version": "file"})
    assert reverted.status_code == 302
    assert _ask(console, "商标到期怎么续展") == old
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert "恢复为软件自带的版本" in page and "clerk" in page  # the history: who, and what


def test_editing_needs_a_session_and_a_csrf_token(console: RunningConsole) -> None:
    stranger = console.client()
    assert stranger.post(f"/console/knowledge/{ENTRY}", {"answer": "篡改"}).status_code == 403
    browser = console.client()
    browser.sign_in("clerk")
    assert browser.post(f"/console/knowledge/{ENTRY}", {"answer": "篡改"}, csrf=False).status_code == 403
    assert "篡改" not in _ask(console, "商标到期怎么续展")
    assert browser.get("/console/knowledge/no-such-entry").status_code == 404


def test_entry_text_is_escaped(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    browser.post(f"/console/knowledge/{ENTRY}", {"answer": "<script>alert(1)</script>续展"})
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
