"""What the bot says when it does not answer, and which entries it offers instead: one wording for the chat
and `ipbot ask` (kept light: `ipbot ask` imports it without the database)."""

from __future__ import annotations

from handlers.texts import ask as text
from knowledge.engine import MAX_QUESTION_CHARS, Result
from knowledge.loader import Entry

MAX_SUGGESTIONS = 3
SUGGESTION_MIN_COVERAGE = 0.15


def suggestions(result: Result) -> list[Entry]:
    """The closest entries worth offering when the bot is not sure (none for a referral)."""
    if result.referral:
        return []
    return [hit.entry for hit in result.hits if hit.coverage >= SUGGESTION_MIN_COVERAGE][:MAX_SUGGESTIONS]


def decline_text(result: Result, question: str) -> str:
    """What the bot says when it does not answer: the one wording for chat and `ipbot ask`."""
    if result.reason == "empty":
        return text.EMPTY
    if result.reason == "too_long":
        return text.TOO_LONG.format(length=len(question.strip()), limit=MAX_QUESTION_CHARS)
    if result.referral:
        return text.OUT_OF_SCOPE.format(office=result.referral)
    return text.UNSURE if suggestions(result) else text.NO_MATCH
