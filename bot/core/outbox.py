"""The delivery outbox: every message the bot sends — answers, proactive messages, notices for another chat —
is written in the same transaction as what caused it and sent by a dispatcher with per-channel pacing and
retries; each is marked sent once (after a crash, a message in flight may be sent a second time, never lost).

Any instance may dispatch: rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite runs one
instance). A claim is a lease: a row left 'sending' by a crashed instance goes back to the queue after
CLAIM_LEASE (IPBOT_OUTBOX_CLAIM_LEASE_SECONDS). A temporary failure (429, 5xx, network) is retried with
exponential backoff, honouring Retry-After; after MAX_ATTEMPTS, or on a permanent failure, the message is
parked as 'dead' for staff to see. The dispatcher's database work runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core import texts as text
from bot.core.clock import Clock, system_clock
from bot.core.delivery import PermanentFailure, Sender, TemporaryFailure, Undeliverable
from bot.core.messages import Address, Button, Reply, StaffChat, Target
from bot.core.models import OutboxMessage
from bot.core.send_limits import ChannelLimits, Limiter

MAX_ATTEMPTS = 6
BASE_DELAY = 2.0  # seconds; doubles with every failed attempt
MAX_DELAY = 600.0
CLAIM_LEASE = dt.timedelta(seconds=30)  # well over any send's timeouts
BATCH = 100
MAX_UNCONFIRMED = 8  # sends out at once whose outcome is not yet committed (re-sent after a crash)


@dataclass(frozen=True)
class Claimed:
    id: int
    to: Target
    reply: Reply
    attempts: int
    answer: bool = False

    @property
    def channel(self) -> str:
        return self.to.channel


def target_of(row: OutboxMessage) -> Target:
    return StaffChat(row.channel) if row.to_staff else Address(row.channel, row.chat_id)


def _buttons(reply: Reply) -> list[list[list[str]]]:
    return [[[b.label, b.payload] for b in row] for row in reply.buttons]


def row_values(to: Target, reply: Reply, now: dt.datetime, key: str | None = None, due: dt.datetime | None = None,
               late: bool = False, answer: bool = False) -> dict[str, Any]:
    """The outbox row for one message (see enqueue)."""
    return {"channel": to.channel, "chat_id": to.chat if isinstance(to, Address) else "",
            "to_staff": isinstance(to, StaffChat), "text": reply.text, "buttons": _buttons(reply),
            "image": reply.image, "file_name": reply.file_name, "idempotency_key": key, "status": "pending",
            "attempts": 0, "created_at": now, "next_attempt_at": due or now, "late": late, "answer": answer,
            "kind": reply.kind}


def enqueue(session: Session, to: Target, reply: Reply, key: str | None = None, due: dt.datetime | None = None,
            late: bool = False, answer: bool = False, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Queue a message in the caller's transaction. None when a message with the same key is queued already.
    answer: the reply to a message just taken in from that chat (see send_limits: not held to the chat's
    pace for proactive messages)."""
    row = OutboxMessage(**row_values(to, reply, now or system_clock(), key, due, late, answer))
    if key is None:  # nothing to collide with: no savepoint needed
        session.add(row)
        return row
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def claim(session: Session, now: dt.datetime, limit: int = BATCH,
          lease: dt.timedelta = CLAIM_LEASE) -> list[Claimed]:
    """Take due messages for sending (and ones whose earlier claim, older than `lease`, lapsed)."""
    stale = now - lease
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
        reply = Reply(row.text, buttons, row.image, row.file_name, kind=row.kind)
        claimed.append(Claimed(row.id, target_of(row), reply, row.attempts, bool(row.answer)))
    return claimed


def next_due(session: Session) -> dt.datetime | None:
    """When the earliest pending message falls due (None: nothing pending)."""
    return session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == "pending"))


