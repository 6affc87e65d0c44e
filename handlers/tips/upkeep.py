"""The reports' daily upkeep: drafts left for a week go, and closed reports older than the retention period
lose the reporter's contact, chat and photos while keeping their figures (kind, county, status, dates)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import Tip, TipPhoto
from handlers.tips import conversation as tips
from handlers.tips import photos as tip_photos
from handlers.tips import status as tips_status

PURGED = "-"


def _drop_photos(session: Session, tip: Tip, media: Path | None) -> None:
    for photo in session.scalars(select(TipPhoto).where(TipPhoto.tip_id == tip.id)):
        tip_photos.remove(media, photo.file_name)
        photo.status, photo.file_name, photo.file_id = "deleted", None, ""


def discard_drafts(session: Session, media: Path | None, now: dt.datetime) -> int:
    """Drafts untouched for tips.DRAFT_KEPT, with their photos; returns 0 (nothing scheduled)."""
    for tip in session.scalars(select(Tip).where(Tip.status == "draft", Tip.updated_at < now - tips.DRAFT_KEPT)):
        _drop_photos(session, tip, media)
        session.delete(tip)
    return 0


def purge_closed(session: Session, media: Path | None, retention: dt.timedelta, now: dt.datetime) -> int:
    """Contact, chat and photos of reports closed more than `retention` ago; returns 0 (nothing scheduled)."""
    ended = sorted(tips_status.ENDED)
    for tip in session.scalars(select(Tip).where(Tip.status.in_(ended), Tip.purged_at.is_(None),
                                                 Tip.closed_at < now - retention)):
        _drop_photos(session, tip, media)
        tip.contact = None
        tip.user_id = tip.chat_id = PURGED
        tip.purged_at = now
    return 0
