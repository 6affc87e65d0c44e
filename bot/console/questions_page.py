"""待处理问题: the review queue of the teaching loop (handlers/teaching.py) — the questions the bot was unsure
about or that someone marked 没用, grouped with counts — and teaching from the browser: to one of the closest
entries or any entry by id, 不属于知识产权, 忽略. The same store as the chat's /teach: what is taught here is
answered by every running instance within seconds."""

from __future__ import annotations

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import texts
from bot.console.web import ConsoleHandler
from handlers import teaching
from knowledge.engine import SearchEngine
from knowledge.service import KnowledgeService

SHOWN = 50


def _knowledge(handler: ConsoleHandler) -> KnowledgeService:
    if handler.deps.knowledge is None:
        raise HTTPError(503)
    return handler.deps.knowledge


class QuestionsPage(ConsoleHandler):
    async def get(self) -> None:
        engine: SearchEngine = _knowledge(self).engine
        now = self.deps.clock()
        groups = await self.read(lambda s: teaching.review_queue(s, None, now))
        for group in groups[:SHOWN]:
            group.closest = teaching.closest_entries(engine, group.text, 3)
        self.page("questions.html", groups=groups[:SHOWN], more=max(0, len(groups) - SHOWN),
                  days=teaching.REVIEW_DAYS, entries=sorted(engine.kb.entries, key=lambda e: e.id))


class QuestionAction(ConsoleHandler):
    """POST /console/questions/<编号>/(teach|not-ip|ignore); teach takes the entry id from the form."""

    async def post(self, number: str, action: str) -> None:
        knowledge = _knowledge(self)
        engine, now, who = knowledge.engine, self.deps.clock(), f"console:{self.me.name}"
        question = int(number)
        entry_id = self.form("entry").strip().lower()
        if action == "teach" and not entry_id:
            self.done(texts.TEACH_WHICH, "/console/questions")
            return

        def act(session: Session) -> teaching.Outcome:
            if action == "teach":
                outcome = teaching.teach(session, engine, question, entry_id, who, now)
            elif action == "not-ip":
                outcome = teaching.mark_not_ip(session, question, who, now)
            else:
                outcome = teaching.ignore(session, question, now)
            if outcome.ok:
                self.audit(session, f"question.{action}", f"#{question} {entry_id}".strip())
            return outcome

        outcome = await self.change(act)
        if outcome.ok:
            knowledge.invalidate()
        self.done(outcome.message, "/console/questions")
