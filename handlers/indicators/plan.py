"""The IP plans as data: every handlers/indicators/data/plan-*.yaml, each a plan's years and its indicators (baseline,
target, unit), validated on load with problems that name the file and line.

A period — a year (2024) or a quarter (2025Q3) — belongs to the plan whose years contain it, so the next plan
is one more file and no code; a period no plan contains (after the last plan ends, or the baseline year) belongs
to the plan nearest before it. A plan not yet published gives its baselines and targets as 待发布 (PENDING) until
the office enters them; each indicator says how the plan measures it (`measure`: 越高越好, 越低越好, 定性)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, PlainValidator, Strict, TypeAdapter

from bot.core.datafile import Collector, DataFileError, Problem, line_at, read_yaml
from bot.core.datafile_models import CONFIG, Text, validate
from handlers.indicators import texts as text
from handlers.indicators.entry_map import PLAN_DIR, PLAN_GLOB
from scheduler.recipients import ReminderError, parse_recipients

INDICATOR_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")
YEARLY = re.compile(r"^(\d{2})-(\d{2})$")
PENDING = "待发布"  # a baseline or target the plan has not published yet
Measure = Literal["越高越好", "越低越好", "定性"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    """A year, or a quarter of it."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period | None:
        match = PERIOD.match(text.strip().upper())
        if match is None:
            return None
        return cls(int(match.group(1)), int(match.group(2)) if match.group(2) else None)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        """As shown to people: 2024年, 2025年第3季度."""
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年"

    @property
    def end(self) -> float:
        """Where the period ends, in years: a year's value stands at its end (2021 → 2021.0 after 2020.0)."""
        return self.year - 1 + (self.quarter / 4 if self.quarter else 1.0)

    @property
    def order(self) -> tuple[int, int]:
        """Later periods sort last; a year's figure comes after its fourth quarter's."""
        return (self.year, self.quarter or 5)


def number(value: float) -> str:
    """7000.0 → 7000, 1.07 → 1.07, 48.10 → 48.1."""
    return f"{value:.10g}"


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    baseline: float | None  # None: the plan gives no baseline ("——"), or it is not published yet (baseline_pending)
    target: float | None  # None: not published yet (待发布)
    kind: str
    entries: tuple[str, ...]  # knowledge-base entries whose answers carry this indicator's figure
    report_by: str | None  # "MM-DD": the previous year's value is due then, every year of the plan
    report_days_before: tuple[int, ...]
    note: str | None = None  # optional: shown beside the indicator (e.g. the plan's body words it differently)
    measure: Measure = "越高越好"  # how the plan judges it: at least the target, at most the target, or in words
    baseline_pending: bool = False

    def baseline_text(self) -> str:
        if self.baseline_pending:
            return PENDING
        return text.NO_BASELINE if self.baseline is None else number(self.baseline)

    def target_text(self) -> str:
        """The target with its unit, or 待发布."""
        return PENDING if self.target is None else f"{number(self.target)}{self.unit}"


@dataclass(frozen=True)
class Plan:
    path: Path
    name: str
    document: str
    start_year: int
    end_year: int
    baseline_year: int
    target_year: int
    report_to: tuple[str, ...]
    indicators: tuple[Indicator, ...]
    whole_plan_entries: tuple[str, ...]
    survey_indicator: str | None = None  # the indicator the local satisfaction survey is set beside

    @property
    def years(self) -> str:
        return f"{self.start_year}—{self.end_year}"

    def covers(self, period: Period) -> bool:
        return self.start_year <= period.year <= self.end_year

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)


@dataclass(frozen=True)
class Plans:
    plans: tuple[Plan, ...]  # by start year

    def for_period(self, period: Period) -> Plan | None:
        return next((p for p in self.plans if p.covers(period)), None)

    def plan_for(self, indicator_id: str, period: Period) -> Plan | None:
        """The plan a figure of this indicator for this period is kept against: the plan whose years contain the
        period, if it has the indicator; else the latest plan with the indicator that began before the period
        (figures after a plan's end); else the first plan with it (e.g. its baseline year). None: no plan has it."""
        having = [p for p in self.plans if p.indicator(indicator_id) is not None]
        covering = next((p for p in having if p.covers(period)), None)
        if covering is not None:
            return covering
        before = [p for p in having if p.start_year <= period.year]
        if before:
            return before[-1]
        return having[0] if having else None

    @property
    def earliest_year(self) -> int | None:
        """The first year any plan counts from (its baseline year)."""
        return min((p.baseline_year for p in self.plans), default=None)

    def indicator_ids(self) -> list[str]:
        return list(dict.fromkeys(i.id for p in self.plans for i in p.indicators))

    def entry_indicators(self, entry_id: str) -> list[tuple[Plan, Indicator]]:
        """The indicators whose figures an answer from this knowledge-base entry carries."""
        found = []
        for plan in self.plans:
            whole = entry_id in plan.whole_plan_entries
            found += [(plan, i) for i in plan.indicators if whole or entry_id in i.entries]
        return found

    def is_whole_plan_entry(self, entry_id: str) -> bool:
        return any(entry_id in p.whole_plan_entries for p in self.plans)


def _indicator_id(value: str) -> str:
    if not INDICATOR_ID.match(value):
        raise ValueError(f"{value!r}: use lower-case letters, digits and hyphens (e.g. pledge-financing)")
    return value


