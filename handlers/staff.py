"""Staff commands: what the bot did not answer well (to improve the knowledge base), and usage figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.messages import Incoming, Reply
from bot.core.models import HandoffRequest, QuestionLog
from handlers.context import Context
from handlers.texts import staff as text


def is_staff(incoming: Incoming, staff_ids: frozenset[str]) -> bool:
    return f"{incoming.channel}:{incoming.user_id}" in staff_ids


def refused() -> list[Reply]:
    return [Reply(text.REFUSED)]


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else text.NO_RATE


def _figures(session: Session, since: dt.datetime) -> dict[str, int]:
    asked, answered, helpful, rated = session.execute(
        select(func.count(), func.count().filter(QuestionLog.confident.is_(True)),
               func.count().filter(QuestionLog.feedback == "helpful"),
               func.count().filter(QuestionLog.feedback.is_not(None)))
        .where(QuestionLog.created_at >= since)
    ).one()
    handoffs = session.scalar(select(func.count()).select_from(HandoffRequest)
                              .where(HandoffRequest.created_at >= since)) or 0
    return {"q": asked, "a": answered, "h": helpful, "r": rated, "o": handoffs}


def stats(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """/stats: questions, answer rate and helpful rate over 7 and 30 days."""
    session, now = ctx.session, ctx.now
    week = _figures(session, now - dt.timedelta(days=7))
    month = _figures(session, now - dt.timedelta(days=30))
    return [Reply(text.STATS.format(
        q7=week["q"], a7=week["a"], ar7=_rate(week["a"], week["q"]), h7=week["h"], hr7=_rate(week["h"], week["r"]),
        o7=week["o"], q30=month["q"], a30=month["a"], ar30=_rate(month["a"], month["q"]), h30=month["h"],
        hr30=_rate(month["h"], month["r"]), o30=month["o"]))]
