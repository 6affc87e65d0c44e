"""The Telegram channel end to end: python-telegram-bot's real HTTP path against a Bot API double."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.telegram import split_text
from bot.core.messages import Incoming, Reply
from bot.core.models import QuestionLog
from bot.settings import Settings
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.doubles.telegram_api import TOKEN, TelegramDouble
from tests.helpers import RunningBot, free_port, until, utc_now

STAFF_CHAT = -1001
STAFF_MEMBER = 42
USER = 7001


@dataclass
class Setup:
    double: TelegramDouble
    settings: Settings
    knowledge: KnowledgeService
    sessions: sessionmaker[Session]

    def run(self, limit: int = 20, settings: Settings | None = None) -> RunningBot:
        return RunningBot(settings or self.settings, self.knowledge, limit)


@pytest.fixture
def setup(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str) -> Iterator[Setup]:
    with TelegramDouble() as double:
        settings = Settings(telegram_token=TOKEN, telegram_base_url=double.base_url,
                            telegram_staff_chat=str(STAFF_CHAT), staff=f"telegram:{STAFF_MEMBER}",
                            database_url=database_url, telegram_max_rate=1000,
                            http_listen="127.0.0.1:0")  # the console is served too: any free port
        yield Setup(double, settings, knowledge, sessions)


@pytest.fixture
def bot(setup: Setup) -> Iterator[RunningBot]:
    running = setup.run()
    yield running
    running.stop()


def test_start_shows_the_main_menu_and_commands_are_registered(setup: Setup, bot: RunningBot) -> None:
    setup.double.user_sends(USER, "/start")
    (menu,) = setup.double.wait_for(1, USER)
    assert [label for label, _data in menu.buttons] == ["问政策", "满意度调查", "提醒", "转人工", "我要举报"]
    from handlers.commands import menu_commands

    commands = setup.double.called("setMyCommands")[0]["commands"]
    commands = json.loads(commands) if isinstance(commands, str) else commands
    assert [(c["command"], c["description"]) for c in commands] == menu_commands()  # the command table's


def test_a_question_a_related_question_and_feedback(setup: Setup, bot: RunningBot) -> None:
    d = setup.double
    d.user_sends(USER, "专利质押登记要准备哪些材料")
    (answer,) = d.wait_for(1, USER)
    assert "专利权质押合同" in answer.text and "依据：" in answer.text
    assert "parse_mode" not in answer.params  # plain text: nothing is read as markup
    assert ("sendMessage", "json") in d.body_formats and ("sendMessage", "form") not in d.body_formats
    labels = dict(answer.buttons)
    d.user_presses(USER, answer, labels["专利权质押登记去哪里办理？可以网上办吗？"])
    related = d.wait_for(2, USER)[-1]
    assert "专利业务办理系统" in related.text
    d.user_presses(USER, related, dict(related.buttons)["有用"])
    assert "谢谢反馈" in d.wait_for(3, USER)[-1].text
    with setup.sessions() as session:
        logs = list(session.scalars(select(QuestionLog).order_by(QuestionLog.id)))
    assert [log.feedback for log in logs] == [None, "helpful"]
    assert logs[0].channel == "telegram" and logs[0].user_id == str(USER)


def test_forged_and_stale_buttons_get_a_graceful_answer(setup: Setup, bot: RunningBot) -> None:
    d = setup.double
    d.user_sends(USER, "你好")
    (greeting,) = d.wait_for(1, USER)
    for number, data in enumerate(["f:99999:y", "a:nope", "x" * 64, "", "'; DROP TABLE question_log; --"], start=2):
        d.user_presses(USER, greeting, data)
        assert "失效" in d.wait_for(number, USER)[-1].text
    assert len(d.wait_called("answerCallbackQuery", 5)) == 5


def test_handoff_both_ways_through_the_outbox(setup: Setup) -> None:
    """As `ipbot run` does it: messages for the other side are queued and sent by the dispatcher."""
    from bot.core.outbox import status_counts

    running = setup.run()
    try:
        _handoff_both_ways(setup.double)
    finally:
        running.stop()
    with setup.sessions() as session:  # every message, answers included, went through the outbox
        assert status_counts(session)["sent"] == len(setup.double.sent)


def _handoff_both_ways(d: TelegramDouble) -> None:
    d.user_sends(USER, "商标到期怎么续展", name="李四")
    (answer,) = d.wait_for(1, USER)
    d.user_presses(USER, answer, dict(answer.buttons)["转人工"], name="李四")
    (notice,) = d.wait_for(1, STAFF_CHAT)
    assert "【人工咨询 #1】来自 李四" in notice.text and "商标到期怎么续展" in notice.text
    assert "已为你转接人工" in d.wait_for(2, USER)[-1].text

    d.user_sends(USER, "我们是2016年核准注册的")
    assert "我们是2016年核准注册的" in d.wait_for(2, STAFF_CHAT)[-1].text

    d.user_sends(STAFF_MEMBER, "您的商标今年到期，请尽快续展。", chat_id=STAFF_CHAT, chat_type="supergroup",
                 reply_to=notice)
    assert "工作人员回复：您的商标今年到期" in d.wait_for(3, USER)[-1].text
    assert "已转达" in d.wait_for(3, STAFF_CHAT)[-1].text

    d.user_sends(STAFF_MEMBER, "/end 1", chat_id=STAFF_CHAT, chat_type="supergroup")
    assert "已结束" in d.wait_for(4, USER)[-1].text


def test_staff_commands_refused_and_allowed(setup: Setup, bot: RunningBot) -> None:
    d = setup.double
    d.user_sends(USER, "/stats")
    assert "只对工作人员开放" in d.wait_for(1, USER)[-1].text
    d.user_sends(USER, "/unanswered")
    assert "只对工作人员开放" in d.wait_for(2, USER)[-1].text
    d.user_sends(STAFF_MEMBER, "/stats")
    assert "最近7天：提问0次" in d.wait_for(1, STAFF_MEMBER)[-1].text
    d.user_sends(STAFF_MEMBER, "/unanswered")
    assert "没有待处理的问题" in d.wait_for(2, STAFF_MEMBER)[-1].text


def test_staff_teach_a_declined_question_and_it_is_answered_with_confidence(setup: Setup) -> None:
    from handlers.taught_phrasings import LearnedSource

    question = "我们合作社的牌子被隔壁县的人用了"
    learning = KnowledgeService(overlay=LearnedSource(setup.sessions))
    running = RunningBot(setup.settings, learning)
    d = setup.double
    try:
        d.user_sends(USER, question)
        declined = d.wait_for(1, USER)[-1]
        assert "不太确定" in declined.text and "有用" not in dict(declined.buttons)
        d.user_sends(STAFF_MEMBER, "/unanswered")
        group = next(m for m in d.wait_for(2, STAFF_MEMBER) if question in m.text)
        number = group.text.split("：", 1)[0].removeprefix("编号")
        assert any(label.startswith("归入：") for label, _data in group.buttons)  # the closest entries offered
        d.user_sends(STAFF_MEMBER, f"/teach {number} tm-infringement-what")
        assert "已记住" in d.wait_for(3, STAFF_MEMBER)[-1].text
        d.user_sends(USER, question)
        answer = d.wait_for(2, USER)[-1]
        assert "不太确定" not in answer.text and "有用" in dict(answer.buttons)  # a confident answer
        assert "商标" in answer.text and "依据：" in answer.text
        with setup.sessions() as session:
            last = session.scalars(select(QuestionLog).order_by(QuestionLog.id.desc())).first()
        assert last is not None and last.confident and last.entry_id == "tm-infringement-what"
    finally:
        running.stop()


def test_flood_limit_slows_a_user_down(setup: Setup) -> None:
    running = setup.run(limit=3)
    try:
        d = setup.double
        for _ in range(5):
            d.user_sends(USER, "你好")
        d.user_sends(USER + 1, "你好")
        assert "知识产权服务助手" in d.wait_for(1, USER + 1)[-1].text
        texts = [s.text for s in d.wait_for(4, USER)]
        assert sum("知识产权服务助手" in t for t in texts) == 3 and "太快" in texts[3]
    finally:
        running.stop()
    assert len([s for s in setup.double.sent if s.chat_id == USER]) == 4  # the fifth got no answer


def test_a_restart_in_the_middle_of_a_handoff_loses_nothing(setup: Setup) -> None:
    d = setup.double
    first = setup.run()
    try:
        d.user_sends(USER, "转人工")
        (notice,) = d.wait_for(1, STAFF_CHAT)
    finally:
        first.stop()
    second = setup.run()  # a new process: only the database remembers
    try:
        d.user_sends(STAFF_MEMBER, "您好，请说。", chat_id=STAFF_CHAT, chat_type="supergroup", reply_to=notice)
        assert "工作人员回复：您好，请说。" in d.wait_for(2, USER)[-1].text
        d.user_sends(USER, "想问商标续展")
        assert "想问商标续展" in d.wait_for(3, STAFF_CHAT)[-1].text
    finally:
        second.stop()


def test_in_groups_the_bot_answers_only_when_addressed(setup: Setup, bot: RunningBot) -> None:
    d = setup.double
    group = -2002
    d.user_sends(USER, "大家好，商标到期怎么续展", chat_id=group, chat_type="group")
    d.user_sends(USER, "@ipbot_test_bot 商标到期怎么续展", chat_id=group, chat_type="group")
    answer = d.wait_for(1, group)[0]
    assert "宽展期" in answer.text
    d.user_sends(USER, "/start@other_bot", chat_id=group, chat_type="group")
    d.user_sends(USER, "/help@ipbot_test_bot", chat_id=group, chat_type="group")
    assert "我可以回答这些方面的问题" in d.wait_for(2, group)[-1].text
    assert len([s for s in d.sent if s.chat_id == group]) == 2


def test_long_texts_are_split_under_the_limit() -> None:
    text = "\n".join(f"第{i}行：" + "专利" * 40 for i in range(120))
    pieces = split_text(text)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text
    assert split_text("短") == ["短"]
    assert all(len(p) <= 4096 for p in split_text("字" * 10000))


def _post(url: str, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(update).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_webhook_mode_checks_the_secret_token(setup: Setup) -> None:
    port = free_port()
    settings = setup.settings.model_copy(update={
        "telegram_webhook_url": "https://bot.example.org/tg-hook", "telegram_webhook_secret": "s3cret-Token_1",
        "http_listen": f"127.0.0.1:{port}"})
    running = setup.run(settings=settings)
    try:
        registered = setup.double.called("setWebhook")[0]
        assert registered["url"] == "https://bot.example.org/tg-hook"
        assert registered["secret_token"] == "s3cret-Token_1"

        def update(update_id: int, text: str) -> dict[str, object]:
            return {"update_id": update_id, "message": {
                "message_id": update_id, "date": 0, "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "王五"}, "text": text}}

        url = f"http://127.0.0.1:{port}/tg-hook"
        assert _post(url, update(1, "forged 1"), None) == 403
        assert _post(url, update(2, "forged 2"), "wrong") == 403
        assert _post(url, update(3, "商标到期怎么续展"), "s3cret-Token_1") == 200
        (answer,) = setup.double.wait_for(1, USER)
        assert "宽展期" in answer.text
    finally:
        running.stop()
    assert len([s for s in setup.double.sent if s.chat_id == USER]) == 1


def test_a_webhook_without_a_configured_secret_gets_a_generated_one_and_refuses_forged_staff_commands(
        setup: Setup, sessions: sessionmaker[Session]) -> None:
    port = free_port()
    settings = setup.settings.model_copy(update={
        "telegram_webhook_url": "https://bot.example.org/tg-hook", "telegram_webhook_secret": None,
        "http_listen": f"127.0.0.1:{port}"})
    url = f"http://127.0.0.1:{port}/tg-hook"

    def staff_update(update_id: int, text: str) -> dict[str, object]:
        return {"update_id": update_id, "message": {
            "message_id": update_id, "date": 0, "chat": {"id": STAFF_MEMBER, "type": "private"},
            "from": {"id": STAFF_MEMBER, "is_bot": False, "first_name": "x"}, "text": text}}

    running = setup.run(settings=settings)
    try:
        secret = setup.double.called("setWebhook")[0]["secret_token"]
        assert secret and len(secret) >= 32  # generated, and Telegram was told it
        assert _post(url, staff_update(1, "/survey_open FORGED-WAVE"), None) == 403
        assert _post(url, staff_update(2, "/stats"), "") == 403
        assert _post(url, staff_update(3, "/stats"), "guess") == 403
        assert _post(url, staff_update(4, "/help"), secret) == 200
        setup.double.wait_for(1, STAFF_MEMBER)  # the genuine update is answered; the forged ones never were
    finally:
        running.stop()
    from bot.core.models import SurveyWave
    with sessions() as session:
        assert session.scalars(select(SurveyWave)).all() == []
    assert not any("问答统计" in s.text for s in setup.double.sent)
    running = setup.run(settings=settings)  # a restart keeps the same secret: Telegram's calls still pass
    try:
        assert setup.double.called("setWebhook")[-1]["secret_token"] == secret
    finally:
        running.stop()


@pytest.mark.parametrize("body", [
    b'{"update_id": 1e400}', b"[" * 100_000 + b"]" * 100_000, b"not json", b'"text"',
    b'{"update_id": 5, "message": {"chat": {"id": 1}, "from": {}, "text": "hi"}}',
    b'{"update_id": 6, "callback_query": {"id": "q", "data": "m:0", "from": {}}}',
    b'{"update_id": 7, "callback_query": {"id": "q", "data": "m:0", "from": {"id": 1}, "message": {"chat": {}}}}'])
def test_a_malformed_webhook_update_is_refused_with_400_and_nothing_stored(setup: Setup, body: bytes,
                                                                          sessions: sessionmaker[Session]) -> None:
    port = free_port()
    settings = setup.settings.model_copy(update={
        "telegram_webhook_url": "https://bot.example.org/tg-hook", "telegram_webhook_secret": "s3cret-Token_1",
        "http_listen": f"127.0.0.1:{port}"})
    running = setup.run(settings=settings)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/tg-hook", data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
    finally:
        running.stop()
    from bot.core.models import InboxMessage
    with sessions() as session:
        assert session.scalars(select(InboxMessage)).all() == []


def test_the_whole_survey_through_telegram_then_the_report(setup: Setup) -> None:
    running = setup.run(settings=setup.settings.model_copy(update={"survey_salt": "pepper"}))
    d = setup.double
    try:
        d.user_sends(STAFF_MEMBER, "/survey_open 2026Q4")
        assert "已开启调查" in d.wait_for(1, STAFF_MEMBER)[-1].text
        for person in range(5):
            user = USER + 10 + person
            d.user_sends(user, "/start")
            count = 1
            last = d.wait_for(count, user)[-1]
            for label in ["满意度调查", "同意", "权利人（个人）", "温泉县", *["非常满意"] * 12, "跳过"]:
                d.user_presses(user, last, dict(last.buttons)[label])
                count += 1
                last = d.wait_for(count, user)[-1]
            assert "调查完成" in last.text
        d.user_sends(STAFF_MEMBER, "/report")
        summary = d.wait_for(2, STAFF_MEMBER)[-1]
        assert "5份答卷" in summary.text and "指数 100" in summary.text
        until(lambda: d.photos, what="the report's chart")
        assert d.photos[0][0] == STAFF_MEMBER and d.photos[0][1].startswith(b"\x89PNG")
        assert ("sendPhoto", "multipart") in d.body_formats  # uploads stay multipart; all else is JSON
        assert {fmt for method, fmt in d.body_formats if method != "sendPhoto"} == {"json"}
    finally:
        running.stop()


def test_a_reminder_is_delivered_through_the_outbox(setup: Setup) -> None:

    from scheduler import reminders

    with setup.sessions.begin() as session:
        reminders.add(session, "商标续展截止还有30天", [f"telegram:{USER}"], utc_now(), None, now=utc_now())
    running = setup.run()
    try:
        (message,) = setup.double.wait_for(1, USER)
        assert message.text == "商标续展截止还有30天"
    finally:
        running.stop()


def test_a_reminder_falling_due_while_running_is_sent_on_time(setup: Setup) -> None:

    from scheduler import reminders

    running = setup.run()
    try:
        with setup.sessions.begin() as session:
            soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
            reminders.add(session, "宣传周筹备会", [f"telegram:{USER}"], soon, None, now=utc_now())
        (message,) = setup.double.wait_for(1, USER, timeout=20)
        assert message.text == "宣传周筹备会"  # not marked late
    finally:
        running.stop()


def test_a_429_storm_loses_nothing_and_sends_nothing_twice(setup: Setup) -> None:

    from bot.core.outbox import status_counts
    from scheduler import reminders

    setup.double.throttle, setup.double.retry_after = 6, 1
    with setup.sessions.begin() as session:
        for n in range(8):
            reminders.add(session, f"提醒{n}", [f"telegram:{USER + n}"], dt.datetime.now(dt.UTC), None, now=utc_now())
    running = setup.run()
    try:
        for n in range(8):
            assert [s.text for s in setup.double.wait_for(1, USER + n, timeout=60)] == [f"提醒{n}"]
    finally:
        running.stop()
    assert setup.double.throttled == 6
    assert len(setup.double.sent) == 8
    with setup.sessions() as session:
        assert status_counts(session)["sent"] == 8


def test_the_keyboard_sent_is_what_python_telegram_bot_would_send() -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.channels.telegram import keyboard_fields
    from bot.core.messages import Button, Reply

    reply = Reply("答复", ((Button("专利权质押登记去哪里办理？", "a:pledge-where"),),
                         (Button("有用", "f:12:y"), Button("没用", "f:12:n")), (Button("转人工", "h:12"),)))
    ptb = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row]
                                for row in reply.buttons])
    assert keyboard_fields(reply) == {"reply_markup": ptb.to_dict()}
    assert keyboard_fields(Reply("没有按钮")) is None


def test_one_chat_is_answered_in_order_while_other_chats_go_alongside(setup: Setup, database_url: str) -> None:
    """A slow answer holds back the same person's next message; on PostgreSQL never another person's (the
    embedded database takes one writer at a time, so there a slow answer holds everyone)."""
    started, release = threading.Event(), threading.Event()

    def slow(_router: Router, _session: Session, incoming: Incoming) -> list[Reply]:
        if incoming.text == "慢":
            started.set()
            assert release.wait(60)
        return [Reply(f"答：{incoming.text}")]

    running = RunningBot(setup.settings, setup.knowledge, answer=slow)
    d = setup.double
    try:
        d.user_sends(USER, "慢")
        assert started.wait(30)
        d.user_sends(USER, "然后")
        d.wait_handed_out(d.user_sends(USER + 1, "别人"))  # both taken while the slow answer still works
        if not database_url.startswith("sqlite"):
            assert [m.text for m in d.wait_for(1, USER + 1, timeout=30)] == ["答：别人"]  # not held back
            assert [m.chat_id for m in d.sent] == [USER + 1]
        release.set()
        d.wait_for(3, timeout=30)
        assert [m.text for m in d.sent if m.chat_id == USER] == ["答：慢", "答：然后"]  # the same chat in order
    finally:
        release.set()
        running.stop()
