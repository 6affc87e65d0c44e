"""The plan's indicators against their targets: staff record figures by period with their source; each
indicator's progress is the share of the way from its baseline to its target, compared with a straight path
from the baseline year to the target year.

Functions a page or command calls: `record` (set a figure), `statuses` (every indicator with its history,
latest figure and progress); charts and the report are in indicator_export."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from handlers.indicators import texts as text
from handlers.indicators.plan import Indicator, Period, Plan, Plans

if TYPE_CHECKING:  # the database layer is imported by the functions that read or write (not by `ipbot ask`)
    from sqlalchemy.orm import Session

    from bot.core.models import IndicatorValue

MAX_SOURCE_CHARS = 200
Pace = Literal["ahead", "behind", "on_track"]
ON_TRACK = 0.005  # within half a percentage point of the straight path


class IndicatorError(ValueError):
    """A figure that cannot be recorded; the message says why, in Chinese, for staff."""


def number(value: float) -> str:
    """7000.0 → 7000, 1.07 → 1.07, 48.10 → 48.1."""
    return f"{value:.10g}"


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
    def progress(self) -> float | None:
        """Share of the way from the baseline to the target (1.0: the target); without a baseline, the share
        of the target itself."""
        latest = self.latest
        return None if latest is None else progress_of(self.indicator, latest.value)

    @property
    def expected(self) -> float | None:
        """Where a straight path from the baseline year to the target year stands at the latest period."""
        latest = self.latest
        if latest is None or self.indicator.baseline is None:
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
            "baseline": i.baseline, "baseline_year": self.plan.baseline_year,
            "target": i.target, "target_year": self.plan.target_year,
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


def find(plans: Plans, indicator_id: str, period_text: str) -> tuple[Plan, Indicator, Period]:
    """The plan and indicator a figure for this period belongs to; IndicatorError saying what is wrong."""
    known = plans.indicator_ids()
    if indicator_id not in known:
        raise IndicatorError(text.UNKNOWN_ID.format(id=indicator_id, ids="、".join(known)))
    period = Period.parse(unicodedata.normalize("NFKC", period_text))
    if period is None:
        raise IndicatorError(text.BAD_PERIOD.format(period=period_text))
    plan = plans.for_period(period)
    if plan is None:
        raise IndicatorError(text.OUTSIDE_PLAN.format(
            period=period.label, plans="；".join(f"{p.name} {p.years}年" for p in plans.plans)))
    indicator = plan.indicator(indicator_id)
    if indicator is None:
        raise IndicatorError(text.NOT_IN_PLAN.format(id=indicator_id, period=period.label, plan=plan.name,
                                                     years=plan.years))
    return plan, indicator, period


def _rows(session: Session, indicator_ids: list[str]) -> list[IndicatorValue]:
    from sqlalchemy import select

    from bot.core.models import IndicatorValue

    return list(session.scalars(select(IndicatorValue).where(IndicatorValue.indicator_id.in_(indicator_ids))
                                .order_by(IndicatorValue.id)))


def _status(plan: Plan, indicator: Indicator, rows: list[IndicatorValue]) -> Status:
    newest: dict[Period, IndicatorValue] = {}
    for row in rows:  # by id: a later row for the same period corrects an earlier one
        period = Period.parse(row.period)
        if row.indicator_id == indicator.id and period is not None and plan.covers(period):
            newest[period] = row
    history = tuple(Recorded(p, r.value, r.source, r.recorded_by, r.recorded_at)
                    for p, r in sorted(newest.items(), key=lambda item: item[0].order))
    return Status(plan, indicator, history)


def statuses(session: Session, plans: Plans) -> list[Status]:
    """Every indicator of every plan (earliest plan first, in the file's order), with its figures."""
    rows = _rows(session, plans.indicator_ids())
    return [_status(plan, indicator, rows) for plan in plans.plans for indicator in plan.indicators]


def status_of(session: Session, plan: Plan, indicator: Indicator) -> Status:
    return _status(plan, indicator, _rows(session, [indicator.id]))


def record(session: Session, plans: Plans, indicator_id: str, period_text: str, value_text: str, source: str,
           recorded_by: str, now: dt.datetime) -> tuple[Status, Recorded, float | None]:
    """Record a figure; returns the indicator's status after it, the figure as recorded and the value it
    replaced (a correction), or raises IndicatorError."""
    plan, indicator, period = find(plans, indicator_id.strip(), period_text.strip())
    value = parse_value(value_text, indicator)
    source = " ".join(source.split())
    if not source:
        raise IndicatorError(text.NO_SOURCE)
    if len(source) > MAX_SOURCE_CHARS:
        raise IndicatorError(text.SOURCE_TOO_LONG.format(length=len(source), limit=MAX_SOURCE_CHARS))
    from bot.core.models import IndicatorValue

    before = next((r for r in status_of(session, plan, indicator).history if r.period == period), None)
    session.add(IndicatorValue(indicator_id=indicator.id, period=str(period), value=value, source=source,
                               recorded_by=recorded_by, recorded_at=now))
    session.flush()
    after = status_of(session, plan, indicator)
    recorded = next(r for r in after.history if r.period == period)
    return after, recorded, None if before is None else before.value
