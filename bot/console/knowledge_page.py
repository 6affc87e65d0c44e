"""知识库: browse and search the entries as the bot answers with them (files plus edits), try a question and see
which entries it reaches and with what score, edit an entry (checked as `ipbot kb check` checks a file, the
problems shown at their fields), and go back to an earlier version or to the packaged file. Every save is a
new version (handlers/kb_edits.py) with who, when and what changed; every running instance answers with it
within seconds."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import texts
from bot.console.web import ConsoleHandler
from bot.core.models import KbEntryVersion
from handlers import kb_edits
from handlers.texts import kb_edits as kb_text
from handlers.texts import menu as menu_text
from knowledge.engine import Result
from knowledge.loader import Entry
from knowledge.service import KnowledgeService

MAX_TRY = 200


def _knowledge(handler: ConsoleHandler) -> KnowledgeService:
    if handler.deps.knowledge is None:
        raise HTTPError(503)
    return handler.deps.knowledge


def _matches(entry: Entry, words: list[str]) -> bool:
    haystack = " ".join((entry.id, entry.question, entry.answer, *entry.alternates, *entry.keywords)).lower()
    return all(word in haystack for word in words)


@dataclasses.dataclass(frozen=True)
class Tried:
    question: str
    result: Result

    @property
    def verdict(self) -> str:
        if self.result.confident:
            return texts.TRY_CONFIDENT
        return texts.TRY_REASONS.get(self.result.reason, texts.TRY_UNSURE)


class KnowledgePage(ConsoleHandler):
    async def get(self) -> None:
        knowledge = _knowledge(self)
        engine = knowledge.engine
        search = self.get_query_argument("q", "").strip()[:100]
        typed = self.get_query_argument("try", "").strip()[:MAX_TRY]
        words = search.lower().split()
        entries = [e for e in engine.kb.entries if _matches(e, words)] if words else list(engine.kb.entries)
        edited = await self.read(kb_edits.edited_ids)
        tried = Tried(typed, engine.search(typed)) if typed else None
        self.page("knowledge.html", entries=entries, total=len(engine.kb.entries), search=search, typed=typed,
                  tried=tried, edited=edited, topics=engine.kb.topics,
                  categories=menu_text.CATEGORY_NAMES)


class EntryPage(ConsoleHandler):
    async def get(self, entry_id: str) -> None:
        knowledge = _knowledge(self)
        entry = knowledge.engine.kb.entry(entry_id)
        if entry is None:
            raise HTTPError(404)
        versions = await self.read(lambda s: kb_edits.history(s, entry_id))
        self._show(entry, kb_edits.entry_data(entry), versions, problems={})

    def _show(self, entry: Entry, data: dict[str, Any], versions: list[KbEntryVersion],
              problems: dict[str, list[str]], error: str | None = None) -> None:
        knowledge = _knowledge(self)
        self.page("entry.html", entry=entry, data=data, versions=versions, problems=problems, error=error,
                  topics=sorted(knowledge.engine.kb.topics), in_files=knowledge.files.entry(entry.id) is not None,
                  field_names=kb_text.FIELD_NAMES)

    async def post(self, entry_id: str) -> None:
        knowledge = _knowledge(self)
        engine = knowledge.engine
        entry = engine.kb.entry(entry_id)
        if entry is None:
            raise HTTPError(404)
        given = self.request.body_arguments
        form = {name: self.form(name) for name in kb_edits.FIELDS if name in given}  # what the form sent
        note = self.form("note")[:200]
        now = self.deps.clock()
        today = now.astimezone(self.deps.zone).date()
        who = f"console:{self.me.name}"

        def act(session: Session) -> kb_edits.Saved:
            saved = kb_edits.save(session, engine.kb, entry_id, kb_edits.from_form(form), who, now, today, note)
            if saved.ok and saved.version is not None:
                self.audit(session, "kb.edit", f"{entry_id}：{saved.version.note}")
            return saved

        saved = await self.change(act)
        if saved.ok:
            knowledge.invalidate()
            self.done(texts.KB_SAVED.format(entry_id=entry_id), f"/console/knowledge/{entry_id}")
            return
        problems: dict[str, list[str]] = {}
        for name, message in saved.problems:
            problems.setdefault(name, []).append(message)
        versions = await self.read(lambda s: kb_edits.history(s, entry_id))
        shown = {**kb_edits.entry_data(entry), **kb_edits.from_form(form)}
        self._show(entry, shown, versions, problems, error=texts.KB_NOT_SAVED)


class EntryRevert(ConsoleHandler):
    async def post(self, entry_id: str) -> None:
        knowledge = _knowledge(self)
        chosen = self.form("version")
        if chosen != "file" and not (chosen.isdigit() and len(chosen) <= 12):
            raise HTTPError(400)
        version = None if chosen == "file" else int(chosen)
        now, who = self.deps.clock(), f"console:{self.me.name}"

        def act(session: Session) -> kb_edits.Saved:
            saved = kb_edits.revert(session, knowledge.files, entry_id, version, who, now)
            if saved.ok:
                self.audit(session, "kb.revert", f"{entry_id}：{saved.version.note if saved.version else ''}")
            return saved

        saved = await self.change(act)
        if not saved.ok:
            self.done(saved.problems[0][1], f"/console/knowledge/{entry_id}")
            return
        knowledge.invalidate()
        self.done(texts.KB_REVERTED.format(entry_id=entry_id), f"/console/knowledge/{entry_id}")
