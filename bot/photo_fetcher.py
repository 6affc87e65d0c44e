"""The report photos' downloader: takes the photos the conversation stored as platform file ids
(handlers/tips/conversation.py), fetches each from its platform (Telegram getFile + the file download, WeCom media/get),
checks and cleans it (handlers/tip_photos.clean: content, not name; EXIF and GPS removed) and writes it to the
media folder — all outside any database transaction — then records the outcome in a short transaction of its
own, with whatever that brings (a word to the reporter about a refused photo, the staff notice of a report
that was waiting for its photos) queued in the outbox in the same transaction.

Why a downloader and not a download inside the conversation: a photo of 10 MB from a slow platform would hold
the message's transaction (on SQLite, the one writer) for seconds, and WeCom's callback has 5 s. Why not in
the channel before the inbox: the same deadline, and a photo is safe the moment its file id is in the draft.
Nothing is lost on a crash: a photo stays pending until its outcome is committed; a claim is a lease
(LEASE), after which another look (or another instance) takes it again. A photo fetched twice by two
instances is stored once (the second outcome finds it no longer pending and removes its file).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock, system_clock
from bot.core.delivery import PermanentFailure
from bot.core.messages import Reply
from bot.core.models import TipPhoto
from bot.core.outbox import enqueue
from bot.media_source import MediaSource, MediaTooLarge
from handlers.tips import downloads as tip_downloads
from handlers.tips import photos as tip_photos

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=120)
BATCH = 10


class PhotoFetcher:
    def __init__(self, sessions: sessionmaker[Session], sources: Mapping[str, MediaSource], media: Path,
                 writer: AbstractContextManager[object] | None = None, clock: Clock = system_clock,
                 queued: Callable[[], None] = lambda: None, poll: float = 5.0) -> None:
        """queued: called when outcomes queued messages (the outbox dispatcher's wake-up)."""
        self.sessions = sessions
        self.sources = dict(sources)
        self.media = media
        self.writer = writer or contextlib.nullcontext()
        self.clock = clock
        self.queued = queued
        self.poll = poll
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A message was handled: perhaps a photo is waiting."""
        self._wake.set()

    def claim(self) -> list[tip_downloads.Waiting]:
        """The photos due, leased to this look (so a second instance leaves them alone meanwhile)."""
        now = self.clock()
        with self.writer, self.sessions.begin() as session:
            found = [w for w in tip_downloads.waiting(session, now, BATCH) if w.channel in self.sources]
            if found:
                session.execute(update(TipPhoto).where(TipPhoto.id.in_([w.photo_id for w in found]))
                                .values(next_attempt_at=now + LEASE))
            return found

    def _record(self, outcome: Callable[[Session, dt.datetime], list[Reply] | None]) -> list[Reply] | None:
        now = self.clock()
        with self.writer, self.sessions.begin() as session:
            replies = outcome(session, now)
            for reply in replies or []:
                if reply.to is not None:
                    enqueue(session, reply.to, reply, now=now)
        if replies:
            self.queued()
        return replies

    async def fetch_one(self, item: tip_downloads.Waiting) -> str:
        """Fetch, clean, store one photo; returns what became of it (stored, rejected, retry, gone)."""
        source = self.sources[item.channel]
        try:
            data = await source.fetch(item.file_id, tip_photos.MAX_BYTES)
            cleaned = await asyncio.to_thread(tip_photos.clean, data)
        except MediaTooLarge:
            reason = "too_large"
        except tip_photos.Rejected as exc:
            reason = exc.reason
        except PermanentFailure as exc:
            log.warning("photo %d not fetched: %s", item.photo_id, exc)
            reason = "unreachable"
        except Exception as exc:  # temporary: the platform or the network
            log.info("photo %d: fetch failed, trying again later (%s)", item.photo_id, exc)
            await asyncio.to_thread(self._record, lambda s, now: tip_downloads.failed(s, item.photo_id, self.media,
                                                                                       now))
            return "retry"
        else:
            name = tip_photos.file_name_for(item.tip_id, item.photo_id, cleaned.extension)
            await asyncio.to_thread(tip_photos.write, self.media, name, cleaned.data)
            outcome = await asyncio.to_thread(self._record, lambda s, now: tip_downloads.stored(
                s, item.photo_id, name, len(cleaned.data), self.media, now))
            if outcome is None:
                tip_photos.remove(self.media, name)
                return "gone"
            return "stored"
        await asyncio.to_thread(self._record, lambda s, now: tip_downloads.rejected(s, item.photo_id, reason,
                                                                                     self.media, now))
        return "rejected"

    async def fetch_due(self) -> int:
        claimed = await asyncio.to_thread(self.claim)
        for item in claimed:
            await self.fetch_one(item)
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.fetch_due()
            except Exception:
                log.exception("photo download round failed")
                busy = 0
            if busy:
                continue
            self._wake.clear()
            waiting = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiting, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
            for future in waiting:
                future.cancel()
