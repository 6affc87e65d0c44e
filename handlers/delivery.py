"""Staff /outbox: how delivery stands, the messages parked as dead (why, to whom), and a button to queue
one again (payload `or:<id>`), e.g. after a user unblocked the bot or the staff chat was configured."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.messages import Button, Incoming, Reply
from bot.core.models import OutboxMessage
from bot.core.outbox import status_counts
from handlers.context import Context
from handlers.texts import delivery as text

RETRY_PAYLOAD = re.compile(r"^or:(\d{1,12})$")
MAX_LISTED = 10


def status(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """/outbox: the outbox's counts and the messages given up on, each with a retry button."""
    session = ctx.session
    counts = status_counts(session)
    lines = [text.STATUS.format(**counts)]
    dead = list(session.scalars(select(OutboxMessage).where(OutboxMessage.status == "dead")
                                .order_by(OutboxMessage.id.desc()).limit(MAX_LISTED)))
    if not dead:
        return [Reply("\n".join([*lines, text.NO_DEAD]))]
    lines.append(text.DEAD_TITLE.format(count=len(dead)))
    lines += [text.DEAD_ITEM.format(number=row.id, to=f"{row.channel}:{row.chat_id}",
                                    error=(row.last_error or "")[:80], text=row.text[:40]) for row in dead]
    buttons = tuple((Button(text.RETRY_BUTTON.format(number=row.id), f"or:{row.id}"),) for row in dead)
    return [Reply("\n".join(lines), buttons)]


def retry(session: Session, payload: str, now: dt.datetime) -> list[Reply] | None:
    match = RETRY_PAYLOAD.match(payload)
    if match is None:
        return None
    row = session.get(OutboxMessage, int(match.group(1)))
    if row is None or row.status != "dead":
        return [Reply(text.NOT_DEAD.format(number=match.group(1)))]
    row.status, row.attempts, row.next_attempt_at, row.claimed_at = "pending", 0, now, None
    return [Reply(text.RETRIED.format(number=row.id))]


def retry_button(ctx: Context, _incoming: Incoming, payload: str) -> list[Reply] | None:
    return retry(ctx.session, payload, ctx.now)
