"""Passwords and sessions in the console, for staff on their own: one's own password change (and each kind of
bad input), an admin's reset of another account, and the idle timeout that sends a browser back to the login
page with a plain note."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from bot.core.models import AuditLog, ConsoleSession, StaffAccount
from knowledge.service import KnowledgeService
from tests.helpers import Browser, RunningConsole


@pytest.fixture
def console(database_url: str, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(database_url, knowledge)
    running.add_account("boss", "admin")
    running.add_account("clerk", "staff")
    yield running
    running.stop()


def _signed_in(console: RunningConsole, name: str, password: str = "correct-horse-1") -> Browser:
    browser = console.client()
    assert browser.sign_in(name, password).status_code == 302
    return browser


def _hash_of(console: RunningConsole, name: str) -> str:
    with console.sessions() as session:
        return session.scalars(select(StaffAccount.password_hash).where(StaffAccount.name == name)).one()


def test_staff_change_their_own_password_and_their_other_browsers_are_signed_out(console: RunningConsole) -> None:
    here, elsewhere = _signed_in(console, "clerk"), _signed_in(console, "clerk")
    form = here.page("/console/password")
    assert "至少 8 个字符" in form and "不能与用户名相同" in form and "其他电脑或浏览器上的登录会全部失效" in form
    assert 'href="/console/password"' in here.page("/console/")  # reachable from every page's header
    before = _hash_of(console, "clerk")
    for bad, says, code in (
            ({"current": "not-my-password"}, "当前密码不正确", 401),
            ({"current": ""}, "请填写当前密码", 400),
            ({"again": "new-horse-22"}, "两次填写的新密码不一样", 400),
            ({"new": "short", "again": "short"}, "至少 8 个字符", 400),
            ({"new": "correct-horse-1", "again": "correct-horse-1"}, "不能与当前密码相同", 400),
            ({"new": "CLERK", "again": "CLERK"}, "至少 8 个字符", 400),
            ({"new": "x" * 257, "again": "x" * 257}, "最长 256 个字符", 400)):
        answer = here.post("/console/password", {"current": "correct-horse-1", "new": "new-horse-2",
                                                 "again": "new-horse-2", **bad})
        assert answer.status_code == code and says in answer.text, (bad, answer.status_code)
        assert 'name="current"' in answer.text  # the form again, nothing changed
    assert _hash_of(console, "clerk") == before
    assert elsewhere.get("/console/").status_code == 200

    done = here.post("/console/password", {"current": "correct-horse-1", "new": "new-horse-2", "again": "new-horse-2"})
    assert done.status_code == 302
    assert "密码已修改" in here.page("/console/password")  # this browser stays signed in
    assert elsewhere.get("/console/").status_code == 302  # the other one is signed out
    assert console.client().sign_in("clerk", "correct-horse-1").status_code == 401
    assert console.client().sign_in("clerk", "new-horse-2").status_code == 302
    with console.sessions() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "account.password")).one()
    assert entry.account == "clerk" and "new-horse-2" not in entry.detail


def test_a_password_the_same_as_the_name_is_refused() -> None:
    from bot.console import accounts

    with pytest.raises(accounts.AccountError, match="不能与用户名相同"):
        accounts.check_new_password("zhangsan-01", "zhangsan-01", "ZhangSan-01")


def test_guessing_the_current_password_is_throttled_like_a_login(console: RunningConsole) -> None:
    here = _signed_in(console, "clerk")
    here.page("/console/password")
    codes = [here.post("/console/password", {"current": f"guess-{n}", "new": "new-horse-2",
                                             "again": "new-horse-2"}).status_code for n in range(6)]
    assert codes == [401] * 5 + [429]


def test_an_admin_resets_a_password_shown_once_and_the_accounts_sessions_end(console: RunningConsole) -> None:
    clerk, boss = _signed_in(console, "clerk"), _signed_in(console, "boss")
    boss.page("/console/accounts")
    asked = boss.post("/console/accounts/reset", {"name": "clerk"})
    assert asked.status_code == 200 and "确认重置" in asked.text and "只显示一次" in asked.text
    assert clerk.get("/console/").status_code == 200  # nothing happened yet
    done = boss.post("/console/accounts/reset", {"name": "clerk", "confirm": "yes"})
    assert done.status_code == 200 and "只显示这一次" in done.text
    found = re.search(r'<code id="new-password">([^<]+)</code>', done.text)
    assert found is not None and len(found.group(1)) >= 12
    new = found.group(1)
    assert clerk.get("/console/").status_code == 302  # signed out everywhere
    assert console.client().sign_in("clerk", "correct-horse-1").status_code == 401
    assert console.client().sign_in("clerk", new).status_code == 302
    assert new not in boss.page("/console/accounts")  # shown once: not again, not in the audit log
    with console.sessions() as session:
        entry = session.scalars(select(AuditLog).where(AuditLog.action == "account.reset")).one()
    assert entry.detail == "clerk"
    ghost = boss.post("/console/accounts/reset", {"name": "ghost"})
    assert ghost.status_code == 400 and "没有账号 ghost" in ghost.text
    own = boss.post("/console/accounts/reset", {"name": "boss", "confirm": "yes"})
    assert own.status_code == 400 and "修改密码" in own.text


def test_staff_cannot_reset_anyone_elses_password(console: RunningConsole) -> None:
    clerk = _signed_in(console, "clerk")
    clerk.page("/console/")
    before = _hash_of(console, "boss")
    for form in ({"name": "boss"}, {"name": "boss", "confirm": "yes"}):
        refused = clerk.post("/console/accounts/reset", form)
        assert refused.status_code == 403 and "没有权限" in refused.text
    assert _hash_of(console, "boss") == before


def test_an_idle_session_ends_and_the_login_page_says_so(console: RunningConsole) -> None:
    browser = _signed_in(console, "clerk")
    assert browser.get("/console/reminders").status_code == 200
    with console.sessions.begin() as session:  # 31 minutes without a request (the default is 30)
        session.execute(update(ConsoleSession).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    answer = browser.get("/console/reminders")
    assert answer.status_code == 302 and answer.headers["location"] == "/console/login?next=/console/reminders"
    login = browser.page(answer.headers["location"])
    assert "会话已超时，请重新登录" in login and 'name="password"' in login
    assert "会话已超时" not in browser.page("/console/login")  # said once
    assert browser.sign_in("clerk").status_code == 302


def test_a_form_sent_after_the_timeout_goes_to_the_login_page_and_changes_nothing(console: RunningConsole) -> None:
    browser = _signed_in(console, "boss")
    browser.page("/console/accounts")
    with console.sessions.begin() as session:
        session.execute(update(ConsoleSession).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    answer = browser.post("/console/accounts/add", {"name": "late", "role": "staff", "password": "long-enough-1"},
                          headers={"Referer": f"{console.url}/console/accounts"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login?next=/console/accounts"
    assert "会话已超时" in browser.page(answer.headers["location"])
    with console.sessions() as session:
        assert session.scalars(select(StaffAccount).where(StaffAccount.name == "late")).first() is None


def test_a_session_in_use_is_kept_alive_and_the_idle_minutes_are_a_setting(database_url: str,
                                                                          knowledge: KnowledgeService) -> None:
    running = RunningConsole(database_url, knowledge, console_idle_minutes=5)
    try:
        running.add_account("clerk")
        browser = _signed_in(running, "clerk")
        with running.sessions() as session:
            row = session.scalars(select(ConsoleSession)).one()
            lasts = row.expires_at.replace(tzinfo=dt.UTC) - row.created_at.replace(tzinfo=dt.UTC)
        assert dt.timedelta(minutes=4) < lasts <= dt.timedelta(minutes=5)
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
        with running.sessions.begin() as session:  # as if it was last used 3 minutes ago
            session.execute(update(ConsoleSession).values(expires_at=soon))
        assert browser.get("/console/").status_code == 200
        with running.sessions() as session:
            renewed = session.scalars(select(ConsoleSession.expires_at)).one().replace(tzinfo=dt.UTC)
        assert renewed > soon + dt.timedelta(minutes=2)  # used now: another 5 minutes from now
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=6)
        with running.sessions.begin() as session:  # made under a longer idle setting
            session.execute(update(ConsoleSession).values(expires_at=later))
        assert browser.get("/console/").status_code == 200
        with running.sessions() as session:
            shortened = session.scalars(select(ConsoleSession.expires_at)).one().replace(tzinfo=dt.UTC)
        assert shortened <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # the current setting applies
    finally:
        running.stop()
