"""The plans as data: the seed plan's eleven indicators as the facts file states them, the 2026–2030 plan with
the same indicators and its numbers 待发布, validation with file and line, and a next plan added as one more
file."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.datafile import DataFileError
from bot.core.models import Reminder
from handlers.indicators import calendar as indicator_calendar
from handlers.indicators import entry_map, plan
from handlers.indicators.plan import Period
from knowledge.service import KnowledgeService
from scheduler import calendar

SEED = plan.PLAN_DIR / "plan-2021-2025.yaml"

NEXT_PLAN = """\
name: 自治州知识产权“十五五”规划（示例）
document: 示例文号
start_year: 2026
end_year: 2030
baseline_year: 2025
target_year: 2030
report_to: [staff:telegram]
indicators:
  - id: pledge-financing
    name: 知识产权质押融资额
    unit: 万元
    baseline: 7000
    target: 9000
    kind: 预期性
    measure: 越高越好
    report_by: "01-31"
    report_days_before: [14, 3]
"""


def test_the_seed_plan_has_the_eleven_indicators_of_the_facts_file() -> None:
    plans = plan.load_plans()
    assert [p.years for p in plans.plans] == ["2021—2025", "2026—2030"]
    seed = plans.plans[0]
    assert (seed.start_year, seed.end_year, seed.baseline_year, seed.target_year) == (2021, 2025, 2020, 2025)
    facts = {i.id: (i.baseline, i.target, i.unit) for i in seed.indicators}
    assert len(facts) == 11
    assert facts["high-value-patents"] == (1.07, 1.5, "件")
    assert facts["pledge-financing"] == (4078, 7000, "万元")
    assert facts["transfer-licence-growth"] == (None, 15, "%")  # the table gives no baseline
    assert facts["enterprise-patent-share"] == (48.1, 55, "%")
    assert facts["patent-intensive-gdp"] == (None, 1, "%")
    assert facts["protection-satisfaction"] == (76.91, 85, "%")  # the plan's % column and "提升到85%", never 分
    assert facts["trademarks-per-10k-entities"] == (559, 750, "件")
    assert facts["advantage-enterprises"] == (1, 3, "家")
    assert facts["gi-products-marks"] == (1, 2, "个")
    assert facts["gi-logo-enterprises"] == (19, 30, "家")
    assert facts["gi-demo-zone"] == (None, 1, "个")  # the table says "——", like the other rows without one
    assert all(i.kind == "预期性" for i in seed.indicators)
    assert all(i.measure == "越高越好" for i in seed.indicators)  # 达到 / 提升到 / 增长: at or above the target
    notes = {i.id: i.note for i in seed.indicators if i.note}
    assert list(notes) == ["high-value-patents"] and "有效发明专利" in notes["high-value-patents"]


def test_the_2026_2030_plan_keeps_the_eleven_indicators_with_its_numbers_pending() -> None:
    seed, following = plan.load_plans().plans
    assert (following.start_year, following.end_year, following.baseline_year, following.target_year) == (
        2026, 2030, 2025, 2030)
    assert [(i.id, i.name, i.unit) for i in following.indicators] == [(i.id, i.name, i.unit) for i in seed.indicators]
    for indicator in following.indicators:  # nothing invented: every number waits for the published plan
        assert indicator.target is None and indicator.target_text() == "待发布"
        assert indicator.baseline is None and indicator.baseline_pending and indicator.baseline_text() == "待发布"
    assert following.document == "待发布"


@pytest.mark.parametrize(("edit", "says"), [
    (("    measure: 越高越好\n", ""), "measure: missing"),
    (("    measure: 越高越好\n", "    measure: 越多越好\n"), "measure: must be one of"),
    (("    target: 7000\n", "    target: 待定\n"), "target: '待定': must be a number, or 待发布"),
    (("    baseline: 4078\n", "    baseline: [4078]\n"), "baseline: must be a number, or 待发布"),
])
def test_a_wrong_measure_or_figure_is_named_with_file_and_line(tmp_path: Path, edit: tuple[str, str],
                                                               says: str) -> None:
    text = SEED.read_text(encoding="utf-8")
    at = text.index("  - id: pledge-financing")
    broken = text[:at] + text[at:].replace(*edit, 1)
    (tmp_path / SEED.name).write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        plan.load_plans(tmp_path)
    problems = [str(p) for p in caught.value.problems]
    first_line = broken[:at].count("\n") + 1  # the pledge-financing item's first line
    assert any(says in p for p in problems), problems
    lines = [int(p.split(":")[1]) for p in problems if says in p]
    assert all(first_line <= n <= first_line + 8 for n in lines), (lines, first_line)


def test_a_pending_target_is_accepted_and_shown_as_pending(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "plan-2026-2030.yaml").write_text(NEXT_PLAN.replace("target: 9000", "target: 待发布"),
                                                  encoding="utf-8")
    following = plan.load_plans(tmp_path).plans[1]
    pledge = following.indicator("pledge-financing")
    assert pledge is not None and pledge.target is None and pledge.baseline == 7000 and not pledge.baseline_pending


def test_every_entry_the_plan_names_is_in_the_knowledge_base(knowledge: KnowledgeService) -> None:
    for p in plan.load_plans().plans:
        for entry_id in [*p.whole_plan_entries, *(e for i in p.indicators for e in i.entries)]:
            assert knowledge.engine.kb.entry(entry_id) is not None, entry_id


def test_the_quick_scan_names_exactly_the_entries_that_carry_figures(tmp_path: Path) -> None:
    """`ipbot ask` learns which answers carry plan figures without validating the plans; it must agree with the
    validated load, and say "cannot tell" (None) for a file it cannot read, so the validated load decides."""
    plans = plan.load_plans()
    validated = {e for p in plans.plans for e in [*p.whole_plan_entries, *(x for i in p.indicators for x in i.entries)]}
    assert entry_map.entries_with_figures() == validated
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "plan-2026-2030.yaml").write_text("indicators: [{id: x, entries: pledge-plan-target}]\n", "utf-8")
    assert entry_map.entries_with_figures(tmp_path) is None  # entries must be a list
    (tmp_path / "plan-2026-2030.yaml").write_text("name: [unclosed\n", "utf-8")
    assert entry_map.entries_with_figures(tmp_path) is None


def test_periods_are_years_or_quarters() -> None:
    assert Period.parse("2024") == Period(2024) and Period.parse("2025q3") == Period(2025, 3)
    assert Period.parse("2025Q5") is None and Period.parse("24") is None
    assert Period(2025, 3).label == "2025年第3季度" and Period(2024).label == "2024年"
    assert Period(2025).order > Period(2025, 4).order > Period(2025, 3).order


def test_a_broken_plan_names_file_and_line(tmp_path: Path) -> None:
    broken = SEED.read_text(encoding="utf-8").replace("    target: 7000\n", "    target: 七千\n", 1)
    broken = broken.replace("    baseline: 559\n", "    baseline: 559\n    report_by: \"02-30\"\n")
    (tmp_path / "plan-2021-2025.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        plan.load_plans(tmp_path)
    problems = [str(p) for p in caught.value.problems]
    target_line = broken.splitlines().index("    target: 七千") + 1
    assert any(f"plan-2021-2025.yaml:{target_line}: target: '七千': must be a number" in p for p in problems)
    report_line = broken.splitlines().index("    report_by: \"02-30\"") + 1
    assert any(f"plan-2021-2025.yaml:{report_line}: report_by: '02-30'" in p for p in problems)


def test_an_indicator_note_is_optional_text(tmp_path: Path) -> None:
    broken = SEED.read_text(encoding="utf-8").replace("    target: 7000\n", "    target: 7000\n    note: [1, 2]\n", 1)
    (tmp_path / "plan-2021-2025.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"plan-2021-2025.yaml:\d+: note: must be text"):
        plan.load_plans(tmp_path)


def test_overlapping_plans_are_refused(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "plan-2025-2030.yaml").write_text(NEXT_PLAN.replace("start_year: 2026", "start_year: 2025")
                                                  .replace("baseline_year: 2025", "baseline_year: 2024"),
                                                  encoding="utf-8")
    with pytest.raises(DataFileError, match="overlap"):
        plan.load_plans(tmp_path)


def test_the_next_plan_is_one_more_file(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / SEED.name)
    (tmp_path / "plan-2026-2030.yaml").write_text(NEXT_PLAN, encoding="utf-8")
    plans = plan.load_plans(tmp_path)
    assert [p.years for p in plans.plans] == ["2021—2025", "2026—2030"]
    next_plan = plans.for_period(Period(2027, 2))
    assert next_plan is not None and next_plan.indicator("pledge-financing") is not None
    assert next_plan.indicator("gi-demo-zone") is None
    assert plans.for_period(Period(2025)) is plans.plans[0]
    # a figure is kept against the plan of its years; an indicator the next plan dropped keeps its later
    # figures with the plan that had it; the baseline year goes with the first plan
    assert plans.plan_for("pledge-financing", Period(2027, 2)) is next_plan
    assert plans.plan_for("gi-demo-zone", Period(2027)) is plans.plans[0]
    assert plans.plan_for("pledge-financing", Period(2033)) is next_plan
    assert plans.plan_for("pledge-financing", Period(2020)) is plans.plans[0]


def test_reporting_dates_become_staff_reminders(tmp_path: Path, sessions: sessionmaker[Session]) -> None:
    (tmp_path / "plan-2026-2030.yaml").write_text(NEXT_PLAN, encoding="utf-8")
    events = indicator_calendar.reporting_events(plan.load_plans(tmp_path))
    assert [e.date for e in events] == ["2027-01-31", "2028-01-31", "2029-01-31", "2030-01-31", "2031-01-31"]
    zone = ZoneInfo("Asia/Shanghai")
    now = dt.datetime(2027, 1, 1, tzinfo=zone)
    with sessions.begin() as session:
        # within the calendar's 400-day horizon: 2027's and 2028's dates, 14 and 3 days before each
        assert calendar.sync(session, events, zone, now) == 4
        assert calendar.sync(session, events, zone, now) == 0
    with sessions() as session:
        rows = list(session.scalars(select(Reminder).order_by(Reminder.next_fire_at)))
    assert rows[0].next_fire_at.astimezone(zone) == dt.datetime(2027, 1, 17, 9, 0, tzinfo=zone)
    assert "知识产权质押融资额（2026年数据" in rows[0].text and "/indicator pledge-financing 2026" in rows[0].text
    assert rows[0].needs_ack and rows[0].recipients == ["staff:telegram"]


def test_the_seed_plan_has_no_invented_reporting_dates() -> None:
    assert indicator_calendar.reporting_events(plan.load_plans()) == []
