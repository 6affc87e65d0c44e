"""The final evaluation (终期评估) of a plan that has ended: each of its indicators with baseline, target, the final
recorded value (the latest figure for the target year) and its source, whether the target was reached by the
plan's own measure (越高越好: at or above it; 越低越好: at or below it; 定性: judged in words, not by the figure),
and the satisfaction survey's waves beside the plan's satisfaction target, with the caveat that the local survey
is not the plan's instrument. An indicator with no figure for the target year is listed as 未录入, never dropped.

`evaluate` builds it; evaluation_export writes it as XLSX and PNG; the console and `ipbot indicators evaluation`
show it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from handlers.indicators import progress as indicators
from handlers.indicators import texts as text
from handlers.indicators.plan import Indicator, Plan, Plans, number
from handlers.indicators.progress import Recorded, Status
from handlers.survey.scoring import MIN_CELL

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from handlers.survey.definition import SurveyDefinition

Verdict = Literal["reached", "not_reached", "qualitative", "no_figure", "target_pending"]


@dataclass(frozen=True)
class Row:
    status: Status
    final: Recorded | None  # the latest figure for the plan's target year (a year's figure over its quarters')
    earlier: Recorded | None  # the latest figure before the target year (shown beside 未录入, never judged)
    verdict: Verdict

    @property
    def verdict_text(self) -> str:
        if self.verdict == "no_figure":
            return text.EVAL_NO_FIGURE.format(year=self.status.plan.target_year)
        return text.EVAL_VERDICT[self.verdict]


@dataclass(frozen=True)
class Wave:
    """One survey wave as the evaluation shows it: its index with n and the 95 % interval when there is one."""

    name: str
    n: int
    index: float | None
    ci95: tuple[float, float] | None
    opened_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def too_few(self) -> bool:
        """Fewer answers than the survey reports a cell for: too few to set beside a target."""
        return self.n < MIN_CELL


@dataclass(frozen=True)
class Evaluation:
    plan: Plan
    rows: tuple[Row, ...]
    waves: tuple[Wave, ...]
    survey_target: float | None  # the plan's satisfaction target (its survey_indicator's), None without one
    survey_unit: str

    @property
    def counts(self) -> dict[Verdict, int]:
        found: dict[Verdict, int] = dict.fromkeys(get_args(Verdict), 0)
        for row in self.rows:
            found[row.verdict] += 1
        return found


def plan_to_evaluate(plans: Plans, today: dt.date) -> Plan | None:
    """The plan that ended most recently (its last year before this one); else the first plan."""
    ended = [p for p in plans.plans if p.end_year < today.year]
    return ended[-1] if ended else (plans.plans[0] if plans.plans else None)


def judge(status: Status, final: Recorded | None) -> Verdict:
    i = status.indicator
    if i.target is None:
        return "target_pending"
    if final is None:
        return "no_figure"
    if i.measure == "定性":
        return "qualitative"
    reached = final.value >= i.target if i.measure == "越高越好" else final.value <= i.target
    return "reached" if reached else "not_reached"


def row_of(status: Status) -> Row:
    year = status.plan.target_year
    final = next((r for r in reversed(status.history) if r.period.year == year), None)
    earlier = None if final else next((r for r in reversed(status.history) if r.period.year < year), None)
    return Row(status, final, earlier, judge(status, final))


def survey_waves(session: Session, definition: SurveyDefinition) -> tuple[Wave, ...]:
    """Every wave, first first, with its index, n and interval."""
    from sqlalchemy import select

    from bot.core.models import SurveyWave
    from handlers.survey.conversation import completed
    from handlers.survey.scoring import report

    waves = []
    for wave in session.scalars(select(SurveyWave).order_by(SurveyWave.id)):
        found = report(definition, wave.name, completed(session, wave))
        waves.append(Wave(wave.name, found.n, found.index, found.ci95, wave.opened_at, wave.closed_at))
    return tuple(waves)


def evaluate(session: Session, plans: Plans, definition: SurveyDefinition, today: dt.date,
             plan: Plan | None = None) -> Evaluation | None:
    """The evaluation of `plan` (by default the one that ended most recently); None when there is no plan."""
    plan = plan or plan_to_evaluate(plans, today)
    if plan is None:
        return None
    rows = tuple(row_of(s) for s in indicators.statuses(session, plans) if s.plan is plan)
    satisfaction = plan.indicator(plan.survey_indicator) if plan.survey_indicator else None
    return Evaluation(plan, rows, survey_waves(session, definition),
                      satisfaction.target if satisfaction else None, satisfaction.unit if satisfaction else "")


def baseline_text(indicator: Indicator) -> str:
    """The baseline with its unit, or what the plan says instead (——, 待发布)."""
    shown = indicator.baseline_text()
    return shown if indicator.baseline is None else shown + indicator.unit


def figure_text(recorded: Recorded | None, unit: str) -> str:
    return text.EVAL_NONE if recorded is None else f"{number(recorded.value)}{unit}"


def interval_text(wave: Wave) -> str:
    return text.EVAL_NO_INTERVAL if wave.ci95 is None else f"{number(wave.ci95[0])}–{number(wave.ci95[1])}"


def summary(evaluation: Evaluation) -> str:
    """The evaluation as text (the command line without a file)."""
    plan = evaluation.plan
    lines = [text.EVAL_TITLE.format(plan=plan.name, years=plan.years, document=plan.document,
                                    baseline_year=plan.baseline_year, target_year=plan.target_year)]
    for row in evaluation.rows:
        i, final = row.status.indicator, row.final
        shown = row.verdict_text if final is None else text.EVAL_FINAL.format(
            period=final.period.label, value=figure_text(final, i.unit), source=final.source, verdict=row.verdict_text)
        line = text.EVAL_LINE.format(name=i.name, id=i.id, baseline=baseline_text(i), target=i.target_text(),
                                     measure=i.measure, final=shown)
        if row.earlier is not None:
            line += text.EVAL_EARLIER.format(period=row.earlier.period.label,
                                             value=figure_text(row.earlier, i.unit), source=row.earlier.source)
        lines.append(line)
    counts = evaluation.counts
    lines.append(text.EVAL_COUNTS.format(total=len(evaluation.rows), **counts))
    lines.append(text.EVAL_SURVEY_TITLE.format(target=text.EVAL_DASH if evaluation.survey_target is None
                                               else f"{number(evaluation.survey_target)}{evaluation.survey_unit}"))
    if not evaluation.waves:
        lines.append(text.EVAL_NO_WAVES)
    for wave in evaluation.waves:
        lines.append(text.EVAL_WAVE.format(name=wave.name, n=wave.n, index=text.EVAL_DASH if wave.index is None
                                           else number(wave.index), interval=interval_text(wave))
                     + (text.EVAL_TOO_FEW if wave.too_few else ""))
    lines.append(survey_caveat())
    return "\n".join(lines)


def survey_caveat() -> str:
    """The survey's own caveat: the local survey is not the plan's instrument."""
    from handlers.survey.texts import INSTRUMENT_NOTE

    return INSTRUMENT_NOTE
