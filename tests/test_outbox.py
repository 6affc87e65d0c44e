"""The delivery outbox: queued once, sent and marked once, retried with backoff, parked when hopeless."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.delivery import PermanentFailure, TemporaryFailure
from bot.core.messages import Address, Button, Reply, StaffChat, Target
from bot.core.models import OutboxMessage
from bot.core.outbox import Dispatcher, claim, enqueue, status_counts
from tests.conftest import PG_URL

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


class Recorder:
    """A channel that records what it was asked to send, failing on cue."""

    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.sent: list[tuple[str, Reply]] = []
        self.failures = list(failures or [])

    async def send(self, to: Target, reply: Reply) -> None:
        chat_id = to.chat if isinstance(to, Address) else "staff"
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, reply))


def _queue(sessions: sessionmaker[Session], key: str | None = "r1@2026-11-25T09:00", n: int = 1) -> None:
    with sessions.begin() as session:
        for i in range(n):
            enqueue(session, Address("telegram", f"chat{i}"), Reply("商标续展提醒", ((Button("已办", "ack:1"),),)),
                    key=None if key is None else f"{key}#{i}", due=NOW)


def test_the_same_key_is_queued_once(sessions: sessionmaker[Session]) -> None:
    _queue(sessions)
    with sessions.begin() as session:
        again = enqueue(session, Address("telegram", "chat0"), Reply("商标续展提醒"), key="r1@2026-11-25T09:00#0",
                        due=NOW)
    assert again is None
    with sessions() as session:
        assert status_counts(session)["pending"] == 1


def test_sent_and_marked_exactly_once(sessions: sessionmaker[Session]) -> None:
    _queue(sessions, n=3)
    channel = Recorder()
    dispatcher = Dispatcher(sessions, {"telegram": channel})
    assert asyncio.run(dispatcher.run_once(NOW)) == 3
    assert asyncio.run(dispatcher.run_once(NOW + dt.timedelta(hours=1))) == 0
    assert [chat for chat, _reply in channel.sent] == ["chat0", "chat1", "chat2"]
    assert channel.sent[0][1].buttons[0][0] == Button("已办", "ack:1")
    with sessions() as session:
        assert status_counts(session) == {"pending": 0, "sending": 0, "sent": 3, "failed": 0, "dead": 0}


def test_not_sent_before_it_is_due(sessions: sessionmaker[Session]) -> None:
    _queue(sessions)
    channel = Recorder()
    assert asyncio.run(Dispatcher(sessions, {"telegram": channel}).run_once(NOW - dt.timedelta(minutes=1))) == 0
    assert channel.sent == []


def test_retry_after_is_honoured_then_delivered(sessions: sessionmaker[Session]) -> None:
    _queue(sessions)
    channel = Recorder([TemporaryFailure("429 Too Many Requests", retry_after=7)])
    dispatcher = Dispatcher(sessions, {"telegram": channel})
    asyncio.run(dispatcher.run_once(NOW))
    with sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.attempts) == ("pending", 1) and "429" in (row.last_error or "")
        assert status_counts(session)["failed"] == 1
    assert asyncio.run(dispatcher.run_once(NOW + dt.timedelta(seconds=6))) == 0
    assert asyncio.run(dispatcher.run_once(NOW + dt.timedelta(seconds=8))) == 1
    assert len(channel.sent) == 1


def test_parked_as_dead_after_the_last_attempt_or_a_permanent_failure(sessions: sessionmaker[Session]) -> None:
    _queue(sessions, n=2)
    channel = Recorder([PermanentFailure("chat not found")] + [TemporaryFailure("502")] * 3)
    dispatcher = Dispatcher(sessions, {"telegram": channel}, max_attempts=3, base_delay=1)
    moment = NOW
    for _ in range(4):
        asyncio.run(dispatcher.run_once(moment))
        moment += dt.timedelta(minutes=10)
    with sessions() as session:
        assert status_counts(session)["dead"] == 2
        errors = sorted(r.last_error or "" for r in session.scalars(select(OutboxMessage)))
    assert errors == ["平台拒收，已停发（chat not found）", "重试3次仍发不出去，已停发（502）"]  # staff read Chinese
    assert channel.sent == []


def test_a_message_for_a_channel_that_is_not_configured_is_parked_with_a_plain_chinese_reason(
        sessions: sessionmaker[Session]) -> None:
    _queue(sessions, n=1)
    asyncio.run(Dispatcher(sessions, {}).run_once(NOW))
    with sessions() as session:
        (row,) = session.scalars(select(OutboxMessage)).all()
    assert row.status == "dead" and row.last_error == "没有配置Telegram渠道，消息发不出去"


def test_a_lapsed_claim_goes_back_to_the_queue(sessions: sessionmaker[Session]) -> None:
    _queue(sessions)
    with sessions.begin() as session:
        assert len(claim(session, NOW)) == 1  # an instance claimed it, then died
    with sessions.begin() as session:
        assert claim(session, NOW + dt.timedelta(seconds=30)) == []
    channel = Recorder()
    assert asyncio.run(Dispatcher(sessions, {"telegram": channel}).run_once(NOW + dt.timedelta(minutes=5))) == 1
    assert len(channel.sent) == 1


def test_the_lease_is_a_setting(sessions: sessionmaker[Session]) -> None:
    _queue(sessions)
    with sessions.begin() as session:
        assert len(claim(session, NOW)) == 1  # an instance claimed it, then died
    channel = Recorder()
    shorter = Dispatcher(sessions, {"telegram": channel}, claim_lease=dt.timedelta(seconds=3))
    assert asyncio.run(shorter.run_once(NOW + dt.timedelta(seconds=2))) == 0
    assert asyncio.run(shorter.run_once(NOW + dt.timedelta(seconds=4))) == 1
    assert len(channel.sent) == 1


@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED is checked on PostgreSQL")
def test_two_instances_claim_different_rows(sessions: sessionmaker[Session], database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    _queue(sessions, n=20)
    barrier = threading.Barrier(2)
    got: list[list[int]] = []

    def instance() -> None:
        with sessions.begin() as session:
            barrier.wait()
            got.append([c.id for c in claim(session, NOW, limit=15)])

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(got[0]) & set(got[1])
    assert len(got[0]) + len(got[1]) == 20


def test_a_picture_travels_through_the_outbox(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        chart = Reply("本期报告", image=b"\x89PNG-chart", file_name="report.png")
        enqueue(session, StaffChat("telegram"), chart, due=NOW)
    channel = Recorder()
    asyncio.run(Dispatcher(sessions, {"telegram": channel}).run_once(NOW))
    ((_chat, reply),) = channel.sent
    assert (reply.text, reply.image, reply.file_name) == ("本期报告", b"\x89PNG-chart", "report.png")


def test_outcomes_are_written_while_a_batch_is_still_being_sent(sessions: sessionmaker[Session]) -> None:
    """A kill in the middle of a batch must re-send only what was in flight, not the whole batch: the first
    messages are marked sent while a later one still hangs."""
    with sessions.begin() as session:
        for i in range(3):
            enqueue(session, Address("telegram", "chat"), Reply(f"第{i}条"), key=f"k{i}", due=NOW)
    release = threading.Event()

    class Hanging:
        def __init__(self) -> None:
            self.sent: list[str] = []

        async def send(self, to: Target, reply: Reply) -> None:
            if reply.text == "第2条":
                while not release.is_set():
                    await asyncio.sleep(0.01)
            self.sent.append(reply.text)

    channel = Hanging()
    done = threading.Thread(target=lambda: asyncio.run(Dispatcher(sessions, {"telegram": channel}).run_once(NOW)))
    done.start()
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=30)
        statuses: dict[str, str] = {}
        while dt.datetime.now() < deadline:
            with sessions() as session:
                statuses = {r.text: r.status for r in session.scalars(select(OutboxMessage))}
            if statuses.get("第0条") == statuses.get("第1条") == "sent":
                break
            threading.Event().wait(0.02)  # polling for the positive state, not a sleep before a negative check
        assert statuses == {"第0条": "sent", "第1条": "sent", "第2条": "sending"}
    finally:
        release.set()
        done.join(timeout=30)
    with sessions() as session:
        assert {r.status for r in session.scalars(select(OutboxMessage))} == {"sent"}
