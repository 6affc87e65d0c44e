"""Persistence for the ask feature: the question log, feedback and handoff requests."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.core.messages import Incoming
from bot.core.models import QuestionLog
from knowledge.engine import Result
from knowledge.loader import Entry

FEEDBACK_VALUES = {"y": "helpful", "n": "unhelpful"}
# Built once: this runs for every message, and building a statement costs more than running it.
INSERT = insert(QuestionLog).returning(QuestionLog.id)
_ANSWERED = "questions_answered"  # session.info: whether each question logged in it was answered confidently


# What logging a question needs: (who asked, the text, the search result or None, reason, entry) -> its id.
Logger = Callable[[Incoming, str, Result | None, str | None, Entry | None], int]


def row_values(incoming: Incoming, text: str, result: Result | None, reason: str | None,
               entry: Entry | None, now: dt.datetime) -> dict[str, Any]:
    """The question_log row for one question. `entry` marks a question asked by pressing its button."""
    best = result.best if result else None
    confident = bool(result and result.confident)
    topic: str | None
    entry_id: str | None
    if entry is not None:
        topic, entry_id, score, confident = entry.topic, entry.id, 0.0, True
    else:
        topic = best.entry.topic if best and confident else None
        entry_id, score = (best.entry.id, best.score) if best else (None, 0.0)
    return {"created_at": now, "channel": incoming.channel, "user_id": incoming.user_id,
            "chat_id": incoming.chat_id, "text": text, "topic": topic, "entry_id": entry_id, "score": float(score),
            "confident": confident, "reason": reason or (result.reason if result else "none")}


def log_question(session: Session, incoming: Incoming, text: str, result: Result | None,
                 reason: str | None = None, entry: Entry | None = None, *, now: dt.datetime) -> int:
    """Record one question; returns its id. A plain INSERT … RETURNING on the session's connection."""
    values = row_values(incoming, text, result, reason, entry, now)
    if entry is None:  # a question typed, not a button pressed: counted for the metrics (bot/metrics.py)
        session.info.setdefault(_ANSWERED, []).append(values["confident"])
    return int(session.connection().execute(INSERT, values).scalar_one())


def answered(session: Session) -> list[bool]:
    """Whether each question this session logged (typed, not a button) was answered confidently."""
    return list(session.info.get(_ANSWERED, ()))


def session_logger(session: Session, now: dt.datetime) -> Logger:
    return functools.partial(log_question, session, now=now)


def own_question(session: Session, incoming: Incoming, question_id: int) -> QuestionLog | None:
    """The logged question, if it exists and was asked by this user in this channel."""
    row = session.get(QuestionLog, question_id)
    if row is None or row.channel != incoming.channel or row.user_id != incoming.user_id:
        return None
    return row


def record_feedback(session: Session, incoming: Incoming, question_id: int, value: str, now: dt.datetime) -> bool:
    row = own_question(session, incoming, question_id)
    if row is None or value not in FEEDBACK_VALUES:
        return False
    row.feedback = FEEDBACK_VALUES[value]
    row.feedback_at = now
    return True
