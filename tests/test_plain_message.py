"""The common case on the driver (handlers/plain_message.py) keeps every promise of the full path: the same
question-log rows, the same hand-over to handoffs and surveys, one flood count, an apology on failure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.driver_sql import DriverStatement
from bot.models import QuestionLog
from handlers import question_log, survey_definition
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from handlers.texts import ask as ask_text
from handlers.texts import general
from handlers.types import Incoming
from knowledge.service import KnowledgeService
from tests.conftest import Person

QUESTION = "专利质押登记要准备哪些材料"


def _rows(sessions: sessionmaker[Session]) -> list[QuestionLog]:
    with sessions() as session:
        return list(session.scalars(select(QuestionLog).order_by(QuestionLog.id)))


def test_the_driver_writes_the_row_the_orm_path_writes(router: Router, sessions: sessionmaker[Session]) -> None:
    assert router.plain is not None
    before = dt.datetime.now(dt.UTC)
    (answer,) = router.handle(Incoming("telegram", "7", "7", text=QUESTION))
    with sessions.begin() as session:  # the same question logged through the ORM session
        result = router.knowledge.engine.search(QUESTION)
        question_log.log_question(session, Incoming("telegram", "7", "7", text=QUESTION), QUESTION, result)
    fast, orm = _rows(sessions)
    columns = [c for c in question_log.COLUMNS if c != "created_at"]
    assert {c: getattr(fast, c) for c in columns} == {c: getattr(orm, c) for c in columns}
    assert fast.confident and fast.topic and fast.entry_id and fast.reason == "ok"
    assert fast.created_at.tzinfo is not None and before <= fast.created_at <= orm.created_at
    assert f"f:{fast.id}:y" in answer.payloads()  # the feedback buttons name the row just written
    person = Person(router, "7", "telegram")
    person.sends_payload(f"f:{fast.id}:y")
    assert _rows(sessions)[0].feedback == "helpful"


def test_a_person_in_a_handoff_is_relayed_not_answered(person: Person, sessions: sessionmaker[Session]) -> None:
    person.says("转人工")
    replies = person.says(QUESTION)
    assert QUESTION in person.to_staff and "依据：" not in person.text
    assert len(replies) == 1
    assert [row.text for row in _rows(sessions)] == []  # relayed messages are not questions to the bot


def test_a_person_mid_survey_keeps_their_place(knowledge: KnowledgeService,
                                               sessions: sessionmaker[Session]) -> None:
    router = Router(knowledge, sessions, staff_ids=frozenset({"console:boss"}),
                    survey_definition=survey_definition.load())
    Person(router, "boss").says("/survey_open 2026Q4")
    person = Person(router, "u9")
    person.says("/survey")
    person.presses("同意")
    person.says("这个怎么填")  # not a question the bot can answer: the survey asks again
    assert person.labels and "权利人（个人）" in person.labels


def test_a_handoff_request_in_words_opens_one(person: Person) -> None:
    person.says("我要找人工")
    assert "转接人工" in person.text and "【人工咨询 #1】" in person.to_staff


def test_flood_control_counts_each_message_once_whichever_path(knowledge: KnowledgeService,
                                                               sessions: sessionmaker[Session]) -> None:
    router = Router(knowledge, sessions, rate_limiter=RateLimiter(limit=3, window=60))
    person = Person(router)
    person.says("转人工")  # 1: the full path (opens a handoff)
    person.says("第一句")  # 2 and 3: relayed to staff on the full path
    person.says("第二句")
    person.says("第三句")
    assert person.text == general.SLOW_DOWN
    other = Person(router, "u2")
    for n in range(3):  # the driver's path counts the same way
        other.says(f"{QUESTION}{n}")
    other.says(QUESTION)
    assert other.text == general.SLOW_DOWN


def test_a_failure_on_the_driver_is_an_apology_and_writes_nothing(router: Router,
                                                                  sessions: sessionmaker[Session]) -> None:
    assert router.plain is not None
    dialect = router.plain.engine.dialect
    router.plain._insert_question = DriverStatement(text("INSERT INTO no_such_table VALUES (1)"), dialect)
    person = Person(router)
    person.says(QUESTION)
    assert person.text == ask_text.ERROR
    assert _rows(sessions) == []
    person.says("你好")  # the connection went back to the pool in good order: the next message is fine
    assert person.text and person.text != ask_text.ERROR


def test_a_statement_without_its_values_is_refused_by_name(router: Router) -> None:
    assert router.plain is not None
    statement = router.plain._open_handoff
    with pytest.raises(KeyError, match="user_id"):
        statement.params({"channel": "telegram"})
    with pytest.raises(KeyError, match="chanel"):
        statement.params({"chanel": "telegram", "user_id": "1"})


def test_first_never_waits_for_a_busy_database(tmp_path: Path, knowledge: KnowledgeService) -> None:
    """On SQLite, while another message holds the database (a worker thread building /report, say), `first`
    hands the message on at once instead of holding up the channel's event loop; `rest` then answers it."""
    import threading

    from bot.db import open_database

    engine, sessions = open_database(f"sqlite:///{tmp_path}/busy.db")
    router = Router(knowledge, sessions, one_writer=True)
    incoming = Incoming("telegram", "7", "7", text=QUESTION)
    assert router.first(incoming) is not None  # free: answered at once
    holding, release = threading.Event(), threading.Event()

    def busy() -> None:
        assert router._writer is not None
        with router._writer:
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        assert holding.wait(5)
        assert router.first(incoming) is None
    finally:
        release.set()
        worker.join()
    (answer,) = router.rest(incoming)
    assert "依据：" in answer.text
    engine.dispose()
