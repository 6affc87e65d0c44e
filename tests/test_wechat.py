"""WeChat Official Account end to end: WeChat's side posts callbacks (encrypted by wechatpy in safe mode) to
the bot's /wechat/callback on the HTTP server `ipbot run` starts; the bot answers through the pipeline, the
outbox and a WeChat API double; everything WeChat's rules say to refuse is refused with nothing stored."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat import render
from bot.channels.wechat_state import TOKEN_SETTING
from bot.core.messages import Button, Reply
from bot.core.models import ConsoleSetting, InboxMessage, QuestionLog
from knowledge.service import KnowledgeService
from scheduler import reminders
from tests import wechat_stack
from tests.doubles.wechat_api import APP_ID, TOKEN, Sent, WeChatDouble, WeChatServer
from tests.helpers import utc_now
from tests.wechat_stack import Stack


@pytest.fixture
def stack(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str) -> Iterator[Stack]:
    with WeChatDouble() as double:
        yield from wechat_stack.stack(double, knowledge, database_url, safe=True)


@pytest.fixture
def plain(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str) -> Iterator[Stack]:
    with WeChatDouble() as double:
        yield from wechat_stack.stack(double, knowledge, database_url, safe=False)


# ---- rendering ---------------------------------------------------------------------------------------
def test_buttons_become_a_msgmenu_and_long_texts_are_split() -> None:
    (menu,) = render(Reply("请选择一个", ((Button("满意", "s:1"), Button("不满意", "s:2")),)))
    assert menu["msgtype"] == "msgmenu" and menu["msgmenu"]["head_content"] == "请选择一个"
    assert menu["msgmenu"]["list"] == [{"id": "s:1", "content": "满意"}, {"id": "s:2", "content": "不满意"}]
    long = render(Reply("专利权质押登记需要提交申请表。\n" * 300, ((Button("有用", "fb:1"),),)))
    assert [m["msgtype"] for m in long[:-1]] == ["text"] * (len(long) - 1) and long[-1]["msgtype"] == "msgmenu"
    assert all(len(m["text"]["content"].encode()) <= 2048 for m in long[:-1])


# ---- end to end --------------------------------------------------------------------------------------
def test_the_url_check_echoes_echostr(stack: Stack) -> None:
    query, _ = stack.wechat.envelope("")
    answer = stack.wechat.get({**query, "echostr": "5837397520612946541"})
    assert (answer.status, answer.body) == (200, "5837397520612946541")
    assert stack.wechat.get({**query, "echostr": "1", "signature": "0" * 40}).status == 403


def _related(stack: Stack, user: str) -> Sent:
    return next(m for m in stack.double.wait_for(2, user) if m.msgtype == "msgmenu")


def test_a_question_is_answered_and_a_related_question_button_works(stack: Stack) -> None:
    started = time.monotonic()
    answer = stack.wechat.says("oUser1", "商标到期了怎么续展")
    assert (answer.status, answer.body) == (200, "success") and time.monotonic() - started < 5
    stack.double.wait_for_text("oUser1", "宽展期")
    menu = _related(stack, "oUser1")
    labels = dict(menu.buttons)
    assert "有用" in labels
    related = [label for label, payload in menu.buttons if label not in ("有用", "没用", "转人工")]
    assert related, menu.buttons
    before = len(stack.double.wait_for(1, "oUser1"))
    assert stack.wechat.presses("oUser1", related[0], labels[related[0]]).status == 200
    later = stack.double.wait_for(before + 1, "oUser1")[before:]
    assert later[0].text and "请选择" not in later[0].text
    with stack.sessions() as session:
        logged = list(session.scalars(select(QuestionLog).order_by(QuestionLog.id)))
    assert [(q.channel, q.user_id) for q in logged][:1] == [("wechat", "oUser1")] and len(logged) == 2


def test_retries_of_one_msgid_are_answered_once(stack: Stack) -> None:
    for _attempt in range(3):  # WeChat's retries: the same MsgId, a new timestamp and nonce
        assert stack.wechat.says("oUser2", "商标怎么注册", msg_id=4242).body == "success"
    stack.running.settle()
    stack.double.wait_for(1, "oUser2")
    assert stack.count(QuestionLog) == 1 and stack.count(InboxMessage) == 1


def test_a_voice_message_is_answered_from_its_recognition(stack: Stack) -> None:
    assert stack.wechat.speaks("oUser3", "专利年费忘了交怎么办").body == "success"
    stack.double.wait_for_text("oUser3", "滞纳金")


def test_a_new_follower_is_welcomed_with_the_privacy_notice(stack: Stack) -> None:
    assert stack.wechat.event("oUser4", "subscribe").body == "success"
    notice, welcome = stack.double.wait_for(2, "oUser4")[:2]
    assert "个人信息" in notice.text and "保存期限" in notice.text and "7天" in notice.text
    assert welcome.msgtype == "msgmenu" and "博州知识产权" in welcome.text
    assert stack.wechat.event("oUser4", "CLICK", "/help").status == 200  # the account menu: a command
    assert len(stack.double.wait_for(3, "oUser4")) >= 3


def test_nothing_is_sent_to_a_follower_who_left(stack: Stack) -> None:
    assert stack.wechat.event("oUser5", "unsubscribe").body == "success"
    stack.double.left.add("oUser5")
    with stack.sessions.begin() as session:
        now = dt.datetime.now(dt.UTC)
        reminders.add(session, "商标续展截止还有30天", ["wechat:oUser5"], now, None, now=utc_now())
    dead = stack.wait_dead("oUser5")
    assert dead.last_error is not None and "取消关注" in dead.last_error
    assert "require subscribe" not in stack.double.rejected  # not even tried
    stack.double.left.discard("oUser5")
    stack.wechat.event("oUser5", "subscribe")  # back again: welcomed
    stack.double.wait_for(2, "oUser5")


def test_the_48_hour_window_closed_parks_the_message_with_a_reason(stack: Stack) -> None:
    stack.double.window_closed.add("oUser6")
    with stack.sessions.begin() as session:
        now = dt.datetime.now(dt.UTC)
        reminders.add(session, "专利年费缴纳提醒", ["wechat:oUser6"], now, None, now=utc_now())
    dead = stack.wait_dead("oUser6")
    assert dead.last_error is not None and "48小时" in dead.last_error and dead.attempts == 1


def test_a_busy_answer_is_retried(stack: Stack) -> None:
    stack.double.busy = 1
    stack.wechat.says("oUser7", "商标到期了怎么续展")
    stack.double.wait_for_text("oUser7", "宽展期", timeout=30)
    assert stack.double.busy == 0


def test_one_shared_token_renewed_after_40001(stack: Stack) -> None:
    stack.wechat.says("oUser8", "商标怎么注册")
    stack.double.wait_for(1, "oUser8")
    stack.wechat.says("oUser8", "商标到期了怎么续展")
    stack.double.wait_for_text("oUser8", "宽展期")
    assert stack.double.token_fetches == 1
    stack.double.expire_token()
    stack.wechat.says("oUser8", "专利年费忘了交怎么办")
    stack.double.wait_for_text("oUser8", "滞纳金")
    assert stack.double.token_fetches == 2 and any("40001" in r or "invalid credential" in r
                                                   for r in stack.double.rejected)
    with stack.sessions() as session:
        kept = session.get(ConsoleSetting, TOKEN_SETTING)
        assert kept is not None and "wx-token-2" in kept.value


def test_plain_mode_answers_a_signed_message(plain: Stack) -> None:
    assert plain.wechat.says("oPlain", "商标到期了怎么续展").body == "success"
    plain.double.wait_for_text("oPlain", "宽展期")
    query, body = plain.wechat.envelope(plain.wechat.text_xml("oPlain", "商标怎么注册"))
    assert plain.wechat.post({**query, "signature": "f" * 40}, body).status == 403


# ---- refused, with nothing stored --------------------------------------------------------------------
def _refused(stack: Stack, status: int, query: dict[str, str], body: bytes) -> None:
    answer = stack.wechat.post(query, body)
    assert answer.status == status, answer
    stack.running.settle()
    assert stack.count(InboxMessage) == 0 and stack.count(QuestionLog) == 0 and stack.double.messages == []


def test_a_bad_signature_is_refused(stack: Stack) -> None:
    query, body = stack.wechat.envelope(stack.wechat.text_xml("mallory", "商标怎么注册"))
    _refused(stack, 403, {**query, "msg_signature": "f" * 40}, body)


def test_a_plain_message_is_refused_in_safe_mode(stack: Stack) -> None:
    query, _ = stack.wechat.envelope("")
    plain = {k: v for k, v in query.items() if k not in ("encrypt_type", "msg_signature")}
    _refused(stack, 403, plain, stack.wechat.text_xml("mallory", "商标怎么注册").encode())


def test_tampered_ciphertext_is_refused(stack: Stack) -> None:
    _refused(stack, 403, *stack.wechat.envelope(stack.wechat.text_xml("mallory", "商标怎么注册"), tamper=True))


def test_a_message_for_another_account_is_refused(stack: Stack) -> None:
    other = WeChatServer(stack.wechat.url, app_id="wxsomeoneelse0001")
    _refused(stack, 403, *other.envelope(other.text_xml("mallory", "商标怎么注册")))


@pytest.mark.parametrize("stamp", [-3600, "²"])
def test_a_stale_or_odd_timestamp_is_refused(stack: Stack, stamp: int | str) -> None:
    query, body = stack.wechat.envelope(stack.wechat.text_xml("mallory", "商标怎么注册"),
                                        timestamp=int(time.time()) + stamp if isinstance(stamp, int) else None)
    if isinstance(stamp, str):
        query["timestamp"] = stamp
    _refused(stack, 403, query, body)


@pytest.mark.parametrize("where", ["envelope", "inside"])
def test_xml_with_entities_is_refused(stack: Stack, where: str) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    if where == "envelope":
        query, body = stack.wechat.envelope(stack.wechat.text_xml("mallory", "商标怎么注册"))
        _refused(stack, 400, query, bomb.encode() + body.replace(b"<ToUserName>", b"<ToUserName>&b;", 1))
    else:
        _refused(stack, 400, *stack.wechat.envelope(bomb + stack.wechat.text_xml("mallory", "&b;")))


def test_an_oversized_body_is_refused(stack: Stack) -> None:
    query, body = stack.wechat.envelope(stack.wechat.text_xml("mallory", "商" * 30_000))
    assert 64 * 1024 < len(body) < 1024 * 1024  # over the callback's limit, under the server's
    _refused(stack, 413, query, body)


def test_a_5_mb_body_is_cut_off_by_the_server(stack: Stack) -> None:
    query, body = stack.wechat.envelope(stack.wechat.text_xml("mallory", "商标怎么注册"))
    with pytest.raises((urllib.error.URLError, ConnectionError)):  # the HTTP server closes the connection over 1 MB
        stack.wechat.post(query, body + b" " * (5 * 1024 * 1024))
    stack.running.settle()
    assert stack.count(InboxMessage) == 0 and stack.double.messages == []


def test_ipbot_run_explains_an_incomplete_or_wrong_wechat_configuration(tmp_path: object) -> None:
    from tests.cli_runner import ipbot

    partial = ipbot("run", env={"IPBOT_WECHAT_APP_ID": APP_ID, "IPBOT_WECHAT_TOKEN": TOKEN})
    assert partial.returncode == 2 and "IPBOT_WECHAT_APP_SECRET" in partial.stderr
    assert "Traceback" not in partial.stderr
    wrong = ipbot("run", env={"IPBOT_WECHAT_APP_ID": APP_ID, "IPBOT_WECHAT_APP_SECRET": "s",
                              "IPBOT_WECHAT_TOKEN": TOKEN, "IPBOT_WECHAT_AES_KEY": "too-short",
                              "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert wrong.returncode == 2 and "EncodingAESKey" in wrong.stderr and "Traceback" not in wrong.stderr
