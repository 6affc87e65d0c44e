"""The staff console over real HTTP, as `ipbot run` serves it: sign-in, sessions, CSRF, throttle, roles,
escaping, the audit log, and what each page does (handoff replies through the outbox, reminders, the
outbox's dead messages, survey waves and downloads, accounts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.core.messages import Incoming
from bot.core.models import AuditLog, HandoffRequest, OutboxMessage, Reminder
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.helpers import Person, RunningConsole, answer_all

NAV = ["概览", "待处理问题", "知识库", "人工服务", "满意度", "提醒", "消息队列", "线索", "指标", "账号"]
PAGES = ["/console/", "/console/questions", "/console/knowledge", "/console/handoffs", "/console/survey",
         "/console/reminders", "/console/outbox", "/console/tips", "/console/indicators", "/console/accounts"]


@pytest.fixture
def console(database_url: str, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(database_url, knowledge)
    running.add_account("boss", "admin")
    running.add_account("clerk", "staff")
    yield running
    running.stop()


def _audit_count(console: RunningConsole) -> int:
    with console.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditLog)) or 0


def test_every_page_without_a_session_leads_to_the_login_form(console: RunningConsole) -> None:
    browser = console.client()
    for path in [*PAGES, "/console/handoffs/1", "/console/survey/export.xlsx", "/console/nothing-here"]:
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response.headers["location"].startswith("/console/login?next="), path
    form = browser.page("/console/login")
    assert 'name="username"' in form and 'name="password"' in form and "_xsrf" in form
    assert 'name="viewport"' in form


def test_an_admin_signs_in_and_sees_every_page_with_the_whole_nav(console: RunningConsole) -> None:
    browser = console.client()
    response = browser.sign_in("boss")
    assert response.status_code == 302 and response.headers["location"] == "/console/"
    for path in PAGES:
        text = browser.page(path)
        for label in NAV:
            assert f">{label}</a>" in text, (path, label)
    assert "没有待处理的问题" in browser.page("/console/questions")
    assert "tm-renewal-rules" in browser.page("/console/knowledge")


def test_staff_see_no_accounts_link_and_are_refused_the_admin_pages(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    overview = browser.page("/console/")
    assert ">人工服务</a>" in overview and ">账号</a>" not in overview
    assert browser.get("/console/accounts").status_code == 403
    response = browser.post("/console/accounts/add", {"name": "sneaky", "role": "admin", "password": "x" * 12})
    assert response.status_code == 403 and "没有权限" in response.text
    response = browser.post("/console/accounts/role", {"name": "clerk", "role": "admin"})
    assert response.status_code == 403
    with console.sessions() as session:
        from bot.console.accounts import find

        assert find(session, "sneaky") is None and find(session, "clerk").role == "staff"  # type: ignore[union-attr]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("boss")
    later = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%d")
    form = {"date": later, "time": "09:00", "who": "chat", "chat": "telegram:5", "text": "交年费"}
    response = browser.post("/console/reminders", form, csrf=False)
    assert response.status_code == 403 and "表单已过期" in response.text
    response = browser.http.post("/console/reminders", data={**form, "_xsrf": "2|00|forged|1"})
    assert response.status_code == 403
    with console.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Reminder).where(Reminder.text == "交年费")) == 0
    assert browser.post("/console/reminders", form).status_code == 302  # with the token it works


def test_the_session_cookie_is_signed_http_only_same_site_and_secure_behind_https(console: RunningConsole) -> None:
    browser = console.client()
    cookie = browser.sign_in("boss").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http (e.g. on the office's own machine)
    other = console.client()
    other.get("/console/login")
    cookie = other.post("/console/login", {"username": "boss", "password": "correct-horse-1"},
                        headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"]
    assert "Secure" in cookie
    forged = console.client()
    forged.http.cookies.set("ipbot_console", "anything", path="/console")
    assert forged.get("/console/").status_code == 302


def test_logging_out_ends_the_session_even_for_a_copied_cookie(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("boss")
    copied = browser.http.cookies.get("ipbot_console")
    browser.page("/console/")
    response = browser.post("/console/logout")
    assert response.status_code == 302 and response.headers["location"] == "/console/login"
    assert "已退出登录" in browser.page("/console/login")
    thief = console.client()
    thief.http.cookies.set("ipbot_console", copied or "", path="/console")
    assert thief.get("/console/").status_code == 302


def test_disabling_an_account_ends_its_sessions(console: RunningConsole) -> None:
    clerk, boss = console.client(), console.client()
    clerk.sign_in("clerk")
    clerk.page("/console/")
    boss.sign_in("boss")
    boss.page("/console/accounts")
    asked = boss.post("/console/accounts/disable", {"name": "clerk"})  # first the confirm step: nothing yet
    assert asked.status_code == 200 and "确认停用" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert clerk.get("/console/").status_code == 200
    assert boss.post("/console/accounts/disable", {"name": "clerk", "confirm": "yes"}).status_code == 302
    assert "已停用" in boss.page("/console/accounts")
    assert clerk.get("/console/").status_code == 302
    assert clerk.sign_in("clerk").status_code == 401  # and cannot sign in again
    response = boss.post("/console/accounts/disable", {"name": "boss"})
    assert response.status_code == 400 and "不能停用自己的账号" in response.text


def test_sessions_survive_a_restart(console: RunningConsole, database_url: str, knowledge: KnowledgeService) -> None:
    browser = console.client()
    browser.sign_in("boss")
    cookie = browser.http.cookies.get("ipbot_console")
    console.stop()
    again = RunningConsole(database_url, knowledge)
    try:
        returning = again.client()
        returning.http.cookies.set("ipbot_console", cookie or "", path="/console")
        assert returning.get("/console/").status_code == 200
    finally:
        again.stop()


def test_wrong_passwords_are_throttled_without_saying_which_part_was_wrong(console: RunningConsole) -> None:
    browser = console.client()
    wrong_name = browser.sign_in("nobody", "correct-horse-1")
    wrong_password = browser.sign_in("boss", "not-the-password")
    assert wrong_name.status_code == wrong_password.status_code == 401
    assert "用户名或密码不正确" in wrong_name.text and "用户名或密码不正确" in wrong_password.text
    assert "_xsrf" in wrong_name.text  # the form again
    for _ in range(4):
        browser.sign_in("boss", "still-wrong")
    refused = browser.sign_in("boss")  # the right password, too late
    assert refused.status_code == 429 and "15 分钟" in refused.text
    assert "ipbot_console" not in refused.headers.get("set-cookie", "")
    assert browser.sign_in("clerk").status_code == 302  # a colleague at the same address is not locked out
    missing = browser.post("/console/login", {"username": "boss"})
    assert missing.status_code == 400 and "请填写用户名和密码" in missing.text


def test_text_typed_by_users_is_shown_escaped(console: RunningConsole, knowledge: KnowledgeService) -> None:
    evil = '<script>alert("x")</script>'
    Router(knowledge, console.sessions).handle(Incoming("telegram", "99", "99", text="转人工", display_name=evil))
    browser = console.client()
    browser.sign_in("clerk")
    for path in ("/console/handoffs", "/console/handoffs/1"):
        text = browser.page(path)
        assert evil not in text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    response = browser.post("/console/handoffs/1/reply", {"text": evil})
    assert response.status_code == 302
    assert evil not in browser.page("/console/handoffs/1")


def _says(console: RunningConsole, text: str | None = None, payload: str | None = None) -> None:
    """A Telegram user's message, taken in and handled as `ipbot run` does (its replies into the outbox)."""
    incoming = Incoming("telegram", "7001", "7001", text=text, payload=payload, display_name="王经理")
    stored = console.app.pipeline.store("telegram", [(f"k{text}{payload}", incoming)])
    assert console.app.pipeline.handle([row_id for row_id, _ in stored]) == 1


