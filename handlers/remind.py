"""Staff reminders in chat: /remind to schedule one for themselves, the staff group, every staff member,
the enterprises subscribed to trademark or patent deadlines, or a given chat; /reminders lists what is
waiting, with a cancel button each (payload `rc:<id>`)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.messages import Address, Button, Incoming, Reply, StaffChat
from bot.core.models import OutboxMessage, Reminder, Subscription
from bot.core.outbox import target_of
from handlers.context import Context
from handlers.texts import remind as text
from scheduler import reminders

CANCEL_PAYLOAD = re.compile(r"^rc:(\d{1,12})$")
ACK_PAYLOAD = re.compile(rf"^{reminders.ACK_PREFIX}(\d{{1,12}})$")
STAFF_AUDIENCES = ("me", "staff", "allstaff")  # reminders to staff ask for 已办 and are escalated
MAX_LISTED = 20


def _audience(session: Session, incoming: Incoming, who: str, staff_ids: frozenset[str]) -> list[str]:
    if who == "me":
        return [str(incoming.address)]
    if who == "staff":
        return [str(StaffChat(incoming.channel))]
    if who == "allstaff":
        return sorted(staff_ids)
    if who.startswith("订阅:"):
        kinds = {"商标": ["trademark"], "专利": ["invention", "utility_model", "design"]}.get(who[3:], [])
        rows = session.scalars(select(Subscription).where(Subscription.active.is_(True), Subscription.kind.in_(kinds)))
        return sorted({str(Address(r.channel, r.chat_id)) for r in rows})
    return reminders.parse_recipients([who])


def add(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    """/remind 日期 时间 对象 内容"""
    session, zone, now = ctx.session, ctx.zone, ctx.now
    parts = argument.split(maxsplit=3)
    if len(parts) < 4:
        return [Reply(text.USAGE)]
    when_text = f"{parts[0]} {parts[1]}"
    try:
        when = dt.datetime.strptime(when_text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        return [Reply(text.BAD_TIME.format(value=when_text[:40]))]
    if when < now:
        return [Reply(text.PAST.format(value=when_text))]
    try:
        audience = _audience(session, incoming, parts[2], ctx.staff_ids)
    except reminders.ReminderError:
        audience = []
    if not audience:
        return [Reply(text.NOBODY.format(value=parts[2][:40]))]
    row = reminders.add(session, parts[3], audience, when, None, needs_ack=parts[2] in STAFF_AUDIENCES, now=now)
    return [Reply(text.ADDED.format(number=row.id, when=when_text, count=len(audience), text=row.text))]


def listing(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    session, zone = ctx.session, ctx.zone
    rows = list(session.scalars(select(Reminder).where(Reminder.active.is_(True), Reminder.subscription_id.is_(None))
                                .order_by(Reminder.next_fire_at).limit(MAX_LISTED)))
    if not rows:
        return [Reply(text.LIST_NONE)]
    lines = [text.LIST_TITLE]
    buttons = []
    for row in rows:
        lines.append(text.LIST_ITEM.format(number=row.id, when=f"{row.next_fire_at.astimezone(zone):%Y-%m-%d %H:%M}",
                                           count=len(row.recipients), text=row.text[:60]))
        buttons.append((Button(text.CANCEL.format(number=row.id), f"rc:{row.id}"),))
    return [Reply("\n".join(lines), tuple(buttons))]


def handle_payload(ctx: Context, _incoming: Incoming, payload: str) -> list[Reply] | None:
    match = CANCEL_PAYLOAD.match(payload)
    if match is None:
        return None
    row = ctx.session.get(Reminder, int(match.group(1)))
    if row is None or not row.active:
        return [Reply(text.NOT_ACTIVE.format(number=match.group(1)))]
    row.active = False
    return [Reply(text.CANCELLED.format(number=row.id))]


def acknowledge(ctx: Context, incoming: Incoming, payload: str) -> list[Reply] | None:
    """已办 pressed on a staff reminder (or its repeat): recorded once, by its recipient or any staff member."""
    session, zone, now = ctx.session, ctx.zone, ctx.now
    match = ACK_PAYLOAD.match(payload)
    if match is None:
        return None
    row = session.get(OutboxMessage, int(match.group(1)))
    if row is None or not row.ack_required:
        return [Reply(text.ACK_UNKNOWN)]
    if not ctx.is_staff(incoming) and target_of(row) != incoming.address:
        return [Reply(text.ACK_NOT_YOURS)]
    if row.acknowledged_at is not None:
        return [Reply(text.ALREADY_ACKED.format(who=row.acknowledged_by or "",
                                                when=f"{row.acknowledged_at.astimezone(zone):%m-%d %H:%M}"))]
    row.acknowledged_at = now
    row.acknowledged_by = (incoming.display_name or str(incoming.sender))[:160]
    return [Reply(text.ACKED)]
