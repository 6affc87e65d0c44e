"""The plan's indicators in chat: staff `/indicators` (the list with progress) and `/indicator ID 期间 数值 来源`
(record a figure); and, for everyone, the recorded figures an answer about the plan's targets carries."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.datafile import DataFileError
from bot.core.messages import Incoming, Reply
from handlers.context import Context
from handlers.indicators import export as indicator_export
from handlers.indicators import progress as indicators
from handlers.indicators import texts as text
from handlers.indicators.plan import Plans, current_plans
from handlers.indicators.progress import IndicatorError, Status, number

if TYPE_CHECKING:  # the database layer is imported when a session is given (`ipbot ask` without one: never)
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def _line(status: Status) -> str:
    i = status.indicator
    latest = status.latest
    shown = text.LIST_NO_VALUE if latest is None else text.LIST_VALUE.format(
        period=latest.period.label, value=number(latest.value), unit=i.unit, progress=status.progress_text())
    line = text.LIST_LINE.format(name=i.name, id=i.id, baseline=i.baseline_text(), target=i.target_text(),
                                 latest=shown)
    return line + text.NOTE.format(note=i.note) if i.note else line


def listing_text(all_statuses: list[Status]) -> str:
    if not all_statuses:
        return text.NO_PLANS
    lines: list[str] = []
    plan = None
    for status in all_statuses:
        if status.plan is not plan:
            plan = status.plan
            lines.append(text.LIST_TITLE.format(plan=plan.name, years=plan.years, baseline_year=plan.baseline_year,
                                                target_year=plan.target_year))
        lines.append(_line(status))
    lines.append(text.LIST_FOOTER)
    return "\n".join(lines)


def listing(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """Staff /indicators: the list, and the chart when any figure is recorded."""
    found = indicators.statuses(ctx.session, current_plans())
    replies = [Reply(listing_text(found))]
    if any(s.latest is not None for s in found):
        replies.append(Reply("", image=indicator_export.to_png(found), file_name="indicators.png"))
    return replies


def set_value(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    """Staff /indicator ID 期间 数值 来源."""
    parts = argument.split(maxsplit=3)
    if len(parts) < 3:
        return [Reply(text.SET_HOW)]
    indicator_id, period, value = parts[:3]
    try:
        status, latest, before = indicators.record(ctx.session, current_plans(), indicator_id, period, value,
                                           parts[3] if len(parts) == 4 else "", str(incoming.sender), ctx.now)
    except IndicatorError as exc:
        return [Reply(str(exc))]
    i = status.indicator
    fields = {"name": i.name, "period": latest.period.label, "value": number(latest.value), "unit": i.unit,
              "source": latest.source, "progress": status.progress_text()}
    if before is not None:
        return [Reply(text.CORRECTED.format(old=number(before), **fields))]
    return [Reply(text.RECORDED.format(**fields))]


def figures_text(all_statuses: list[Status], whole_plan: bool) -> str:
    """The recorded figures for a public answer: each with its period and source, or that none is published
    yet with the target. For an answer about the whole plan, only the recorded ones and a count of the rest."""
    recorded = [s for s in all_statuses if s.latest is not None]
    if whole_plan and not recorded:
        return ""
    lines = [text.FIGURES_TITLE]
    for status in all_statuses:
        i, latest = status.indicator, status.latest
        target = {"goal": text.GOAL_PENDING if i.target is None else text.GOAL.format(
            target_year=status.plan.target_year, target=number(i.target), unit=i.unit)}
        note = text.NOTE.format(note=i.note) if i.note else ""
        if latest is not None:
            lines.append(text.FIGURE_LINE.format(name=i.name, period=latest.period.label, value=number(latest.value),
                                                 unit=i.unit, source=latest.source, **target) + note)
        elif not whole_plan:
            lines.append(text.FIGURE_NONE.format(name=i.name, **target) + note)
    if whole_plan and len(recorded) < len(all_statuses):
        lines.append(text.FIGURES_OTHERS.format(count=len(all_statuses) - len(recorded)))
    if recorded:
        lines.append(text.FIGURES_NOTE)
    return "\n".join(lines)


def figures_for_entry(session: Session | None, entry_id: str, plans: Plans | None = None) -> str:
    """What an answer from this knowledge-base entry appends: "" when the entry is not about an indicator.
    Without a session (no database yet) nothing is recorded. Never fails the answer: a plan file that does
    not load or a database that cannot be read gives ""."""
    try:
        plans = plans or current_plans()
    except DataFileError as exc:
        log.error("plan files do not load:\n%s", exc)
        return ""
    pairs = plans.entry_indicators(entry_id)
    if not pairs:
        return ""
    if session is None:
        return figures_text([Status(plan, indicator, ()) for plan, indicator in pairs],
                            plans.is_whole_plan_entry(entry_id))
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with session.begin_nested():
            found = [indicators.status_of(session, plans, plan, indicator) for plan, indicator in pairs]
    except SQLAlchemyError:
        log.exception("indicator figures not read")
        return ""
    return figures_text(found, plans.is_whole_plan_entry(entry_id))