def status_counts(session: Session) -> dict[str, int]:
    """pending, sent, failed (pending after a failed attempt), dead, sending."""
    counts = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    failed = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.attempts > 0)) or 0
    return {"pending": int(counts.get("pending", 0)), "sending": int(counts.get("sending", 0)),
            "sent": int(counts.get("sent", 0)), "failed": int(failed), "dead": int(counts.get("dead", 0))}


@dataclass
class Outcomes:
    """What a round of sending decided, written in one transaction at its end."""

    sent: list[int] = field(default_factory=list)  # the common outcome, written in one statement
    finished: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    released: list[tuple[list[int], dt.datetime]] = field(default_factory=list)

    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # set when an outcome is added
    # sends started whose outcome is not committed yet: at most this many are sent again after a crash
    unconfirmed: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_UNCONFIRMED))

    def take(self) -> Outcomes:
        """What was gathered so far, leaving this empty (called on the event loop, between sends)."""
        taken = Outcomes(self.sent, self.finished, self.released)
        self.sent, self.finished, self.released = [], [], []
        return taken

    def confirmed(self, taken: Outcomes) -> None:
        """`taken` is committed: as many further sends may start."""
        for _ in range(len(taken.sent) + len(taken.finished)):
            self.unconfirmed.release()


def _reason(template: str, exc: Exception, attempts: int) -> str:
    """A reason staff read in Chinese, with the platform's own words kept in brackets for whoever digs."""
    return template.format(detail=str(exc)[:400] or exc.__class__.__name__, attempts=attempts)[:500]