def _every_year(value: str) -> str:
    match = YEARLY.match(value)
    try:
        valid = match is not None and bool(dt.date(2001, int(match.group(1)), int(match.group(2))))
    except ValueError:  # 02-30, and 02-29 (not every year has one)
        valid = False
    if not valid:
        raise ValueError(f"{value!r}: use \"MM-DD\" (a date every year has)")
    return value


Id = Annotated[Text, AfterValidator(_indicator_id)]
Year = Annotated[int, Strict(), Field(ge=1990, le=2100)]
Days = Annotated[list[Annotated[int, Strict(), Field(ge=0, le=366)]], Field(min_length=1)]


def _figure(value: object) -> float | str:
    """A baseline or target: a finite number, or 待发布 while the plan has not published it."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if value == PENDING:
        return PENDING
    shown = f"{value!r}: " if isinstance(value, str) else ""
    raise ValueError(f"{shown}must be a number, or {PENDING} while the plan has not published it")


Figure = Annotated[float | str, PlainValidator(_figure)]  # a number, or 待发布


class _Indicator(BaseModel):
    model_config = CONFIG
    id: Id
    name: Text
    unit: Text
    baseline: Figure | None  # null: the plan gives none
    target: Figure
    kind: Literal["预期性", "约束性", "待发布"]
    measure: Measure  # 越高越好: reached at or above the target; 越低越好: at or below it; 定性: judged in words
    entries: list[Id] = []  # knowledge-base entry ids
    report_by: Annotated[Text, AfterValidator(_every_year)] | None = None
    report_days_before: Days = [14, 3]
    note: Text | None = None


class _Plan(BaseModel):
    model_config = CONFIG
    name: Text
    document: Text
    start_year: Year
    end_year: Year
    baseline_year: Year
    target_year: Year
    report_to: list[Text] = []
    whole_plan_entries: list[Id] = []  # knowledge-base entry ids
    survey_indicator: Id | None = None  # one of the indicators
    indicators: Annotated[list[_Indicator], Field(min_length=1)]


_PLAN = TypeAdapter(_Plan)


def _known(value: float | str | None) -> float | None:
    return None if value is None or isinstance(value, str) else float(value)


def load_plan(path: Path) -> Plan:
    """One plan file; raises DataFileError listing every problem."""
    data, root = read_yaml(path)
    out = Collector()
    plan = validate(_PLAN, data, root, path, out)
    if plan is None:
        raise DataFileError(out.problems)
    if not (plan.baseline_year < plan.start_year <= plan.end_year and
            plan.start_year <= plan.target_year <= plan.end_year):
        out.add(path, line_at(root, "start_year"), "years must run baseline_year < start_year ≤ target_year ≤ end_year")
    report_to: list[str] = []
    try:
        report_to = parse_recipients(plan.report_to) if plan.report_to else []
    except ReminderError as exc:
        out.add(path, line_at(root, "report_to"), f"report_to: {exc}")
    seen: set[str] = set()
    for n, indicator in enumerate(plan.indicators):
        if indicator.id in seen:
            out.add(path, line_at(root, "indicators", n), f"indicator id {indicator.id!r} is used twice")
        seen.add(indicator.id)
    if plan.survey_indicator is not None and plan.survey_indicator not in seen:
        out.add(path, line_at(root, "survey_indicator"),
                f"survey_indicator: {plan.survey_indicator!r} is not one of this plan's indicators")
    if out.problems:
        raise DataFileError(out.problems)
    indicators = tuple(Indicator(i.id, i.name, i.unit, _known(i.baseline), _known(i.target), i.kind, tuple(i.entries),
                                 i.report_by, tuple(sorted(set(i.report_days_before))), i.note, i.measure,
                                 i.baseline == PENDING) for i in plan.indicators)
    return Plan(path, plan.name, plan.document, plan.start_year, plan.end_year, plan.baseline_year,
                plan.target_year, tuple(report_to), indicators, tuple(plan.whole_plan_entries), plan.survey_indicator)


def load_plans(directory: Path = PLAN_DIR) -> Plans:
    """Every plan file in `directory`; plans whose years overlap are an error (a period has one plan)."""
    problems: list[Problem] = []
    plans: list[Plan] = []
    for path in sorted(directory.glob(PLAN_GLOB)):
        try:
            plans.append(load_plan(path))
        except DataFileError as exc:
            problems += exc.problems
    plans.sort(key=lambda p: p.start_year)
    for earlier, later in itertools.pairwise(plans):
        if later.start_year <= earlier.end_year:
            problems.append(Problem(later.path, 0, f"its years {later.years} overlap {earlier.path.name} "
                                                   f"({earlier.years})"))
    if problems:
        raise DataFileError(problems)
    return Plans(tuple(plans))


_cache: dict[Path, tuple[tuple[tuple[str, float], ...], Plans]] = {}


CHECK_EVERY = 2.0  # seconds between looks at the plan files
_checked: dict[Path, float] = {}


def current_plans(directory: Path = PLAN_DIR) -> Plans:
    """The plans as the files are now: read again when a file is added, removed or edited (a broken edit keeps
    the previous version in use)."""
    cached = _cache.get(directory)
    now = time.monotonic()
    if cached is not None and now - _checked.get(directory, 0.0) < CHECK_EVERY:
        return cached[1]  # this runs for every answer: the files are looked at every few seconds only
    _checked[directory] = now
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(directory.glob(PLAN_GLOB)))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        plans = load_plans(directory)
    except DataFileError as exc:
        if cached is None:
            raise
        log.error("plan files not reloaded, the previous version stays in use:\n%s", exc)
        return cached[1]
    _cache[directory] = (stamp, plans)
    return plans
