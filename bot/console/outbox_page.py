"""消息队列: how delivery stands, the messages parked as dead (to whom, why), and queueing one again (as
the chat's /outbox button does: handlers/delivery.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import texts
from bot.console.web import ConsoleHandler
from bot.core.models import OutboxMessage
from bot.core.outbox import status_counts, target_of
from handlers import delivery
from handlers.texts import delivery as delivery_text

DEAD_SHOWN = 100


@dataclass(frozen=True)
class DeadView:
    id: int
    to: str
    text: str
    error: str
    attempts: int
    created_at: dt.datetime


def load(session: Session) -> tuple[dict[str, int], list[DeadView]]:
    dead = [DeadView(m.id, str(target_of(m)), m.text, m.last_error or "", m.attempts, m.created_at)
            for m in session.scalars(select(OutboxMessage).where(OutboxMessage.status == "dead")
                                     .order_by(OutboxMessage.id.desc()).limit(DEAD_SHOWN))]
    return status_counts(session), dead


class OutboxPage(ConsoleHandler):
    async def get(self) -> None:
        counts, dead = await self.read(load)
        self.page("outbox.html", counts=counts, dead=dead)


class OutboxRetry(ConsoleHandler):
    async def post(self, number: str) -> None:
        message_id, now = int(number), self.deps.clock()

        def act(session: Session) -> bool:
            if session.get(OutboxMessage, message_id) is None:
                raise HTTPError(404)
            replies = delivery.retry(session, f"or:{message_id}", now) or []
            queued = bool(replies) and replies[0].text == delivery_text.RETRIED.format(number=message_id)
            if queued:
                self.audit(session, "outbox.retry", f"#{message_id}")
            return queued

        if await self.change(act):
            self.deps.wake()
            self.done(texts.RETRIED.format(number=message_id), "/console/outbox")
        else:
            self.done(texts.NOT_DEAD.format(number=message_id), "/console/outbox")
