"""Enterprises subscribe a trademark or a patent; its legal deadlines (scheduler/deadlines.py) become
reminders to their chat, 90, 30 and 7 days ahead (some on the day or 30/7 ahead). /mydeadlines lists
them; /unsubscribe cancels a subscription and its reminders."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.messages import Address, Incoming, Reply
from bot.core.models import Reminder, Subscription
from handlers.context import Context
from handlers.texts import subscriptions as text
from scheduler.deadlines import (
    PatentKind,
    patent_term_ends,
    reminder_days,
    trademark_deadlines,
    upcoming_annual_fees,
)

REMIND_AT = dt.time(9, 0)
Event = tuple[dt.date, str, tuple[int, ...], dict[str, int]]  # date, event key, leads, format values


def _events(kind: str, start: dt.date, today: dt.date) -> list[Event]:
    if kind == "trademark":
        renewals = 0
        while trademark_deadlines(start, renewals).grace_ends < today:
            renewals += 1
            if renewals > 50:
                return []
        d = trademark_deadlines(start, renewals)
        events: list[Event] = [(d.renewal_opens, "renewal_opens", (0,), {}), (d.expires, "expires", (90, 30, 7), {}),
                               (d.grace_ends, "grace_ends", (30, 7), {})]
    else:
        patent = PatentKind(kind)
        term_end = patent_term_ends(patent, start)
        if term_end < today:
            return []
        events = []
        for fee in upcoming_annual_fees(patent, start, today, count=2):
            events.append((fee.due, "fee_due", (90, 30, 7), {"year": fee.year}))
            events.append((fee.grace_ends, "fee_grace_ends", (30, 7), {"year": fee.year}))
        events.append((term_end, "term_ends", (90, 30), {}))
    return sorted(e for e in events if e[0] >= today)


def _describe(events: list[Event]) -> str:
    return "\n".join(text.EVENT_LINE.format(date=day.isoformat(), event=text.EVENTS[key][0].format(**values))
                     for day, key, _leads, values in events)


def subscribe(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    """/subscribe 类型 日期 [名称]"""
    session, zone, now = ctx.session, ctx.zone, ctx.now
    parts = argument.split(maxsplit=2)
    if len(parts) < 2 or parts[0] not in text.KINDS:
        return [Reply(text.USAGE)]
    try:
        start = dt.date.fromisoformat(parts[1].replace("/", "-").replace(".", "-"))
    except ValueError:
        return [Reply(text.BAD_DATE.format(value=parts[1][:20]))]
    today = now.astimezone(zone).date()
    if start > today:
        return [Reply(text.FUTURE_DATE.format(value=start.isoformat()))]
    kind = text.KINDS[parts[0]]
    label = (parts[2].strip() if len(parts) > 2 else "") or f"{text.KIND_NAMES[kind]}（{start.isoformat()}）"
    events = _events(kind, start, today)
    if not events:
        return [Reply(text.TOO_OLD.format(label=label[:100]))]
    row = Subscription(channel=incoming.channel, user_id=incoming.user_id, chat_id=incoming.chat_id, kind=kind,
                       start_date=start, label=label[:100], active=True, created_at=now)
    session.add(row)
    session.flush()
    schedule(session, row, events, zone, now)
    reply = text.SUBSCRIBED.format(number=row.id, label=row.label, events=_describe(events))
    return [Reply(reply if kind == "trademark" else f"{reply}\n{text.PATENT_FEES_NOTE}")]


def schedule(session: Session, row: Subscription, events: list[Event], zone: ZoneInfo, now: dt.datetime) -> int:
    """Reminders for the subscription's coming deadlines that it does not have yet; returns how many.
    Pending reminders no longer wanted (a deadline or its wording was corrected) are switched off, so a
    subscriber is not reminded twice of one deadline."""
    existing = list(session.scalars(select(Reminder).where(Reminder.subscription_id == row.id)))
    have = {(r.text, r.next_fire_at) for r in existing}
    wanted: set[tuple[str, dt.datetime]] = set()
    recipient = str(Address(row.channel, row.chat_id))
    today = now.astimezone(zone).date()
    created = 0
    for day, key, leads, values in events:
        event, advice = (part.format(**values) for part in text.EVENTS[key])
        for remind_on in reminder_days(day, today, leads):
            fire = dt.datetime.combine(remind_on, REMIND_AT, tzinfo=zone).astimezone(dt.UTC)
            message = text.REMINDER.format(label=row.label, event=event, date=day.isoformat(),
                                           days=(day - remind_on).days, advice=advice)
            wanted.add((message, fire))
            if (message, fire) in have:
                continue
            session.add(Reminder(text=message, recipients=[recipient], next_fire_at=fire, every_seconds=None,
                                 active=True, subscription_id=row.id, created_at=now))
            created += 1
    for r in existing:
        if r.active and r.next_fire_at > now and (r.text, r.next_fire_at) not in wanted:
            r.active = False
    return created


def top_up(session: Session, zone: ZoneInfo, now: dt.datetime) -> int:
    """Nightly: as deadlines pass, schedule the next ones (later annual fees, the next renewal cycle)."""
    today = now.astimezone(zone).date()
    created = 0
    for row in session.scalars(select(Subscription).where(Subscription.active.is_(True))):
        created += schedule(session, row, _events(row.kind, row.start_date, today), zone, now)
    return created


def _own(session: Session, incoming: Incoming) -> list[Subscription]:
    return list(session.scalars(select(Subscription).where(
        Subscription.channel == incoming.channel, Subscription.user_id == incoming.user_id,
        Subscription.active.is_(True)).order_by(Subscription.id)))


def my_deadlines(ctx: Context, incoming: Incoming, _argument: str) -> list[Reply]:
    zone = ctx.zone
    rows = _own(ctx.session, incoming)
    if not rows:
        return [Reply(text.NONE)]
    today = dt.datetime.now(zone).date()
    items = [text.LIST_ITEM.format(number=r.id, label=r.label, kind=text.KIND_NAMES[r.kind],
                                   start=r.start_date.isoformat(),
                                   events=_describe(_events(r.kind, r.start_date, today))) for r in rows]
    return [Reply("\n".join([text.LIST_TITLE, *items]))]


def unsubscribe(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    session = ctx.session
    number = argument.strip()
    rows = {r.id: r for r in _own(session, incoming)}
    if not number.isdigit() or int(number) not in rows:
        return [Reply(text.NOT_YOURS.format(number=number[:12] or "?"))]
    row = rows[int(number)]
    row.active = False
    session.execute(update(Reminder).where(Reminder.subscription_id == row.id).values(active=False))
    return [Reply(text.UNSUBSCRIBED.format(number=row.id, label=row.label))]
