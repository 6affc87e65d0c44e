"""The staff calendar: validated with file and line, synced into reminders ahead of each date, once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.datafile import DataFileError
from bot.core.models import Reminder
from scheduler import calendar

ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=ZONE)


def test_the_shipped_calendar_has_ip_week_and_world_ip_day() -> None:
    names = [e.name for e in calendar.load()]
    assert any("宣传周" in n for n in names) and "世界知识产权日" in names


def test_sync_schedules_reminders_ahead_once(sessions: sessionmaker[Session]) -> None:
    events = [calendar.Event("世界知识产权日", "04-26", (7, 1), ("telegram:staff",))]
    with sessions.begin() as session:
        assert calendar.sync(session, events, ZONE, NOW) == 2
    with sessions.begin() as session:
        assert calendar.sync(session, events, ZONE, NOW) == 0  # idempotent
    with sessions() as session:
        rows = list(session.scalars(select(Reminder).order_by(Reminder.next_fire_at)))
    assert [r.text for r in rows] == ["【日程提醒】世界知识产权日：2026-04-26（还有7天）。",
                                      "【日程提醒】世界知识产权日：2026-04-26（还有1天）。"]
    first = rows[0].next_fire_at if rows[0].next_fire_at.tzinfo else rows[0].next_fire_at.replace(tzinfo=dt.UTC)
    assert first.astimezone(ZONE) == dt.datetime(2026, 4, 19, 9, 0, tzinfo=ZONE)
    assert rows[0].recipients == ["telegram:staff"]


def test_29_february_only_in_leap_years() -> None:
    event = calendar.Event("闰日", "02-29", (0,), ("telegram:staff",))
    assert event.occurrences(dt.date(2026, 1, 1), dt.date(2029, 1, 1)) == [dt.date(2028, 2, 29)]


def test_a_broken_calendar_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text("to: [telegram:staff]\nevents:\n  - name: 好日子\n    date: \"13-45\"\n"
                    "  - name: 没人收\n    date: \"05-01\"\n    to: [nobody]\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        calendar.load(path)
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"{path}:4: date: '13-45'") and "MM-DD" in m for m in messages)
    assert any(m.startswith(f"{path}:7: to: not a recipient") for m in messages)
