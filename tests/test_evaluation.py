"""The final evaluation (终期评估) of the 2021–2025 plan: every indicator with baseline, target, final value (the
latest 2025 figure) and its source, whether it was reached by the plan's own measure, 未录入 where nothing was
recorded; the survey's waves with n and interval beside the plan's 85 target and the caveat; as text, workbook,
chart and a console page."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from handlers.indicators import evaluation as final_evaluation
from handlers.indicators import evaluation_export, plan
from handlers.indicators import progress as indicators
from handlers.router import Router
from handlers.survey import definition as survey_definition
from handlers.survey.texts import INSTRUMENT_NOTE
from tests.cli_runner import ipbot
from tests.helpers import Person, answer_all, open_wave

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
ZONE = ZoneInfo("Asia/Shanghai")
SEED = plan.PLAN_DIR / "plan-2021-2025.yaml"
FIGURES = [  # (indicator, period, value, source)
    ("pledge-financing", "2025", "7210", "州市场监管局2025年统计公报"),  # 7210 ≥ 7000: reached
    ("gi-products-marks", "2025", "1", "州市场监管局通报"),  # 1 < 2: not reached
    ("high-value-patents", "2024", "1.3", "2024年公报"),  # no 2025 figure: 未录入, the 2024 one beside it
    ("gi-logo-enterprises", "2025Q3", "28", "三季度通报"),
    ("gi-logo-enterprises", "2025", "31", "=HYPERLINK(\"http://x\")年报"),  # the year's figure over the quarter's
    ("pledge-financing", "2026", "7400", "州市场监管局2026年统计公报"),  # the next plan's: not in this evaluation
]


def _record(sessions: sessionmaker[Session], plans: plan.Plans) -> None:
    with sessions.begin() as session:
        for indicator_id, period, value, source in FIGURES:
            indicators.record(session, plans, indicator_id, period, value, source, "cli", NOW)


def _evaluate(sessions: sessionmaker[Session], plans: plan.Plans) -> final_evaluation.Evaluation:
    with sessions() as session:
        found = final_evaluation.evaluate(session, plans, survey_definition.load(), NOW.date())
    assert found is not None
    return found


def test_every_indicator_is_judged_by_its_final_figure_or_listed_as_not_recorded(
        staffed: Router, sessions: sessionmaker[Session]) -> None:
    open_wave(staffed, "2025年第四季度")
    for n in range(6):
        answer_all(Person(staffed, f"p{n}"), "满意" if n % 2 else "非常满意")
    plans = plan.load_plans()
    _record(sessions, plans)
    found = _evaluate(sessions, plans)
    assert found.plan.years == "2021—2025"
    rows = {r.status.indicator.id: r for r in found.rows}
    assert list(rows) == [i.id for i in plans.plans[0].indicators]  # all eleven, in the plan's order
    assert rows["pledge-financing"].verdict == "reached" and rows["pledge-financing"].final is not None
    assert rows["pledge-financing"].final.value == 7210  # not 2026's 7400
    assert rows["gi-products-marks"].verdict == "not_reached"
    assert rows["high-value-patents"].verdict == "no_figure" and rows["high-value-patents"].final is None
    assert rows["high-value-patents"].earlier is not None and rows["high-value-patents"].earlier.value == 1.3
    assert rows["gi-logo-enterprises"].final is not None and rows["gi-logo-enterprises"].final.value == 31
    assert found.counts == {"reached": 2, "not_reached": 1, "qualitative": 0, "no_figure": 8, "target_pending": 0}
    (wave,) = found.waves
    assert (wave.name, wave.n, wave.index) == ("2025年第四季度", 6, 90.0) and wave.ci95 is not None
    assert found.survey_target == 85 and found.survey_unit == "%"

    said = final_evaluation.summary(found)
    assert "知识产权质押融资额（pledge-financing）：基数 4078万元 → 目标 7000万元（越高越好）；" \
           "终期 2025年 7210万元" in said
    assert "（来源：州市场监管局2025年统计公报）—— 达到" in said
    assert "每万人口高价值发明专利拥有量（high-value-patents）：基数 1.07件 → 目标 1.5件（越高越好）；" \
           "未录入（没有2025年数据）" in said
    assert "此前最近：2024年 1.3件（来源：2024年公报）" in said
    assert "地理标志保护示范区（gi-demo-zone）：基数 —— → 目标 1个（越高越好）；未录入" in said
    assert "满意度调查各期（规划目标 85%）" in said and "2025年第四季度：指数 90，6份答卷，95%区间" in said
    assert INSTRUMENT_NOTE in said  # the survey's own caveat: not the plan's instrument


def test_the_workbook_lists_every_indicator_and_the_waves_with_the_caveat(
        staffed: Router, sessions: sessionmaker[Session]) -> None:
    open_wave(staffed, "2025年第四季度")
    answer_all(Person(staffed, "only-one"))
    plans = plan.load_plans()
    _record(sessions, plans)
    found = _evaluate(sessions, plans)
    book = load_workbook(io.BytesIO(evaluation_export.to_xlsx(found, ZONE, NOW)))
    assert book.sheetnames == ["终期评估", "满意度调查", "说明"]
    sheet = book["终期评估"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[5:9] == ("基数（2020年）", "目标（2025年）", "基数和目标的来源", "终期数值")
    assert [r[0] for r in rows] == [i.id for i in plans.plans[0].indicators]
    by_id = {r[0]: r for r in rows}
    assert by_id["pledge-financing"][5:13] == (4078, 7000, "规划文件：博州政发〔2021〕151号", 7210, "2025年",
                                                "州市场监管局2025年统计公报", "cli", "达到")
    assert by_id["high-value-patents"][8] == "未录入" and by_id["high-value-patents"][12] == "未录入（没有2025年数据）"
    assert by_id["high-value-patents"][13:16] == (1.3, "2024年", "2024年公报")
    assert by_id["gi-demo-zone"][5] == "——"
    injected = next(c for c in sheet["K"] if str(c.value).startswith("=HYPERLINK"))
    assert injected.data_type == "s"  # a typed source never becomes a formula
    survey_rows = list(book["满意度调查"].iter_rows(values_only=True))
    assert survey_rows[1][0] == "2025年第四季度" and survey_rows[1][3] == 1 and survey_rows[1][7] == 85
    assert survey_rows[1][5] is None and "答卷太少" in survey_rows[1][9]  # one answer: no interval, said so
    assert survey_rows[-1][0] == INSTRUMENT_NOTE
    assert evaluation_export.to_png(found).startswith(b"\x89PNG")


def test_lower_is_better_and_qualitative_indicators_are_judged_as_the_plan_says(
        sessions: sessionmaker[Session], tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    at = text.index("  - id: advantage-enterprises")  # 1 → 3 家: here, as if the plan wanted at most 3
    text = text[:at] + text[at:].replace("measure: 越高越好", "measure: 越低越好", 1)
    at = text.index("  - id: gi-demo-zone")
    text = text[:at] + text[at:].replace("measure: 越高越好", "measure: 定性", 1)
    (tmp_path / SEED.name).write_text(text, encoding="utf-8")
    plans = plan.load_plans(tmp_path)
    with sessions.begin() as session:
        indicators.record(session, plans, "advantage-enterprises", "2025", "2", "通报", "cli", NOW)
        indicators.record(session, plans, "gi-demo-zone", "2025", "0", "通报", "cli", NOW)
    rows = {r.status.indicator.id: r for r in _evaluate(sessions, plans).rows}
    assert rows["advantage-enterprises"].verdict == "reached"  # 2 ≤ 3
    assert rows["gi-demo-zone"].verdict == "qualitative" and rows["gi-demo-zone"].verdict_text == "定性指标，需评估判断"


def test_a_plan_whose_targets_are_pending_is_evaluated_as_pending(sessions: sessionmaker[Session]) -> None:
    plans = plan.load_plans()
    with sessions() as session:
        found = final_evaluation.evaluate(session, plans, survey_definition.load(), NOW.date(), plans.plans[1])
    assert found is not None and {r.verdict for r in found.rows} == {"target_pending"}
    assert "目标 待发布" in final_evaluation.summary(found)


def test_command_line_a_2026_figure_then_the_evaluation_as_workbook_chart_and_text(
        tmp_path: Path, database_url: str) -> None:
    env = {"IPBOT_DATABASE_URL": database_url}
    done = ipbot("indicators", "set", "pledge-financing", "2026", "7400", "--source", "州市场监管局2026年公报", env=env)
    assert done.returncode == 0, done.stderr
    assert ipbot("indicators", "set", "pledge-financing", "2025", "7210", "--source", "2025年公报",
                 env=env).returncode == 0
    made = ipbot("indicators", "evaluation", "-o", str(tmp_path / "final.xlsx"), env=env)
    assert made.returncode == 0, made.stderr
    rows = list(load_workbook(tmp_path / "final.xlsx")["终期评估"].iter_rows(values_only=True))[1:]
    assert [r[0] for r in rows] == [i.id for i in plan.load_plans().plans[0].indicators]
    assert sum(r[8] == "未录入" for r in rows) == 10 and next(r for r in rows if r[0] == "pledge-financing")[8] == 7210
    drawn = ipbot("indicators", "evaluation", "-o", str(tmp_path / "final.png"), env=env)
    assert drawn.returncode == 0 and (tmp_path / "final.png").read_bytes().startswith(b"\x89PNG")
    said = ipbot("indicators", "evaluation", env=env)
    assert said.returncode == 0 and "终期评估" in said.stdout and "终期 2025年 7210万元" in said.stdout
    assert "7400" not in said.stdout
    wrong = ipbot("indicators", "evaluation", "-o", str(tmp_path / "final.csv"), env=env)
    assert wrong.returncode == 2 and "FILE.xlsx or FILE.png" in wrong.stderr
    assert not (tmp_path / "final.csv").exists()
    forced = ipbot("indicators", "evaluation", "--format", "xlsx", "-o", str(tmp_path / "final.bin"), env=env)
    assert forced.returncode == 0
    assert load_workbook(io.BytesIO((tmp_path / "final.bin").read_bytes()))["终期评估"].max_row == 12


def test_the_plan_to_evaluate_is_the_one_that_ended_most_recently(tmp_path: Path) -> None:
    plans = plan.load_plans()
    assert final_evaluation.plan_to_evaluate(plans, dt.date(2026, 12, 2)) is plans.plans[0]
    assert final_evaluation.plan_to_evaluate(plans, dt.date(2031, 3, 1)) is plans.plans[1]
    shutil.copy(SEED, tmp_path)
    assert final_evaluation.plan_to_evaluate(plan.load_plans(tmp_path), dt.date(2024, 1, 1)).years == "2021—2025"


@pytest.mark.parametrize("value", ["protection", "no-such-indicator"])
def test_the_survey_indicator_must_be_one_of_the_plans(tmp_path: Path, value: str) -> None:
    from bot.core.datafile import DataFileError

    text = SEED.read_text(encoding="utf-8").replace("survey_indicator: protection-satisfaction",
                                                   f"survey_indicator: {value}")
    (tmp_path / SEED.name).write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"survey_indicator: {value}") + 1
    with pytest.raises(DataFileError, match=rf"plan-2021-2025.yaml:{line}: survey_indicator: '{value}' is not one"):
        plan.load_plans(tmp_path)
