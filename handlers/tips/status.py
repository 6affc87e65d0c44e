"""A report's life after it is submitted: its WQ number, its statuses and who may move it where, the
record of every change, the notice to staff and the news to the reporter.

    已受理 (received) → 核查中 (checking) → 已移交执法 (transferred) / 不予受理 (rejected) → 已办结 (closed)
    (received may also go straight to rejected; checking straight to closed)

Every change is a TipEvent (who, when, from, to, note). The note is what the reporter is told; moving to
不予受理 needs one. The news goes to the reporter's chat as a Reply addressed to it (through the outbox).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.messages import TIP_STATUS, Address, Reply, StaffChat
from bot.core.models import Tip, TipEvent, TipPhoto
from handlers.tips import photos as tip_photos
from handlers.tips import texts as text

NUMBER = re.compile(r"^\s*(WQ\d{10}(?:\d{4})?)\s*$", re.IGNORECASE)  # 10 digits: numbers given before 2026-12
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("checking", "rejected"),
    "checking": ("transferred", "rejected", "closed"),
    "transferred": ("closed",),
    "rejected": ("closed",),
    "closed": (),
}
ENDED = frozenset({"rejected", "closed"})  # closed_at is set; the retention period runs from it
NEEDS_NOTE = frozenset({"rejected"})
MAX_NOTE_CHARS = 500
REPORTER = "reporter"


def normalise_number(raw: str) -> str | None:
    match = NUMBER.match(raw)
    return match.group(1).upper() if match else None


def status_named(name: str) -> str | None:
    """A status by its Chinese label or its code."""
    name = name.strip()
    if name in text.STATUS:
        return name
    return next((code for code, label in text.STATUS.items() if label == name), None)


def find(session: Session, number: str) -> Tip | None:
    return session.scalars(select(Tip).where(Tip.number == number)).first()


def assign_number(session: Session, tip: Tip, zone: ZoneInfo, now: dt.datetime) -> str:
    """WQ + year and month (local) + a 4-digit sequence within the month + 4 random digits, so that nobody can
    walk other reports' statuses by counting; two reports submitted at the same moment cannot get the same
    number (unique constraint, tried again)."""
    prefix = f"WQ{now.astimezone(zone):%Y%m}"
    for _attempt in range(20):
        last = session.scalar(select(func.max(func.substr(Tip.number, 1, len(prefix) + 4)))
                              .where(Tip.number.like(f"{prefix}%")))
        sequence = int(last[len(prefix):len(prefix) + 4]) + 1 if last else 1
        number = f"{prefix}{sequence:04d}{secrets.randbelow(10_000):04d}"
        try:
            with session.begin_nested():
                tip.number = number
                session.flush()
            return number
        except IntegrityError:
            tip.number = None
    raise RuntimeError("no free report number")


def record(session: Session, tip: Tip, actor: str, to_status: str, note: str | None, now: dt.datetime) -> None:
    session.add(TipEvent(tip_id=tip.id, at=now, actor=actor, from_status=None if tip.status == "draft"
                         else tip.status, to_status=to_status, note=note))
    tip.status, tip.updated_at = to_status, now
    if to_status in ENDED:
        tip.closed_at = now


def local(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else ""


def reporter_address(tip: Tip) -> Address | None:
    return None if tip.purged_at is not None else Address(tip.channel, tip.chat_id)


# ---- moving -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moved:
    """The outcome of a move: `ok`, what staff are told, and the news for the reporter (if any)."""

    ok: bool
    message: str
    news: Reply | None = None


def move(session: Session, number: str, wanted: str, note: str | None, actor: str, zone: ZoneInfo,
         now: dt.datetime) -> Moved:
    """Move a report to the status named `wanted` (label or code), recording who and why; refuse what the
    transitions do not allow. For chat (/tip 编号 状态 说明) and for the console alike."""
    tip = find(session, number)
    if tip is None or tip.status == "draft":
        return Moved(False, text.NOT_FOUND.format(number=number))
    target = status_named(wanted)
    if target is None:
        return Moved(False, text.STAFF_UNKNOWN_STATUS.format(status=wanted[:20], statuses="、".join(
            text.STATUS.values())))
    current = tip.status
    allowed = TRANSITIONS.get(current, ())
    if not allowed:
        return Moved(False, text.STAFF_FINAL.format(number=number, current=text.STATUS[current]))
    if target not in allowed:
        return Moved(False, text.STAFF_BAD_MOVE.format(number=number, current=text.STATUS[current],
                                                       wanted=text.STATUS[target],
                                                       allowed="、".join(text.STATUS[s] for s in allowed)))
    note = (note or "").strip()[:MAX_NOTE_CHARS] or None
    if target in NEEDS_NOTE and note is None:
        return Moved(False, text.STAFF_NEED_NOTE.format(number=number, wanted=text.STATUS[target]))
    record(session, tip, actor, target, note, now)
    before, after = text.STATUS[current], text.STATUS[target]
    address = reporter_address(tip)
    if address is None:
        return Moved(True, text.STAFF_MOVED_ANONYMOUS.format(number=number, before=before, after=after))
    news = Reply(text.PUSHED.format(number=number, status=after,
                                    note=f"{text.NOTE_SEPARATOR}{note}" if note else ""), to=address,
                 kind=TIP_STATUS)
    return Moved(True, text.STAFF_MOVED.format(number=number, before=before, after=after), news)


# ---- asking how it stands -----------------------------------------------------------------------------
def history(session: Session, tip: Tip) -> list[TipEvent]:
    return list(session.scalars(select(TipEvent).where(TipEvent.tip_id == tip.id).order_by(TipEvent.id)))


def status_reply(session: Session, raw: str, sender: Address, is_staff: bool, zone: ZoneInfo) -> Reply:
    """How a report stands. Its reporter (and staff) see the record with the notes; anyone else who has the
    number sees only the status — never what was reported or by whom."""
    number = normalise_number(raw)
    if number is None:
        return Reply(text.STATUS_HOW)
    tip = find(session, number)
    if tip is None or tip.status == "draft":
        return Reply(text.NOT_FOUND.format(number=number))
    line = text.STATUS_LINE.format(number=number, status=text.STATUS[tip.status], at=local(tip.updated_at, zone))
    own = tip.purged_at is None and Address(tip.channel, tip.user_id) == sender
    if not (own or is_staff):
        return Reply(line)
    lines = [line, text.HISTORY_TITLE]
    for event in history(session, tip):
        note = f"：{event.note}" if event.note else ""
        lines.append(text.HISTORY_LINE.format(at=local(event.at, zone), status=text.STATUS[event.to_status],
                                              note=note))
    return Reply("\n".join(lines))


# ---- staff notice -----------------------------------------------------------------------------------
def photos_of(session: Session, tip: Tip) -> list[TipPhoto]:
    return list(session.scalars(select(TipPhoto).where(TipPhoto.tip_id == tip.id).order_by(TipPhoto.position,
                                                                                            TipPhoto.id)))


def place_of(tip: Tip) -> str:
    return " · ".join(part for part in (tip.county, tip.place) if part) or text.NOT_GIVEN


def same_place(session: Session, tip: Tip) -> list[str]:
    if not tip.place_key:
        return []
    return [n for n in session.scalars(select(Tip.number).where(Tip.place_key == tip.place_key, Tip.id != tip.id,
                                                                Tip.number.is_not(None)).order_by(Tip.number)) if n]


def staff_notice(session: Session, tip: Tip, media: Path | None, now: dt.datetime) -> list[Reply]:
    """The staff chat's notice of a new report, with its first photo — once, and only when no photo is still
    on its way (the downloader calls this again when the last one is in)."""
    if tip.staff_notified_at is not None or tip.number is None:
        return []
    photos = photos_of(session, tip)
    if any(p.status == "pending" for p in photos):
        return []
    stored = [p for p in photos if p.status == "stored"]
    tip.staff_notified_at = now
    others = same_place(session, tip)
    body = text.STAFF_NEW.format(number=tip.number, kind=text.KINDS.get(tip.kind or "", ""),
                                 right=f"（{tip.right_name}）" if tip.right_name else "", place=place_of(tip),
                                 what=(tip.description or "")[:300], photos=len(stored),
                                 same=text.STAFF_SAME_PLACE.format(numbers="、".join(others)) if others else "")
    image = tip_photos.read(media, stored[0].file_name) if stored else None
    return [Reply(body, image=image, file_name=stored[0].file_name if image else None, to=StaffChat(tip.channel))]
