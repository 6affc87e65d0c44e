"""The downloader's side in the database (the downloading itself is bot/photo_fetcher.py, outside any
transaction): which photos are waiting, and what becomes of one once fetched — stored, or refused with a
word to the reporter — after which the staff notice of its report goes out if it was waiting for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.messages import Address, Reply
from bot.core.models import Tip, TipPhoto
from handlers.tips import status as tips_status
from handlers.tips import texts as text

MAX_ATTEMPTS = 5
BASE_DELAY = 2.0  # seconds, doubling with each failed attempt


@dataclass(frozen=True)
class Waiting:
    photo_id: int
    tip_id: int
    channel: str
    file_id: str


def waiting(session: Session, now: dt.datetime, limit: int = 20) -> list[Waiting]:
    rows = session.scalars(select(TipPhoto).where(TipPhoto.status == "pending", TipPhoto.next_attempt_at <= now)
                           .order_by(TipPhoto.id).limit(limit))
    return [Waiting(p.id, p.tip_id, p.channel, p.file_id) for p in rows]


def _after(session: Session, photo: TipPhoto, media: Path | None, now: dt.datetime) -> list[Reply]:
    tip = session.get(Tip, photo.tip_id)
    return tips_status.staff_notice(session, tip, media, now) if tip is not None else []


def stored(session: Session, photo_id: int, file_name: str, size: int, media: Path | None,
           now: dt.datetime) -> list[Reply] | None:
    """The photo is in the media folder; None when its row is gone (the draft was discarded meanwhile: the
    caller removes the file)."""
    photo = session.get(TipPhoto, photo_id)
    if photo is None or photo.status != "pending":
        return None
    photo.status, photo.file_name, photo.size, photo.stored_at = "stored", file_name, size, now
    session.flush()
    return _after(session, photo, media, now)


def rejected(session: Session, photo_id: int, reason: str, media: Path | None, now: dt.datetime) -> list[Reply]:
    """Not kept (not_image | too_large | unreachable): the reporter is told which photo and why."""
    photo = session.get(TipPhoto, photo_id)
    if photo is None or photo.status != "pending":
        return []
    photo.status, photo.reason = "rejected", reason
    session.flush()
    tip = session.get(Tip, photo.tip_id)
    replies: list[Reply] = []
    if tip is not None and tip.purged_at is None:
        message = text.PHOTO_REJECTED[reason].format(number=tip.number or "", position=photo.position)
        replies.append(Reply(message, to=Address(tip.channel, tip.chat_id)))
    return [*replies, *_after(session, photo, media, now)]


def failed(session: Session, photo_id: int, media: Path | None, now: dt.datetime) -> list[Reply]:
    """The platform could not be reached: later again, and after MAX_ATTEMPTS given up (the reporter told)."""
    photo = session.get(TipPhoto, photo_id)
    if photo is None or photo.status != "pending":
        return []
    photo.attempts += 1
    if photo.attempts >= MAX_ATTEMPTS:
        return rejected(session, photo_id, "unreachable", media, now)
    photo.next_attempt_at = now + dt.timedelta(seconds=BASE_DELAY * 2 ** (photo.attempts - 1))
    return []
