"""提醒: upcoming reminders by month, a new one (to me, the staff group, all staff, subscribers, a chat),
cancelling one, who pressed 已办 on staff reminders, and how many deadlines enterprises follow. Reminders
are written with scheduler/reminders.py, as /remind does (handlers/remind.py), and fire from the scheduler."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import accounts, texts
from bot.console.web import ConsoleHandler
from bot.core.messages import Address, StaffChat
from bot.core.models import OutboxMessage, Reminder, Subscription
from bot.core.outbox import target_of
from handlers import remind
from scheduler import reminders

SHOWN = 200
ACKS_SHOWN = 20
SUBSCRIBED_KINDS = {"订阅:商标": ["trademark"], "订阅:专利": ["invention", "utility_model", "design"]}
MAX_TEXT = 1000


@dataclass(frozen=True)
class ReminderView:
    id: int
    at: dt.datetime
    text: str
    recipients: list[str]
    every_seconds: int | None
    needs_ack: bool


@dataclass(frozen=True)
class AckView:
    to: str
    text: str
    sent_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None


@dataclass(frozen=True)
class RemindersData:
    months: list[tuple[str, list[ReminderView]]]
    deadline_reminders: int
    subscriptions: int
    acks: list[AckView]


def load(session: Session, zone: dt.tzinfo) -> RemindersData:
    rows = session.scalars(select(Reminder).where(Reminder.active.is_(True), Reminder.subscription_id.is_(None))
                           .order_by(Reminder.next_fire_at).limit(SHOWN))
    listed = [ReminderView(r.id, r.next_fire_at, r.text, list(r.recipients), r.every_seconds, r.needs_ack)
              for r in rows]
    months = [(month, list(items)) for month, items in
              groupby(listed, key=lambda r: f"{r.at.astimezone(zone):%Y年%m月}")]
    deadline = session.scalar(select(func.count()).select_from(Reminder).where(
        Reminder.active.is_(True), Reminder.subscription_id.is_not(None))) or 0
    subscribed = session.scalar(select(func.count()).select_from(Subscription)
                                .where(Subscription.active.is_(True))) or 0
    acks = [AckView(str(target_of(m)), m.text, m.sent_at, m.acknowledged_by, m.acknowledged_at)
            for m in session.scalars(select(OutboxMessage).where(OutboxMessage.ack_required.is_(True))
                                     .order_by(OutboxMessage.id.desc()).limit(ACKS_SHOWN))]
    return RemindersData(months, deadline, subscribed, acks)


def audience(session: Session, who: str, chat: str, account_id: int, staff_ids: frozenset[str],
             channels: tuple[str, ...], is_admin: bool = False) -> list[str]:
    """The recipients of a new reminder; ReminderError (with words to show) when there are none."""
    if who == "me":
        found = accounts.links_of(session, account_id)
        if not found:
            raise reminders.ReminderError(texts.REMINDER_NO_LINK_ADMIN if is_admin else texts.REMINDER_NO_LINK)
        return found
    if who == "staff":
        return [str(StaffChat(channel)) for channel in channels or ("telegram",)]
    if who == "allstaff":
        if not staff_ids:
            raise reminders.ReminderError(texts.REMINDER_NO_STAFF)
        return sorted(staff_ids)
    if who in SUBSCRIBED_KINDS:
        found = sorted({str(Address(r.channel, r.chat_id)) for r in session.scalars(select(Subscription).where(
            Subscription.active.is_(True), Subscription.kind.in_(SUBSCRIBED_KINDS[who])))})
        if not found:
            raise reminders.ReminderError(texts.REMINDER_NO_SUBSCRIBERS)
        return found
    if who == "chat":
        try:
            return reminders.parse_recipients(chat.replace("，", ",").split(","))
        except reminders.ReminderError as exc:
            raise reminders.ReminderError(texts.REMINDER_BAD_CHAT.format(value=chat[:60])) from exc
    raise reminders.ReminderError(texts.REMINDER_BAD_AUDIENCE)


class RemindersPage(ConsoleHandler):
    async def show(self, error: str | None = None, draft: dict[str, str] | None = None) -> None:
        data = await self.read(lambda s: load(s, self.deps.zone))
        self.page("reminders.html", error=error, data=data, audiences=texts.AUDIENCES, draft=draft or {},
                  today=f"{self.deps.clock().astimezone(self.deps.zone):%Y-%m-%d}")

    async def get(self) -> None:
        await self.show()

    async def post(self) -> None:
        draft = {name: self.form(name).strip() for name in ("date", "time", "who", "chat", "text")}
        text = draft["text"]
        try:
            at = dt.datetime.strptime(f"{draft['date']} {draft['time']}", "%Y-%m-%d %H:%M").replace(
                tzinfo=self.deps.zone)
        except ValueError:
            await self.show(texts.REMINDER_BAD_TIME, draft)
            return
        now, me = self.deps.clock(), self.me
        if at <= now:
            await self.show(texts.REMINDER_PAST, draft)
            return
        if not text:
            await self.show(texts.REMINDER_TEXT_EMPTY, draft)
            return

        def act(session: Session) -> tuple[int, int]:
            recipients = audience(session, draft["who"], draft["chat"], me.id, self.deps.staff_ids(session),
                                  self.deps.channels, me.is_admin)
            row = reminders.add(session, text[:MAX_TEXT], recipients, at, None,
                                needs_ack=draft["who"] in remind.STAFF_AUDIENCES, now=now)
            self.audit(session, "reminder.add", f"#{row.id} {at:%Y-%m-%d %H:%M} → {','.join(recipients)[:200]}: "
                                                f"{row.text}")
            return row.id, len(recipients)

        try:
            number, count = await self.change(act)
        except reminders.ReminderError as exc:
            await self.show(texts.REMINDER_NOBODY.format(why=exc), draft)
            return
        self.deps.wake()
        self.done(texts.REMINDER_ADDED.format(number=number, count=count), "/console/reminders")


class ReminderCancel(ConsoleHandler):
    async def post(self, number: str) -> None:
        reminder_id = int(number)
        if not self.confirmed():
            row = await self.read(lambda s: s.get(Reminder, reminder_id))
            if row is None:
                raise HTTPError(404)
            if not row.active:
                self.done(texts.REMINDER_NOT_ACTIVE.format(number=reminder_id), "/console/reminders")
                return
            title, message, button = texts.CONFIRM_CANCEL_REMINDER
            self.ask_to_confirm(title, message.format(number=reminder_id, at=self.local(row.next_fire_at),
                                                      text=row.text[:80]), button, "/console/reminders")
            return

        def act(session: Session) -> bool:
            row = session.get(Reminder, reminder_id)
            if row is None:
                raise HTTPError(404)
            if not row.active:
                return False
            row.active = False
            self.audit(session, "reminder.cancel", f"#{row.id}: {row.text}")
            return True

        if await self.change(act):
            self.done(texts.REMINDER_CANCELLED.format(number=reminder_id), "/console/reminders")
        else:
            self.done(texts.REMINDER_NOT_ACTIVE.format(number=reminder_id), "/console/reminders")
