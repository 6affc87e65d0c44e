"""The main menu (/start) and browsing the knowledge base by category (/menu).

Payloads: `m` the categories, `mc:<category>` that category's questions, `s` the survey, `r` reminders.
"""

from __future__ import annotations

import re

from handlers.texts import menu as text
from handlers.texts import subscriptions as subscription_text
from handlers.types import Button, Reply
from knowledge.engine import SearchEngine

CATEGORY_PAYLOAD = re.compile(r"^mc:([a-z]{1,32})$")
MAX_QUESTIONS = 15


def main_menu() -> Reply:
    return Reply(text.WELCOME, (
        (Button(text.ASK, "m"), Button(text.SURVEY, "s")),
        (Button(text.REMIND, "r"), Button(text.HANDOFF, "h:0")),
    ))


def categories(engine: SearchEngine) -> Reply:
    present = dict.fromkeys(engine.kb.topics[e.topic] for e in engine.kb.entries)
    rows = [(Button(text.CATEGORY_NAMES.get(c, c), f"mc:{c}"),) for c in present]
    return Reply(text.CATEGORIES, tuple(rows))


def questions(engine: SearchEngine, category: str) -> Reply | None:
    entries = [e for e in engine.kb.entries if engine.kb.topics[e.topic] == category]
    if not entries:
        return None
    rows = [(Button(e.question, f"a:{e.id}"),) for e in entries[:MAX_QUESTIONS]]
    name = text.CATEGORY_NAMES.get(category, category)
    return Reply(text.QUESTIONS.format(category=name), (*rows, (Button(text.BACK, "m"),)))


def handle_payload(engine: SearchEngine, payload: str) -> list[Reply] | None:
    if payload == "m":
        return [categories(engine)]
    if match := CATEGORY_PAYLOAD.match(payload):
        reply = questions(engine, match.group(1))
        return [reply] if reply else None
    if payload == "s":
        return [Reply(text.NOT_OPEN_YET.format(feature=text.SURVEY))]
    if payload == "r":
        return [Reply(subscription_text.USAGE)]
    return None
