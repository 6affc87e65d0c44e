"""A process killed with SIGKILL before a reminder's time, restarted after it: the reminder arrives once,
marked late. `ipbot run` runs as a real process against the Bot API double."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.db import open_database
from scheduler import reminders
from tests.doubles.telegram_api import TOKEN, TelegramDouble

USER = 4242


@pytest.fixture
def double() -> Iterator[TelegramDouble]:
    with TelegramDouble() as running:
        yield running


def _start(double: TelegramDouble, database_url: str, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IPBOT_TELEGRAM_TOKEN": TOKEN, "IPBOT_TELEGRAM_BASE_URL": double.base_url,
           "IPBOT_DATABASE_URL": database_url, "IPBOT_REMINDER_LATE_AFTER_SECONDS": "1",
           "IPBOT_REMINDER_CHECK_SECONDS": "0.5",
           "IPBOT_HTTP_LISTEN": "127.0.0.1:0"}  # each instance its own port (the console is always served)
    calls = len(double.called("getUpdates"))
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=open(folder / f"run-{time.monotonic_ns()}.log", "wb"))  # noqa: SIM115
    deadline = time.monotonic() + 60
    while len(double.called("getUpdates")) <= calls:  # polling: everything is up
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError("ipbot run did not start polling")
        time.sleep(0.1)
    time.sleep(0.3)
    assert process.poll() is None, "ipbot run stopped (another instance's polling looked like its own)"
    return process


def test_killed_before_the_time_restarted_after_it_the_reminder_arrives_once_marked_late(
        double: TelegramDouble, database_url: str, tmp_path: Path) -> None:
    _engine, sessions = open_database(database_url)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
    with sessions.begin() as session:
        reminders.add(session, "专利年费缴费截止还有7天", [f"telegram:{USER}"], due, None, now=_now())
    first = _start(double, database_url, tmp_path)
    try:
        assert [s for s in double.sent if s.chat_id == USER] == []
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    time.sleep(max(0.0, (due - dt.datetime.now(dt.UTC)).total_seconds()) + 2)  # the time passes while down
    second = _start(double, database_url, tmp_path)
    try:
        (message,) = double.wait_for(1, USER, timeout=30)
        assert message.text == reminders.LATE_NOTE + "专利年费缴费截止还有7天"
        time.sleep(2)  # a few more scheduler ticks: nothing more arrives
        assert len([s for s in double.sent if s.chat_id == USER]) == 1
    finally:
        second.terminate()
        second.wait(timeout=20)


def test_two_instances_on_postgresql_send_each_reminder_once_and_one_takes_over_from_the_other(
        double: TelegramDouble, database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances need PostgreSQL (SQLite runs one)")
    _engine, sessions = open_database(database_url)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    with sessions.begin() as session:
        for n in range(20):
            reminders.add(session, f"提醒{n}", [f"telegram:{USER + n}"], due, None, now=_now())
        reminders.add(session, "每秒一次", [f"telegram:{USER + 99}"], due, 1, now=_now())
    first = _start(double, database_url, tmp_path)
    second = _start(double, database_url, tmp_path)
    try:
        for n in range(20):
            assert [s.text for s in double.wait_for(1, USER + n, timeout=30)] == [f"提醒{n}"]
        first.send_signal(signal.SIGKILL)  # whichever led, the other now must (or already does)
        first.wait(timeout=10)
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
        with sessions.begin() as session:
            reminders.add(session, "接管之后", [f"telegram:{USER + 50}"], later, None, now=_now())
        assert [s.text for s in double.wait_for(1, USER + 50, timeout=30)] == ["接管之后"]
        time.sleep(2)
        texts = [s.text for s in double.sent if USER <= s.chat_id < USER + 99]
        assert len(texts) == len(set(texts)) == 21
        # the recurring one: one message per second at most, never two for the same time
        ticks = [s for s in double.sent if s.chat_id == USER + 99]
        assert ticks and len(ticks) <= (dt.datetime.now(dt.UTC) - due).total_seconds() + 2
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
