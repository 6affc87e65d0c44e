"""The phrasings staff taught (handlers/teaching.py: to an entry, or as not about IP), kept in
`learned_phrasing` one row per comparable form, and the knowledge overlay every running instance reads:
those phrasings and the entries edited in the console (handlers/kb_edits.py), layered over the packaged
files by knowledge.overlay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.core.db import make_reader
from bot.core.models import KbEntryVersion, LearnedPhrasing
from handlers import kb_edits
from handlers.texts import teaching as text
from knowledge.loader import Entry, KnowledgeBase, entry_from_data
from knowledge.overlay import Overlay, phrasing_key


def remember(session: Session, asked: str, entry_id: str | None, who: str, now: dt.datetime,
             question_id: int) -> None:
    """Answer this phrasing (and any with the same comparable form) with the entry from now on; None: decline
    it as not about IP."""
    key = phrasing_key(asked)
    learned = session.scalar(select(LearnedPhrasing).where(LearnedPhrasing.key == key))
    if learned is None:
        session.add(LearnedPhrasing(key=key, text=asked.strip(), entry_id=entry_id, taught_by=who,
                                    taught_at=now, question_id=question_id))
    else:  # taught again: the latest word counts
        learned.entry_id, learned.taught_by, learned.taught_at, learned.question_id = entry_id, who, now, question_id
    session.flush()


@dataclass(frozen=True)
class Learned:
    id: int
    text: str
    entry_id: str | None  # None: declined as not about IP
    taught_by: str
    taught_at: dt.datetime

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "entry_id": self.entry_id, "not_ip": self.entry_id is None,
                "taught_by": self.taught_by, "taught_at": self.taught_at.isoformat()}


def learned(session: Session) -> list[Learned]:
    rows = session.scalars(select(LearnedPhrasing).order_by(LearnedPhrasing.id))
    return [Learned(r.id, r.text, r.entry_id, r.taught_by, r.taught_at) for r in rows]


class LearnedSource:
    """The knowledge overlay (knowledge.overlay.OverlaySource) kept in the database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        bind = sessions.kw.get("bind")
        # read beside the message's own transaction (the check runs while it is open)
        self.sessions = sessionmaker(make_reader(bind)) if isinstance(bind, Engine) else sessions

    def version(self) -> Hashable:
        with self.sessions() as session:
            taught = session.execute(select(func.count(), func.max(LearnedPhrasing.id),
                                            func.max(LearnedPhrasing.taught_at))).one()
            edits = session.execute(select(func.count(), func.max(KbEntryVersion.id))
                                    .where(KbEntryVersion.draft.is_(False))).one()  # a draft answers nothing
        return (tuple(taught), tuple(edits))

    def load(self, kb: KnowledgeBase) -> Overlay:
        with self.sessions() as session:
            version = self.version()
            rows = learned(session)
            edits = kb_edits.latest_edits(session)
        taught = {phrasing_key(r.text): (r.entry_id, r.text) for r in rows if r.entry_id}
        declined = {phrasing_key(r.text): r.text for r in rows if r.entry_id is None}
        entries: dict[str, Entry | None] = {}
        for entry_id, data in edits.items():
            if data is None:
                continue  # reverted to the file
            entry, _problems = entry_from_data(dict(data), kb.topics)
            if entry is not None:  # checked when saved; a file change since may make it fail: the file wins
                entries[entry_id] = entry
        return Overlay(version=version, taught=taught, declined=declined, decline_referral=text.DECLINE_REFERRAL,
                       entries=entries)
