"""The main menu (/start) and browsing the knowledge base by category (/menu).

Payloads: `m` the categories, `mc:<category>` that category's questions, `r` reminders; the survey button
carries the survey's own payload (handlers/survey/invite.py START_PAYLOAD).
"""

from __future__ import annotations

import re

from bot.core.messages import Button, Incoming, Reply
from handlers.context import Context
from handlers.survey.invite import START_PAYLOAD
from handlers.texts import menu as text
from handlers.texts import subscriptions as subscription_text
from handlers.tips.conversation import START_PAYLOAD as TIP_PAYLOAD
from knowledge.engine import SearchEngine

PAYLOAD = re.compile(r"^(m|mc:.*|r)$")  # this feature's buttons; `s` belongs to the survey
CATEGORY_PAYLOAD = re.compile(r"^mc:([a-z]{1,32})$")
MAX_QUESTIONS = 15


def main_menu(_ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """/start"""
    return [Reply(text.WELCOME, (
        (Button(text.ASK, "m"), Button(text.SURVEY, START_PAYLOAD)),
        (Button(text.REMIND, "r"), Button(text.HANDOFF, "h:0")),
        (Button(text.REPORT, TIP_PAYLOAD),),
    ))]


def categories(engine: SearchEngine) -> Reply:
    present = dict.fromkeys(engine.kb.topics[e.topic] for e in engine.kb.entries)
    rows = [(Button(text.CATEGORY_NAMES.get(c, c), f"mc:{c}"),) for c in present]
    return Reply(text.CATEGORIES, tuple(rows))


def browse(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """/menu"""
    return [categories(ctx.engine)]


def questions(engine: SearchEngine, category: str) -> Reply | None:
    # one question per topic (its first entry): a category has a dozen topics and several entries for each
    entries, topics = [], set()
    for entry in engine.kb.entries:
        if engine.kb.topics[entry.topic] == category and entry.topic not in topics:
            topics.add(entry.topic)
            entries.append(entry)
    if not entries:
        return None
    rows = [(Button(e.question, f"a:{e.id}"),) for e in entries[:MAX_QUESTIONS]]
    name = text.CATEGORY_NAMES.get(category, category)
    return Reply(text.QUESTIONS.format(category=name), (*rows, (Button(text.BACK, "m"),)))


def handle_payload(ctx: Context, _incoming: Incoming, payload: str) -> list[Reply] | None:
    engine = ctx.engine
    if payload == "m":
        return [categories(engine)]
    if match := CATEGORY_PAYLOAD.match(payload):
        reply = questions(engine, match.group(1))
        return [reply] if reply else None
    if payload == "r":
        return [Reply(subscription_text.USAGE)]
    return None
