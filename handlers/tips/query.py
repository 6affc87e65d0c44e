"""Reports as staff see them — the functions a console page (线索) and the chat commands share: a filtered
list, one report in full, reports grouped by shop or link. Plain data (dataclasses), no chat wording;
contact details only when asked for (`include_contacts`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.core.models import Tip, TipEvent, TipPhoto
from handlers.tips import photos as tip_photos
from handlers.tips import status as tips_status

OPEN = frozenset({"received", "checking", "transferred"})


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor: str
    from_status: str | None
    to_status: str
    note: str | None


@dataclass(frozen=True)
class Photo:
    id: int
    position: int
    status: str  # pending | stored | rejected | deleted
    reason: str | None
    file_name: str | None  # inside the media folder; serve only to a staff session (photo_file)


@dataclass(frozen=True)
class TipView:
    id: int
    number: str
    status: str  # code (texts.tips.STATUS has the label)
    kind: str | None
    right_name: str | None
    county: str | None
    place: str | None
    place_key: str | None
    description: str | None
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    photo_count: int
    contact: str | None = None  # only with include_contacts
    reporter: str | None = None  # channel:user id, only with include_contacts
    purged: bool = False
    events: tuple[Event, ...] = ()
    photos: tuple[Photo, ...] = ()
    same_place: tuple[str, ...] = field(default=())  # numbers of the other reports about the same shop or link


def _filtered(status: str | None = None, county: str | None = None, kind: str | None = None,
              since: dt.datetime | None = None, until: dt.datetime | None = None) -> Select[Tip]:
    """Submitted reports; `status` is a code or label, or "open" for those not ended."""
    query = select(Tip).where(Tip.number.is_not(None), Tip.status != "draft")
    if status == "open":
        query = query.where(Tip.status.in_(sorted(OPEN)))
    elif status:
        query = query.where(Tip.status == (tips_status.status_named(status) or status))
    if county:
        query = query.where(Tip.county == county)
    if kind:
        query = query.where(Tip.kind == kind)
    if since is not None:
        query = query.where(Tip.submitted_at >= since)
    if until is not None:
        query = query.where(Tip.submitted_at < until)
    return query


def count_tips(session: Session, status: str | None = None, county: str | None = None, kind: str | None = None,
               since: dt.datetime | None = None, until: dt.datetime | None = None) -> int:
    query = _filtered(status, county, kind, since, until).with_only_columns(func.count())
    return int(session.scalar(query) or 0)


def _photo_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(select(TipPhoto.tip_id, func.count()).where(TipPhoto.tip_id.in_(ids),
                                                                        TipPhoto.status == "stored")
                           .group_by(TipPhoto.tip_id))
    return {tip_id: int(n) for tip_id, n in rows}


def _view(tip: Tip, photo_count: int, include_contacts: bool, **more: object) -> TipView:
    return TipView(tip.id, tip.number or "", tip.status, tip.kind, tip.right_name, tip.county, tip.place,
                   tip.place_key, tip.description, tip.submitted_at, tip.updated_at, tip.closed_at, photo_count,
                   contact=tip.contact if include_contacts else None,
                   reporter=f"{tip.channel}:{tip.user_id}" if include_contacts and tip.purged_at is None else None,
                   purged=tip.purged_at is not None, **more)  # type: ignore[arg-type]


def list_tips(session: Session, status: str | None = None, county: str | None = None, kind: str | None = None,
              since: dt.datetime | None = None, until: dt.datetime | None = None, limit: int = 50, offset: int = 0,
              include_contacts: bool = False) -> list[TipView]:
    """Submitted reports, newest first, filtered by status (code, label or "open"), county and kind
    (trademark | patent | gi | other) and submission time [since, until)."""
    tips = list(session.scalars(_filtered(status, county, kind, since, until)
                                .order_by(Tip.submitted_at.desc(), Tip.id.desc()).limit(limit).offset(offset)))
    counts = _photo_counts(session, [t.id for t in tips])
    return [_view(t, counts.get(t.id, 0), include_contacts) for t in tips]


def get_tip(session: Session, number: str, include_contacts: bool = False) -> TipView | None:
    """One report in full: its record, its photos, the other reports about the same place."""
    found = tips_status.normalise_number(number)
    tip = tips_status.find(session, found) if found else None
    if tip is None or tip.status == "draft":
        return None
    events = tuple(Event(e.at, e.actor, e.from_status, e.to_status, e.note) for e in session.scalars(
        select(TipEvent).where(TipEvent.tip_id == tip.id).order_by(TipEvent.id)))
    photos = tuple(Photo(p.id, p.position, p.status, p.reason, p.file_name)
                   for p in tips_status.photos_of(session, tip))
    return _view(tip, sum(p.status == "stored" for p in photos), include_contacts, events=events, photos=photos,
                 same_place=tuple(tips_status.same_place(session, tip)))


def grouped(views: list[TipView]) -> list[list[TipView]]:
    """The reports with the same place key together (in the order their newest appears); the rest alone."""
    groups: dict[str, list[TipView]] = {}
    for view in views:
        groups.setdefault(view.place_key or f"#{view.id}", []).append(view)
    return list(groups.values())


def photo_file(session: Session, media: Path | None, photo_id: int) -> Path | None:
    """The file of a stored photo — for a console page to send to a staff session (the caller checks it)."""
    photo = session.get(TipPhoto, photo_id)
    if photo is None or photo.status != "stored":
        return None
    path = tip_photos.path_of(media, photo.file_name)
    return path if path is not None and path.is_file() else None
