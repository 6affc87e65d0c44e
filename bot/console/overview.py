"""概览: how the bot is doing at a glance, and the pages still to come."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console import figures as shown
from bot.console import texts
from bot.console.web import ConsoleHandler
from bot.core.models import HandoffRequest, Reminder
from bot.core.outbox import status_counts
from handlers import teaching
from handlers.staff import _figures as figures  # the numbers of /stats, so chat and console agree
from handlers.survey import conversation as survey
from handlers.survey import texts as survey_texts
from handlers.survey.definition import SurveyDefinition
from handlers.survey.scoring import Report

UNANSWERED_DAYS = 14
UNANSWERED_SHOWN = 10
REMINDERS_SHOWN = 5


@dataclass(frozen=True)
class Overview:
    week: dict[str, int]
    month: dict[str, int]
    open_handoffs: int
    unanswered: list[teaching.Group]
    report: Report | None
    outbox: dict[str, int]
    reminders: list[Reminder]


def shares(data: Overview) -> list[tuple[str, shown.Share, shown.Share]]:
    """The overview's rates, each with its n: answered with confidence (of every question: a count, not an
    estimate) and rated 有用 (of the answers rated: a sample, with an interval)."""
    week, month = data.week, data.month
    return [("有把握的回答", shown.Share(week["a"], week["q"]), shown.Share(month["a"], month["q"])),
            ("评为“有用”", shown.Share(week["h"], week["r"], sampled=True),
             shown.Share(month["h"], month["r"], sampled=True))]


def unanswered(session: Session, now: dt.datetime, limit: int = UNANSWERED_SHOWN) -> list[teaching.Group]:
    """The questions most often asked that the bot was unsure about or users found 没用, still to handle: the
    groups of 待处理问题 (handlers/teaching.py), so one taught, marked 不属于知识产权 or ignored leaves."""
    return teaching.review_queue(session, None, now, days=UNANSWERED_DAYS)[:limit]


def load(session: Session, definition: SurveyDefinition, now: dt.datetime) -> Overview:
    open_handoffs = session.scalar(select(func.count()).select_from(HandoffRequest)
                                   .where(HandoffRequest.status == "open")) or 0
    reminders = list(session.scalars(select(Reminder).where(Reminder.active.is_(True))
                                     .order_by(Reminder.next_fire_at).limit(REMINDERS_SHOWN)))
    return Overview(figures(session, now - dt.timedelta(days=7)), figures(session, now - dt.timedelta(days=30)),
                    open_handoffs, unanswered(session, now), survey.wave_report(session, definition),
                    status_counts(session), reminders)


class OverviewPage(ConsoleHandler):
    async def get(self) -> None:
        now = self.deps.clock()
        data = await self.read(lambda s: load(s, self.deps.survey, now))
        self.page("overview.html", data=data, shares=shares(data), target_label=survey_texts.TARGET_LABEL,
                  min_compare=shown.MIN_COMPARE, too_few=texts.TOO_FEW, interval=shown.scores_interval)
