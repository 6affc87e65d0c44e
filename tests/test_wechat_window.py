"""WeChat's 48-hour rule in the outbox: customer-service messages within the window; outside it a reminder,
a report's news or a survey invitation goes as a template message when the office configured one for its
kind (IPBOT_WECHAT_TEMPLATES), else it is parked with a plain Chinese reason that staff see in /outbox — and
nothing is retried into 45015. Over the WeChat API double, callbacks encrypted by wechatpy."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import wechat_templates
from bot.console import accounts
from bot.core.datafile import DataFileError
from bot.core.messages import TIP_STATUS
from bot.core.models import WeChatFollower
from knowledge.service import KnowledgeService
from scheduler import reminders
from tests import wechat_stack
from tests.doubles.wechat_api import WeChatDouble
from tests.helpers import Browser, utc_now
from tests.wechat_stack import Stack

TEMPLATES = """\
version: 1
templates:
  reminder:
    template_id: tpl-reminder
    fields:
      thing1: "{summary}"
      time2: "{time}"
      thing3: 回复任意消息查看详情
"""
LONG_REMINDER = "您订阅的商标「博州枸杞」注册有效期将于2027年3月14日届满，请在届满前十二个月内办理续展\n详见商标局网站"


@pytest.fixture
def templated(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str,
              tmp_path: Path) -> Iterator[Stack]:
    (tmp_path / "templates.yaml").write_text(TEMPLATES, encoding="utf-8")
    with WeChatDouble() as double:
        double.templates.add("tpl-reminder")
        yield from wechat_stack.stack(double, knowledge, database_url,
                                      wechat_templates=str(tmp_path / "templates.yaml"), staff="wechat:oStaff")


@pytest.fixture
def untemplated(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str) -> Iterator[Stack]:
    with WeChatDouble() as double:
        yield from wechat_stack.stack(double, knowledge, database_url, staff="wechat:oStaff")


def _remind(stack: Stack, openid: str, text: str) -> None:
    with stack.sessions.begin() as session:
        now = dt.datetime.now(dt.UTC)
        reminders.add(session, text, [f"wechat:{openid}"], now, None, now=utc_now())


def test_a_reminder_outside_the_window_goes_as_a_template_message(templated: Stack) -> None:
    templated.double.window_closed.add("oFar")  # WeChat answers 45015: the follower has not written for 48 h
    _remind(templated, "oFar", LONG_REMINDER)
    (sent,) = templated.double.wait_for(1, "oFar")
    assert sent.msgtype == "template" and sent.body["template_id"] == "tpl-reminder"
    data = sent.body["data"]
    assert data["thing1"]["value"].startswith("您订阅的商标「博州枸杞」") and len(data["thing1"]["value"]) <= 20
    assert data["thing3"]["value"] == "回复任意消息查看详情" and "年" in data["time2"]["value"]
    assert templated.wait_status("oFar", "sent").attempts == 1
    # WeChat said the window is closed: the next reminder is not tried as a customer-service message again
    calls = templated.double.custom_calls
    _remind(templated, "oFar", "专利年费缴纳提醒")
    templated.double.wait_for(2, "oFar")
    assert templated.double.custom_calls == calls
    assert sum("45015" in r or "out of time" in r for r in templated.double.rejected) == 1


def test_a_follower_silent_for_days_gets_a_template_without_a_45015_first(templated: Stack) -> None:
    with templated.sessions.begin() as session:
        session.add(WeChatFollower(openid="oOld", following=True, changed_at=utc_now(),
                                   last_message_at=utc_now() - dt.timedelta(days=3)))
    _remind(templated, "oOld", "商标续展截止还有30天")
    (sent,) = templated.double.wait_for(1, "oOld")
    assert sent.msgtype == "template" and templated.double.custom_calls == 0
    # once they write, the window is open: the answer (and a reminder) are customer-service messages again
    templated.wechat.says("oOld", "商标到期了怎么续展")
    templated.double.wait_for_text("oOld", "宽展期")
    _remind(templated, "oOld", "专利年费缴纳提醒")
    assert templated.double.wait_for_text("oOld", "专利年费缴纳提醒").msgtype == "text"


def test_without_a_template_the_message_is_parked_with_its_reason_for_staff(untemplated: Stack) -> None:
    untemplated.double.window_closed.add("oFar")
    _remind(untemplated, "oFar", "专利年费缴纳提醒")
    dead = untemplated.wait_dead("oFar")
    assert dead.attempts == 1 and dead.last_error is not None
    assert "48小时" in dead.last_error and "提醒没有配置模板消息" in dead.last_error
    assert untemplated.double.messages == []
    untemplated.wechat.says("oStaff", "/outbox")  # staff ask how delivery stands
    listing = untemplated.double.wait_for_text("oStaff", "wechat:oFar")
    assert "提醒没有配置模板消息" in listing.text
    with untemplated.sessions.begin() as session:  # and in the console's 消息队列
        accounts.add(session, "zhang", "staff", "correct-horse-1", utc_now())
    browser = Browser(f"http://127.0.0.1:{untemplated.running.port}")
    browser.sign_in("zhang")
    page = html.unescape(browser.page("/console/outbox"))
    assert "wechat:oFar" in page and "提醒没有配置模板消息（IPBOT_WECHAT_TEMPLATES）" in page


def test_an_answer_is_not_sent_as_a_template(templated: Stack) -> None:
    templated.double.window_closed.add("oLate")  # e.g. WeChat closed the window before the answer went
    templated.wechat.says("oLate", "商标怎么注册")
    dead = templated.wait_dead("oLate")
    assert dead.last_error is not None and "不能用模板消息" in dead.last_error
    assert [m for m in templated.double.messages if m.touser == "oLate"] == []


def test_a_template_for_a_report_status_fills_its_fields() -> None:
    template = wechat_templates.Template("tpl-tip", {"character_string1": "{summary}", "phrase2": "{kind}",
                                                     "thing3": "{text}"})
    payload = template.payload("oX", TIP_STATUS, "您的举报 WQ2026120007 已受理\n我们会尽快核查",
                               dt.datetime(2026, 12, 8, 9, 30))
    assert payload["touser"] == "oX" and payload["template_id"] == "tpl-tip"
    assert payload["data"]["phrase2"]["value"] == "举报进展"
    assert len(payload["data"]["character_string1"]["value"]) <= 32
    assert payload["data"]["thing3"]["value"].endswith("…") and len(payload["data"]["thing3"]["value"]) == 20


@pytest.mark.parametrize(("content", "line", "said"), [
    ("version: 1\ntemplates:\n  reminder:\n    template_id: x\n    fields:\n      thing1: \"{who}\"\n", 6,
     "unknown placeholder {who}"),
    ("version: 1\ntemplates:\n  birthday:\n    template_id: x\n    fields: {thing1: a}\n", 3, "birthday"),
    ("version: 1\ntemplates:\n  reminder:\n    fields: {thing1: a}\n", 3, "template_id: missing"),
    ("version: 1\ntemplates:\n  reminder:\n    template_id: x\n    fields: {}\n", 5, "fields: must not be empty"),
])
def test_a_broken_templates_file_is_named_with_its_line(tmp_path: Path, content: str, line: int, said: str) -> None:
    path = tmp_path / "templates.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        wechat_templates.load(path)
    assert any(p.line == line and said in p.message for p in caught.value.problems), caught.value.problems


def test_ipbot_run_names_the_line_of_a_broken_templates_file(tmp_path: Path) -> None:
    from tests.cli_runner import ipbot
    from tests.doubles.wechat_api import APP_ID, APP_SECRET, TOKEN

    broken = tmp_path / "templates.yaml"
    broken.write_text("version: 1\ntemplates:\n  reminder:\n    template_id: x\n    fields:\n      thing1: \"{who}\"\n",
                      encoding="utf-8")
    done = ipbot("run", env={"IPBOT_WECHAT_APP_ID": APP_ID, "IPBOT_WECHAT_APP_SECRET": APP_SECRET,
                             "IPBOT_WECHAT_TOKEN": TOKEN, "IPBOT_WECHAT_TEMPLATES": str(broken),
                             "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert done.returncode == 2 and f"{broken}:6" in done.stderr and "{who}" in done.stderr
    assert "Traceback" not in done.stderr
