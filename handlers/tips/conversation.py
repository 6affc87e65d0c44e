"""Reporting suspected infringement in chat (线上快速维权): kind → right → county → place → what happened →
photos → contact → confirm → a WQ number. The steps are one table (STEPS below: what each asks, its buttons,
what a choice or a text stores, where it leads); the wording is in handlers/tips/texts.py.

The draft lives in the database (a Tip with status 'draft', one per person: `draft_owner` is unique), so a
person resumes where they stopped, also after a restart; a draft untouched for DRAFT_KEPT is discarded by the
daily upkeep (handlers/tips/upkeep.py). A photo sent at any step is kept (up to five; as the platform's file
id first, downloaded outside the conversation's transaction: see handlers/tips/photos.py), also a photo sent
with no draft open, which opens one. Button payloads are `tp:<tip id>:<step code>:<choice>` (and `tp:new` to
begin); one for another step or another draft is answered with a note and the current step asked again.
After submission: handlers/tips/status.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.messages import Button, Incoming, Reply
from bot.core.models import Tip, TipPhoto
from handlers.context import Context
from handlers.texts import general
from handlers.tips import photos as tip_photos
from handlers.tips import place as tips_place
from handlers.tips import status as tips_status
from handlers.tips import texts as text

DRAFT_KEPT = dt.timedelta(days=7)
START_PAYLOAD = "tp:new"
PAYLOAD = re.compile(r"^tp:(?:new|(\d{1,12}):([a-z]):(\w{1,12}))$")
MAX_CHARS = {"right": 200, "place": 500, "what": 2000, "contact": 100}
# answers about these topics offer the report button (handlers/ask.py)
OFFER_TOPICS = frozenset({"protect-complaint", "protect-rapid", "protect-ecommerce", "protect-evidence",
                          "protect-joint-xpcc", "gi-logo-misuse", "tm-infringement"})


def owner(incoming: Incoming) -> str:
    return f"{incoming.channel}:{incoming.user_id}"


def start_button() -> tuple[Button, ...]:
    return (Button(text.START_BUTTON, START_PAYLOAD),)


# ---- the steps, as one table -----------------------------------------------------------------------
# labels: the buttons of a step (code → label); on_button: what pressing one stores; on_text: what a typed
# answer stores (None: the step wants a button). Each returns nothing and leaves `tip.step` on the next step.
@dataclass(frozen=True)
class Step:
    name: str
    code: str
    ask: Callable[[Tip, int], str]  # the tip and how many photos it holds
    labels: Callable[[Tip, int], list[tuple[str, str]]]
    on_button: Callable[[Tip, str], None]
    on_text: Callable[[Tip, str], None] | None = None
    per_row: int = 2


def _kind(tip: Tip, code: str) -> None:
    tip.kind, tip.step = code, "right"


def _right(tip: Tip, value: str | None) -> None:
    tip.right_name, tip.step = value, "county"


def _county(tip: Tip, code: str) -> None:
    names = {**{f"c{n}": c for n, c in enumerate(text.COUNTIES)}, "online": text.ONLINE, "other": text.ELSEWHERE}
    tip.county, tip.step = names[code], "place"


def _place(tip: Tip, value: str) -> None:
    tip.place, tip.step = value, "what"
    tip.place_key = tips_place.place_key(tip.county, value)


def _what(tip: Tip, value: str) -> None:
    tip.description, tip.step = value, "photos"


def _contact(tip: Tip, value: str | None) -> None:
    tip.contact, tip.step = value, "confirm"


def _right_labels(tip: Tip, _photos: int) -> list[tuple[str, str]]:
    return ([("gi", text.GI_EXAMPLE)] if tip.kind == "gi" else []) + [("skip", text.SKIP)]


def _photo_labels(_tip: Tip, photos: int) -> list[tuple[str, str]]:
    return [("done", text.DONE)] if photos else [("skip", text.SKIP)]


def _ask_photos(_tip: Tip, photos: int) -> str:
    if photos:
        return text.ASK_MORE_PHOTOS.format(count=photos, left=tip_photos.MAX_PHOTOS - photos)
    return text.ASK_PHOTOS.format(limit=tip_photos.MAX_PHOTOS)


def _summary(tip: Tip, photos: int) -> str:
    return text.SUMMARY.format(kind=text.KINDS.get(tip.kind or "", ""), right=tip.right_name or text.NOT_GIVEN,
                               place=tips_status.place_of(tip), what=tip.description or "", photos=photos,
                               contact=tip.contact or text.ANONYMOUS_SHOWN)


STEPS: dict[str, Step] = {step.name: step for step in (
    Step("kind", "k", lambda t, n: text.INTRO, lambda t, n: list(text.KINDS.items()), _kind),
    Step("right", "r", lambda t, n: text.ASK_RIGHT.get(t.kind or "", text.ASK_RIGHT["other"]), _right_labels,
         lambda t, c: _right(t, text.GI_EXAMPLE if c == "gi" else None), _right),
    Step("county", "c", lambda t, n: text.ASK_COUNTY,
         lambda t, n: [*((f"c{i}", c) for i, c in enumerate(text.COUNTIES)), ("online", text.ONLINE),
                       ("other", text.ELSEWHERE)], _county, per_row=3),
    Step("place", "p", lambda t, n: text.ASK_LINK if t.county == text.ONLINE else text.ASK_PLACE,
         lambda t, n: [], lambda t, c: None, _place),
    Step("what", "w", lambda t, n: text.ASK_WHAT, lambda t, n: [], lambda t, c: None, _what),
    Step("photos", "f", _ask_photos, _photo_labels, lambda t, c: setattr(t, "step", "contact")),
    Step("contact", "t", lambda t, n: text.ASK_CONTACT, lambda t, n: [("anon", text.ANONYMOUS)],
         lambda t, c: _contact(t, None), _contact),
    Step("confirm", "s", _summary,
         lambda t, n: [("submit", text.SUBMIT), ("redo", text.REDO), ("cancel", text.CANCEL)],
         lambda t, c: None, per_row=3),
)}


# ---- the draft ------------------------------------------------------------------------------------
def photo_count(session: Session, tip: Tip) -> int:
    return int(session.scalar(select(func.count()).select_from(TipPhoto).where(
        TipPhoto.tip_id == tip.id, TipPhoto.status != "rejected")) or 0)


def current_question(session: Session, tip: Tip) -> Reply:
    step = STEPS[tip.step]
    photos = photo_count(session, tip)
    buttons = [Button(label, f"tp:{tip.id}:{step.code}:{code}") for code, label in step.labels(tip, photos)]
    rows = tuple(tuple(buttons[i:i + step.per_row]) for i in range(0, len(buttons), step.per_row))
    return Reply(step.ask(tip, photos), rows)


# Runs for every message: a plain indexed query on the connection for the id, the row loaded only if found
# (as handoff.current and survey.active do).
DRAFT_ID = select(Tip.id).where(Tip.draft_owner == bindparam("owner")).limit(1)


def draft_of(session: Session, incoming: Incoming) -> Tip | None:
    found = session.connection().execute(DRAFT_ID, {"owner": owner(incoming)}).scalar()
    return session.get(Tip, found) if found is not None else None


def active(session: Session, incoming: Incoming, now: dt.datetime) -> Tip | None:
    """The person's draft, unless it has been left longer than DRAFT_KEPT (then it is as good as gone)."""
    tip = draft_of(session, incoming)
    if tip is None or now - tip.updated_at > DRAFT_KEPT:
        return None
    return tip