def test_a_reply_from_the_browser_goes_to_the_user_through_the_outbox(console: RunningConsole,
                                                                       knowledge: KnowledgeService) -> None:
    _says(console, "商标到期怎么续展")
    with console.sessions() as session:
        buttons = session.scalars(select(OutboxMessage.buttons).where(OutboxMessage.chat_id == "7001")
                                  .order_by(OutboxMessage.id.desc())).first()
    payload = next(p for row in buttons or [] for label, p in row if label == "转人工")
    _says(console, payload=payload)
    browser = console.client()
    browser.sign_in("clerk")
    listing = browser.page("/console/handoffs")
    assert "王经理" in listing and "/console/handoffs/1" in listing
    assert "商标到期怎么续展" in browser.page("/console/handoffs/1")  # the question that led here
    empty = browser.post("/console/handoffs/1/reply", {"text": "  "})
    assert empty.status_code == 400 and "请填写回复内容" in empty.text
    assert browser.post("/console/handoffs/999/reply", {"text": "在吗"}).status_code == 404
    response = browser.post("/console/handoffs/1/reply", {"text": "您好，续展可以在到期前12个月内办理。"})
    assert response.status_code == 302
    page = browser.page("/console/handoffs/1")
    assert "回复已排队" in page and "工作人员回复：您好，续展可以在到期前12个月内办理。" in page
    assert "已发送" not in page and "Telegram渠道没有配置" in page  # the console alone: said, not "sent"
    with console.sessions() as session:
        to_user = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == "7001",
                                                              OutboxMessage.text.like("工作人员回复%"))).all()
        notes = session.scalars(select(OutboxMessage).where(OutboxMessage.to_staff.is_(True),
                                                            OutboxMessage.text.like("%clerk（工作台）回复%"))).all()
    assert len(to_user) == 1 and to_user[0].channel == "telegram" and to_user[0].buttons  # with 结束人工
    assert len(notes) == 1
    asked = browser.post("/console/handoffs/1/end")
    assert asked.status_code == 200 and "用户会收到结束通知" in asked.text and "确认结束" in asked.text
    with console.sessions() as session:
        assert session.get(HandoffRequest, 1).status == "open"  # type: ignore[union-attr]
    assert browser.post("/console/handoffs/1/end", {"confirm": "yes"}).status_code == 302
    with console.sessions() as session:
        row = session.get(HandoffRequest, 1)
        assert row is not None and row.status == "closed" and row.closed_by == "staff"
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.chat_id == "7001", OutboxMessage.text.like("工作人员已结束%"))) == 1
    again = browser.post("/console/handoffs/1/reply", {"text": "还有一点"})
    assert again.status_code == 400 and "不存在或已经结束" in again.text


