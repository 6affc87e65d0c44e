"""WeCom end to end: WeCom's side posts encrypted callbacks to the bot's /wecom/callback (the same HTTP server
`ipbot run` starts), the bot answers through a WeCom API double; questions, the survey with card buttons,
reminders, handoff through the staff group's robot; everything WeCom's rules say to refuse is refused with
nothing processed."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import App, build_app
from bot.channels.wecom import render, split_bytes
from bot.core.messages import Button, Reply
from bot.core.models import QuestionLog, SurveyResponse
from knowledge.service import KnowledgeService
from scheduler import reminders
from tests.doubles.wecom_api import CORP_ID, TOKEN, AppMessage, WeComDouble, WeComServer
from tests.helpers import RunningApp, utc_now, wecom_settings

OPTIONS = ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解"]


@dataclass
class Stack:
    double: WeComDouble
    wecom: WeComServer
    sessions: sessionmaker[Session]
    running: RunningApp

    def questions(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(QuestionLog)) or 0)

    def answered_later(self, user: str) -> list[AppMessage]:
        """The member sends one more message and it is answered: whatever their earlier messages caused
        was sent before that (one chat's messages go in order). What the member got before it."""
        picture = self.wecom.text_xml(user, "x").replace("<MsgType><![CDATA[text]]>", "<MsgType><![CDATA[image]]>")
        assert self.wecom.post(*self.wecom.envelope(picture)).status == 200
        answer = self.double.wait_for_text(user, "只能处理文字", timeout=30)
        mine = [m for m in self.double.messages if m.touser == user]
        return mine[:mine.index(answer)]


@pytest.fixture
def stack(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str) -> Iterator[Stack]:
    with WeComDouble() as double:
        settings = wecom_settings(double, database_url)
        running = RunningApp(settings.model_copy(update={"survey_salt": "pepper"}), knowledge)
        try:
            yield Stack(double, WeComServer(f"http://127.0.0.1:{running.port}/wecom/callback"), sessions, running)
        finally:
            running.stop()


def _click(stack: Stack, user: str, message: AppMessage, label: str) -> None:
    keys = dict(message.buttons)
    assert label in keys, f"{label} not among {list(keys)}"
    assert stack.wecom.clicks(user, keys[label]).status == 200


# ---- rendering ---------------------------------------------------------------------------------------
def test_texts_are_split_under_2048_bytes_without_breaking_characters() -> None:
    long = ("专利权质押登记需要提交申请表、主合同和质押合同。" * 40 + "\n") * 3
    pieces = split_bytes(long)
    assert len(pieces) > 1 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "".join(pieces).replace("\n", "") == long.replace("\n", "")


def test_buttons_become_cards_of_six_and_long_labels_are_listed_in_full() -> None:
    buttons = tuple((Button(f"选项{n}", f"k:{n}"),) for n in range(8))
    messages = render(Reply("请选择一个", buttons))
    assert [m["msgtype"] for m in messages] == ["template_card", "template_card"]
    assert messages[0]["template_card"]["sub_title_text"] == "请选择一个"
    assert [len(m["template_card"]["button_list"]) for m in messages] == [6, 2]
    long = render(Reply("答案" * 100, ((Button("专利权质押登记去哪里办理？可以网上办吗？", "r:1"),),)))
    assert [m["msgtype"] for m in long] == ["text", "template_card"]
    assert long[1]["template_card"]["button_list"][0]["text"] == "专利权质押登记去哪…"  # 10 characters
    assert "专利权质押登记去哪里办理？可以网上办吗？" in long[1]["template_card"]["sub_title_text"]


# ---- end to end --------------------------------------------------------------------------------------
def test_the_url_check_echoes_the_decrypted_string(stack: Stack) -> None:
    echostr = stack.wecom.crypto.encrypt("1616140317555161061")
    query, _ = stack.wecom.envelope("")
    query = {**query, "echostr": echostr}
    from bot.channels.wecom_crypto import signature

    query["msg_signature"] = signature(TOKEN, query["timestamp"], query["nonce"], echostr)
    answer = stack.wecom.get(query)
    assert (answer.status, answer.body) == (200, "1616140317555161061")
    assert stack.wecom.get({**query, "msg_signature": "0" * 40}).status == 403


def test_a_question_is_answered_and_the_card_buttons_work(stack: Stack) -> None:
    started = time.monotonic()
    answer = stack.wecom.says("zhangsan", "商标到期了怎么续展")
    assert answer.status == 200 and answer.body == "" and time.monotonic() - started < 5  # within WeCom's wait
    text, buttons = stack.double.wait_for(2, "zhangsan")
    assert "宽展期" in text.text and "依据：" in text.text
    assert buttons.msgtype == "template_card" and "有用" in dict(buttons.buttons)
    _click(stack, "zhangsan", buttons, "有用")
    assert "谢谢反馈" in stack.double.wait_for(3, "zhangsan")[-1].text
    with stack.sessions() as session:
        logged = session.scalars(select(QuestionLog)).one()
    assert (logged.channel, logged.user_id, logged.feedback) == ("wecom", "zhangsan", "helpful")


def test_the_access_token_is_cached_and_refreshed_when_wecom_says_it_expired(stack: Stack) -> None:
    stack.wecom.says("lisi", "商标怎么注册")
    stack.double.wait_for_text("lisi", "商标")
    stack.wecom.says("lisi", "地理标志怎么申请")
    stack.double.wait_for_text("lisi", "地理标志")
    assert stack.double.token_fetches == 1
    stack.double.expire_token()
    stack.wecom.says("lisi", "专利年费忘了交怎么办")
    stack.double.wait_for_text("lisi", "滞纳金")
    assert stack.double.token_fetches == 2 and "access_token expired" in stack.double.rejected


def test_the_whole_survey_with_card_buttons(stack: Stack) -> None:
    assert stack.wecom.says("boss", "/survey_open 2026Q4").status == 200
    assert "已开启调查" in stack.double.wait_for(1, "boss")[0].text
    user = "wangwu"
    stack.wecom.says(user, "/survey")
    seen = 0
    for label in ["同意", "权利人（企业）", "精河县", *["满意"] * 12, "跳过"]:
        while True:  # the next card (a step may also send a text of its own)
            seen += 1
            step = stack.double.wait_for(seen, user)[-1]
            if step.msgtype == "template_card":
                break
        _click(stack, user, step, label)
    stack.double.wait_for_text(user, "调查完成")
    with stack.sessions() as session:
        response = session.scalars(select(SurveyResponse)).one()
    assert response.step == "done" and response.county == "精河县" and len(response.answers) == 12
    assert stack.double.dropped == []  # never over WeCom's 30 a minute to one member


def test_a_reminder_reaches_a_member_and_the_staff_group_robot(stack: Stack) -> None:
    with stack.sessions.begin() as session:
        now = dt.datetime.now(dt.UTC)
        reminders.add(session, "商标续展截止还有30天", ["wecom:zhaoliu"], now, None, now=utc_now())
        reminders.add(session, "宣传周筹备会", ["staff:wecom"], now, None, needs_ack=True, now=utc_now())
    (reminder,) = stack.double.wait_for(1, "zhaoliu")
    assert reminder.text == "商标续展截止还有30天"
    (group,) = stack.double.wait_for_robot(1)
    assert group["msgtype"] == "text" and "宣传周筹备会" in group["text"]["content"]


def test_handoff_goes_to_the_staff_robot_and_staff_answer_through_the_app(stack: Stack) -> None:
    stack.wecom.says("zhaoliu", "转人工")
    (notice,) = stack.double.wait_for_robot(1)
    number = notice["text"]["content"].split("#")[1].split("】")[0]
    stack.wecom.says("boss", f"/reply {number} 您好，请带上营业执照来窗口办理。")
    stack.double.wait_for_text("zhaoliu", "营业执照")
    stack.double.wait_for_text("boss", "已转达")


# ---- refused, with nothing processed -----------------------------------------------------------------
def _refused(stack: Stack, status: int, query: dict[str, str], body: bytes) -> None:
    answer = stack.wecom.post(query, body)
    assert answer.status == status, answer
    assert stack.answered_later("mallory") == []
    assert stack.questions() == 0 and {m.touser for m in stack.double.messages} == {"mallory"}


def test_a_bad_signature_is_refused(stack: Stack) -> None:
    query, body = stack.wecom.envelope(stack.wecom.text_xml("mallory", "商标怎么注册"))
    _refused(stack, 403, {**query, "msg_signature": "f" * 40}, body)


def test_a_message_for_another_corp_is_refused(stack: Stack) -> None:
    other = WeComServer(stack.wecom.url, corp_id="wwsomeoneelse0001")
    _refused(stack, 403, *other.envelope(other.text_xml("mallory", "商标怎么注册")))


def test_tampered_ciphertext_is_refused(stack: Stack) -> None:
    _refused(stack, 403, *stack.wecom.envelope(stack.wecom.text_xml("mallory", "商标怎么注册"), tamper=True))


def test_an_oversized_body_is_refused(stack: Stack) -> None:
    query, body = stack.wecom.envelope(stack.wecom.text_xml("mallory", "商" * 30_000))
    assert len(body) > 64 * 1024
    _refused(stack, 413, query, body)


@pytest.mark.parametrize("where", ["envelope", "inside"])
def test_xml_with_entities_is_refused(stack: Stack, where: str) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    if where == "envelope":
        query, body = stack.wecom.envelope(stack.wecom.text_xml("mallory", "商标怎么注册"))
        _refused(stack, 400, query, bomb.encode() + body.replace(b"<AgentID>", b"<AgentID>&b;", 1))
    else:
        _refused(stack, 400, *stack.wecom.envelope(bomb + stack.wecom.text_xml("mallory", "&b;")))


def test_a_stale_timestamp_is_refused(stack: Stack) -> None:
    old = int(time.time()) - 3600
    _refused(stack, 403, *stack.wecom.envelope(stack.wecom.text_xml("mallory", "商标怎么注册"), timestamp=old))


def test_a_replayed_msgid_is_processed_once(stack: Stack) -> None:
    for _attempt in range(3):  # WeCom's retries, or a replay
        assert stack.wecom.says("zhangsan", "商标怎么注册", msg_id=777).status == 200
    before = stack.answered_later("zhangsan")
    assert stack.questions() == 1
    assert len([m for m in before if m.msgtype == "text"]) == 1


def test_a_replayed_click_is_processed_once(stack: Stack) -> None:
    query, body = stack.wecom.envelope(stack.wecom.click_xml("zhangsan", "m"))
    for _attempt in range(2):
        assert stack.wecom.post(query, body).status == 200
    assert len(stack.answered_later("zhangsan")) == 1


def test_non_text_messages_get_a_clear_answer(stack: Stack) -> None:
    image = stack.wecom.text_xml("zhangsan", "x").replace("<MsgType><![CDATA[text]]>", "<MsgType><![CDATA[image]]>")
    assert stack.wecom.post(*stack.wecom.envelope(image)).status == 200
    assert "只能处理文字" in stack.double.wait_for(1, "zhangsan")[0].text


def test_both_channels_share_one_http_server(knowledge: KnowledgeService, sessions: sessionmaker[Session],
                                             database_url: str) -> None:
    import json
    import urllib.request

    from tests.doubles.telegram_api import TOKEN as TELEGRAM_TOKEN
    from tests.doubles.telegram_api import TelegramDouble

    with WeComDouble() as double, TelegramDouble() as telegram:
        settings = wecom_settings(double, database_url, telegram_token=TELEGRAM_TOKEN,
                                  telegram_base_url=telegram.base_url, telegram_webhook_secret="s3cret",
                                  telegram_webhook_url="https://bot.example.org/tg-hook")
        running = RunningApp(settings, knowledge)
        assert running.app.channel_names == ["telegram", "wecom"]
        try:
            port = running.port
            update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 77, "type": "private"},
                                                  "from": {"id": 77, "is_bot": False, "first_name": "王五"},
                                                  "text": "商标到期怎么续展"}}
            request = urllib.request.Request(f"http://127.0.0.1:{port}/tg-hook", data=json.dumps(update).encode(),
                                             headers={"Content-Type": "application/json",
                                                      "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
            wecom = WeComServer(f"http://127.0.0.1:{port}/wecom/callback")
            assert wecom.says("zhangsan", "商标到期怎么续展").status == 200
            assert "宽展期" in telegram.wait_for(1, 77)[0].text
            double.wait_for_text("zhangsan", "宽展期")
        finally:
            running.stop()


def test_ipbot_run_explains_an_incomplete_or_wrong_wecom_configuration(tmp_path: object) -> None:
    from tests.cli_runner import ipbot

    partial = ipbot("run", env={"IPBOT_WECOM_CORP_ID": CORP_ID, "IPBOT_WECOM_TOKEN": TOKEN})
    assert partial.returncode == 2 and "IPBOT_WECOM_AES_KEY" in partial.stderr and "Traceback" not in partial.stderr
    wrong = ipbot("run", env={"IPBOT_WECOM_CORP_ID": CORP_ID, "IPBOT_WECOM_AGENT_ID": "1", "IPBOT_WECOM_SECRET": "s",
                              "IPBOT_WECOM_TOKEN": TOKEN, "IPBOT_WECOM_AES_KEY": "too-short",
                              "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert wrong.returncode == 2 and "EncodingAESKey" in wrong.stderr and "Traceback" not in wrong.stderr


def test_the_report_in_wecom_comes_with_its_chart(stack: Stack) -> None:
    stack.wecom.says("boss", "/survey_open 2026Q4")
    stack.double.wait_for_text("boss", "已开启调查")
    stack.wecom.says("boss", "/report")
    assert "指数" in stack.double.wait_for_text("boss", "满意度调查：").text  # the summary
    (*_, chart) = stack.double.wait_for(3, "boss")
    assert chart.msgtype == "image"
    assert stack.double.media[chart.body["media_id"]].startswith(b"\x89PNG")


def test_the_staff_group_robot_gets_pictures_as_base64() -> None:
    from bot.channels.wecom import render_for_robot

    (caption, picture) = render_for_robot(Reply("本期报告", image=b"\x89PNG-chart", file_name="report.png"))
    assert caption["text"]["content"] == "本期报告" and picture["msgtype"] == "image"
    import base64
    import hashlib

    assert base64.b64decode(picture["image"]["base64"]) == b"\x89PNG-chart"
    assert picture["image"]["md5"] == hashlib.md5(b"\x89PNG-chart").hexdigest()


def test_callback_ids_are_forgotten_after_a_week(stack: Stack) -> None:
    from bot.core.messages import Incoming
    from bot.core.models import InboxMessage

    now = dt.datetime.now(dt.UTC)
    with stack.sessions.begin() as session:
        for key, age in (("msg:old", 8), ("msg:recent", 1)):
            session.add(InboxMessage(channel="wecom", key=key, status="done", received_at=now - dt.timedelta(days=age),
                                     incoming=Incoming("wecom", "u", "u", text="x").to_json()))
    stack.running.app.jobs.daily_upkeep()
    with stack.sessions() as session:
        assert sorted(session.scalars(select(InboxMessage.key))) == ["msg:recent"]


def test_two_instances_take_the_same_callback_in_once(knowledge: KnowledgeService, database_url: str) -> None:
    """WeCom's retry may reach another instance: the inbox's key decides who takes it in."""
    from bot.channels.wecom import WeComCallback

    with WeComDouble() as double:
        settings = wecom_settings(double, database_url)
        first, second = build_app(settings, knowledge), build_app(settings, knowledge)
        server = WeComServer("http://unused")
        query, body = server.envelope(server.text_xml("zhangsan", "商标怎么注册", msg_id=4242))
        answer = WeComCallback(settings).receive(query, body)
        assert answer.incoming is not None
        barrier = threading.Barrier(2)
        stored: list[int] = []

        def take(app: App) -> None:
            barrier.wait()
            assert answer.incoming is not None
            stored.append(len(app.pipeline.store("wecom", [(answer.key, answer.incoming)])))

        threads = [threading.Thread(target=take, args=(app,)) for app in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for app in (first, second):
            app.router.sessions.kw["bind"].dispose()
    assert sorted(stored) == [0, 1]


def test_the_apps_menu_comes_from_the_command_table_and_its_clicks_work(stack: Stack) -> None:
    from handlers.commands import app_menu_commands

    names = [b["name"] for b in stack.double.menu]
    assert names == ["问政策", "满意度调查", "更多"]
    labels = [label for label, _name in app_menu_commands()]
    assert [b["name"] for b in stack.double.menu[2]["sub_button"]] == labels[2:] == ["我要举报", "转人工", "帮助",
                                                                                     "我的期限"]
    ask = stack.double.menu[0]["key"]
    assert stack.wecom.post(*stack.wecom.envelope(stack.wecom.menu_xml("zhangsan", ask))).status == 200
    categories = stack.double.wait_for(1, "zhangsan")[0]
    assert categories.msgtype == "template_card" and "商标" in " ".join(label for label, _key in categories.buttons)
    human = stack.double.menu[2]["sub_button"][1]["key"]
    assert stack.wecom.post(*stack.wecom.envelope(stack.wecom.menu_xml("zhangsan", human))).status == 200
    assert "已为你转接人工" in str(stack.double.wait_for(2, "zhangsan")[-1].body)  # the menu's 转人工 opens a handoff
