"""`ipbot remind add|list|cancel|calendar`: scheduled reminders."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import common


def register(sub: Any) -> None:
    remind = sub.add_parser("remind", help="scheduled reminders")
    remind_sub = remind.add_subparsers(dest="remind_command", required=True)
    adding = remind_sub.add_parser("add", help="schedule a reminder")
    adding.add_argument("--at", required=True, help='"YYYY-MM-DD HH:MM[:SS]" in IPBOT_TIMEZONE')
    adding.add_argument("--to", required=True, help="channel:id[,channel:id…] or @FILE with one a line")
    adding.add_argument("--every", default=None, help="repeat: 30m, 12h, 1d, 1w")
    adding.add_argument("--ack", action="store_true",
                        help="add an 已办 button; escalate when nobody presses it (staff reminders)")
    adding.add_argument("text")
    adding.set_defaults(func=cmd_add)
    listing = remind_sub.add_parser("list", help="active reminders")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_list)
    remind_sub.add_parser("calendar", help="schedule the staff calendar's reminders now").set_defaults(
        func=cmd_calendar)
    cancelling = remind_sub.add_parser("cancel", help="cancel a reminder")
    cancelling.add_argument("id", type=int)
    cancelling.set_defaults(func=cmd_cancel)


def cmd_add(args: argparse.Namespace) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bot.core.clock import system_clock
    from scheduler import reminders

    settings = common.settings()
    zone = ZoneInfo(settings.timezone)
    try:
        try:
            at = dt.datetime.strptime(args.at.strip(), "%Y-%m-%d %H:%M:%S" if args.at.count(":") == 2
                                      else "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        except ValueError as exc:
            raise reminders.ReminderError(f'--at wants "YYYY-MM-DD HH:MM[:SS]" (got {args.at!r})') from exc
        if args.to.startswith("@"):
            try:
                lines = Path(args.to[1:]).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise reminders.ReminderError(f"cannot read recipients file {args.to[1:]}: {exc}") from exc
        else:
            lines = args.to.split(",")
        recipients = reminders.parse_recipients(lines)
        every = reminders.parse_every(args.every)
        sessions = common.open_database(settings.database_url)
        with sessions.begin() as session:
            row = reminders.add(session, args.text, recipients, at, every, needs_ack=args.ack, now=system_clock())
            sys.stdout.write(f"reminder {row.id}: {at:%Y-%m-%d %H:%M:%S} ({settings.timezone}), "
                             f"{len(recipients)} recipient(s)\n")
    except reminders.ReminderError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    return 0


def cmd_calendar(_args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from bot.core.clock import system_clock
    from handlers.indicators.calendar import reporting_events
    from handlers.indicators.plan import load_plans
    from scheduler import calendar

    settings = common.settings()
    sessions = common.open_database(settings.database_url)
    events = calendar.load()
    reporting = reporting_events(load_plans())
    with sessions.begin() as session:
        created = calendar.sync(session, [*events, *reporting], ZoneInfo(settings.timezone), system_clock())
    sys.stdout.write(f"{len(events)} calendar events, {len(reporting)} indicator reporting dates; "
                     f"{created} reminder(s) scheduled\n")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from bot.core.models import Reminder

    sessions = common.open_database()
    with sessions.begin() as session:
        found = session.get(Reminder, args.id)
        if found is None or not found.active:
            sys.stderr.write(f"no active reminder {args.id}\n")
            return 1
        found.active = False
        sys.stdout.write(f"reminder {args.id} cancelled\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from bot.core.models import Reminder

    settings = common.settings()
    zone = ZoneInfo(settings.timezone)
    sessions = common.open_database(settings.database_url)
    with sessions.begin() as session:
        rows = session.scalars(select(Reminder).where(Reminder.active.is_(True)).order_by(Reminder.next_fire_at))
        listed: list[dict[str, Any]] = [{"id": r.id, "text": r.text, "to": r.recipients,
                                         "every_seconds": r.every_seconds, "ack": r.needs_ack,
                                         "next": r.next_fire_at.astimezone(zone).isoformat()} for r in rows]
    if args.json:
        sys.stdout.write(json.dumps(listed, ensure_ascii=False) + "\n")
    else:
        for item in listed:
            sys.stdout.write(f"{item['id']}\t{item['next']}\t{','.join(item['to'])}\t{item['text']}\n")
    return 0
