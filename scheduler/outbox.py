"""The delivery outbox: proactive messages are written in the same transaction as what caused them and sent
by a dispatcher with per-channel pacing and retries; each is marked sent exactly once.

Any instance may dispatch: rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite runs one
instance). A claim is a lease: a row left 'sending' by a crashed instance goes back to the queue after
CLAIM_LEASE. A temporary failure (429, 5xx, network) is retried with exponential backoff, honouring
Retry-After; after MAX_ATTEMPTS, or on a permanent failure, the message is parked as 'dead' for staff to see.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.models import OutboxMessage, utcnow
from handlers.types import Button, Reply
from scheduler.send_limits import ChannelLimits, Limiter

MAX_ATTEMPTS = 6
BASE_DELAY = 2.0  # seconds; doubles with every failed attempt
MAX_DELAY = 600.0
CLAIM_LEASE = dt.timedelta(seconds=120)
BATCH = 50


class TemporaryFailure(Exception):
    """Worth trying again later (rate limited, server error, network)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Will never succeed (chat not found, bot blocked): park the message."""


class Sender(Protocol):
    async def send(self, chat_id: str, reply: Reply) -> None: ...


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    chat_id: str
    reply: Reply
    attempts: int


def _buttons(reply: Reply) -> list[list[list[str]]]:
    return [[[b.label, b.payload] for b in row] for row in reply.buttons]


def enqueue(session: Session, channel: str, chat_id: str, reply: Reply, key: str | None = None,
            due: dt.datetime | None = None, late: bool = False) -> OutboxMessage | None:
    """Queue a message in the caller's transaction. None when a message with the same key is queued already."""
    row = OutboxMessage(channel=channel, chat_id=chat_id, text=reply.text, buttons=_buttons(reply),
                        image=reply.image, file_name=reply.file_name,
                        idempotency_key=key, status="pending", attempts=0, created_at=utcnow(),
                        next_attempt_at=due or utcnow(), late=late)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def claim(session: Session, now: dt.datetime, limit: int = BATCH) -> list[Claimed]:
    """Take due messages for sending (and ones whose earlier claim lapsed)."""
    stale = now - CLAIM_LEASE
    rows = session.scalars(
        select(OutboxMessage)
        .where(or_(OutboxMessage.status == "pending",
                   (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale)),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for row in rows:
        row.status, row.claimed_at = "sending", now
        buttons = tuple(tuple(Button(label, payload) for label, payload in r) for r in row.buttons or [])
        reply = Reply(row.text, buttons, row.image, row.file_name)
        claimed.append(Claimed(row.id, row.channel, row.chat_id, reply, row.attempts))
    return claimed


def status_counts(session: Session) -> dict[str, int]:
    """pending, sent, failed (pending after a failed attempt), dead, sending."""
    counts = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    failed = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.attempts > 0)) or 0
    return {"pending": int(counts.get("pending", 0)), "sending": int(counts.get("sending", 0)),
            "sent": int(counts.get("sent", 0)), "failed": int(failed), "dead": int(counts.get("dead", 0))}


class Dispatcher:
    """Sends due outbox messages: chats side by side, each chat's messages in order, within the channel's
    send limits (a chat whose own limit is used up waits in the queue without holding up the others)."""

    def __init__(self, sessions: sessionmaker[Session], senders: Mapping[str, Sender],
                 limits: Mapping[str, ChannelLimits] | None = None, max_attempts: int = MAX_ATTEMPTS,
                 base_delay: float = BASE_DELAY) -> None:
        self.sessions = sessions
        self.senders = senders
        self.limiter = Limiter(dict(limits or {}))
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self._wake: asyncio.Event | None = None

    def _finish(self, message: Claimed, **values: object) -> None:
        with self.sessions.begin() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                        OutboxMessage.status == "sending").values(**values))

    def _release(self, messages: list[Claimed], due: dt.datetime) -> None:
        """Back to the queue untried (their chat's turn is later), in their order."""
        with self.sessions.begin() as session:
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]),
                                                        OutboxMessage.status == "sending")
                            .values(status="pending", claimed_at=None, next_attempt_at=due))

    async def _send(self, message: Claimed, sender: Sender, flight: asyncio.Semaphore) -> None:
        overall = self.limiter.overall(message.channel)
        async with flight:
            while overall is not None and (wait := overall.wait()) > 0:
                await asyncio.sleep(wait)
            if overall is not None:
                overall.started()
            try:
                await sender.send(message.chat_id, message.reply)
            finally:
                if overall is not None:
                    overall.answered()

    async def _send_chat(self, messages: list[Claimed], now: dt.datetime, flight: asyncio.Semaphore) -> None:
        for index, message in enumerate(messages):
            sender = self.senders.get(message.channel)
            attempts = message.attempts + 1
            window = self.limiter.chat(message.channel, message.chat_id)
            if window is not None and (wait := window.wait()) > 0:
                self._release(messages[index:], now + dt.timedelta(seconds=wait))
                return
            if window is not None:
                window.started()
            try:
                if sender is None:
                    raise PermanentFailure(f"no sender for channel {message.channel!r}")
                await self._send(message, sender, flight)
            except TemporaryFailure as exc:
                if attempts >= self.max_attempts:
                    self._finish(message, status="dead", attempts=attempts, last_error=str(exc)[:500])
                    continue
                delay = exc.retry_after if exc.retry_after is not None else min(
                    self.base_delay * 2 ** (attempts - 1), MAX_DELAY)
                due = now + dt.timedelta(seconds=delay)
                self._finish(message, status="pending", attempts=attempts, last_error=str(exc)[:500],
                             next_attempt_at=due, claimed_at=None)
                if index + 1 < len(messages):  # the chat's later messages wait behind it: no overtaking
                    self._release(messages[index + 1:], due)
                return
            except PermanentFailure as exc:
                self._finish(message, status="dead", attempts=attempts, last_error=str(exc)[:500])
            else:
                self._finish(message, status="sent", attempts=attempts, sent_at=utcnow())
            finally:
                if window is not None:
                    window.answered()

    async def run_once(self, now: dt.datetime | None = None) -> int:
        """Send what is due; returns how many messages were taken from the queue."""
        now = now or utcnow()
        with self.sessions.begin() as session:
            batch = claim(session, now)
        chats: dict[tuple[str, str], list[Claimed]] = {}
        for message in batch:
            chats.setdefault((message.channel, message.chat_id), []).append(message)
        flights = {channel: asyncio.Semaphore(self.limiter.of_channel(channel).in_flight)
                   for channel in {m.channel for m in batch}}
        await asyncio.gather(*(self._send_chat(messages, now, flights[channel])
                               for (channel, _chat), messages in chats.items()))
        return len(batch)

    def wake(self) -> None:
        """Something was queued that should go now (a reply): do not wait for the next poll."""
        if self._wake is not None:
            self._wake.set()

    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        self._wake = asyncio.Event()
        while not stop.is_set():
            self._wake.clear()  # a wake-up while sending stays set, so the wait below ends at once
            if await self.run_once() == 0:
                waiting = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                await asyncio.wait(waiting, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                for future in waiting:
                    future.cancel()
