"""人工服务: the open handoffs with the conversation so far; reply and end from the browser.

Replies go the way a staff member's reply in chat goes (handlers/handoff.py), queued in the outbox as the
pipeline queues them (bot.core.outbox.row_values), with a note to the channel's staff chat so the others see
it was answered; then the dispatcher is woken. The conversation is read back from what was queued: the
notices to the staff chat about this handoff and what was sent to the user's chat while it was open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import texts
from bot.console.web import ConsoleHandler
from bot.core import texts as core_texts
from bot.core.messages import Address, Reply, StaffChat
from bot.core.models import HandoffRequest, OutboxMessage, QuestionLog
from bot.core.outbox import row_values
from handlers import handoff
from handlers.texts import handoff as handoff_text

MAX_REPLY = handoff.MAX_RELAYED_CHARS
CLOSED_SHOWN = 10
LINES_SHOWN = 200
QUESTION_BEFORE = dt.timedelta(minutes=30)
SAME_MOMENT = dt.timedelta(seconds=5)  # the reply that opened it is queued with the message's own clock reading


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    side: str  # question | staff_chat | user
    text: str
    status: str


@dataclass(frozen=True)
class HandoffView:
    id: int
    who: str
    channel: str
    chat: str
    status: str
    created_at: dt.datetime
    last_activity_at: dt.datetime | None
    closed_by: str | None


def view(row: HandoffRequest) -> HandoffView:
    return HandoffView(row.id, row.display_name or f"用户{row.user_id}", row.channel, row.chat_id, row.status,
                       row.created_at, row.last_activity_at, row.closed_by)


def listing(session: Session) -> tuple[list[HandoffView], list[HandoffView]]:
    opened = session.scalars(select(HandoffRequest).where(HandoffRequest.status == "open")
                             .order_by(HandoffRequest.id))
    closed = session.scalars(select(HandoffRequest).where(HandoffRequest.status != "open")
                             .order_by(HandoffRequest.id.desc()).limit(CLOSED_SHOWN))
    return [view(r) for r in opened], [view(r) for r in closed]


def conversation(session: Session, row: HandoffRequest) -> list[Line]:
    lines: list[Line] = []
    question = session.get(QuestionLog, row.question_id) if row.question_id else None
    if question is None:  # asked for a person by typing it: the question they asked just before, if any
        question = session.scalars(select(QuestionLog).where(
            QuestionLog.channel == row.channel, QuestionLog.user_id == row.user_id,
            QuestionLog.created_at <= row.created_at, QuestionLog.created_at >= row.created_at - QUESTION_BEFORE)
            .order_by(QuestionLog.id.desc()).limit(1)).first()
    first = [Line(question.created_at, "question", question.text, "")] if question is not None else []
    notice = f"【人工咨询 #{row.id}】%"
    staff_rows = session.scalars(select(OutboxMessage).where(
        OutboxMessage.channel == row.channel, OutboxMessage.to_staff.is_(True), OutboxMessage.text.like(notice))
        .order_by(OutboxMessage.id).limit(LINES_SHOWN))
    lines += [Line(m.created_at, "staff_chat", m.text, m.status) for m in staff_rows]
    to_user = select(OutboxMessage).where(
        OutboxMessage.channel == row.channel, OutboxMessage.chat_id == row.chat_id,
        OutboxMessage.to_staff.is_(False), OutboxMessage.created_at >= row.created_at - SAME_MOMENT)
    if row.closed_at is not None:
        to_user = to_user.where(OutboxMessage.created_at <= row.closed_at)
    lines += [Line(m.created_at, "user", m.text, m.status)
              for m in session.scalars(to_user.order_by(OutboxMessage.id).limit(LINES_SHOWN))]
    return first + sorted(lines, key=lambda line: line.at)  # the question led to everything else


def _queue(session: Session, replies: list[Reply], now: dt.datetime) -> None:
    rows = [row_values(r.to, r, now) for r in replies if r.to is not None]
    if rows:
        session.execute(insert(OutboxMessage), rows)


class HandoffsPage(ConsoleHandler):
    async def get(self) -> None:
        opened, closed = await self.read(listing)
        self.page("handoffs.html", opened=opened, closed=closed)


class HandoffPage(ConsoleHandler):
    async def _load(self, number: int) -> tuple[HandoffView, list[Line]]:
        def load(session: Session) -> tuple[HandoffView, list[Line]] | None:
            row = session.get(HandoffRequest, number)
            return None if row is None else (view(row), conversation(session, row))

        found = await self.read(load)
        if found is None:
            raise HTTPError(404)
        return found

    async def show(self, number: int, error: str | None = None, draft: str = "") -> None:
        item, lines = await self._load(number)
        self.page("handoff.html", error=error, item=item, lines=lines, draft=draft, max_reply=MAX_REPLY)

    async def get(self, number: str, *_rest: str) -> None:
        await self.show(int(number))

    async def post(self, number: str, action: str = "") -> None:
        if action not in ("reply", "end"):
            raise HTTPError(405)
        handoff_id, me, now = int(number), self.me, self.deps.clock()
        message = self.form("text").strip()
        if action == "reply" and not message:
            await self.show(handoff_id, texts.REPLY_EMPTY)
            return
        if action == "reply" and len(message) > MAX_REPLY:
            await self.show(handoff_id, texts.REPLY_TOO_LONG.format(n=MAX_REPLY), draft=message)
            return
        if action == "end" and not self.confirmed():
            item, _lines = await self._load(handoff_id)
            if item.status != "open":
                await self.show(handoff_id, handoff_text.NOT_OPEN.format(number=handoff_id))
                return
            title, message, button = texts.CONFIRM_END_HANDOFF
            self.ask_to_confirm(title, message.format(number=handoff_id, who=item.who), button,
                                f"/console/handoffs/{handoff_id}")
            return

        def act(session: Session) -> str | None:
            row = session.get(HandoffRequest, handoff_id)
            if row is None:
                raise HTTPError(404)
            if row.status != "open":
                return handoff_text.NOT_OPEN.format(number=handoff_id)
            staff_chat = StaffChat(row.channel)
            if action == "reply":
                replies = handoff.reply_from_staff(session, handoff_id, message, now)
                note = texts.STAFF_NOTE_REPLY.format(number=handoff_id, name=me.name, text=message)
                self.audit(session, "handoff.reply", f"#{handoff_id} {Address(row.channel, row.chat_id)}: {message}")
            else:
                replies = handoff.end_by_staff(session, handoff_id, now)
                note = texts.STAFF_NOTE_END.format(number=handoff_id, name=me.name)
                self.audit(session, "handoff.end", f"#{handoff_id}")
            _queue(session, [*replies, Reply(note, to=staff_chat)], now)
            return None

        problem = await self.change(act)
        if problem is not None:
            await self.show(handoff_id, problem)
            return
        self.deps.wake()
        said = texts.REPLIED if action == "reply" else texts.ENDED
        warning = ""
        with self.deps.sessions() as session:
            row = session.get(HandoffRequest, handoff_id)
            if row is not None and row.channel not in self.deps.channels:
                warning = texts.CHANNEL_NOT_CONFIGURED.format(channel=core_texts.channel_name(row.channel))
        target = f"/console/handoffs/{handoff_id}" if action == "reply" else "/console/handoffs"
        self.done(said.format(number=handoff_id) + warning, target)
