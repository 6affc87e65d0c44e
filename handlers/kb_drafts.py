"""New knowledge-base entries written in the console: saved as drafts, checked as `ipbot kb check` checks an
entry file, and published. Drafts and the published entry are versions like any edit (handlers/kb_edits.py,
one `kb_entry_version` row each, nothing overwritten); a draft is marked as one and answers nothing. Once
published, the entry is an edited entry like the others: every running instance answers with it within
seconds, and it is edited, versioned and reverted on its own page.

Staff never name an entry id: a new entry's id is made from its topic and its first version
(`tm-renewal-new-12`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import KbEntryVersion
from handlers import kb_edits
from handlers.texts import kb_edits as text
from knowledge.loader import KnowledgeBase

FIELDS = ("question", "topic", "alternates", "keywords", "answer", "sources")  # the new-entry form's


@dataclass(frozen=True)
class Draft:
    entry_id: str
    data: dict[str, Any]
    author: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Drafted:
    entry_id: str | None  # None: nothing was saved (see problems)
    problems: list[tuple[str, str]]  # (field, message): what stands in the way of publishing

    @property
    def saved(self) -> bool:
        return self.entry_id is not None


def _new_id(kb: KnowledgeBase, topic: str, number: int) -> str:
    """`<topic>-new-<number>` (number: the draft's first version, unique however many instances save at once),
    or with a suffix in the unlikely case the files hold an entry of that id."""
    entry_id, suffix = f"{topic}-new-{number}", 1
    while kb.entry(entry_id) is not None:
        suffix += 1
        entry_id = f"{topic}-new-{number}-{suffix}"
    return entry_id


def draft(session: Session, entry_id: str) -> Draft | None:
    """The newest version of an entry that has never been published, or None."""
    rows = list(session.scalars(select(KbEntryVersion).where(KbEntryVersion.entry_id == entry_id)
                                .order_by(KbEntryVersion.id.desc())))
    if not rows or any(not row.draft for row in rows) or rows[0].data is None:
        return None
    return Draft(entry_id, dict(rows[0].data), rows[0].author, rows[0].created_at)


def drafts(session: Session) -> list[Draft]:
    """Every entry written in the console and not yet published, the newest first."""
    published = select(KbEntryVersion.entry_id).where(KbEntryVersion.draft.is_(False))
    rows = session.scalars(select(KbEntryVersion).where(KbEntryVersion.draft.is_(True),
                                                        KbEntryVersion.entry_id.not_in(published))
                           .order_by(KbEntryVersion.id.desc()))
    newest: dict[str, Draft] = {}
    for row in rows:
        if row.entry_id not in newest and row.data is not None:
            newest[row.entry_id] = Draft(row.entry_id, dict(row.data), row.author, row.created_at)
    return list(newest.values())


def _needed(kb: KnowledgeBase, data: dict[str, Any]) -> list[tuple[str, str]]:
    """What even a draft needs: a title (the question) and a topic from the list."""
    problems = []
    if not str(data.get("question") or "").strip():
        problems.append(("question", text.MISSING))
    if data.get("topic") not in kb.topics:
        problems.append(("topic", text.CHOOSE_TOPIC))
    return problems


def save_draft(session: Session, kb: KnowledgeBase, entry_id: str | None, form: dict[str, str], author: str,
               now: dt.datetime, today: dt.date) -> Drafted:
    """Keep what the form holds as a draft (a new entry when `entry_id` is None). A draft needs a title and a
    topic; everything else may wait, and is returned as the problems to fix before publishing."""
    given = kb_edits.from_form({name: value for name, value in form.items() if name in FIELDS})
    if entry_id is None:
        earlier: dict[str, Any] = {}
    else:
        current = draft(session, entry_id)
        if current is None:
            return Drafted(None, [("", text.NO_SUCH_DRAFT)])
        earlier = current.data
    data = {**{name: earlier.get(name) for name in earlier if name in kb_edits.FIELDS}, **given}
    needed = _needed(kb, data)
    if needed:
        return Drafted(None, needed)
    data = {**data, "id": entry_id or "", "updated": today.isoformat()}
    if entry_id is None:  # a new draft: its id comes from its first version's
        row = KbEntryVersion(entry_id="", data=None, author=author, created_at=now, draft=True, note=text.DRAFT_NEW)
        session.add(row)
        session.flush()
        entry_id = row.entry_id = _new_id(kb, str(data["topic"]), row.id)
        row.data = data = {**data, "id": entry_id}
    elif _content(data) != _content(earlier):
        session.add(KbEntryVersion(entry_id=entry_id, data=data, author=author, created_at=now, draft=True,
                                   note=text.DRAFT_SAVED))
    session.flush()
    return Drafted(entry_id, kb_edits.check(kb, data)[1])


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name != "updated"}


def publish(session: Session, kb: KnowledgeBase, entry_id: str, author: str, now: dt.datetime,
            today: dt.date) -> kb_edits.Saved:
    """Publish a draft as it was last saved, if it passes every check; else the problems, nothing published."""
    current = draft(session, entry_id)
    if current is None:
        return kb_edits.Saved(None, [("", text.NO_SUCH_DRAFT)])
    entry, problems = kb_edits.check(kb, {**current.data, "id": entry_id, "updated": today.isoformat()})
    if entry is None:
        return kb_edits.Saved(None, problems)
    version = KbEntryVersion(entry_id=entry_id, data=kb_edits.entry_data(entry), author=author, created_at=now,
                             note=text.PUBLISHED)
    session.add(version)
    session.flush()
    return kb_edits.Saved(version, [])


def problems_of(kb: KnowledgeBase, found: Draft) -> list[tuple[str, str]]:
    """What stands in the way of publishing a draft as it is now."""
    return kb_edits.check(kb, {**found.data, "id": found.entry_id})[1]