class Dispatcher:
    """Sends due outbox messages: chats side by side, each chat's messages in order, within the channel's
    send limits (a chat whose own limit is used up waits in the queue without holding up the others)."""

    def __init__(self, sessions: sessionmaker[Session], senders: Mapping[str, Sender],
                 limits: Mapping[str, ChannelLimits] | None = None, max_attempts: int = MAX_ATTEMPTS,
                 base_delay: float = BASE_DELAY, clock: Clock = system_clock,
                 writer: AbstractContextManager[object] | None = None,
                 claim_lease: dt.timedelta = CLAIM_LEASE) -> None:
        """writer: held around each transaction (the app's one-writer lock on SQLite). claim_lease: how long
        a message claimed by an instance that then died waits before another claim takes it."""
        self.sessions = sessions
        self.senders = senders
        self.limiter = Limiter(dict(limits or {}))
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.clock = clock
        self.writer = writer or contextlib.nullcontext()
        self.claim_lease = claim_lease
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def release_orphans(self) -> int:
        """At start on the embedded database (one instance by construction): rows a killed process left
        'sending' go back to the queue at once instead of waiting out their lease. Returns how many."""
        bind = self.sessions.kw.get("bind")
        if bind is None or bind.dialect.name != "sqlite":
            return 0
        with self.writer, self.sessions.begin() as session:
            result = session.execute(update(OutboxMessage).where(OutboxMessage.status == "sending")
                                     .values(status="pending", claimed_at=None))
            return int(getattr(result, "rowcount", 0) or 0)

    def _claim(self, now: dt.datetime) -> list[Claimed]:
        with self.writer, self.sessions.begin() as session:
            return claim(session, now, lease=self.claim_lease)

    def _record(self, outcomes: Outcomes) -> None:
        if not outcomes.sent and not outcomes.finished and not outcomes.released:
            return
        with self.writer, self.sessions.begin() as session:
            if outcomes.sent:
                session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(outcomes.sent),
                                                            OutboxMessage.status == "sending")
                                .values(status="sent", attempts=OutboxMessage.attempts + 1, sent_at=self.clock()))
            for message_id, values in outcomes.finished:
                session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id,
                                                            OutboxMessage.status == "sending").values(**values))
            for ids, due in outcomes.released:  # back to the queue untried (their chat's turn is later)
                session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
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
                await sender.send(message.to, message.reply)
            finally:
                if overall is not None:
                    overall.answered()

    async def _send_chat(self, messages: list[Claimed], now: dt.datetime, flight: asyncio.Semaphore,
                         out: Outcomes) -> None:
        for index, message in enumerate(messages):
            sender = self.senders.get(message.channel)
            attempts = message.attempts + 1
            # An answer goes at once: the person just wrote (and flood control bounds how often); proactive
            # messages keep the chat's pace.
            window = None if message.answer else self.limiter.chat(message.channel, message.to)
            if window is not None and (wait := window.wait()) > 0:
                out.released.append(([m.id for m in messages[index:]], now + dt.timedelta(seconds=wait)))
                return
            await out.unconfirmed.acquire()  # given back once this send's outcome is committed
            if window is not None:
                window.started()
            try:
                if sender is None:
                    raise PermanentFailure(text.NO_CHANNEL.format(channel=text.channel_name(message.channel)))
                await self._send(message, sender, flight)
            except TemporaryFailure as exc:
                if attempts >= self.max_attempts:
                    out.finished.append((message.id, {"status": "dead", "attempts": attempts,
                                                      "last_error": _reason(text.GAVE_UP, exc, attempts)}))
                    continue
                delay = exc.retry_after if exc.retry_after is not None else min(
                    self.base_delay * 2 ** (attempts - 1), MAX_DELAY)
                due = now + dt.timedelta(seconds=delay)
                out.finished.append((message.id, {"status": "pending", "attempts": attempts, "claimed_at": None,
                                                  "last_error": _reason(text.RETRYING, exc, attempts),
                                                  "next_attempt_at": due}))
                if index + 1 < len(messages):  # the chat's later messages wait behind it: no overtaking
                    out.released.append(([m.id for m in messages[index + 1:]], due))
                return
            except PermanentFailure as exc:
                reason = str(exc) if sender is None or isinstance(exc, Undeliverable) \
                    else _reason(text.REFUSED, exc, attempts)
                out.finished.append((message.id, {"status": "dead", "attempts": attempts, "last_error": reason[:500]}))
            else:
                out.sent.append(message.id)
            finally:
                out.arrived.set()
                if window is not None:
                    window.answered()

    async def run_once(self, now: dt.datetime | None = None) -> int:
        """Send what is due; returns how many messages were taken from the queue."""
        now = now or self.clock()
        batch = await asyncio.to_thread(self._claim, now)
        if not batch:
            return 0
        chats: dict[Target, list[Claimed]] = {}
        for message in batch:
            chats.setdefault(message.to, []).append(message)
        flights = {channel: asyncio.Semaphore(self.limiter.of_channel(channel).in_flight)
                   for channel in {m.channel for m in batch}}
        out = Outcomes()
        sending = asyncio.gather(*(self._send_chat(messages, now, flights[to.channel], out)
                                   for to, messages in chats.items()))
        try:
            # Outcomes are written as they come (each write takes what gathered while the last one ran), not
            # once the whole batch is through, and no more than MAX_UNCONFIRMED sends are ever out without
            # their outcome committed: a crash then sends again only what was really in flight.
            while not sending.done():
                arrival: asyncio.Future[Any] = asyncio.ensure_future(out.arrived.wait())
                either: list[asyncio.Future[Any]] = [sending, arrival]
                await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
                arrival.cancel()
                out.arrived.clear()
                taken = out.take()
                await asyncio.to_thread(self._record, taken)
                out.confirmed(taken)
            await sending
        finally:
            await asyncio.to_thread(self._record, out.take())
        return len(batch)

    def wake(self) -> None:
        """Something was queued that should go now (a reply): do not wait for the next poll."""
        if self._wake is not None:
            self._wake.set()

    def wake_threadsafe(self) -> None:
        """wake(), from a worker thread."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            self._wake.clear()  # a wake-up while sending stays set, so the wait below ends at once
            if await self.run_once() == 0:
                waiting = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                await asyncio.wait(waiting, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                for future in waiting:
                    future.cancel()
