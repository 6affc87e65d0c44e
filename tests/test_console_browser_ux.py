"""The console for staff on their own, in a real browser (chromium through Playwright; skipped without it, as
tests/test_console_browser.py): a confirm step before cancelling a reminder, changing one's own password, a
figure's n, and the reports page at a phone's 390 px — every column and button inside the screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import QuestionLog, Reminder
from knowledge.service import KnowledgeService
from scheduler import reminders
from tests.browser import sign_in
from tests.helpers import Reporter, RunningConsole, fill_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def console(tmp_path: Path, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(f"sqlite:///{tmp_path / 'console.db'}", knowledge, media_dir=str(tmp_path / "media"))
    running.add_account("boss", "admin")
    yield running
    running.stop()


def test_cancelling_a_reminder_asks_first_and_a_password_is_changed(browser: Any,
                                                                    console: RunningConsole) -> None:
    now = dt.datetime.now(dt.UTC)
    with console.sessions.begin() as session:
        number = reminders.add(session, "提交季度报表", ["telegram:5"], now + dt.timedelta(days=3), None,
                               now=now).id
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    sign_in(page, console.url)
    page.click("nav >> text=提醒")
    page.click("button:text-is('取消提醒')")
    assert page.inner_text("h1") == "取消提醒" and "不会再发送" in page.inner_text("main")
    page.click("text=取消，返回")  # changed one's mind: nothing happened
    assert "提交季度报表" in page.inner_text("main")
    page.click("button:text-is('取消提醒')")
    page.click("button:text-is('确认取消提醒')")
    assert f"提醒 #{number} 已取消" in page.inner_text(".flash")
    with console.sessions() as session:
        assert session.get(Reminder, number).active is False  # type: ignore[union-attr]

    page.click("header >> text=修改密码")
    assert "至少 8 个字符" in page.inner_text("main")
    page.fill("input[name=current]", "correct-horse-1")
    page.fill("input[name=new]", "a-new-horse-2")
    page.fill("input[name=again]", "a-new-horse-3")
    page.click("button:text-is('修改密码')")
    assert "两次填写的新密码不一样" in page.inner_text(".error")
    page.fill("input[name=current]", "correct-horse-1")
    page.fill("input[name=new]", "a-new-horse-2")
    page.fill("input[name=again]", "a-new-horse-2")
    page.click("button:text-is('修改密码')")
    assert "密码已修改" in page.inner_text(".flash")
    page.click("button:text-is('退出')")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "a-new-horse-2")
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.url}/console/")
    context.close()


def test_a_rate_from_one_rating_shows_its_n_on_a_phone(browser: Any, console: RunningConsole) -> None:
    now = dt.datetime.now(dt.UTC)
    with console.sessions.begin() as session:
        session.add(QuestionLog(channel="telegram", user_id="1", chat_id="1", text="商标怎么续展", confident=True,
                                reason="ok", feedback="unhelpful", feedback_at=now, created_at=now))
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    sign_in(page, console.url)
    row = page.locator("tr", has_text="评为“有用”").first
    assert "0%" in row.inner_text() and "n=1" in row.inner_text() and "样本太少，仅供参考" in row.inner_text()
    assert row.locator(".n").first.is_visible()
    context.close()


def test_the_reports_page_fits_a_390_px_phone(browser: Any, console: RunningConsole,
                                              tmp_path: Path) -> None:
    router = console.app.router
    fill_in(Reporter(router, "7001", "telegram"), photo=None)
    fill_in(Reporter(router, "7002", "telegram"), photo=None, contact=None)  # the same shop: a group
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    sign_in(page, console.url)
    page.click("nav >> text=线索")
    assert page.locator("table.tips td[data-label]").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing scrolls sideways
    boxes = page.evaluate("""() => [...document.querySelectorAll(
        'table.tips td, table.tips a, main button, main select, main input:not([type=hidden])')].map(e => {
            const r = e.getBoundingClientRect();
            return [e.tagName, e.textContent.trim().slice(0, 20), r.left, r.right, r.width];
        })""")
    assert boxes
    for tag, text, left, right, width in boxes:
        assert width > 0 and left >= 0 and right <= PHONE["width"], (tag, text, left, right)
        if tag == "TD":  # a row is a card: each value the card's width, never a column squeezed to a character
            assert width >= 0.75 * PHONE["width"], (text, width)
    # every column's value is there, with its column's name (the header row is for screen readers)
    first = page.locator("table.tips tr.in-group").first
    for label in ("编号", "提交时间", "类型", "地点/链接", "状态", "照片"):
        cell = first.locator(f"td[data-label='{label}']")
        assert cell.is_visible() and cell.inner_text().strip(), label
    page.screenshot(path=str(tmp_path / "phone-tips.png"), full_page=True)
    context.close()
