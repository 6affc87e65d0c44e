"""The plan's reporting dates as staff-calendar events: an indicator with `report_by: "MM-DD"` is due every
year after a year of its plan (the 2025 figure by 2026's date). The runtime hands these to the calendar's
sync beside the calendar file's own events (the scheduler knows nothing of plans)."""

from __future__ import annotations

import logging

from bot.core.datafile import DataFileError
from handlers.indicators.plan import Plans, current_plans
from scheduler.calendar import Event

log = logging.getLogger(__name__)

NAME = "规划指标报送：{name}（{year}年数据，录入：/indicator {id} {year} 数值 来源）"


def reporting_events(plans: Plans) -> list[Event]:
    """One once-only event per indicator and reported year; none for indicators without a reporting date or
    for plans that name no recipients."""
    events = []
    for plan in plans.plans:
        if not plan.report_to:
            continue
        for indicator in plan.indicators:
            if indicator.report_by is None:
                continue
            for year in range(plan.start_year, plan.end_year + 1):
                events.append(Event(NAME.format(name=indicator.name, year=year, id=indicator.id),
                                    f"{year + 1}-{indicator.report_by}", indicator.report_days_before,
                                    plan.report_to))
    return events


def current_reporting_events() -> list[Event]:
    """The reporting events of the plan files as they are now; none (and an error logged) when they do not
    load, so the calendar file's own events are still scheduled."""
    try:
        return reporting_events(current_plans())
    except DataFileError as exc:
        log.error("plan files not loaded, no reporting reminders:\n%s", exc)
        return []
