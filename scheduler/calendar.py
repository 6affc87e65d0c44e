"""The staff calendar (scheduler/data/calendar.yaml): yearly or one-off dates turned into reminders ahead
of each. Syncing is idempotent: an occurrence already scheduled is not scheduled again."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, Field, Strict, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.datafile import Collector, DataFileError, line_at, node_at, read_yaml
from bot.core.datafile_models import CONFIG, Text, validate
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


def _calendar_date(value: str) -> str:
    yearly = YEARLY.match(value)
    valid = bool(yearly and 1 <= int(yearly.group(1)) <= 12 and 1 <= int(yearly.group(2)) <= 31)
    if ONCE.match(value):
        try:
            valid = bool(dt.date.fromisoformat(value))
        except ValueError:
            valid = False
    if not valid:
        raise ValueError(f"{value!r}: use \"MM-DD\" (every year) or \"YYYY-MM-DD\"")
    return value


class _Event(BaseModel):
    model_config = CONFIG
    name: Text
    date: Annotated[Text, AfterValidator(_calendar_date)]
    remind_days_before: Annotated[list[Annotated[int, Strict(), Field(ge=0, le=366)]], Field(min_length=1)] = [7, 1]
    to: list[Text] | None = None  # None: the calendar's `to`


class _Calendar(BaseModel):
    model_config = CONFIG
    to: list[Text] = []
    events: list[object]  # each checked on its own: one broken event does not hide another's problems


_CALENDAR, _EVENT = TypeAdapter(_Calendar), TypeAdapter(_Event)


def load(path: Path = CALENDAR) -> list[Event]:
    data, root = read_yaml(path)
    out = Collector()
    calendar = validate(_CALENDAR, data, root, path, out)
    if calendar is None:
        raise DataFileError(out.problems)
    events = []
    for n, raw in enumerate(calendar.events):
        event = validate(_EVENT, raw, node_at(root, "events", n), path, out)
        if event is None:
            continue
        try:
            recipients = reminders.parse_recipients(event.to if event.to is not None else calendar.to)
        except reminders.ReminderError as exc:
            out.add(path, line_at(root, "events", n, *(("to",) if event.to is not None else ())), f"to: {exc}")
            continue
        events.append(Event(event.name, event.date, tuple(sorted(set(event.remind_days_before))), tuple(recipients)))
    if out.problems:
        raise DataFileError(out.problems)
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
