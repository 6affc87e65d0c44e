"""How long personal data is kept (PIPL: no longer than the purpose needs), run by the daily upkeep.

- The question log: rows older than IPBOT_QUESTION_LOG_RETENTION_DAYS (default 365) are deleted, not just
  stripped of user and chat ids — the question's own text can carry a name or a phone number. What staff
  taught from a question keeps its own copy of the phrasing; a handoff request loses only the link to it.
- The console's audit log: rows older than IPBOT_AUDIT_LOG_RETENTION_DAYS (default 365, at least 180: never
  deleted earlier) are deleted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.core.models import AuditLog, HandoffRequest, QuestionLog

AUDIT_LOG_MINIMUM_DAYS = 180


def forget_questions(session: Session, now: dt.datetime, days: int) -> int:
    """Delete question-log rows older than `days`; returns 0 (nothing scheduled)."""
    old = select(QuestionLog.id).where(QuestionLog.created_at < now - dt.timedelta(days=days))
    session.execute(update(HandoffRequest).where(HandoffRequest.question_id.in_(old)).values(question_id=None))
    session.execute(delete(QuestionLog).where(QuestionLog.created_at < now - dt.timedelta(days=days)))
    return 0


def forget_audit(session: Session, now: dt.datetime, days: int) -> int:
    """Delete audit-log rows older than `days` (never fewer than 180); returns 0."""
    days = max(days, AUDIT_LOG_MINIMUM_DAYS)
    session.execute(delete(AuditLog).where(AuditLog.at < now - dt.timedelta(days=days)))
    return 0
