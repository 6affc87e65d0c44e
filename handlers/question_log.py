"""Persistence for the ask feature: the question log, feedback and handoff requests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.models import QuestionLog, utcnow
from handlers.types import Incoming
from knowledge.engine import Result

FEEDBACK_VALUES = {"y": "helpful", "n": "unhelpful"}


def log_question(session: Session, incoming: Incoming, text: str, result: Result | None,
                 reason: str | None = None) -> QuestionLog:
    best = result.best if result else None
    row = QuestionLog(
        channel=incoming.channel,
        user_id=incoming.user_id,
        chat_id=incoming.chat_id,
        text=text,
        topic=best.entry.topic if best and result and result.confident else None,
        entry_id=best.entry.id if best else None,
        score=best.score if best else 0.0,
        confident=bool(result and result.confident),
        reason=reason or (result.reason if result else "none"),
    )
    session.add(row)
    session.flush()
    return row


def own_question(session: Session, incoming: Incoming, question_id: int) -> QuestionLog | None:
    """The logged question, if it exists and was asked by this user in this channel."""
    row = session.get(QuestionLog, question_id)
    if row is None or row.channel != incoming.channel or row.user_id != incoming.user_id:
        return None
    return row


def record_feedback(session: Session, incoming: Incoming, question_id: int, value: str) -> bool:
    row = own_question(session, incoming, question_id)
    if row is None or value not in FEEDBACK_VALUES:
        return False
    row.feedback = FEEDBACK_VALUES[value]
    row.feedback_at = utcnow()
    return True
