"""The one conversation pipeline: platform → inbox → router → outbox → platform.

    channel translates an update to an Incoming
      → take(): stored in the inbox (committed) — only then is the platform told it arrived
      → handle(): one transaction: the router's changes (conversation state, question log), every reply
        queued in the outbox (answers and messages for other chats alike), the inbox row marked done
      → the outbox dispatcher sends, within each channel's limits

A crash before the store: the platform never heard back and delivers again. Between the store and the
handling transaction: the row is pending and is handled at the next start (or by the sweep of a running
instance). After it: the replies are in the outbox, which sends them after restart. A message can therefore
be answered twice only if the crash hit while its answer was in flight, and is never lost.

Messages of one chat are handled strictly in order: a chat with messages waiting stays in the lane that has
them; a chat with nothing waiting goes to the least busy of `concurrency` lanes (so two people never wait on
each other while a lane is free). A lane handles what is waiting for it in id order, up to BATCH messages in
one transaction (one commit for many messages: that, not the answering, was most of the cost). Lanes run side
by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock, system_clock
from bot.core.messages import Incoming, Reply
from bot.core.models import InboxMessage, OutboxMessage
from bot.core.models.reminders import reminders_changed
from bot.core.outbox import row_values
from handlers.question_log import answered
from handlers.router import Router
from handlers.texts import ask as ask_text

log = logging.getLogger(__name__)
SWEEP_EVERY = 30.0  # seconds between looks for rows another (crashed) instance left pending
SWEEP_AGE = dt.timedelta(seconds=60)  # a pending row this old and not ours is taken over
KEPT = dt.timedelta(days=7)  # done rows are kept this long: platforms redeliver within minutes
MAX_KEY = 200
BATCH = 50  # messages of one lane handled in one transaction


def chat_key(incoming: Incoming) -> tuple[str, str]:
    return incoming.channel, incoming.chat_id


class Pipeline:
    def __init__(self, router: Router, sessions: sessionmaker[Session], wake: Callable[[], None] = lambda: None,
                 concurrency: int = 4, clock: Clock = system_clock,
                 writer: AbstractContextManager[object] | None = None,
                 photos: Callable[[], None] = lambda: None,
                 scheduled: Callable[[], None] = lambda: None) -> None:
        """wake: the outbox dispatcher's wake-up, called when replies were queued. photos: called when a
        handled message carried photos (the downloader's wake-up). scheduled: called when a handled batch
        added or changed a reminder (the reminder loop's wake-up; a batch that did not leaves it asleep).
        writer: a context manager held around each transaction (SQLite takes one writer at a time; waiting
        here is cheaper than its own back-off)."""
        self.router = router
        self.sessions = sessions
        self.wake = wake
        self.photos = photos
        self.scheduled = scheduled
        self._with_photos: set[int] = set()  # rows scheduled here whose message carried photos
        # told of every handled batch: (channel, seconds from stored to replies queued) a message, and whether
        # each question in it was answered confidently (bot/metrics.py)
        self.observe: Callable[[list[tuple[str, float]], list[bool]], None] = lambda _messages, _answers: None
        self.clock = clock
        self.concurrency = concurrency
        self._writer = writer or contextlib.nullcontext()
        self._lanes: list[asyncio.Queue[int]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._load: list[int] = []  # rows waiting or in hand, per lane
        self._mine: dict[int, tuple[str, str]] = {}  # rows scheduled in this process and not finished → chat
        self._chat_lane: dict[tuple[str, str], list[int]] = {}  # chat with rows in hand → [lane, how many]

    # ---- in -------------------------------------------------------------------------------------------
    async def take(self, channel: str, items: Sequence[tuple[str, Incoming]],
                   alongside: Callable[[Session], None] | None = None) -> int:
        """Store these messages (keyed by the platform's id; a key seen before is skipped) and schedule their
        handling. When this returns they are committed: the caller may acknowledge them to the platform.
        alongside: the channel's own note of what arrived (e.g. when a WeChat follower last wrote), written in
        the same transaction. Returns how many were new."""
        if not items and alongside is None:
            return 0
        stored = await asyncio.to_thread(self.store, channel, items, alongside)
        for row_id, incoming in stored:
            self._schedule(row_id, incoming)
        return len(stored)

    def store(self, channel: str, items: Sequence[tuple[str, Incoming]],
              alongside: Callable[[Session], None] | None = None) -> list[tuple[int, Incoming]]:
        """Insert the new ones in one transaction; returns (row id, message) of those that were new. Another
        instance storing the same key at the same moment makes the insert fail: then it is tried again, and
        sees the key."""
        for attempt in range(3):
            try:
                return self._store(channel, items, alongside)
            except IntegrityError:
                if attempt == 2:
                    raise
        return []

    def _store(self, channel: str, items: Sequence[tuple[str, Incoming]],
               alongside: Callable[[Session], None] | None) -> list[tuple[int, Incoming]]:
        keys = [key[:MAX_KEY] for key, _incoming in items]
        with self._writer, self.sessions.begin() as session:
            seen = set(session.scalars(select(InboxMessage.key).where(InboxMessage.channel == channel,
                                                                      InboxMessage.key.in_(keys))))
            rows: list[tuple[InboxMessage, Incoming]] = []
            now = self.clock()
            for key, (_key, incoming) in zip(keys, items, strict=True):
                if key in seen:
                    continue
                seen.add(key)
                row = InboxMessage(channel=channel, key=key, incoming=incoming.to_json(), status="pending",
                                   received_at=now)
                session.add(row)
                rows.append((row, incoming))
            if alongside is not None:
                alongside(session)
            session.flush()
            return [(row.id, incoming) for row, incoming in rows]

    # ---- handling -------------------------------------------------------------------------------------
    def handle(self, row_ids: Sequence[int]) -> int:
        """Handle these rows, those still pending, in id order and in one transaction. Returns how many were
        handled (0: done elsewhere, or another instance holds them). If anything fails, the batch is rolled
        back and each message is handled again in a transaction of its own, so one bad message costs only
        itself: its changes are rolled back and its sender gets an apology. If that fails too (the database
        is down), the rows stay pending for the sweep."""
        return self._handle_batch(row_ids)[0]

    def _handle_batch(self, row_ids: Sequence[int]) -> tuple[int, bool]:
        """handle(); also whether a reminder was added or changed."""
        try:
            return self._handle(row_ids, guarded=False)
        except Exception:
            if len(row_ids) == 1:
                log.exception("failed to handle inbox message %d", row_ids[0])
            results = [self._handle([row_id], guarded=True) for row_id in row_ids]
            return sum(handled for handled, _ in results), any(scheduled for _, scheduled in results)

    def _handle(self, row_ids: Sequence[int], guarded: bool) -> tuple[int, bool]:
        now = self.clock()
        with self._writer, self.sessions.begin() as session:
            rows = session.execute(select(InboxMessage.id, InboxMessage.incoming, InboxMessage.received_at)
                                   .where(InboxMessage.id.in_(list(row_ids)), InboxMessage.status == "pending")
                                   .order_by(InboxMessage.id).with_for_update(skip_locked=True)).all()
            queued: list[dict[str, Any]] = []
            handled: list[tuple[str, dt.datetime]] = []
            for row_id, data, received_at in rows:
                incoming = Incoming.from_json(data)
                handled.append((incoming.channel, received_at))
                incoming.extra["inbox"] = str(row_id)  # the flood check counts a message once, even if redone
                if guarded:
                    try:
                        with session.begin_nested():
                            replies = self.router.answer(session, incoming)
                    except Exception:
                        log.exception("failed to handle inbox message %d on %s", row_id, incoming.channel)
                        replies = [Reply(ask_text.ERROR)]
                else:
                    replies = self.router.answer(session, incoming)
                queued += [row_values(reply.to or incoming.address, reply, now, answer=reply.to is None)
                           for reply in replies]
            if queued:
                session.execute(insert(OutboxMessage), queued)
            if rows:
                session.execute(update(InboxMessage).where(InboxMessage.id.in_([r[0] for r in rows]))
                                .values(status="done", handled_at=now))
        if rows:
            queued_at = self.clock()
            try:
                self.observe([(channel, (queued_at - received).total_seconds()) for channel, received in handled],
                             answered(session))
            except Exception:  # the figures are not worth a message
                log.exception("metrics observer failed")
        return len(rows), reminders_changed(session)  # (marked by the commit's flush)

    def _schedule(self, row_id: int, incoming: Incoming) -> None:
        """To the lane of its chat: one lane handles its messages in order, lanes run side by side."""
        if row_id in self._mine:
            return
        if not self._lanes:
            self._lanes = [asyncio.Queue() for _ in range(self.concurrency)]
            self._load = [0] * self.concurrency
            self._tasks = [asyncio.create_task(self._lane(index, queue)) for index, queue in enumerate(self._lanes)]
        key = chat_key(incoming)
        held = self._chat_lane.get(key)
        if held is None:
            held = self._chat_lane[key] = [min(range(len(self._load)), key=self._load.__getitem__), 0]
        held[1] += 1
        self._load[held[0]] += 1
        self._mine[row_id] = key
        if incoming.photos:
            self._with_photos.add(row_id)
        self._lanes[held[0]].put_nowait(row_id)

    def _finished(self, lane: int, row_id: int) -> None:
        self._load[lane] -= 1
        key = self._mine.pop(row_id, None)
        held = None if key is None else self._chat_lane.get(key)
        if key is not None and held is not None:
            held[1] -= 1
            if held[1] <= 0:
                del self._chat_lane[key]

    async def _lane(self, lane: int, queue: asyncio.Queue[int]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < BATCH:
                batch.append(queue.get_nowait())
            try:
                handled, scheduled = await asyncio.to_thread(self._handle_batch, batch)
            except Exception:  # the database is unreachable: the rows stay pending for the sweep
                log.exception("%d inbox message(s) left pending", len(batch))
                handled, scheduled = 0, False
            finally:
                photos = any(row_id in self._with_photos for row_id in batch)
                for row_id in batch:
                    self._finished(lane, row_id)
                    self._with_photos.discard(row_id)
                    queue.task_done()
            if handled:
                self.wake()
                if photos:
                    self.photos()
                if scheduled:
                    self.scheduled()

    # ---- recovery -------------------------------------------------------------------------------------
    def pending(self, older_than: dt.timedelta | None = None) -> list[tuple[int, Incoming]]:
        with self.sessions() as session:
            query = select(InboxMessage).where(InboxMessage.status == "pending").order_by(InboxMessage.id)
            if older_than is not None:
                query = query.where(InboxMessage.received_at <= self.clock() - older_than)
            return [(row.id, Incoming.from_json(row.incoming)) for row in session.scalars(query)]

    async def recover(self, older_than: dt.timedelta | None = None) -> int:
        """Schedule every row left pending (at start: by a crash; in the sweep: by another instance)."""
        rows = await asyncio.to_thread(self.pending, older_than)
        for row_id, incoming in rows:
            self._schedule(row_id, incoming)
        return len(rows)

    async def sweep(self, stop: asyncio.Event, every: float = SWEEP_EVERY) -> None:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if not stop.is_set():
                try:
                    await self.recover(SWEEP_AGE)
                except Exception:
                    log.exception("inbox sweep failed")

    def forget_old(self, session: Session, now: dt.datetime) -> int:
        """Drop done rows older than KEPT (the daily upkeep calls this); returns 0 (nothing scheduled)."""
        session.execute(delete(InboxMessage).where(InboxMessage.status == "done",
                                                   InboxMessage.received_at < now - KEPT))
        return 0

    async def drain(self) -> None:
        """Wait until everything taken in has been handled (at shutdown, and in tests)."""
        for queue in self._lanes:
            await queue.join()

    async def close(self) -> None:
        """Drain, then end the lanes."""
        await self.drain()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._lanes, self._tasks, self._load = [], [], []
        self._mine.clear()
        self._chat_lane.clear()

