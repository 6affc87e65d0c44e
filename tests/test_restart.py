"""A process killed with SIGKILL before a reminder's time, restarted after it: the reminder arrives once,
marked late. `ipbot run` runs as a real process against the Bot API double."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.db import open_database
from scheduler import reminders
from tests.doubles.telegram_api import TOKEN, Sent, TelegramDouble
from tests.helpers import BotProcess, until, utc_now

USER = 4242
LATE_AFTER = 1  # seconds: a reminder sent later than this after its time is marked late


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    with TelegramDouble() as running:
        yield running


def _start(double: TelegramDouble, database_url: str, folder: Path) -> BotProcess:
    """`ipbot run` against this double, once it polls it (its jobs have started by then)."""
    env = {"IPBOT_TELEGRAM_TOKEN": TOKEN, "IPBOT_TELEGRAM_BASE_URL": double.base_url,
           "IPBOT_DATABASE_URL": database_url, "IPBOT_REMINDER_LATE_AFTER_SECONDS": str(LATE_AFTER),
           "IPBOT_REMINDER_CHECK_SECONDS": "0.2",
           "IPBOT_HTTP_LISTEN": "127.0.0.1:0"}  # each instance its own port (the console is always served)
    calls = len(double.called("getUpdates"))
    return BotProcess(env, folder, lambda: len(double.called("getUpdates")) > calls)


def _to(double: TelegramDouble, chat: int) -> list[Sent]:
    return [s for s in double.sent if s.chat_id == chat]


def test_killed_before_the_time_restarted_after_it_the_reminder_arrives_once_marked_late(
        double: TelegramDouble, database_url: str, tmp_path: Path) -> None:
    _engine, sessions = open_database(database_url)
    first = _start(double, database_url, tmp_path)
    try:
        due = utc_now() + dt.timedelta(seconds=3)  # the instance is up: it knows of the reminder well before
        with sessions.begin() as session:
            reminders.add(session, "专利年费缴费截止还有7天", [f"telegram:{USER}"], due, None, now=utc_now())
    finally:
        first.kill()
    assert utc_now() < due, "the kill came after the reminder's time: nothing tested"
    assert _to(double, USER) == []
    # the time passes while it is down, and then some: the reminder is late when the second instance starts
    until(lambda: utc_now() > due + dt.timedelta(seconds=LATE_AFTER), timeout=30, what="the reminder's time")
    second = _start(double, database_url, tmp_path)
    try:
        (message,) = double.wait_for(1, USER, timeout=30)
        assert message.text == reminders.LATE_NOTE + "专利年费缴费截止还有7天"
        # a reminder for later: once it has come, the scheduler has looked again since (nothing resent)
        with sessions.begin() as session:
            reminders.add(session, "之后的提醒", [f"telegram:{USER + 1}"], utc_now(), None, now=utc_now())
        double.wait_for(1, USER + 1, timeout=30)
        assert len(_to(double, USER)) == 1
    finally:
        second.stop()


def test_two_instances_on_postgresql_send_each_reminder_once_and_one_takes_over_from_the_other(
        database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances need PostgreSQL (SQLite runs one)")
    _engine, sessions = open_database(database_url)
    # a Bot API double each, so that each one's start is seen for sure (the database is what they share)
    with TelegramDouble() as one, TelegramDouble() as other:
        first = _start(one, database_url, tmp_path)
        second = _start(other, database_url, tmp_path)

        def to(chat: int) -> list[str]:
            return [s.text for s in [*one.sent, *other.sent] if s.chat_id == chat]

        try:
            due = utc_now()
            with sessions.begin() as session:
                for n in range(20):
                    reminders.add(session, f"提醒{n}", [f"telegram:{USER + n}"], due, None, now=utc_now())
                reminders.add(session, "每秒一次", [f"telegram:{USER + 99}"], due, 1, now=utc_now())
            for n in range(20):
                until(lambda n=n: to(USER + n), what=f"提醒{n}")  # type: ignore[misc]
            first.kill()  # whichever led, the other now must (or already does)
            with sessions.begin() as session:
                reminders.add(session, "接管之后", [f"telegram:{USER + 50}"], utc_now() + dt.timedelta(seconds=1),
                              None, now=utc_now())
            assert until(lambda: to(USER + 50), what="接管之后") == ["接管之后"]
            with sessions.begin() as session:  # once it has come, the scheduler has looked again since
                reminders.add(session, "最后", [f"telegram:{USER + 51}"], utc_now(), None, now=utc_now())
            assert until(lambda: to(USER + 51), what="最后") == ["最后"]
            texts = [s.text for s in [*one.sent, *other.sent] if USER <= s.chat_id < USER + 99]
            assert sorted(texts) == sorted({*(f"提醒{n}" for n in range(20)), "接管之后", "最后"})  # each once
            # the recurring one: one message per second at most, never two for the same time
            ticks = to(USER + 99)
            assert ticks and len(ticks) <= (utc_now() - due).total_seconds() + 2
        finally:
            for process in (first, second):
                process.stop()
