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

from bot.db import open_database
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
           "IPBOT_REMINDER_CHECK_SECONDS": "0.5"}
    calls = len(double.called("getUpdates"))
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(double.called("getUpdates")) <= calls:  # polling: everything is up
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError("ipbot run did not start polling")
        time.sleep(0.1)
    return process


def test_killed_before_the_time_restarted_after_it_the_reminder_arrives_once_marked_late(
        double: TelegramDouble, database_url: str, tmp_path: Path) -> None:
    _engine, sessions = open_database(database_url)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
    with sessions.begin() as session:
        reminders.add(session, "专利年费缴费截止还有7天", [f"telegram:{USER}"], due, None)
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
