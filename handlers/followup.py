"""Short follow-ups read in context: 要多少钱 or 多久 a few minutes after a question is asked with that question's
subject (when it alone says too little to answer), and 处理得怎么样了 soon after a report answers with that
report's status."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.messages import Incoming
from bot.core.models import QuestionLog, Tip

WINDOW = dt.timedelta(minutes=10)  # how long a previous question still gives a follow-up its subject
MAX_CHARS = 12  # a follow-up is short: longer questions say what they are about
REPORT_WINDOW = dt.timedelta(days=30)
TOO_LITTLE = frozenset({"low_coverage", "ambiguous"})  # the engine's reasons a follow-up can have
# the whole message, punctuation aside: 处理得怎么样了, 我的举报进展如何, 有结果了吗 (not 怎么样申请商标)
PROGRESS = re.compile(r"(我的)?(举报|投诉)?(现在)?("
                      r"(处理|办)(得|的)?(怎么样|咋样|如何)了?|(有)?进展(了)?(吗|如何|怎么样)?"
                      r"|有结果了吗|(处理|办)(完|好)了吗)(啊|呀|呢)?")


def previous_question(session: Session, incoming: Incoming, now: dt.datetime) -> str | None:
    """The text of this person's last question answered with confidence, if it was asked within WINDOW."""
    row = session.scalars(
        select(QuestionLog.text).where(QuestionLog.channel == incoming.channel,
                                       QuestionLog.user_id == incoming.user_id, QuestionLog.confident.is_(True),
                                       QuestionLog.created_at >= now - WINDOW)
        .order_by(QuestionLog.id.desc()).limit(1)).first()
    return row


def asks_for_progress(message: str) -> bool:
    return len(message) <= MAX_CHARS * 2 and PROGRESS.fullmatch(re.sub(r"[\W_]+", "", message)) is not None


def latest_report(session: Session, incoming: Incoming, now: dt.datetime) -> str | None:
    """The number of this person's latest report submitted within REPORT_WINDOW."""
    return session.scalars(
        select(Tip.number).where(Tip.channel == incoming.channel, Tip.user_id == incoming.user_id,
                                 Tip.number.is_not(None), Tip.submitted_at >= now - REPORT_WINDOW)
        .order_by(Tip.submitted_at.desc()).limit(1)).first()
