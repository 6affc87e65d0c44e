"""Greetings, thanks, help and goodbyes: recognised before a message is treated as a question."""

from __future__ import annotations

import re
from enum import Enum

from bot.core.messages import Button, Reply
from handlers.texts import general as text
from knowledge.normalize import normalize

MAX_CHARS = 40  # longer messages are questions, whatever words they contain


class Kind(Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    BYE = "bye"
    HANDOFF = "handoff"


_TABLE = (
    (Kind.HANDOFF, text.HANDOFF_WORDS),
    (Kind.GREETING, text.GREETING_WORDS),
    (Kind.THANKS, text.THANKS_WORDS),
    (Kind.HELP, text.HELP_WORDS),
    (Kind.BYE, text.BYE_WORDS),
)


_PUNCTUATION = re.compile(r"[^\w]+|_+")


def classify(message: str) -> Kind | None:
    words = " ".join(_PUNCTUATION.sub(" ", normalize(message)).split())
    compact = words.replace(" ", "")
    for kind, vocabulary in _TABLE:
        if words in vocabulary or compact in vocabulary:
            return kind
    return None


def examples() -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(label, f"a:{entry_id}"),) for label, entry_id in text.EXAMPLES)


def reply(kind: Kind) -> Reply:
    if kind is Kind.GREETING:
        return Reply(text.GREETING, examples())
    if kind is Kind.HELP:
        return Reply(text.HELP, examples())
    if kind is Kind.THANKS:
        return Reply(text.THANKS)
    return Reply(text.BYE)