def test_reminders_are_made_listed_by_month_and_cancelled(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("boss")
    browser.page("/console/reminders")
    later = dt.datetime.now() + dt.timedelta(days=40)
    form = {"date": later.strftime("%Y-%m-%d"), "time": "09:30", "who": "chat", "chat": "telegram:5，wecom:li",
            "text": "提交季度报表"}
    assert browser.post("/console/reminders", form).status_code == 302
    page = browser.page("/console/reminders")
    assert "2 个接收方" in page and "提交季度报表" in page and later.strftime("%Y年%m月") in page
    for bad, says in (({"date": "2020-01-01"}, "已经过去"), ({"time": "9点"}, "格式如"),
                      ({"text": ""}, "请填写提醒内容"), ({"chat": "nobody"}, "不是接收方"),
                      ({"who": "me"}, "还没有关联聊天账号"), ({"who": "订阅:商标"}, "没有订阅")):
        response = browser.post("/console/reminders", {**form, **bad})
        assert response.status_code == 400 and says in response.text, (bad, response.text[:500])
    with console.sessions() as session:
        row = session.scalars(select(Reminder).where(Reminder.text == "提交季度报表")).one()
        assert row.recipients == ["telegram:5", "wecom:li"] and not row.needs_ack
    asked = browser.post(f"/console/reminders/{row.id}/cancel")
    assert asked.status_code == 200 and "确认取消提醒" in asked.text and "提交季度报表" in asked.text
    assert "取消，返回" in asked.text and 'href="/console/reminders"' in asked.text
    assert "提交季度报表" in browser.page("/console/reminders")  # still there until confirmed
    assert browser.post(f"/console/reminders/{row.id}/cancel", {"confirm": "yes"}).status_code == 302
    assert "已取消" in browser.page("/console/reminders")
    assert browser.post("/console/reminders/4242/cancel").status_code == 404
    assert browser.post("/console/reminders/4242/cancel", {"confirm": "yes"}).status_code == 404


def test_a_dead_message_is_shown_with_its_reason_and_queued_again(console: RunningConsole) -> None:
    with console.sessions.begin() as session:
        dead = OutboxMessage(channel="wecom", chat_id="li", text="您的商标即将到期", status="dead", attempts=6,
                             last_error="81013 user not found")
        sent = OutboxMessage(channel="wecom", chat_id="wu", text="已送达的消息", status="sent", attempts=1)
        session.add_all([dead, sent])
        session.flush()
        dead_id, sent_id = dead.id, sent.id
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/outbox")
    assert "81013 user not found" in page and "wecom:li" in page and "已送达的消息" not in page
    assert browser.post(f"/console/outbox/{dead_id}/retry").status_code == 302
    assert "已重新排队" in browser.page("/console/outbox")
    with console.sessions() as session:
        row = session.get(OutboxMessage, dead_id)
        # queued again: pending, or already tried once more (this test runs no WeCom channel: no sender)
        assert row is not None and (row.status in ("pending", "sending") or row.last_error != "81013 user not found")
    assert browser.post(f"/console/outbox/{sent_id}/retry").status_code == 302
    assert "不在失败列表" in browser.page("/console/outbox")
    assert browser.post("/console/outbox/77777/retry").status_code == 404


def test_survey_waves_open_close_and_download(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    assert "还没有调查期次" in browser.page("/console/survey")
    empty = browser.post("/console/survey/open", {"name": ""})
    assert empty.status_code == 400 and "请填写期次名称" in empty.text
    assert browser.post("/console/survey/open", {"name": "2026Q4"}).status_code == 302
    page = browser.page("/console/survey")
    assert "已开启调查" in page and "2026Q4" in page and "原规划2025年目标 85%" in page and "不是同一口径" in page
    overview = browser.page("/console/")
    assert "参照原规划2025年目标 85%" in overview and "口径不同" in overview and "（目标 85" not in overview
    for n in range(5):
        answer_all(Person(console.app.router, f"p{n}"))
    # with a score to show, the plan's % figure stays a reference: nothing is subtracted from it
    page, overview = browser.page("/console/survey"), browser.page("/console/")
    assert "原规划2025年目标 85%（口径不同）" in page and "指数" in page and "差距" not in page
    assert "参照原规划2025年目标 85%；本地调查，口径不同" in overview and "差距" not in overview
    for kind, content_type, start in (("csv", "text/csv", "\ufeff答卷编号".encode()), ("xlsx", "spreadsheetml", b"PK"),
                                      ("png", "image/png", b"\x89PNG")):
        response = browser.get(f"/console/survey/export.{kind}?wave=2026Q4")
        assert response.status_code == 200 and content_type in response.headers["content-type"]
        assert response.content.startswith(start)
    assert browser.get("/console/survey/export.xlsx?wave=nope").status_code == 404
    assert browser.get("/console/survey/export.exe").status_code == 404
    asked = browser.post("/console/survey/close")
    assert asked.status_code == 200 and "结束调查“2026Q4”后" in asked.text
    assert "进行中" in browser.page("/console/survey")
    assert browser.post("/console/survey/close", {"confirm": "yes"}).status_code == 302
    assert "已结束" in browser.page("/console/survey")
    for form in ({}, {"confirm": "yes"}):
        again = browser.post("/console/survey/close", form)
        assert again.status_code == 400 and "现在没有进行中的调查" in again.text
    assert browser.post("/console/survey/open", {"name": "2027Q1"}).status_code == 302
    twice = browser.post("/console/survey/open", {"name": "2027Q2"})
    assert twice.status_code == 400 and "结束当前期次" in twice.text and "/survey_close" not in twice.text


def test_admins_manage_accounts_and_every_change_is_in_the_audit_log(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("boss")
    browser.page("/console/accounts")
    assert browser.post("/console/accounts/add", {"name": "li", "role": "staff",
                                                  "password": "long-enough-1"}).status_code == 302
    for bad, says in (({"name": "li"}, "已经存在"), ({"name": "wu", "password": "short"}, "至少 8 个"),
                      ({"name": "wu", "role": "king"}, "角色只能是"), ({"name": "a b"}, "用户名只能用")):
        response = browser.post("/console/accounts/add", {"role": "staff", "password": "long-enough-1", **bad})
        assert response.status_code == 400 and says in response.text, bad
    assert browser.post("/console/accounts/link", {"name": "li", "address": "telegram:555"}).status_code == 302
    taken = browser.post("/console/accounts/link", {"name": "boss", "address": "telegram:555"})
    assert taken.status_code == 400 and "已经关联到账号 li" in taken.text
    assert browser.post("/console/accounts/role", {"name": "li", "role": "admin"}).status_code == 302
    assert browser.post("/console/accounts/role", {"name": "ghost", "role": "admin"}).status_code == 400
    page = browser.page("/console/accounts")
    assert "telegram:555" in page
    for action in ("新建账号", "关联聊天账号", "修改角色", "登录"):
        assert f'<td data-label="操作">{action}</td>' in page, action
    assert "li（工作人员）" in page and "li → 管理员" in page and "account." not in page  # no codes
    with console.sessions() as session:
        before = [(r.id, r.at, r.account, r.action, r.detail) for r in session.scalars(select(AuditLog))]
    # nothing in the console changes or removes an entry: the page has no form for it, no route takes it
    assert browser.post("/console/accounts/delete", {"name": "li"}).status_code == 404
    assert browser.http.request("DELETE", "/console/accounts", headers={"X-XSRFToken": browser.token}
                                ).status_code == 405
    asked = browser.post("/console/accounts/unlink", {"name": "li", "address": "telegram:555"})
    assert asked.status_code == 200 and "确认取消关联" in asked.text
    browser.post("/console/accounts/unlink", {"name": "li", "address": "telegram:555", "confirm": "yes"})
    with console.sessions() as session:
        after = [(r.id, r.at, r.account, r.action, r.detail) for r in session.scalars(select(AuditLog))]
    assert after[:len(before)] == before and len(after) == len(before) + 1 and after[-1][3] == "account.unlink"
