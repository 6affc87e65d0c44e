"""Handing a user over to a person, and the conversation that follows.

A request reaches the channel's staff chat with its context (the question and what the bot answered).
Until it ends, the user's messages go to staff and a staff member's reply goes to the user. It ends when
the user presses 结束人工 or sends /cancel, when staff send /end N, or after HANDOFF_IDLE without a message.
Everything lives in the database, so a restart in the middle loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.core.messages import Address, Button, Incoming, Reply, StaffChat
from bot.core.models import HandoffRequest, QuestionLog
from handlers.context import Context
from handlers.texts import handoff as text
from knowledge import office
from knowledge.engine import SearchEngine

HANDOFF_IDLE = dt.timedelta(minutes=30)
END_PAYLOAD = re.compile(r"^x:(\d{1,12})$")
NUMBER_IN_NOTICE = re.compile(r"【人工咨询 #(\d{1,12})】")
MAX_RELAYED_CHARS = 2000


def _who(row: HandoffRequest) -> str:
    return row.display_name or f"用户{row.user_id}"


def _to_staff(row: HandoffRequest, message: str) -> Reply:
    return Reply(message, to=StaffChat(row.channel))


def _to_user(row: HandoffRequest, message: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
    return Reply(message, buttons, to=Address(row.channel, row.chat_id))


# Built once (this runs for every message): the id of a person's open handoff.
OPEN_ID = (select(HandoffRequest.id)
            .where(HandoffRequest.channel == bindparam("channel"), HandoffRequest.user_id == bindparam("user_id"),
                   HandoffRequest.status == "open")
            .order_by(HandoffRequest.id.desc()).limit(1))


def end_button(row: HandoffRequest) -> tuple[tuple[Button, ...], ...]:
    return ((Button(text.END_BUTTON, f"x:{row.id}"),),)


def _close(row: HandoffRequest, by: str, now: dt.datetime) -> None:
    row.status, row.closed_at, row.closed_by = "closed", now, by


def current(session: Session, incoming: Incoming, now: dt.datetime
            ) -> tuple[HandoffRequest | None, list[Reply]]:
    """The user's open handoff, if any. One idle too long is closed here, with notices to both sides."""
    # Runs for every message: look for an id first (a plain indexed query), load the row only if found.
    found = session.connection().execute(
        OPEN_ID, {"channel": incoming.channel, "user_id": incoming.user_id}).scalar()
    row = session.get(HandoffRequest, found) if found is not None else None
    if row is None:
        return None, []
    last = row.last_activity_at or row.created_at or now
    if now - last <= HANDOFF_IDLE:
        return row, []
    _close(row, "timeout", now)
    minutes = int(HANDOFF_IDLE.total_seconds() // 60)
    return None, [Reply(text.TIMED_OUT.format(number=row.id)),
                  _to_staff(row, text.TIMED_OUT_TO_STAFF.format(number=row.id, minutes=minutes))]


def _context(session: Session, incoming: Incoming, question_id: int | None, engine: SearchEngine | None) -> str:
    if question_id is None:
        return text.STAFF_CONTEXT_NONE
    question = session.get(QuestionLog, question_id)
    if question is None or question.channel != incoming.channel or question.user_id != incoming.user_id:
        return text.STAFF_CONTEXT_NONE
    answer = text.BOT_ANSWER_NONE
    if question.confident and question.entry_id:
        entry = engine.kb.entry(question.entry_id) if engine else None
        answer = f"“{entry.question}”" if entry else question.entry_id
    return text.STAFF_CONTEXT_QUESTION.format(question=question.text[:500], answer=answer)


def request(session: Session, incoming: Incoming, question_id: int | None,
            engine: SearchEngine | None = None, *, now: dt.datetime) -> list[Reply]:
    """Open a handoff (or point to the one already open) and tell staff, with the context."""
    row, notices = current(session, incoming, now)
    if row is not None:
        return [Reply(text.ALREADY.format(number=row.id), end_button(row))]
    context = _context(session, incoming, question_id, engine)
    own_question = question_id if context != text.STAFF_CONTEXT_NONE else None
    row = HandoffRequest(
        channel=incoming.channel, user_id=incoming.user_id, chat_id=incoming.chat_id,
        display_name=(incoming.display_name or "")[:128] or None, question_id=own_question,
        status="open", created_at=now, last_activity_at=now,
    )
    session.add(row)
    session.flush()
    staff_notice = text.STAFF_NEW.format(number=row.id, who=_who(row), channel=row.channel, context=context)
    contact = office.contact_text(office.for_kb(engine.kb if engine else None))
    return [*notices, Reply(text.OPENED.format(number=row.id, contact=contact), end_button(row)),
            _to_staff(row, staff_notice)]


def human(ctx: Context, incoming: Incoming, _argument: str) -> list[Reply]:
    """/human"""
    return request(ctx.session, incoming, None, ctx.engine, now=ctx.now)


def relay_from_user(row: HandoffRequest, message: str, now: dt.datetime) -> list[Reply]:
    """A message from a user in a handoff goes to staff (nothing is answered by the bot)."""
    row.last_activity_at = now
    return [_to_staff(row, text.STAFF_USER_SAYS.format(number=row.id, who=_who(row),
                                                        text=message[:MAX_RELAYED_CHARS]))]


def reply_from_staff(session: Session, number: int, message: str, now: dt.datetime) -> list[Reply]:
    row = session.get(HandoffRequest, number)
    if row is None or row.status != "open":
        return [Reply(text.NOT_OPEN.format(number=number))]
    row.last_activity_at = now
    return [_to_user(row, text.USER_STAFF_SAYS.format(text=message[:MAX_RELAYED_CHARS]), end_button(row)),
            Reply(text.STAFF_SENT.format(number=row.id))]


def end_by_user(session: Session, incoming: Incoming, number: int | None = None, *, now: dt.datetime) -> list[Reply]:
    row, notices = current(session, incoming, now)
    if row is None or (number is not None and row.id != number):
        return notices or [Reply(text.NOTHING_TO_CANCEL)]
    _close(row, "user", now)
    return [Reply(text.ENDED_BY_USER_TO_USER), _to_staff(row, text.ENDED_BY_USER_TO_STAFF.format(number=row.id))]


def end_by_staff(session: Session, number: int, now: dt.datetime) -> list[Reply]:
    row = session.get(HandoffRequest, number)
    if row is None or row.status != "open":
        return [Reply(text.NOT_OPEN.format(number=number))]
    _close(row, "staff", now)
    return [_to_user(row, text.ENDED_BY_STAFF_TO_USER), Reply(text.ENDED_BY_STAFF_TO_STAFF.format(number=row.id))]


def number_replied_to(incoming: Incoming) -> int | None:
    """The handoff a staff message answers, read from the notice it replies to."""
    if not incoming.reply_to_text:
        return None
    match = NUMBER_IN_NOTICE.search(incoming.reply_to_text)
    return int(match.group(1)) if match else None


def handle_payload(ctx: Context, incoming: Incoming, payload: str) -> list[Reply] | None:
    if match := END_PAYLOAD.match(payload):
        return end_by_user(ctx.session, incoming, int(match.group(1)), now=ctx.now)
    return None


def end_command(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    """/end N, or /end in reply to a handoff's notice."""
    number = argument.strip()
    if number.isdigit():
        return end_by_staff(ctx.session, int(number), ctx.now)
    replied = number_replied_to(incoming)
    return end_by_staff(ctx.session, replied, ctx.now) if replied else [Reply(text.STAFF_HOW)]


def reply_command(ctx: Context, _incoming: Incoming, argument: str) -> list[Reply]:
    """/reply N text"""
    number, _, message = argument.strip().partition(" ")
    if not number.isdigit() or len(number) > 12 or not message.strip():
        return [Reply(text.STAFF_HOW)]
    return reply_from_staff(ctx.session, int(number), message.strip(), ctx.now)
