"""待处理问题: the review queue of the teaching loop (handlers/teaching.py) — the questions the bot was unsure
about or that someone marked 没用, grouped with counts — and teaching from the browser: to one of the entries
the answering engine finds closest, or to any entry found by its Chinese title (归入条目: a page per question
with the suggestions and a title search), 不属于知识产权, 忽略. Staff pick an entry; they never type an id.
The same store as the chat's /teach: what is taught here is answered by every running instance within
seconds. A refused action is shown as a warning on the page it came from (status 400), never as a success."""

from __future__ import annotations

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import entry_choice
from bot.console import knowledge_texts as text
from bot.console.web import ConsoleHandler
from bot.core.models import QuestionLog
from handlers import teaching
from handlers.texts import teaching as teaching_text
from knowledge.engine import SearchEngine
from knowledge.service import KnowledgeService

SHOWN = 50
SUGGESTED_IN_LIST = 3


def _knowledge(handler: ConsoleHandler) -> KnowledgeService:
    if handler.deps.knowledge is None:
        raise HTTPError(503)
    return handler.deps.knowledge


async def _show_queue(handler: ConsoleHandler, error: str | None = None) -> None:
    engine: SearchEngine = _knowledge(handler).engine
    now = handler.deps.clock()
    groups = await handler.read(lambda s: teaching.review_queue(s, None, now))
    for group in groups[:SHOWN]:
        group.closest = entry_choice.suggested(engine, group.text, SUGGESTED_IN_LIST)
    handler.page("questions.html", groups=groups[:SHOWN], more=max(0, len(groups) - SHOWN),
                 days=teaching.REVIEW_DAYS, topic_name=engine.kb.topic_name, error=error)


class QuestionsPage(ConsoleHandler):
    async def get(self) -> None:
        await _show_queue(self)


class QuestionAction(ConsoleHandler):
    """GET /console/questions/<编号>/teach: the 归入条目 page (suggestions, search by title).
    POST /console/questions/<编号>/(teach|not-ip|ignore); teach takes the chosen entry from the form."""

    async def get(self, number: str, action: str) -> None:
        if action != "teach":
            raise HTTPError(405)
        await self.show_teach(int(number))

    async def show_teach(self, number: int, error: str | None = None) -> None:
        engine = _knowledge(self).engine
        row = await self.read(lambda s: s.get(QuestionLog, number))
        if row is None:
            if error is None:
                raise HTTPError(404)
            await _show_queue(self, text.NO_SUCH_QUESTION.format(number=number))
            return
        query = self.get_query_argument("q", "").strip()[:entry_choice.MAX_QUERY]
        found = entry_choice.by_title(engine, query) if query else []
        how = text.HANDLED.get(row.review or "")
        self.page("teach.html", number=number, asked=row.text, suggestions=entry_choice.suggested(engine, row.text),
                  query=query, found=found, nothing=text.NOTHING_FOUND.format(query=query) if query else "",
                  handled=text.HANDLED_NOTE.format(how=how) if how else "", topic_name=engine.kb.topic_name,
                  error=error)

    async def post(self, number: str, action: str) -> None:
        knowledge = _knowledge(self)
        engine, now, who = knowledge.engine, self.deps.clock(), f"console:{self.me.name}"
        question = int(number)
        entry = None
        if action == "teach":
            chosen = self.form("entry").strip()[:64]
            if not chosen:
                await self.show_teach(question, text.TEACH_PICK)
                return
            entry = engine.kb.entry(chosen)
            if entry is None:
                await self.show_teach(question, text.TEACH_UNKNOWN_ENTRY)
                return

        asked = ""

        def act(session: Session) -> teaching.Outcome:
            nonlocal asked
            row = session.get(QuestionLog, question)
            if row is None:
                return teaching.Outcome(False, text.NO_SUCH_QUESTION.format(number=question))
            asked = row.text.strip()
            if entry is not None:
                outcome = teaching.teach(session, engine, question, entry.id, who, now)
            elif action == "not-ip":
                outcome = teaching.mark_not_ip(session, question, who, now)
            else:
                outcome = teaching.ignore(session, question, now)
            if outcome.ok:
                self.audit(session, f"question.{action}",
                           f"#{question}" + (f" → {entry.question}" if entry is not None else ""))
            return outcome

        outcome = await self.change(act)
        if outcome.ok:
            knowledge.invalidate()
            message = outcome.message if entry is None else text.TAUGHT.format(  # the entry by its title, no id
                text=asked[:60], title=entry.question,
                count=teaching_text.GROUP_COUNT.format(times=outcome.times) if outcome.times > 1 else "")
            self.done(message, "/console/questions")
        elif action == "teach":
            await self.show_teach(question, outcome.message)
        else:
            await _show_queue(self, outcome.message)
