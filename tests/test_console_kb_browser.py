"""The console's knowledge side in a real browser (chromium through Playwright; skipped without it, failed under
CI): teaching a question by searching an entry's Chinese title, a wrong target refused plainly (a warning, no
success banner), and a new entry written, refused at its field, published and answered in chat. One bot and one
browser for the module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.messages import Incoming
from tests.browser import sign_in
from tests.helpers import RunningConsole, learning_console

MISSED = "我们合作社的牌子被隔壁县的人用了"
WRONG = "隔壁店铺用了我们的牌子该咋整"


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningConsole]:
    url = f"sqlite:///{tmp_path_factory.mktemp('kb-browser') / 'console.db'}"
    with learning_console(url, "boss", "admin") as running:
        yield running


@pytest.fixture
def page(browser: Any, console: RunningConsole) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    sign_in(opened, console.url)
    yield opened
    context.close()


def _ask(console: RunningConsole, question: str, user: str = "7001") -> str:
    return "\n".join(r.text for r in console.app.router.handle(Incoming("telegram", user, user, text=question)))


def test_a_question_is_taught_by_searching_an_entry_by_its_chinese_title(console: RunningConsole, page: Any,
                                                                         tmp_path: Path) -> None:
    assert "不太确定" in _ask(console, MISSED)
    page.click("nav >> text=待处理问题")
    question = page.locator("section.question", has_text=MISSED)
    question.locator("input[name=q]").fill("商标侵权")
    question.locator("button:text-is('查找')").click()
    page.wait_for_url("**/teach?q=*")
    closest = console.app.router.knowledge.engine.search(MISSED).hits[0].entry.question
    assert page.locator("section.picks").first.locator("tr td:first-child").first.inner_text() == closest
    row = page.locator("section.picks", has_text="查找结果").locator("tr", has_text="哪些行为属于商标侵权？")
    assert "商标侵权" in row.locator("td").nth(1).inner_text()  # the topic, by its Chinese name
    page.screenshot(path=str(tmp_path / "teach-by-title.png"), full_page=True)
    row.locator("button:text-is('归入此条')").click()
    assert "已记住" in page.inner_text(".flash")
    assert page.locator("section.question", has_text=MISSED).count() == 0  # handled: off the list
    assert _ask(console, MISSED).startswith("下列行为属于侵犯注册商标专用权")


def test_a_wrong_target_is_refused_plainly(console: RunningConsole, page: Any) -> None:
    _ask(console, WRONG, user="7002")
    page.click("nav >> text=待处理问题")
    question = page.locator("section.question", has_text=WRONG)
    question.locator("button:text-is('查找')").click()  # the 归入条目 page, its suggestions
    page.wait_for_url("**/teach?q=*")
    # an entry deleted meanwhile, or a tampered form: the target no longer exists
    page.evaluate("document.querySelector('section.picks input[name=entry]').value = 'no-such-entry'")
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        page.locator("section.picks button:text-is('归入此条')").first.click()
    assert answered.value.status == 400
    assert "没有归入：找不到这个条目" in page.inner_text(".error")
    assert page.locator(".flash").count() == 0  # nothing looks like success
    page.click("nav >> text=待处理问题")
    assert WRONG in page.inner_text("main")  # still to handle


def test_a_new_entry_is_written_refused_at_its_field_then_published_and_answered(console: RunningConsole,
                                                                                page: Any, tmp_path: Path) -> None:
    title = "知识产权公共服务工作站在哪里？"
    answer = "博州知识产权公共服务工作站设在州市场监督管理局一楼服务大厅（浏览器里新建的条目）。"
    page.click("nav >> text=知识库")
    page.click("a:text-is('新建条目')")
    page.fill("input[name=question]", title)
    page.select_option("select[name=topic]", label="办事部门和联系方式")
    page.fill("textarea[name=alternates]", "知识产权工作站在哪")
    page.fill("textarea[name=answer]", answer)
    page.click("button:text-is('发布')")
    assert "没有发布" in page.inner_text(".error") and page.locator(".flash").count() == 0
    assert "依据：不能为空" in page.inner_text(".invalid")  # at its field
    assert page.input_value("textarea[name=answer]") == answer  # nothing typed is lost
    page.fill("textarea[name=sources]", "《知识产权公共服务体系建设规划》")
    page.click("button:text-is('发布')")
    assert "已发布" in page.inner_text(".flash")
    assert page.inner_text("h1") == title
    page.screenshot(path=str(tmp_path / "entry-created.png"), full_page=True)
    assert answer in _ask(console, title, user="7003")
