"""Retention, run by the daily upkeep with an injected clock: logged questions older than
IPBOT_QUESTION_LOG_RETENTION_DAYS are deleted; the console's audit log is kept at least 180 days."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.app import build_app
from bot.core.models import AuditLog, HandoffRequest, LearnedPhrasing, QuestionLog
from bot.settings import Settings
from knowledge.service import KnowledgeService

NOW = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)


def test_the_daily_upkeep_deletes_old_questions_and_keeps_the_audit_log_180_days(
        database_url: str, knowledge: KnowledgeService) -> None:
    app = build_app(Settings(database_url=database_url, question_log_retention_days=30,
                             audit_log_retention_days=180), knowledge, clock=lambda: NOW)
    sessions = app.router.sessions
    try:
        with sessions.begin() as session:
            for days in (1, 29, 31, 400):
                session.add(QuestionLog(created_at=NOW - dt.timedelta(days=days), channel="wecom", user_id=f"u{days}",
                                        chat_id=f"u{days}", text=f"问题{days}", score=0.0, confident=False,
                                        reason="no_match"))
            for days in (2, 179, 181, 800):
                session.add(AuditLog(at=NOW - dt.timedelta(days=days), account="zhang", action="edit"))
            session.flush()
            old = session.scalars(select(QuestionLog.id).where(QuestionLog.user_id == "u400")).one()
            session.add(HandoffRequest(channel="wecom", user_id="u400", chat_id="u400", question_id=old))
            session.add(LearnedPhrasing(key="k", text="问题400", entry_id=None, taught_by="cli", question_id=old))
        app.jobs.daily_upkeep()
        with sessions() as session:
            assert sorted(session.scalars(select(QuestionLog.user_id))) == ["u1", "u29"]
            assert session.scalars(select(HandoffRequest.question_id)).one() is None  # the request stays
            assert session.scalars(select(LearnedPhrasing.text)).one() == "问题400"  # what was taught stays
            kept = sorted((NOW - at).days for at in session.scalars(select(AuditLog.at)))
            assert kept == [2, 179]
    finally:
        if app.metrics is not None:
            app.metrics.close()
        app.router.sessions.kw["bind"].dispose()


def test_the_audit_log_cannot_be_set_to_go_before_180_days() -> None:
    with pytest.raises(ValidationError):
        Settings(audit_log_retention_days=90)
    assert Settings().question_log_retention_days == 365 and Settings().audit_log_retention_days == 365
