"""The staff console in a real browser (Debian's chromium, driven by Playwright): sign in, walk every page
(a screenshot of each, on a laptop and a phone), reply to a handoff, download the XLSX, and be refused
without a session and without a CSRF token (tests/browser.py: chromium, skipped without it except under CI)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.messages import Incoming
from bot.core.models import OutboxMessage
from knowledge.service import KnowledgeService
from tests import helpers
from tests.browser import sign_in
from tests.helpers import RunningConsole

PAGES = {"概览": "overview", "待处理问题": "questions", "知识库": "knowledge", "人工服务": "handoffs",
         "满意度": "survey", "提醒": "reminders", "消息队列": "outbox", "线索": "tips", "指标": "indicators",
         "账号": "accounts"}


@pytest.fixture
def console(tmp_path: Path, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(f"sqlite:///{tmp_path / 'console.db'}", knowledge)
    running.add_account("boss", "admin")
    yield running
    running.stop()


def _handoff(console: RunningConsole) -> None:
    """A Telegram user asks, is not sure about the answer and asks for a person (as `ipbot run` takes it)."""
    pipeline = console.app.pipeline
    for key, text in (("1", "商标到期怎么续展"), ("2", "转人工")):
        stored = pipeline.store("telegram", [(key, Incoming("telegram", "7001", "7001", text=text,
                                                            display_name="王经理"))])
        pipeline.handle([row_id for row_id, _ in stored])


def test_a_staff_member_walks_every_page_and_answers_a_handoff(browser: Any, console: RunningConsole,
                                                                tmp_path: Path) -> None:
    _handoff(console)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, console.url)
    # the survey has a wave, so the overview and 满意度 show their chart
    page.click("nav >> text=满意度")
    page.fill("input[name=name]", "2026Q4")
    page.click("button:text-is('开始调查')")
    assert "已开启调查" in page.inner_text(".flash")
    for label, name in PAGES.items():
        page.click(f"nav >> text={label}")
        page.wait_for_load_state()
        assert page.inner_text("h1") == label
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    page.click("nav >> text=人工服务")
    page.click("text=王经理")
    assert "商标到期怎么续展" in page.inner_text(".conversation")
    page.fill("textarea[name=text]", "您好，续展可在到期前12个月内办理，我把材料清单发给您。")
    page.click("form[action$='/reply'] button")
    assert "回复已排队" in page.inner_text(".flash")
    assert "工作人员回复：您好，续展可在到期前12个月内办理" in page.inner_text(".conversation")
    page.screenshot(path=str(tmp_path / "handoff.png"), full_page=True)
    with console.sessions() as session:
        queued = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == "7001",
                                                             OutboxMessage.text.like("工作人员回复%"))).all()
    assert len(queued) == 1 and queued[0].channel == "telegram"

    page.click("nav >> text=满意度")
    with page.expect_download() as download:
        page.click("a:text-is('XLSX')")
    saved = tmp_path / "survey.xlsx"
    download.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK" and download.value.suggested_filename == "survey.xlsx"

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    sign_in(small, console.url)
    small.screenshot(path=str(tmp_path / "phone-overview.png"), full_page=True)
    assert small.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.close()
    context.close()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        [f"{n}.png" for n in PAGES.values()] + ["handoff.png", "phone-overview.png"])
    if target := os.environ.get("IPBOT_CONSOLE_SCREENSHOTS"):  # keep them (e.g. docs/console.png)
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, Path(target) / shot.name)


def test_the_browser_is_refused_without_a_session_and_without_a_csrf_token(browser: Any,
                                                                           console: RunningConsole) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{console.url}/console/accounts")
    assert "/console/login?next=/console/accounts" in page.url and page.is_visible("input[name=password]")
    sign_in(page, console.url)
    page.goto(f"{console.url}/console/reminders")
    later = (dt.datetime.now() + dt.timedelta(days=5)).strftime("%Y-%m-%d")
    # a form on another site (or a script) posting without the page's token
    page.evaluate("document.querySelectorAll('input[name=_xsrf]').forEach(e => e.remove())")
    page.fill("input[name=date]", later)
    page.select_option("select[name=who]", "chat")
    page.fill("input[name=chat]", "telegram:5")
    page.fill("textarea[name=text]", "不该被安排的提醒")
    with page.expect_response(lambda r: r.request.method == "POST") as answered:
        page.click("button:text-is('安排提醒')")
    assert answered.value.status == 403
    assert "表单已过期" in page.inner_text("main")
    page.goto(f"{console.url}/console/reminders")
    assert "不该被安排的提醒" not in page.inner_text("main")
    page.click("button:text-is('退出')")
    page.goto(f"{console.url}/console/reminders")
    assert "/console/login" in page.url
    context.close()


@pytest.fixture
def learning_console(tmp_path: Path) -> Iterator[RunningConsole]:
    with helpers.learning_console(f"sqlite:///{tmp_path / 'learning.db'}", "boss", "admin") as running:
        yield running


def test_a_staff_member_teaches_a_question_and_publishes_an_edit_that_ipbot_ask_answers(
        browser: Any, learning_console: RunningConsole, tmp_path: Path) -> None:
    import json

    console = learning_console
    missed = "我们合作社的牌子被隔壁县的人用了"
    console.app.router.handle(Incoming("telegram", "7001", "7001", text=missed))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, console.url)
    page.click("nav >> text=待处理问题")
    assert missed in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "questions-queue.png"), full_page=True)
    page.fill("section.question input[name=q]", "商标侵权")  # teaching by an entry's title
    page.click("section.question button:text-is('查找')")
    page.locator("tr", has_text="哪些行为属于商标侵权？").locator("button:text-is('归入此条')").first.click()
    assert "已记住" in page.inner_text(".flash")

    page.click("nav >> text=知识库")
    page.fill("input[name=try]", missed)
    page.click("button:text-is('看看会答哪条')")
    assert "有把握" in page.inner_text("main") and "哪些行为属于商标侵权？" in page.inner_text("main")
    page.goto(f"{console.url}/console/knowledge/tm-renewal-rules")
    page.fill("textarea[name=answer]", "")
    page.click("button:text-is('保存并发布')")
    assert "答案：不能为空" in page.inner_text(".invalid")  # the problem at its field
    page.fill("textarea[name=answer]", "注册商标有效期10年，期满前12个月内可以续展（浏览器里改的新答案）。")
    page.click("button:text-is('保存并发布')")
    assert "已保存并发布" in page.inner_text(".flash")
    page.screenshot(path=str(tmp_path / "entry-edited.png"), full_page=True)
    context.close()

    from tests.cli_runner import ipbot

    asked = ipbot("ask", "--json", stdin=f"商标到期怎么续展\n{missed}\n",
                  env={"IPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'learning.db'}"})
    assert asked.returncode == 0, asked.stderr
    renewal, taught = (json.loads(line) for line in asked.stdout.splitlines())
    assert "浏览器里改的新答案" in renewal["answer"]
    assert taught["entry_id"] == "tm-infringement-what"
