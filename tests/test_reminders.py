"""Reminders: firing writes to the outbox once per time and recipient; late ones within the grace window
are sent marked late; recurring ones move on; bad input is refused clearly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import Reminder
from scheduler import reminders
from tests.cli_runner import ipbot
from tests.helpers import outbox_rows, utc_now

T = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Bortala's official time (UTC+8)


def test_a_one_shot_reminder_fires_once_per_recipient(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "提交年报", ["telegram:1", "wecom:zhangsan"], T, None, now=utc_now())
    with sessions.begin() as session:
        assert reminders.fire_due(session, T - dt.timedelta(seconds=1)) == []
        fired = reminders.fire_due(session, T)
    assert [(f.queued, f.late) for f in fired] == [(2, False)]
    with sessions.begin() as session:
        assert reminders.fire_due(session, T + dt.timedelta(hours=1)) == []  # retired
    rows = outbox_rows(sessions)
    assert [(r.channel, r.chat_id, r.text) for r in rows] == [("telegram", "1", "提交年报"),
                                                             ("wecom", "zhangsan", "提交年报")]


def test_down_time_sends_late_within_grace_and_skips_older(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "宣传周筹备", ["telegram:1"], T, None, now=utc_now())
        long_ago = T - reminders.LATE_GRACE - dt.timedelta(hours=1)
        reminders.add(session, "太久以前", ["telegram:1"], long_ago, None, now=utc_now())
    with sessions.begin() as session:
        fired = reminders.fire_due(session, T + dt.timedelta(hours=3))
    assert [(f.late, f.queued) for f in fired] == [(True, 1)]
    (row,) = outbox_rows(sessions)
    assert row.late and row.text.startswith(reminders.LATE_NOTE)
    with sessions() as session:
        assert not any(r.active for r in session.scalars(select(Reminder)))


def test_a_recurring_reminder_moves_on_and_sends_only_the_latest_missed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        reminders.add(session, "每小时检查", ["telegram:9"], T, 3600, now=utc_now())
    with sessions.begin() as session:
        reminders.fire_due(session, T + dt.timedelta(hours=5, minutes=30))  # five missed times
    with sessions() as session:
        reminder = session.scalars(select(Reminder)).one()
        next_at = reminder.next_fire_at if reminder.next_fire_at.tzinfo else reminder.next_fire_at.replace(
            tzinfo=dt.UTC)
    assert next_at == T + dt.timedelta(hours=6)
    assert len(outbox_rows(sessions)) == 1


def test_firing_twice_for_the_same_time_queues_nothing_more(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        row = reminders.add(session, "提醒", ["telegram:1"], T, None, now=utc_now())
    with sessions.begin() as session:
        reminders.fire_due(session, T)
    with sessions.begin() as session:  # as if a second instance re-activated and fired the same time
        reminder = session.get(Reminder, row.id)
        assert reminder is not None
        reminder.active, reminder.next_fire_at = True, T
    with sessions.begin() as session:
        assert reminders.fire_due(session, T)[0].queued == 0
    assert len(outbox_rows(sessions)) == 1


@pytest.mark.parametrize(("values", "message"), [
    ([], "no recipient"), (["bob"], "not a recipient"), (["telegram:1", "fax:2"], "not a recipient"),
])
def test_bad_recipients_are_refused(values: list[str], message: str) -> None:
    with pytest.raises(reminders.ReminderError, match=message):
        reminders.parse_recipients(values)


@pytest.mark.parametrize("every", ["0d", "daily", "5y", "-1h"])
def test_bad_repeats_are_refused(every: str) -> None:
    with pytest.raises(reminders.ReminderError):
        reminders.parse_every(every)


def test_cli_add_list_cancel_with_a_recipients_file(tmp_path: Path) -> None:
    env = {"IPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"}
    people = tmp_path / "people.txt"
    people.write_text("telegram:1\n\nwecom:lisi\n", encoding="utf-8")
    added = ipbot("remind", "add", "--at", "2026-12-01 09:00", "--to", f"@{people}", "--every", "1w", "周报", env=env)
    assert added.returncode == 0, added.stderr
    listed = json.loads(ipbot("remind", "list", "--json", env=env).stdout)
    assert listed == [{"id": 1, "text": "周报", "to": ["telegram:1", "wecom:lisi"], "every_seconds": 604800,
                       "ack": False, "next": "2026-12-01T09:00:00+08:00"}]
    assert ipbot("remind", "cancel", "1", env=env).returncode == 0
    assert json.loads(ipbot("remind", "list", "--json", env=env).stdout) == []
    ipbot("remind", "add", "--at", "2026-12-01 10:00", "--to", "telegram:1", "--ack", "报表", env=env)
    assert [r["ack"] for r in json.loads(ipbot("remind", "list", "--json", env=env).stdout)] == [True]
    bad = ipbot("remind", "add", "--at", "明天九点", "--to", "telegram:1", "x", env=env)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
    missing = ipbot("remind", "add", "--at", "2026-12-01 09:00", "--to", "@/nonexistent", "x", env=env)
    assert missing.returncode == 2 and "cannot read recipients file" in missing.stderr
