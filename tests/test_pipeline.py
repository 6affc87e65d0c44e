"""The pipeline: stored once per platform key, handled in order, one bad message costs only itself, and what
a crash left pending is handled at the next start."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import build_app
from bot.core.messages import Address, Incoming
from bot.core.models import InboxMessage, OutboxMessage, QuestionLog
from bot.settings import Settings
from handlers.texts import ask as ask_text
from knowledge.service import KnowledgeService


def _app(database_url: str, knowledge: KnowledgeService):  # type: ignore[no-untyped-def]
    return build_app(Settings(database_url=database_url), knowledge)


def _said(sessions: sessionmaker[Session], chat: str) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage.text).where(OutboxMessage.chat_id == chat)
                                    .order_by(OutboxMessage.id)))


def test_a_platform_key_is_stored_once(database_url: str, knowledge: KnowledgeService) -> None:
    app = _app(database_url, knowledge)
    incoming = Incoming("telegram", "1", "1", text="商标怎么注册")
    assert len(app.pipeline.store("telegram", [("100", incoming), ("100", incoming)])) == 1
    assert app.pipeline.store("telegram", [("100", incoming)]) == []  # a redelivery
    assert len(app.pipeline.store("wecom", [("100", incoming)])) == 1  # keys are per channel
    app.router.sessions.kw["bind"].dispose()


def test_one_failing_message_gets_an_apology_and_the_others_their_answers(
        database_url: str, knowledge: KnowledgeService) -> None:
    app = _app(database_url, knowledge)
    plain = app.router.answer

    def answer(session: Session, incoming: Incoming):  # type: ignore[no-untyped-def]
        replies = plain(session, incoming)  # the question is logged ...
        if incoming.text == "商标到期了怎么续展":
            raise RuntimeError("boom")  # ... and then something breaks
        return replies

    app.router.answer = answer  # type: ignore[method-assign]
    texts = ["专利年费怎么交", "商标到期了怎么续展", "怎么注册商标"]
    rows = app.pipeline.store("terminal", [(str(n), Incoming("terminal", f"u{n}", f"u{n}", text=text))
                                          for n, text in enumerate(texts)])
    assert app.pipeline.handle([row_id for row_id, _ in rows]) == 3
    sessions = app.router.sessions
    assert "年费" in _said(sessions, "u0")[0] and "商标" in _said(sessions, "u2")[0]
    assert _said(sessions, "u1") == [ask_text.ERROR]
    with sessions() as session:
        logged = set(session.scalars(select(QuestionLog.user_id)))
        pending = session.scalar(select(func.count()).select_from(InboxMessage)
                                 .where(InboxMessage.status == "pending"))
    assert logged == {"u0", "u2"} and pending == 0  # the failed one's changes were rolled back
    sessions.kw["bind"].dispose()


def test_what_a_crash_left_pending_is_handled_in_order_at_the_next_start(
        database_url: str, knowledge: KnowledgeService) -> None:
    crashed = _app(database_url, knowledge)
    crashed.pipeline.store("terminal", [(str(n), Incoming("terminal", "u", "u", text=text))
                                       for n, text in enumerate(["/start", "商标怎么注册"])])
    crashed.router.sessions.kw["bind"].dispose()  # it died before handling them
    restarted = _app(database_url, knowledge)

    async def recover() -> int:
        count = await restarted.pipeline.recover()
        await restarted.pipeline.close()
        return count

    assert asyncio.run(recover()) == 2
    said = _said(restarted.router.sessions, "u")
    assert "知识产权服务助手" in said[0] and "商标" in said[1]
    with restarted.router.sessions() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert all(row.answer and (row.channel, row.chat_id) == ("terminal", "u") for row in rows)
    assert Address("terminal", "u") == Incoming("terminal", "u", "u").address
    restarted.router.sessions.kw["bind"].dispose()


def test_a_batch_redone_after_a_failure_counts_each_message_once_for_flood_control(
        database_url: str, knowledge: KnowledgeService) -> None:
    from handlers.rate_limit import RateLimiter

    app = _app(database_url, knowledge)
    app.router.rate_limiter = RateLimiter(limit=3, window=60)
    plain = app.router.answer

    def answer(session: Session, incoming: Incoming):  # type: ignore[no-untyped-def]
        if incoming.text == "商标到期了怎么续展":
            raise RuntimeError("boom")
        return plain(session, incoming)

    app.router.answer = answer  # type: ignore[method-assign]
    texts = ["专利年费怎么交", "怎么注册商标", "商标到期了怎么续展"]  # three messages: within the limit of 3
    rows = app.pipeline.store("terminal", [(str(n), Incoming("terminal", "u", "u", text=text))
                                          for n, text in enumerate(texts)])
    assert app.pipeline.handle([row_id for row_id, _ in rows]) == 3  # the batch fails and is redone one by one
    said = _said(app.router.sessions, "u")
    assert len(said) == 3 and not any("太快" in text for text in said)
    assert "年费" in said[0] and "商标" in said[1] and said[2] == ask_text.ERROR
    app.router.sessions.kw["bind"].dispose()
