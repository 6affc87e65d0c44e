"""Knowledge-base entries edited by staff (the console's 知识库 page): saved as versions in the database,
layered over the packaged files, checked exactly as `ipbot kb check` checks a file, and reverted by adding
a version — nothing is overwritten. Every running instance answers with a saved edit within seconds (the
overlay in handlers/taught_phrasings.py reads the newest version of each entry)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.models import KbEntryVersion
from handlers.texts import kb_edits as text
from knowledge.loader import Entry, KnowledgeBase, entry_from_data

FIELDS = ("question", "alternates", "keywords", "answer", "sources", "related", "topic")
_SPLIT_WORDS = re.compile(r"[,，、;；\s]+")


def entry_data(entry: Entry) -> dict[str, Any]:
    """An entry as the mapping a version stores (and a form shows)."""
    return {"id": entry.id, "topic": entry.topic, "question": entry.question, "alternates": list(entry.alternates),
            "keywords": list(entry.keywords), "answer": entry.answer, "sources": list(entry.sources),
            "related": list(entry.related), "updated": entry.updated.isoformat()}


def from_form(form: dict[str, str]) -> dict[str, Any]:
    """A form's text fields as entry data: alternates and sources one per line; keywords and related also
    split on commas and spaces."""
    data: dict[str, Any] = {}
    for name in FIELDS:
        if name not in form:
            continue  # not on the form: left as it is
        value = form[name]
        if name in ("alternates", "sources"):
            data[name] = [line.strip() for line in value.splitlines() if line.strip()]
        elif name in ("keywords", "related"):
            data[name] = [word for word in _SPLIT_WORDS.split(value) if word]
        else:
            data[name] = value.strip()
    return data


@dataclass(frozen=True)
class Saved:
    version: KbEntryVersion | None
    problems: list[tuple[str, str]]  # (field, message), field '' for the whole entry

    @property
    def ok(self) -> bool:
        return self.version is not None


def save(session: Session, kb: KnowledgeBase, entry_id: str, data: dict[str, Any], author: str, now: dt.datetime,
         today: dt.date, note: str = "") -> Saved:
    """Check and store a new version of an entry (`kb`: the knowledge base as answered now). `updated`
    becomes today: whoever saves it has checked it."""
    current = kb.entry(entry_id)
    if current is None:
        return Saved(None, [("", text.NO_SUCH_ENTRY.format(entry_id=entry_id))])
    merged = {**entry_data(current), **{k: v for k, v in data.items() if k in FIELDS}, "id": entry_id,
              "updated": today.isoformat()}
    entry, problems = check(kb, merged)
    if entry is None or problems:
        return Saved(None, problems)
    if entry_data(entry) == entry_data(current) and latest(session, entry_id) is not None:
        return Saved(None, [("", text.NOTHING_CHANGED)])
    version = KbEntryVersion(entry_id=entry_id, data=entry_data(entry), author=author, created_at=now,
                             note=note.strip() or changed_summary(entry_data(current), entry_data(entry)))
    session.add(version)
    session.flush()
    return Saved(version, [])


def check(kb: KnowledgeBase, data: dict[str, Any]) -> tuple[Entry | None, list[tuple[str, str]]]:
    """An entry's data checked as `ipbot kb check` checks an entry file (its fields, its topic, its related
    entries): the entry, or None with (field, message) in Chinese for each problem."""
    entry, found = entry_from_data(data, kb.topics)
    problems = [(name, _in_chinese(message)) for name, message in found]
    for related in data.get("related") or []:
        if related == data.get("id"):
            problems.append(("related", text.RELATED_SELF))
        elif kb.entry(str(related)) is None:
            problems.append(("related", text.RELATED_MISSING.format(entry_id=related)))
    return (entry if not problems else None), problems


def _in_chinese(message: str) -> str:
    """kb check's message (English, for maintainers) as staff read it in the console."""
    if message.endswith((": missing", ": must not be empty")):
        return text.MISSING
    if "must be a list" in message or "must be text" in message:
        return text.NOT_A_LIST
    if "unknown topic" in message:
        return text.UNKNOWN_TOPIC
    if (long := re.search(r"answer: (\d+) characters; keep it under (\d+)", message)) is not None:
        return text.TOO_LONG.format(length=long.group(1), limit=long.group(2))
    return message


def revert(session: Session, files: KnowledgeBase, entry_id: str, version_id: int | None, author: str,
           now: dt.datetime) -> Saved:
    """Go back to an earlier version (a new version with its content), or to the packaged file (None)."""
    if version_id is None:
        if files.entry(entry_id) is None and latest(session, entry_id) is None:
            return Saved(None, [("", text.NO_SUCH_ENTRY.format(entry_id=entry_id))])
        row = KbEntryVersion(entry_id=entry_id, data=None, author=author, created_at=now, note=text.BACK_TO_FILE)
    else:
        earlier = session.get(KbEntryVersion, version_id)
        if earlier is None or earlier.entry_id != entry_id or earlier.draft:
            return Saved(None, [("", text.NO_SUCH_VERSION.format(version=version_id))])
        row = KbEntryVersion(entry_id=entry_id, data=earlier.data, author=author, created_at=now,
                             note=text.BACK_TO_VERSION.format(version=version_id))
    session.add(row)
    session.flush()
    return Saved(row, [])


def latest(session: Session, entry_id: str) -> KbEntryVersion | None:
    """The newest published version of an entry (drafts aside)."""
    return session.scalars(select(KbEntryVersion).where(KbEntryVersion.entry_id == entry_id,
                                                        KbEntryVersion.draft.is_(False))
                           .order_by(KbEntryVersion.id.desc()).limit(1)).first()


def history(session: Session, entry_id: str) -> list[KbEntryVersion]:
    """Every version of an entry, newest first."""
    return list(session.scalars(select(KbEntryVersion).where(KbEntryVersion.entry_id == entry_id)
                                .order_by(KbEntryVersion.id.desc())))


def changed_summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Which fields changed, in words (the version's note when the editor wrote none)."""
    names = [text.FIELD_NAMES[name] for name in FIELDS if before.get(name) != after.get(name)]
    return text.CHANGED.format(fields="、".join(names)) if names else text.NOTHING_CHANGED


def latest_edits(session: Session) -> dict[str, dict[str, object] | None]:
    """The newest published version of each entry edited or created in the console (None: back to its file)."""
    newest = select(KbEntryVersion.entry_id, func.max(KbEntryVersion.id).label("id")) \
        .where(KbEntryVersion.draft.is_(False)).group_by(KbEntryVersion.entry_id).subquery()
    rows = session.execute(select(KbEntryVersion.entry_id, KbEntryVersion.data)
                           .join(newest, KbEntryVersion.id == newest.c.id)).all()
    return {entry_id: data for entry_id, data in rows}


def edited_ids(session: Session) -> set[str]:
    """Entries whose answer now comes from a console edit (not their packaged file)."""
    return {entry_id for entry_id, data in latest_edits(session).items() if data is not None}
