"""The IP plans as data: every handlers/indicators/data/plan-*.yaml, each a plan's years and its indicators (baseline,
target, unit), validated on load with problems that name the file and line.

A period — a year (2024) or a quarter (2025Q3) — belongs to the plan whose years contain it, so the next plan
is one more file and no code."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.datafile import DataFileError, Problem, read_yaml
from scheduler.reminders import ReminderError, parse_recipients

PLAN_DIR = Path(__file__).parent / "data"
PLAN_GLOB = "plan-*.yaml"
INDICATOR_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")
YEARLY = re.compile(r"^(\d{2})-(\d{2})$")
KINDS = ("预期性", "约束性")
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


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    baseline: float | None  # None: the plan gives no baseline
    target: float
    kind: str
    entries: tuple[str, ...]  # knowledge-base entries whose answers carry this indicator's figure
    report_by: str | None  # "MM-DD": the previous year's value is due then, every year of the plan
    report_days_before: tuple[int, ...]
    note: str | None = None  # optional: shown beside the indicator (e.g. the plan's body words it differently)


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


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1990 <= value <= 2100


def _ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and INDICATOR_ID.match(v) for v in value)


def _fields(node: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): value for key, value in node.value}


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 0


def _indicator(path: Path, raw: Any, node: yaml.Node, problems: list[Problem]) -> Indicator | None:
    fields = _fields(node)
    before = len(problems)

    def bad(name: str, message: str) -> None:
        problems.append(Problem(path, _line(fields.get(name, node)), message))

    if not isinstance(raw, dict):
        problems.append(Problem(path, _line(node), "an indicator needs id, name, unit, baseline, target and kind"))
        return None
    if not isinstance(raw.get("id"), str) or not INDICATOR_ID.match(raw["id"]):
        bad("id", "'id' must be lower-case letters, digits and hyphens (e.g. pledge-financing)")
    for name in ("name", "unit"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            bad(name, f"{name!r} must be non-empty text")
    if "baseline" not in raw or not (raw["baseline"] is None or _number(raw["baseline"])):
        bad("baseline", "'baseline' must be a number, or null when the plan gives none")
    if not _number(raw.get("target")):
        bad("target", "'target' must be a number")
    if raw.get("kind") not in KINDS:
        bad("kind", f"'kind' must be one of {'/'.join(KINDS)}")
    if "note" in raw and not (raw["note"] is None or (isinstance(raw["note"], str) and raw["note"].strip())):
        bad("note", "'note' must be non-empty text (or left out)")
    if not _ids(raw.get("entries", [])):
        bad("entries", "'entries' must be a list of knowledge-base entry ids")
    report_by = raw.get("report_by")
    if report_by is not None:
        match = YEARLY.match(str(report_by))
        try:
            valid = match is not None and bool(dt.date(2001, int(match.group(1)), int(match.group(2))))
        except ValueError:  # 02-30, and 02-29 (not every year has one)
            valid = False
        if not valid:
            bad("report_by", f"report_by {report_by!r}: use \"MM-DD\" (a date every year has)")
    leads = raw.get("report_days_before", [14, 3])
    if not isinstance(leads, list) or not leads or not all(isinstance(n, int) and 0 <= n <= 366 for n in leads):
        bad("report_days_before", "report_days_before must be a list of days (0–366)")
    if len(problems) > before:
        return None
    return Indicator(raw["id"], raw["name"].strip(), raw["unit"].strip(),
                     None if raw["baseline"] is None else float(raw["baseline"]), float(raw["target"]),
                     raw["kind"], tuple(raw.get("entries", [])), str(report_by) if report_by is not None else None,
                     tuple(sorted(set(leads))), raw["note"].strip() if raw.get("note") else None)


def load_plan(path: Path) -> Plan:
    """One plan file; raises DataFileError listing every problem."""
    data, root = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise DataFileError([Problem(path, 0, "expected a mapping with the plan's years and 'indicators'")])
    fields = _fields(root)
    problems: list[Problem] = []
    for name in ("name", "document"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            problems.append(Problem(path, _line(fields.get(name, root)), f"{name!r} must be non-empty text"))
    for name in ("start_year", "end_year", "baseline_year", "target_year"):
        if not _year(data.get(name)):
            problems.append(Problem(path, _line(fields.get(name, root)), f"{name!r} must be a year (e.g. 2025)"))
    if not problems and not (data["baseline_year"] < data["start_year"] <= data["end_year"]
                             and data["start_year"] <= data["target_year"] <= data["end_year"]):
        problems.append(Problem(path, _line(fields.get("start_year", root)),
                                "years must run baseline_year < start_year ≤ target_year ≤ end_year"))
    report_to = data.get("report_to", [])
    if not isinstance(report_to, list) or not all(isinstance(r, str) for r in report_to):
        problems.append(Problem(path, _line(fields.get("report_to", root)), "'report_to' must be a list of recipients"))
        report_to = []
    elif report_to:
        try:
            report_to = parse_recipients(report_to)
        except ReminderError as exc:
            problems.append(Problem(path, _line(fields.get("report_to", root)), str(exc)))
    whole = data.get("whole_plan_entries", [])
    if not _ids(whole):
        problems.append(Problem(path, _line(fields.get("whole_plan_entries", root)),
                                "'whole_plan_entries' must be a list of knowledge-base entry ids"))
        whole = []
    indicators: list[Indicator] = []
    nodes = fields.get("indicators")
    if not isinstance(data.get("indicators"), list) or not isinstance(nodes, yaml.SequenceNode) or not nodes.value:
        problems.append(Problem(path, _line(nodes or root), "'indicators' must be a non-empty list"))
    else:
        seen: set[str] = set()
        for raw, node in zip(data["indicators"], nodes.value, strict=False):
            indicator = _indicator(path, raw, node, problems)
            if indicator is None:
                continue
            if indicator.id in seen:
                problems.append(Problem(path, _line(node), f"indicator id {indicator.id!r} is used twice"))
                continue
            seen.add(indicator.id)
            indicators.append(indicator)
    if problems:
        raise DataFileError(problems)
    return Plan(path, data["name"].strip(), data["document"].strip(), data["start_year"], data["end_year"],
                data["baseline_year"], data["target_year"], tuple(report_to), tuple(indicators), tuple(whole))


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