def _new_draft(session: Session, incoming: Incoming, now: dt.datetime) -> Tip:
    """A fresh draft; one left too long is discarded first. Two at once for one person: the database keeps one."""
    stale = draft_of(session, incoming)
    if stale is not None:
        session.delete(stale)
        session.flush()
    tip = Tip(channel=incoming.channel, user_id=incoming.user_id, chat_id=incoming.chat_id,
              draft_owner=owner(incoming), status="draft", step="kind", created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(tip)
    except IntegrityError:
        found = draft_of(session, incoming)
        if found is None:
            raise
        return found
    return tip


def start(session: Session, incoming: Incoming, now: dt.datetime) -> list[Reply]:
    """/tip, the menu's 我要举报 or the offer under an answer: begin, or resume a draft."""
    tip = active(session, incoming, now)
    if tip is not None:
        tip.updated_at = now
        return [Reply(text.RESUMING), current_question(session, tip)]
    return [current_question(session, _new_draft(session, incoming, now))]


def cancel(session: Session, incoming: Incoming, media: Path | None) -> list[Reply] | None:
    """/cancel (or 取消) during a draft: it and its photos go; None when there was no draft."""
    tip = draft_of(session, incoming)
    if tip is None:
        return None
    for photo in session.scalars(select(TipPhoto).where(TipPhoto.tip_id == tip.id)):
        tip_photos.remove(media, photo.file_name)
    session.delete(tip)
    return [Reply(text.CANCELLED)]


def _submit(session: Session, tip: Tip, media: Path | None, zone: ZoneInfo, now: dt.datetime) -> list[Reply]:
    number = tips_status.assign_number(session, tip, zone, now)
    tip.draft_owner, tip.submitted_at = None, now
    tips_status.record(session, tip, tips_status.REPORTER, "received", None, now)
    session.flush()
    return [Reply(text.SUBMITTED.format(number=number)), *tips_status.staff_notice(session, tip, media, now)]


def _redo(session: Session, tip: Tip) -> None:
    tip.step = "kind"
    tip.kind = tip.right_name = tip.county = tip.place = tip.place_key = tip.description = tip.contact = None


def on_payload(ctx: Context, incoming: Incoming, payload: str) -> list[Reply] | None:
    session, media, zone, now = ctx.session, ctx.media, ctx.zone, ctx.now
    match = PAYLOAD.match(payload)
    if match is None:
        return None
    if payload == START_PAYLOAD:
        return start(session, incoming, now)
    tip_id, code, choice = int(match.group(1)), match.group(2), match.group(3)
    tip = active(session, incoming, now)
    if tip is None:
        return [Reply(text.STALE_NOTHING_OPEN)]
    step = STEPS[tip.step]
    choices = dict(step.labels(tip, photo_count(session, tip)))
    if tip.id != tip_id or code != step.code or choice not in choices:
        return [Reply(text.STALE), current_question(session, tip)]
    return _choose(session, incoming, tip, step, choice, media, zone, now)


def _choose(session: Session, incoming: Incoming, tip: Tip, step: Step, choice: str, media: Path | None,
            zone: ZoneInfo, now: dt.datetime) -> list[Reply]:
    tip.updated_at = now
    if step.name == "confirm":
        if choice == "submit":
            return _submit(session, tip, media, zone, now)
        if choice == "cancel":
            return cancel(session, incoming, media) or []
        _redo(session, tip)
    else:
        step.on_button(tip, choice)
    return [current_question(session, tip)]


def on_text(session: Session, incoming: Incoming, tip: Tip, message: str, media: Path | None, zone: ZoneInfo,
            now: dt.datetime) -> list[Reply]:
    """Text from someone with a draft open: the answer to a text step, a button's label typed, or a nudge."""
    tip.updated_at = now
    step = STEPS[tip.step]
    typed = {label: code for code, label in step.labels(tip, photo_count(session, tip))}
    if message in typed:
        return _choose(session, incoming, tip, step, typed[message], media, zone, now)
    if step.on_text is None:
        return [Reply(text.USE_BUTTONS), current_question(session, tip)]
    limit = MAX_CHARS[step.name]
    if len(message) > limit:
        return [Reply(text.TOO_LONG.format(length=len(message), limit=limit)), current_question(session, tip)]
    step.on_text(tip, message)
    return [current_question(session, tip)]


# ---- photos and other attachments -------------------------------------------------------------------
def add_photos(session: Session, tip: Tip, incoming: Incoming, now: dt.datetime) -> tuple[int, int]:
    """Keep the platform's file ids as pending photos, up to MAX_PHOTOS; (kept, refused)."""
    count = photo_count(session, tip)
    kept = 0
    for file_id in incoming.photos:
        if count >= tip_photos.MAX_PHOTOS:
            break
        count += 1
        kept += 1
        session.add(TipPhoto(tip_id=tip.id, position=count, channel=incoming.channel, file_id=file_id[:300],
                             status="pending", attempts=0, next_attempt_at=now, created_at=now))
    session.flush()
    return kept, len(incoming.photos) - kept


def keep_quietly(session: Session, incoming: Incoming, now: dt.datetime) -> None:
    """Photos that came too fast (the flood limit answers instead): kept in an open draft all the same."""
    tip = active(session, incoming, now)
    if tip is not None and incoming.photos:
        add_photos(session, tip, incoming, now)


def on_attachment(session: Session, incoming: Incoming, media: Path | None, zone: ZoneInfo,
                  now: dt.datetime) -> list[Reply]:
    """A photo (kept; one with no draft open opens one), or something that is not one (said so, nothing
    lost from the draft). A caption is then taken like text sent right after."""
    tip = active(session, incoming, now)
    if incoming.attachment is not None or not incoming.photos:
        why = {"sticker": text.STICKER, "too_large": text.PHOTO_TOO_LARGE}.get(incoming.attachment or "",
                                                                              text.NOT_AN_IMAGE)
        if tip is None:
            return [Reply(general.TEXT_ONLY)] if incoming.attachment != "too_large" else [Reply(why)]
        tip.updated_at = now
        return [Reply(why), current_question(session, tip)]
    replies: list[Reply] = []
    if tip is None:
        tip = _new_draft(session, incoming, now)
        kept, refused = add_photos(session, tip, incoming, now)
        replies.append(Reply(text.INTRO_WITH_PHOTO, current_question(session, tip).buttons))
        return replies
    tip.updated_at = now
    kept, refused = add_photos(session, tip, incoming, now)
    if refused:
        replies.append(Reply(text.PHOTO_LIMIT.format(limit=tip_photos.MAX_PHOTOS)))
    if kept and tip.step != "photos":
        replies.append(Reply(text.PHOTO_KEPT.format(count=photo_count(session, tip))))
    caption = (incoming.text or "").strip()
    if caption:
        return [*replies, *on_text(session, incoming, tip, caption, media, zone, now)]
    return [*replies, current_question(session, tip)]
