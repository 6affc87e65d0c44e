"""The ask feature: a question in, an answer with its source, related questions, feedback and a person.

Payloads of its buttons: `a:<entry id>` shows an entry, `f:<question id>:y|n` is feedback,
`h:<question id>` (or `h:0`) asks for a person.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from bot.core.messages import Button, Incoming, Reply
from handlers import handoff, question_log
from handlers.context import Context
from handlers.decline import decline_text, suggestions
from handlers.indicators import chat as indicator_chat
from handlers.texts import ask as text
from handlers.tips import conversation as tips
from knowledge import office
from knowledge.engine import MAX_QUESTION_CHARS, Result, SearchEngine
from knowledge.loader import Entry

PAYLOAD = re.compile(r"^[afh]:")  # this feature's buttons (the router asks it about these only)
ENTRY_PAYLOAD = re.compile(r"^a:([a-z0-9][a-z0-9-]{0,63})$")
FEEDBACK_PAYLOAD = re.compile(r"^f:(\d{1,12}):([yn])$")
HANDOFF_PAYLOAD = re.compile(r"^h:(\d{1,12})$")
MAX_RELATED = 3


def handoff_row(question_id: int | None) -> tuple[Button, ...]:
    return (Button(text.HANDOFF, f"h:{question_id or 0}"),)


def entry_button(entry: Entry) -> tuple[Button, ...]:
    return (Button(entry.question, f"a:{entry.id}"),)


def answer_reply(engine: SearchEngine, entry: Entry, question_id: int, session: Session | None = None) -> Reply:
    """The entry's answer and sources; an entry about one of the plan's indicators also carries the figures
    staff recorded (or that none is published yet), read in `session`. The bureau's contact details are filled
    in from office.yaml as it stands now."""
    figures = indicator_chat.figures_for_entry(session, entry.id) if session is not None else ""
    own = office.render(entry.answer, office.for_kb(engine.kb))
    answer = f"{own}\n\n{figures}" if figures else own
    body = f"{answer}\n\n{text.SOURCES.format(sources='；'.join(entry.sources))}"
    rows: list[tuple[Button, ...]] = []
    for related_id in entry.related[:MAX_RELATED]:
        related = engine.kb.entry(related_id)
        if related is not None:
            rows.append(entry_button(related))
    rows.append((Button(text.HELPFUL, f"f:{question_id}:y"), Button(text.UNHELPFUL, f"f:{question_id}:n")))
    if entry.topic in tips.OFFER_TOPICS:  # complaints, counterfeits, GI misuse: report it here
        rows.append(tips.start_button())
    rows.append(handoff_row(question_id))
    return Reply(body, tuple(rows))


def not_sure_reply(result: Result, question_id: int, question: str) -> Reply:
    rows = [entry_button(entry) for entry in suggestions(result)]
    return Reply(decline_text(result, question), (*rows, handoff_row(question_id)))


def ask(log: question_log.Logger, engine: SearchEngine, incoming: Incoming, question: str,
        session: Session | None = None) -> list[Reply]:
    """Answer a typed question; every question is logged (by `log`), whatever becomes of it. With `session`,
    answers about the plan's indicators carry their recorded figures."""
    stripped = question.strip()
    if not stripped:
        return [Reply(text.EMPTY)]
    if len(stripped) > MAX_QUESTION_CHARS:
        question_id = log(incoming, stripped, None, "too_long", None)
        return [Reply(text.TOO_LONG.format(length=len(stripped), limit=MAX_QUESTION_CHARS),
                      (handoff_row(question_id),))]
    result = engine.search(stripped)
    question_id = log(incoming, stripped, result, None, None)
    if result.confident and result.best is not None:
        return [answer_reply(engine, result.best.entry, question_id, session)]
    return [not_sure_reply(result, question_id, stripped)]


def handle_payload(ctx: Context, incoming: Incoming, payload: str) -> list[Reply] | None:
    """Replies for this feature's buttons, or None when the payload is not one of them."""
    session, engine, now = ctx.session, ctx.engine, ctx.now
    if match := ENTRY_PAYLOAD.match(payload):
        entry = engine.kb.entry(match.group(1))
        if entry is None:
            return [Reply(text.STALE_BUTTON)]
        question_id = question_log.log_question(session, incoming, entry.question, None, reason="button",
                                                entry=entry, now=now)
        return [answer_reply(engine, entry, question_id, session)]
    if match := FEEDBACK_PAYLOAD.match(payload):
        value = match.group(2)
        if not question_log.record_feedback(session, incoming, int(match.group(1)), value, now):
            return [Reply(text.STALE_BUTTON)]
        if value == "y":
            return [Reply(text.THANKS_HELPFUL)]
        return [Reply(text.THANKS_UNHELPFUL, (handoff_row(int(match.group(1))),))]
    if match := HANDOFF_PAYLOAD.match(payload):
        return handoff.request(session, incoming, int(match.group(1)) or None, engine, now=now)
    return None
