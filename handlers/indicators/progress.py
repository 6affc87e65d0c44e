"""The plan's indicators against their targets: staff record figures by period with their source; each
indicator's progress is the share of the way from its baseline to its target, compared with a straight path
from the baseline year to the target year.

Functions a page or command calls: `record` (set a figure), `statuses` (every indicator with its history,
latest figure and progress); charts and the report are in indicator_export."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from handlers.indicators import texts as text
from handlers.indicators.plan import PERIOD, Indicator, Period, Plan, Plans
from handlers.indicators.plan import number as number  # re-exported: pages and commands format with it

if TYPE_CHECKING:  # the database layer is imported by the functions that read or write (not by `ipbot ask`)
    from sqlalchemy.orm import Session

    from bot.core.models import IndicatorValue

MAX_SOURCE_CHARS = 200
Pace = Literal["ahead", "behind", "on_track"]
ON_TRACK = 0.005  # within half a percentage point of the straight path


class IndicatorError(ValueError):
    """A figure that cannot be recorded; the message says why, in Chinese, for staff."""



QUARTER = re.compile(r"^(\d{4})Q(\d+)$")


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


@dataclass(frozen=True)
class Recorded:
    period: Period
    value: float
    source: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Status:
    """One indicator of one plan: its figures by period (the newest row of each) and where it stands."""

    plan: Plan
    indicator: Indicator
    history: tuple[Recorded, ...]  # by period, earliest first

    @property
    def latest(self) -> Recorded | None:
        return self.history[-1] if self.history else None

    @property
    def is_level(self) -> bool:
        """Satisfaction (the plan's survey_indicator) is a level read against its target — 80.2 against 85 —
        never a share of the way from the baseline ("完成进度 41%" would misread it)."""
        return self.plan.survey_indicator is not None and self.indicator.id == self.plan.survey_indicator

    @property
    def progress(self) -> float | None:
        """Share of the way from the baseline to the target (1.0: the target); without a baseline, the share
        of the target itself; None for a level (is_level)."""
        latest = self.latest
        return None if latest is None or self.is_level else progress_of(self.indicator, latest.value)

    @property
    def expected(self) -> float | None:
        """Where a straight path from the baseline year to the target year stands at the latest period."""
        latest, i = self.latest, self.indicator
        if latest is None or i.baseline is None or i.target is None or i.measure == "定性" or self.is_level:
            return None
        return expected_share(self.plan, latest.period)

    @property
    def pace(self) -> Pace | None:
        progress, expected = self.progress, self.expected
        if progress is None or expected is None:
            return None
        if abs(progress - expected) < ON_TRACK:
            return "on_track"
        return "ahead" if progress > expected else "behind"

    def progress_text(self) -> str:
        progress, expected, pace = self.progress, self.expected, self.pace
        if self.indicator.target is None:
            return text.PROGRESS_TARGET_PENDING
        if self.indicator.measure == "定性":
            return text.PROGRESS_QUALITATIVE
        latest, i = self.latest, self.indicator
        if self.is_level and latest is not None and i.target is not None:
            reached = latest.value <= i.target if i.measure == "越低越好" else latest.value >= i.target
            return text.LEVEL.format(value=number(latest.value), target=number(i.target), unit=i.unit,
                                     verdict=text.LEVEL_REACHED if reached else text.LEVEL_NOT_REACHED)
        if progress is None:
            return text.PROGRESS_NONE
        if expected is None or pace is None:
            return text.PROGRESS.format(share=percent(progress))
        return text.PROGRESS_PACE.format(share=percent(progress), expected=percent(expected), pace=text.PACE[pace])

    def as_json(self) -> dict[str, Any]:
        latest = self.latest
        i = self.indicator
        return {
            "plan": self.plan.name, "plan_years": [self.plan.start_year, self.plan.end_year],
            "id": i.id, "name": i.name, "unit": i.unit, "kind": i.kind,
            "baseline": i.baseline, "baseline_year": self.plan.baseline_year, "baseline_pending": i.baseline_pending,
            "target": i.target, "target_year": self.plan.target_year, "target_pending": i.target is None,
            "measure": i.measure,
            "value": latest.value if latest else None, "period": str(latest.period) if latest else None,
            "source": latest.source if latest else None,
            "progress": None if self.progress is None else round(self.progress, 4),
            "expected": None if self.expected is None else round(self.expected, 4),
            "pace": self.pace,
            "history": [{"period": str(r.period), "value": r.value, "source": r.source,
                         "recorded_by": r.recorded_by, "recorded_at": r.recorded_at.isoformat()}
                        for r in self.history],
        }


def progress_of(indicator: Indicator, value: float) -> float | None:
    """None when the target is not published or the plan judges the indicator in words."""
    if indicator.target is None or indicator.measure == "定性":
        return None
    if indicator.baseline is None:
        return value / indicator.target if indicator.target else None
    span = indicator.target - indicator.baseline
    return (value - indicator.baseline) / span if span else None


def expected_share(plan: Plan, period: Period) -> float:
    span = plan.target_year - plan.baseline_year
    return min(max((period.end - plan.baseline_year) / span, 0.0), 1.0)


def parse_value(raw: str, indicator: Indicator) -> float:
    cleaned = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise IndicatorError(text.NOT_A_NUMBER.format(value=raw.strip(), unit=indicator.unit)) from None
    if not math.isfinite(value):
        raise IndicatorError(text.NOT_A_NUMBER.format(value=raw.strip(), unit=indicator.unit))
    return value


def parse_period(period_text: str, plans: Plans, today: dt.date) -> Period:
    """A period staff typed — 2024, 2025Q3 (also 2024年, full-width digits) — of a year from the earliest plan's
    baseline year up to now; IndicatorError saying what is wrong with it."""
    typed = unicodedata.normalize("NFKC", period_text).strip().upper().removesuffix("年").strip()
    if not typed:
        raise IndicatorError(text.NO_PERIOD)
    quarter = QUARTER.match(typed)
    if quarter is not None and not 1 <= int(quarter.group(2)) <= 4:
        raise IndicatorError(text.BAD_QUARTER.format(period=period_text.strip()))
    period = Period.parse(typed) if PERIOD.match(typed) else None
    if period is None:
        raise IndicatorError(text.BAD_PERIOD.format(period=period_text.strip()))
    starts = dt.date(period.year, 3 * (period.quarter - 1) + 1 if period.quarter else 1, 1)
    if starts > today:
        raise IndicatorError(text.FUTURE_PERIOD.format(period=period.label, today=f"{today.year}年{today.month}月"
                                                                                   f"{today.day}日"))
    earliest = plans.earliest_year
    if earliest is not None and period.year < earliest:
        raise IndicatorError(text.TOO_EARLY.format(period=period.label, year=earliest))
    return period


def find(plans: Plans, indicator_id: str, period_text: str, today: dt.date) -> tuple[Plan, Indicator, Period]:
    """The plan and indicator a figure for this period is kept against (Plans.plan_for: the plan of its years,
    else the nearest before it); IndicatorError saying what is wrong."""
    known = plans.indicator_ids()
    if indicator_id not in known:
        raise IndicatorError(text.UNKNOWN_ID.format(id=indicator_id, ids="、".join(known)))
    period = parse_period(period_text, plans, today)
    plan = plans.plan_for(indicator_id, period)
    indicator = plan.indicator(indicator_id) if plan else None
    if plan is None or indicator is None:  # not reached: the id is known, so some plan has it
        raise IndicatorError(text.UNKNOWN_ID.format(id=indicator_id, ids="、".join(known)))
    return plan, indicator, period


def _rows(session: Session, indicator_ids: list[str]) -> list[IndicatorValue]:
    from sqlalchemy import select

    from bot.core.models import IndicatorValue

    return list(session.scalars(select(IndicatorValue).where(IndicatorValue.indicator_id.in_(indicator_ids))
                                .order_by(IndicatorValue.id)))


def _status(plans: Plans, plan: Plan, indicator: Indicator, rows: list[IndicatorValue]) -> Status:
    newest: dict[Period, IndicatorValue] = {}
    for row in rows:  # by id: a later row for the same period corrects an earlier one
        period = Period.parse(row.period)
        if row.indicator_id == indicator.id and period is not None and plans.plan_for(indicator.id, period) is plan:
            newest[period] = row
    history = tuple(Recorded(p, r.value, r.source, r.recorded_by, r.recorded_at)
                    for p, r in sorted(newest.items(), key=lambda item: item[0].order))
    return Status(plan, indicator, history)


def statuses(session: Session, plans: Plans) -> list[Status]:
    """Every indicator of every plan (earliest plan first, in the file's order), with its figures."""
    rows = _rows(session, plans.indicator_ids())
    return [_status(plans, plan, indicator, rows) for plan in plans.plans for indicator in plan.indicators]


def status_of(session: Session, plans: Plans, plan: Plan, indicator: Indicator) -> Status:
    return _status(plans, plan, indicator, _rows(session, [indicator.id]))


def record(session: Session, plans: Plans, indicator_id: str, period_text: str, value_text: str, source: str,
           recorded_by: str, now: dt.datetime) -> tuple[Status, Recorded, float | None]:
    """Record a figure; returns the indicator's status after it, the figure as recorded and the value it
    replaced (a correction), or raises IndicatorError."""
    plan, indicator, period = find(plans, indicator_id.strip(), period_text, now.date())
    value = parse_value(value_text, indicator)
    source = " ".join(source.split())
    if not source:
        raise IndicatorError(text.NO_SOURCE)
    if len(source) > MAX_SOURCE_CHARS:
        raise IndicatorError(text.SOURCE_TOO_LONG.format(length=len(source), limit=MAX_SOURCE_CHARS))
    from bot.core.models import IndicatorValue

    before = next((r for r in status_of(session, plans, plan, indicator).history if r.period == period), None)
    session.add(IndicatorValue(indicator_id=indicator.id, period=str(period), value=value, source=source,
                               recorded_by=recorded_by, recorded_at=now))
    session.flush()
    after = status_of(session, plans, plan, indicator)
    recorded = next(r for r in after.history if r.period == period)
    return after, recorded, None if before is None else before.value
