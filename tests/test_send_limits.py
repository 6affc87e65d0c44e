"""Send limits: never more than N in any window as the server counts, and a busy chat does not hold up others."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.telegram import send_limits
from bot.core.delivery import TemporaryFailure
from bot.core.messages import Address, Reply, StaffChat, Target
from bot.core.models import OutboxMessage
from bot.core.outbox import Dispatcher, enqueue
from bot.core.send_limits import ChannelLimits, SlidingWindow, Window
from bot.settings import Settings

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_window_opens_again_a_full_period_after_the_oldest_answer() -> None:
    clock = Clock()
    window = SlidingWindow(Window(3, 1.0), clock)
    for _ in range(3):
        assert window.wait() == 0
        window.started()
        clock.now += 0.1
        window.answered()  # answers at 100.1, 100.2, 100.3
    assert abs(window.wait() - 0.8) < 1e-9  # the first answer (100.1) leaves the window at 101.1
    clock.now = 101.1
    assert window.wait() == 0


def test_sends_awaiting_their_answer_count_inside_the_window() -> None:
    window = SlidingWindow(Window(2, 1.0), Clock())
    window.started()
    window.started()
    assert window.wait() > 0


def test_telegram_limits_groups_per_minute_and_people_per_second() -> None:
    limits = send_limits(Settings(telegram_max_rate=30))
    assert limits.overall == Window(30, 1.0)
    assert limits.per_chat(Address("telegram", "-100123")) == Window(20, 60.0)
    assert limits.per_chat(StaffChat("telegram")) == Window(20, 60.0)
    assert limits.per_chat(Address("telegram", "4242")) == Window(1, 1.0)


class Recorder:
    def __init__(self, fail_first_to: str | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_first_to = fail_first_to

    async def send(self, to: Target, reply: Reply) -> None:
        chat_id = to.chat if isinstance(to, Address) else "staff"
        if chat_id == self.fail_first_to:
            self.fail_first_to = None
            raise TemporaryFailure("502 Bad Gateway")
        self.sent.append((chat_id, reply.text))


def _queue(sessions: sessionmaker[Session], messages: list[tuple[str, str]]) -> None:
    with sessions.begin() as session:
        for chat, text in messages:
            enqueue(session, Address("telegram", chat), Reply(text), due=NOW)


def test_a_group_gets_twenty_a_minute_and_the_rest_wait_without_holding_up_others(
        sessions: sessionmaker[Session]) -> None:
    _queue(sessions, [("-100", f"群通知{n}") for n in range(25)] + [("7", "个人提醒")])
    recorder = Recorder()
    limits = {"telegram": ChannelLimits(
        per_chat=lambda to: Window(20, 60.0) if str(to).startswith("telegram:-") else None)}
    dispatcher = Dispatcher(sessions, {"telegram": recorder}, limits)
    asyncio.run(dispatcher.run_once(NOW))
    assert [text for _chat, text in recorder.sent if _chat == "-100"] == [f"群通知{n}" for n in range(20)]
    assert ("7", "个人提醒") in recorder.sent
    with sessions() as session:
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")
                                  .order_by(OutboxMessage.id)).all()
    assert [row.text for row in waiting] == [f"群通知{n}" for n in range(20, 25)]
    assert all(row.attempts == 0 and row.next_attempt_at > NOW + dt.timedelta(seconds=50) for row in waiting)


def test_a_failed_message_is_not_overtaken_by_the_next_one_to_the_same_chat(sessions: sessionmaker[Session]) -> None:
    _queue(sessions, [("7", "第一条"), ("7", "第二条"), ("8", "别人的")])
    recorder = Recorder(fail_first_to="7")
    dispatcher = Dispatcher(sessions, {"telegram": recorder})
    asyncio.run(dispatcher.run_once(NOW))
    assert recorder.sent == [("8", "别人的")]
    asyncio.run(dispatcher.run_once(NOW + dt.timedelta(minutes=5)))
    assert recorder.sent[1:] == [("7", "第一条"), ("7", "第二条")]


def test_the_overall_window_is_never_exceeded_as_the_server_counts(sessions: sessionmaker[Session]) -> None:
    """A server that counts each message when it arrives, 20 ms after sending, sees at most 5 in any 0.2 s."""
    loop_times: list[float] = []

    class SlowServer:
        async def send(self, to: Target, reply: Reply) -> None:
            await asyncio.sleep(0.01)
            loop_times.append(asyncio.get_running_loop().time())
            await asyncio.sleep(0.01)

    _queue(sessions, [(str(n), "通知") for n in range(30)])
    limits = {"telegram": ChannelLimits(overall=Window(5, 0.2))}
    asyncio.run(Dispatcher(sessions, {"telegram": SlowServer()}, limits).run_once(NOW))
    assert len(loop_times) == 30
    assert max(sum(1 for t in loop_times if start <= t < start + 0.2) for start in loop_times) <= 5
