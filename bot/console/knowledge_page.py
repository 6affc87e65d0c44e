"""知识库: browse and search the entries as the bot answers with them (files plus edits), by their titles and
their topics' Chinese names; try a question and see which entries it reaches and with what score; edit an
entry (checked as `ipbot kb check` checks a file, the problems shown at their fields), and go back to an
earlier version or to the packaged file. Every save is a new version (handlers/kb_edits.py) with who, when and
what changed; every running instance answers with it within seconds. New entries: bot/console/new_entry_page.py
(their drafts are listed here). A refused change is shown on the page as a warning, never as a success."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import entry_choice
from bot.console import knowledge_texts as kb_texts
from bot.console.web import ConsoleHandler
from bot.core.models import KbEntryVersion
from handlers import kb_drafts, kb_edits
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


def _matches(entry: Entry, words: list[str], topic_name: str) -> bool:
    haystack = " ".join((entry.id, entry.question, entry.answer, topic_name, *entry.alternates,
                         *entry.keywords)).lower()
    return all(word in haystack for word in words)


@dataclasses.dataclass(frozen=True)
class Tried:
    question: str
    result: Result

    @property
    def verdict(self) -> str:
        if self.result.confident:
            return kb_texts.TRY_CONFIDENT
        return kb_texts.TRY_REASONS.get(self.result.reason, kb_texts.TRY_UNSURE)


class KnowledgePage(ConsoleHandler):
    async def get(self) -> None:
        knowledge = _knowledge(self)
        engine = knowledge.engine
        search = self.get_query_argument("q", "").strip()[:100]
        typed = self.get_query_argument("try", "").strip()[:MAX_TRY]
        words = search.lower().split()
        kb = engine.kb
        entries = [e for e in kb.entries if _matches(e, words, kb.topic_name(e.topic))] if words else list(kb.entries)
        edited = await self.read(kb_edits.edited_ids)
        drafts = await self.read(kb_drafts.drafts)
        tried = Tried(typed, engine.search(typed)) if typed else None
        self.page("knowledge.html", entries=entries, total=len(kb.entries), search=search, typed=typed,
                  tried=tried, edited=edited, topics=kb.topics, topic_name=kb.topic_name, drafts=drafts,
                  categories=menu_text.CATEGORY_NAMES)


def _show_entry(handler: ConsoleHandler, entry: Entry, data: dict[str, Any], versions: list[KbEntryVersion],
                problems: dict[str, list[str]], error: str | None = None) -> None:
    knowledge = _knowledge(handler)
    kb = knowledge.engine.kb
    handler.page("entry.html", entry=entry, data=data, versions=versions, problems=problems, error=error,
                 topic_groups=entry_choice.topic_groups(kb, menu_text.CATEGORY_NAMES),
                 entry_groups=entry_choice.entry_groups(kb, entry.id),
                 in_files=knowledge.files.entry(entry.id) is not None, field_names=kb_text.FIELD_NAMES)


class EntryPage(ConsoleHandler):
    async def get(self, entry_id: str) -> None:
        knowledge = _knowledge(self)
        entry = knowledge.engine.kb.entry(entry_id)
        if entry is None:
            if await self.read(lambda s: kb_drafts.draft(s, entry_id)) is not None:  # not published yet
                self.redirect(f"/console/knowledge/draft/{entry_id}")
                return
            raise HTTPError(404)
        versions = await self.read(lambda s: kb_edits.history(s, entry_id))
        _show_entry(self, entry, kb_edits.entry_data(entry), versions, problems={})

    async def post(self, entry_id: str) -> None:
        knowledge = _knowledge(self)
        engine = knowledge.engine
        entry = engine.kb.entry(entry_id)
        if entry is None:
            raise HTTPError(404)
        given = self.request.body_arguments
        form = {name: self.form(name) for name in kb_edits.FIELDS if name in given}  # what the form sent
        if "related" in given:  # picked by title from a list: one value per entry (and an empty one)
            form["related"] = " ".join(self.get_body_arguments("related"))
        note = self.form("note")[:200]
        now = self.deps.clock()
        today = now.astimezone(self.deps.zone).date()
        who = f"console:{self.me.name}"

        def act(session: Session) -> kb_edits.Saved:
            saved = kb_edits.save(session, engine.kb, entry_id, kb_edits.from_form(form), who, now, today, note)
            if saved.ok and saved.version is not None:
                self.audit(session, "kb.edit", f"{entry.question}（{entry_id}）：{saved.version.note}")
            return saved

        saved = await self.change(act)
        if saved.ok:
            knowledge.invalidate()
            self.done(kb_texts.KB_SAVED.format(title=saved.version.data["question"] if saved.version and
                                               saved.version.data else entry.question),
                      f"/console/knowledge/{entry_id}")
            return
        problems: dict[str, list[str]] = {}
        for name, message in saved.problems:
            problems.setdefault(name, []).append(message)
        versions = await self.read(lambda s: kb_edits.history(s, entry_id))
        shown = {**kb_edits.entry_data(entry), **kb_edits.from_form(form)}
        _show_entry(self, entry, shown, versions, problems, error=kb_texts.KB_NOT_SAVED)


class EntryRevert(ConsoleHandler):
    async def post(self, entry_id: str) -> None:
        knowledge = _knowledge(self)
        chosen = self.form("version")
        if chosen != "file" and not (chosen.isdigit() and len(chosen) <= 12):
            raise HTTPError(400)
        version = None if chosen == "file" else int(chosen)
        now, who = self.deps.clock(), f"console:{self.me.name}"

        entry = knowledge.engine.kb.entry(entry_id)
        title = entry.question if entry is not None else entry_id
        if not self.confirmed():  # what the public is answered changes at once: asked first
            if entry is None:
                raise HTTPError(404)
            heading, message, button = kb_texts.CONFIRM_REVERT
            which = kb_texts.REVERT_TO_FILE if version is None else kb_texts.REVERT_TO_VERSION.format(version=version)
            self.ask_to_confirm(heading, message.format(title=title, version=which), button,
                                f"/console/knowledge/{entry_id}", {"version": chosen})
            return

        def act(session: Session) -> kb_edits.Saved:
            saved = kb_edits.revert(session, knowledge.files, entry_id, version, who, now)
            if saved.ok and saved.version is not None:
                self.audit(session, "kb.revert", f"{title}（{entry_id}）：{saved.version.note}")
            return saved

        saved = await self.change(act)
        if not saved.ok:  # said on the entry's page, as a warning
            if entry is None:
                raise HTTPError(404)
            versions = await self.read(lambda s: kb_edits.history(s, entry_id))
            _show_entry(self, entry, kb_edits.entry_data(entry), versions, {}, saved.problems[0][1])
            return
        knowledge.invalidate()
        self.done(kb_texts.KB_REVERTED.format(title=title), f"/console/knowledge/{entry_id}")
