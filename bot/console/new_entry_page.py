"""新建条目: a new knowledge-base entry written in the console — title (the question), other phrasings,
answer, sources (the law it rests on), a topic chosen by its Chinese name — saved as a draft
(handlers/kb_drafts.py), checked as `ipbot kb check` checks an entry file with every problem shown at its
field, and published: from then on every running instance answers with it, and it is edited and versioned on
its own page like every entry. A draft is never answered. Staff never type an entry id: it is made from the
topic."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import entry_choice
from bot.console import knowledge_texts as text
from bot.console.web import ConsoleHandler
from handlers import kb_drafts, kb_edits
from handlers.texts import kb_edits as kb_text
from handlers.texts import menu as menu_text
from knowledge.service import KnowledgeService

EMPTY: dict[str, Any] = {"question": "", "topic": "", "alternates": [], "keywords": [], "answer": "", "sources": []}


def _knowledge(handler: ConsoleHandler) -> KnowledgeService:
    if handler.deps.knowledge is None:
        raise HTTPError(503)
    return handler.deps.knowledge


class DraftForm(ConsoleHandler):
    """GET/POST /console/knowledge/new (a new draft) and /console/knowledge/draft/<id> (a saved one). The form
    posts `do=draft` (save) or `do=publish` (save, then publish if it passes every check)."""

    async def get(self, entry_id: str | None = None) -> None:
        knowledge = _knowledge(self)
        if entry_id is None:
            self._show(None, EMPTY, [], [])
            return
        found = await self.read(lambda s: kb_drafts.draft(s, entry_id))
        if found is None:
            if knowledge.engine.kb.entry(entry_id) is not None:  # published since: its own page
                self.redirect(f"/console/knowledge/{entry_id}")
                return
            raise HTTPError(404)
        versions = await self.read(lambda s: kb_edits.history(s, entry_id))
        self._show(entry_id, found.data, kb_drafts.problems_of(knowledge.engine.kb, found), versions)

    def _show(self, entry_id: str | None, data: dict[str, Any], problems: list[tuple[str, str]],
              versions: list[Any], error: str | None = None) -> None:
        kb = _knowledge(self).engine.kb
        at: dict[str, list[str]] = {}
        for name, message in problems:
            at.setdefault(name, []).append(message)
        self.page("draft.html", entry_id=entry_id, data={**EMPTY, **data}, problems=at, versions=versions,
                  topic_groups=entry_choice.topic_groups(kb, menu_text.CATEGORY_NAMES),
                  field_names={**kb_text.FIELD_NAMES, "question": text.TITLE}, error=error)

    async def post(self, entry_id: str | None = None) -> None:
        knowledge = _knowledge(self)
        kb = knowledge.engine.kb
        action = self.form("do", "draft")
        if action not in ("draft", "publish"):
            raise HTTPError(400)
        form = {name: self.form(name) for name in kb_drafts.FIELDS if name in self.request.body_arguments}
        now, who = self.deps.clock(), f"console:{self.me.name}"
        today = now.astimezone(self.deps.zone).date()

        def save(session: Session) -> tuple[kb_drafts.Drafted, kb_edits.Saved | None]:
            drafted = kb_drafts.save_draft(session, kb, entry_id, form, who, now, today)
            if not drafted.saved or action == "draft":
                if drafted.saved:
                    self.audit(session, "kb.draft", f"{form.get('question', '')[:60]}（{drafted.entry_id}）")
                return drafted, None
            assert drafted.entry_id is not None
            published = kb_drafts.publish(session, kb, drafted.entry_id, who, now, today)
            self.audit(session, "kb.publish" if published.ok else "kb.draft",
                       f"{form.get('question', '')[:60]}（{drafted.entry_id}）")
            return drafted, published

        drafted, published = await self.change(save)
        shown = {**EMPTY, **kb_edits.from_form(form)}
        if not drafted.saved:  # no title or topic; or the draft is gone (published meanwhile): kept as a new one
            gone = [message for name, message in drafted.problems if not name]
            self._show(None if gone else entry_id, shown, [p for p in drafted.problems if p[0]], [],
                       error=gone[0] if gone else text.DRAFT_NOT_SAVED)
            return
        assert drafted.entry_id is not None
        if published is not None and published.ok:
            knowledge.invalidate()
            self.done(text.PUBLISHED.format(title=shown["question"]), f"/console/knowledge/{drafted.entry_id}")
            return
        if published is not None:  # saved as a draft, not published: said as a failure, at the fields
            versions = await self.read(lambda s: kb_edits.history(s, drafted.entry_id or ""))
            self._show(drafted.entry_id, shown, published.problems, versions, error=text.NOT_PUBLISHED)
            return
        message = text.DRAFT_SAVED_PROBLEMS if drafted.problems else text.DRAFT_SAVED  # the problems: at the fields
        self.done(message, f"/console/knowledge/draft/{drafted.entry_id}")
