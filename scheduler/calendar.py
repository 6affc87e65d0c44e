"""The staff calendar (scheduler/data/calendar.yaml): yearly or one-off dates turned into reminders ahead
of each. Syncing is idempotent: an occurrence already scheduled is not scheduled again."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.datafile import DataFileError, Problem, read_yaml
from bot.core.models import Reminder
from scheduler import reminders
from scheduler.deadlines import reminder_days

CALENDAR = Path(__file__).parent / "data" / "calendar.yaml"
YEARLY = re.compile(r"^(\d{2})-(\d{2})$")
ONCE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REMIND_AT = dt.time(9, 0)
HORIZON = dt.timedelta(days=400)
TEXT = "【日程提醒】{name}：{date}（{when}）。"


@dataclass(frozen=True)
class Event:
    name: str
    date: str  # "MM-DD" or "YYYY-MM-DD"
    leads: tuple[int, ...]
    to: tuple[str, ...]

    def occurrences(self, start: dt.date, end: dt.date) -> list[dt.date]:
        if ONCE.match(self.date):
            day = dt.date.fromisoformat(self.date)
            return [day] if start <= day <= end else []
        month, day_of_month = (int(x) for x in self.date.split("-"))
        found = []
        for year in range(start.year, end.year + 1):
            try:
                day = dt.date(year, month, day_of_month)
            except ValueError:  # 29 February in a common year
                continue
            if start <= day <= end:
                found.append(day)
        return found


def load(path: Path = CALENDAR) -> list[Event]:
    data, root = read_yaml(path)
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("events"), list) or not isinstance(root, yaml.MappingNode):
        raise DataFileError([Problem(path, 0, "expected a mapping with a list 'events'")])
    default_to = data.get("to") or []
    nodes: list[yaml.Node] = next((value.value for key, value in root.value if key.value == "events"), [])
    events = []
    for raw, node in zip(data["events"], nodes, strict=False):
        line = node.start_mark.line + 1
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
            problems.append(Problem(path, line, "an event needs a 'name'"))
            continue
        date = str(raw.get("date", ""))
        yearly = YEARLY.match(date)
        valid = bool(ONCE.match(date)) or bool(yearly and 1 <= int(yearly.group(1)) <= 12
                                               and 1 <= int(yearly.group(2)) <= 31)
        if ONCE.match(date):
            try:
                dt.date.fromisoformat(date)
            except ValueError:
                valid = False
        if not valid:
            problems.append(Problem(path, line, f"date {date!r}: use \"MM-DD\" (every year) or \"YYYY-MM-DD\""))
            continue
        leads = raw.get("remind_days_before", [7, 1])
        if not isinstance(leads, list) or not all(isinstance(n, int) and 0 <= n <= 366 for n in leads) or not leads:
            problems.append(Problem(path, line, "remind_days_before must be a list of days (0–366)"))
            continue
        to = raw.get("to", default_to)
        try:
            recipients = reminders.parse_recipients(to if isinstance(to, list) else [])
        except reminders.ReminderError as exc:
            problems.append(Problem(path, line, str(exc)))
            continue
        events.append(Event(raw["name"].strip(), date, tuple(sorted(set(leads))), tuple(recipients)))
    if problems:
        raise DataFileError(problems)
    return events


def sync(session: Session, events: list[Event], zone: ZoneInfo, now: dt.datetime) -> int:
    """Schedule the reminders of every occurrence within the horizon that are not scheduled yet."""
    local = now.astimezone(zone)
    today = local.date()
    created = 0
    for event in events:
        for day in event.occurrences(today, today + HORIZON):
            for remind_on in reminder_days(day, today, event.leads):
                fire = dt.datetime.combine(remind_on, REMIND_AT, tzinfo=zone)
                if fire < local:
                    continue
                when = "就是今天" if remind_on == day else f"还有{(day - remind_on).days}天"
                text = TEXT.format(name=event.name, date=day.isoformat(), when=when)
                exists = session.scalars(select(Reminder.id).where(
                    Reminder.text == text, Reminder.next_fire_at == fire.astimezone(dt.UTC))).first()
                if exists is None:
                    reminders.add(session, text, list(event.to), fire, None, needs_ack=True, now=now)
                    created += 1
    return created
