"""The plan's indicators: staff record figures in chat and on the command line, see progress against a
straight path, get a chart and a report; the public get the recorded figure with its period and source when
they ask, or are told none is published yet and what the target was."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers.indicators import export as indicator_export
from handlers.indicators import plan
from handlers.indicators import progress as indicators
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot
from tests.helpers import Person

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    return Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss"}))


def test_staff_record_a_figure_and_see_its_progress(staffed: Router) -> None:
    boss = Person(staffed, "boss")
    boss.says("/indicator pledge-financing 2023 5830 州市场监管局2023年统计公报")
    assert "已记录：知识产权质押融资额 2023年 = 5830万元" in boss.text
    # (5830 − 4078) / (7000 − 4078) = 60 %; a straight path from 2020 to 2025 stands at 60 % after 2023
    assert "完成进度 60%（按直线应达 60%，与进度持平）" in boss.text
    boss.says("/indicator pledge-financing 2024 6000 州市场监管局2024年统计公报")
    assert "完成进度 66%（按直线应达 80%，慢于进度）" in boss.text
    boss.says("/indicator pledge-financing 2024 6100 州市场监管局2024年统计公报（更正）")
    assert "已更正" in boss.text and "原为 6000万元" in boss.text
    replies = boss.says("/indicators")
    assert "知识产权质押融资额（pledge-financing）：4078 → 7000万元；2024年 6100万元" in replies[0].text
    assert "地理标志保护示范区（gi-demo-zone）：—— → 1个；尚未录入" in replies[0].text  # no 2020 figure, not 0
    assert "（pledge-financing）：4078 → 7000万元" in replies[0].text
    assert "每万人口高价值发明专利拥有量（high-value-patents）：1.07 → 1.5件；尚未录入（注：规划正文" in replies[0].text
    assert replies[1].image is not None and replies[1].image.startswith(b"\x89PNG")


@pytest.mark.parametrize(("command", "says"), [
    ("/indicator no-such-thing 2024 1 来源", "没有指标“no-such-thing”"),
    ("/indicator pledge-financing 2024 七千 来源", "不是数字"),
    ("/indicator pledge-financing 2024 nan 来源", "不是数字"),
    ("/indicator pledge-financing 2019 5000 来源", "2019年早于最早规划的基数年（2020年）"),
    ("/indicator pledge-financing 2099 5000 来源", "2099年还没到（今天是"),
    ("/indicator pledge-financing 2099Q1 5000 来源", "2099年第1季度还没到"),
    ("/indicator pledge-financing 2024Q5 5000 来源", "季度不对：一年只有第1到第4季度"),
    ("/indicator pledge-financing 2024Q0 5000 来源", "季度不对"),
    ("/indicator pledge-financing 24 5000 来源", "期间“24”看不懂：请写四位年份"),
    ("/indicator pledge-financing 明年 5000 来源", "期间“明年”看不懂"),
    ("/indicator pledge-financing 2024-3 5000 来源", "期间“2024-3”看不懂"),
    ("/indicator pledge-financing 2024 5000", "请写明数据来源"),
    ("/indicator pledge-financing", "用法：/indicator"),
])
def test_bad_figures_are_refused_with_the_reason(staffed: Router, command: str, says: str) -> None:
    boss = Person(staffed, "boss")
    boss.says(command)
    assert says in boss.text
    boss.says("/indicators")
    assert "知识产权质押融资额（pledge-financing）：4078 → 7000万元；尚未录入" in boss.text
    assert "知识产权质押融资额（pledge-financing）：待发布 → 待发布；尚未录入" in boss.text  # nothing kept


def test_a_2026_figure_is_kept_against_the_2026_2030_plan_whose_targets_are_pending(staffed: Router) -> None:
    boss = Person(staffed, "boss")
    boss.says("/indicator pledge-financing 2026 7400 州市场监管局2026年统计公报")
    assert "已记录：知识产权质押融资额 2026年 = 7400万元" in boss.text
    assert "目标待发布，暂不计算进度" in boss.text  # no invented target, no invented progress
    boss.says("/indicator pledge-financing ２０２５年 7100 州市场监管局2025年统计公报")  # as the bot writes periods
    assert "已记录：知识产权质押融资额 2025年 = 7100万元" in boss.text
    listing = boss.says("/indicators")[0].text
    old, new = listing.split("【自治州知识产权“十五五”规划（2026—2030年）指标】")
    assert "知识产权质押融资额（pledge-financing）：4078 → 7000万元；2025年 7100万元" in old
    assert "知识产权质押融资额（pledge-financing）：待发布 → 待发布；2026年 7400万元，目标待发布" in new
    assert "7400" not in old and "7100" not in new


def test_a_figure_after_the_last_plan_stays_with_that_plan(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    shutil.copy(plan.PLAN_DIR / "plan-2021-2025.yaml", tmp_path)  # no next plan file yet
    plans = plan.load_plans(tmp_path)
    with sessions.begin() as session:
        status, recorded, _before = indicators.record(session, plans, "pledge-financing", "2026", "7400", "公报",
                                                      "cli", NOW)
    assert status.plan is plans.plans[0] and str(recorded.period) == "2026"
    assert status.latest == recorded and status.progress == pytest.approx((7400 - 4078) / (7000 - 4078))


def test_satisfaction_is_read_as_its_value_against_the_target_never_as_progress(
        sessions: sessionmaker[Session]) -> None:
    plans = plan.load_plans()
    with sessions.begin() as session:
        status, _recorded, _before = indicators.record(session, plans, "protection-satisfaction", "2025", "80.2",
                                                       "满意度调查", "cli", NOW)
    # 80.2 is 41% of the way from 76.91 to 85: that share would misread a level
    assert status.progress is None and status.pace is None
    assert status.progress_text() == "80.2%，对照目标 85%：未达到" and "完成进度" not in status.progress_text()


def test_the_usage_example_is_an_obvious_placeholder_not_a_figure(staffed: Router) -> None:
    boss = Person(staffed, "boss")
    boss.says("/indicator")
    assert "/indicator 指标ID 2025 数值 来源说明" in boss.text
    assert "7200" not in boss.text and "统计公报" not in boss.text  # no realistic figure or source to copy
    boss.says("/indicator pledge-financing 2024 5000")
    assert "请写明数据来源" in boss.text and "统计公报" not in boss.text


def test_only_staff_record_figures(staffed: Router) -> None:
    visitor = Person(staffed, "visitor")
    visitor.says("/indicator pledge-financing 2024 9999 我说的")
    assert "只对工作人员开放" in visitor.text
    visitor.says("质押融资完成得怎么样")
    assert "9999" not in visitor.text


def test_the_public_get_the_recorded_figure_with_its_period_and_source(staffed: Router) -> None:
    person = Person(staffed, "citizen")
    person.says("质押融资完成得怎么样")
    assert "知识产权质押融资额：还没有登记公布的数据；规划目标：到2025年7000万元。" in person.text
    Person(staffed, "boss").says("/indicator pledge-financing 2025 7210 州市场监管局2025年国民经济统计公报")
    person.says("质押融资完成得怎么样")
    assert "知识产权质押融资额：2025年 7210万元（来源：州市场监管局2025年国民经济统计公报）" in person.text
    assert "规划目标：到2025年7000万元" in person.text
    person.says("满意度目标达到了吗")
    assert "知识产权保护社会满意度：还没有登记公布的数据；规划目标：到2025年85%。" in person.text
    person.says("专利转化完成了吗")
    assert "知识产权转让许可增长：还没有登记公布的数据；规划目标：到2025年15%。" in person.text
    person.says("十四五规划目标完成了吗")  # the whole plan: the recorded ones and how many are not
    assert "2025年 7210万元" in person.text and "其余10项指标还没有登记公布的数据" in person.text


def test_answers_about_anything_else_carry_no_figures(staffed: Router) -> None:
    Person(staffed, "boss").says("/indicator pledge-financing 2025 7210 州市场监管局")
    person = Person(staffed, "citizen")
    person.says("商标到期了怎么续展")
    assert "已登记的指标数据" not in person.text and "7210" not in person.text


def test_chart_and_report_carry_the_figures(sessions: sessionmaker[Session]) -> None:
    from openpyxl import load_workbook

    plans = plan.load_plans()
    with sessions.begin() as session:
        indicators.record(session, plans, "gi-logo-enterprises", "2025Q2", "25", "州市场监管局通报", "cli",
                          NOW)
        indicators.record(session, plans, "patent-intensive-gdp", "2024", "0.8", "统计局", "cli", NOW)
    with sessions() as session:
        found = indicators.statuses(session, plans)
    assert len(found) == 22  # the 2021–2025 plan's eleven, then the 2026–2030 plan's
    by_id = {s.indicator.id: s for s in found[:11]}
    assert round(by_id["gi-logo-enterprises"].progress or 0, 4) == round(6 / 11, 4)
    assert by_id["gi-logo-enterprises"].expected == pytest.approx(0.9)  # 2025Q2 ends 4.5 years after 2020
    assert by_id["patent-intensive-gdp"].progress == pytest.approx(0.8)  # no baseline: share of the target
    assert by_id["patent-intensive-gdp"].pace is None
    assert indicator_export.to_png(found).startswith(b"\x89PNG")
    book = load_workbook(io.BytesIO(indicator_export.to_xlsx(found, ZoneInfo("Asia/Shanghai"))))
    rows = list(book["指标"].iter_rows(values_only=True))
    row = next(r for r in rows if r[1] == "gi-logo-enterprises")
    assert row[5:10] == (19, 30, 25, "2025年第2季度", "州市场监管局通报")
    assert row[12] == "慢于进度"
    history = list(book["历次数据"].iter_rows(values_only=True))
    assert any(r[1] == "patent-intensive-gdp" and r[4] == 0.8 for r in history)
    assert history[0][-1] == "录入时间（Asia/Shanghai，UTC+08:00）"  # local times, the zone named
    assert {r[-1] for r in history[1:]} == {NOW.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")}
    pending = [r for r in rows if r[0] == "自治州知识产权“十五五”规划"]
    assert len(pending) == 11 and all(r[5] == "待发布" and r[6] == "待发布" for r in pending)


def test_command_line_set_list_ask_chart_and_report(tmp_path: Path, database_url: str) -> None:
    env = {"IPBOT_DATABASE_URL": database_url}
    listed = ipbot("indicators", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 22 and rows[1]["id"] == "pledge-financing" and rows[1]["value"] is None
    assert rows[12]["id"] == "pledge-financing" and rows[12]["target"] is None and rows[12]["target_pending"]
    assert set(rows[0]) >= {"id", "name", "unit", "baseline", "target", "value", "period", "progress"}
    done = ipbot("indicators", "set", "high-value-patents", "2025", "1.35", "--source", "州市场监管局2025年公报",
                 env=env)
    assert done.returncode == 0, done.stderr
    assert "high-value-patents 2025 = 1.35件" in done.stdout and "完成进度 65%" in done.stdout
    rows = json.loads(ipbot("indicators", "list", "--json", env=env).stdout)
    assert rows[0]["value"] == 1.35 and rows[0]["period"] == "2025" and rows[0]["progress"] == pytest.approx(0.6512,
                                                                                                           abs=1e-4)
    answered = json.loads(ipbot("ask", "--json", "高价值专利目标完成了吗", env=env).stdout)
    assert answered["entry_id"] == "patent-high-value-target"
    assert "2025年 1.35件（来源：州市场监管局2025年公报）" in answered["answer"]
    assert ipbot("indicators", "chart", "-o", str(tmp_path / "c.png"), env=env).returncode == 0
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    assert ipbot("indicators", "report", "-o", str(tmp_path / "r.xlsx"), env=env).returncode == 0
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "r.xlsx")["指标"]
    assert any(r[1] == "high-value-patents" and r[7] == 1.35 for r in sheet.iter_rows(values_only=True))
    done = ipbot("indicators", "set", "pledge-financing", "2026", "7400", "--source", "州市场监管局2026年公报", env=env)
    assert done.returncode == 0, done.stderr
    assert "pledge-financing 2026 = 7400万元" in done.stdout and "目标待发布" in done.stdout
    rows = json.loads(ipbot("indicators", "list", "--json", env=env).stdout)
    assert rows[12]["plan_years"] == [2026, 2030] and rows[12]["value"] == 7400 and rows[1]["value"] is None
    for args, says in ((("nope", "2024", "1"), "没有指标"), (("pledge-financing", "2024", "abc"), "不是数字"),
                       (("pledge-financing", "2099", "1"), "2099年还没到"), (("pledge-financing", "", "1"), "请写期间"),
                       (("pledge-financing", "2019", "1"), "早于最早规划的基数年"),
                       (("pledge-financing", "2025Q9", "1"), "季度不对"),
                       (("pledge-financing", "Y2025", "1"), "看不懂")):
        refused = ipbot("indicators", "set", *args, "--source", "x", env=env)
        assert refused.returncode == 2 and says in refused.stderr


def test_ipbot_ask_creates_no_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    answered = json.loads(ipbot("ask", "--json", "质押融资完成得怎么样", env={"IPBOT_DATABASE_URL": url}).stdout)
    assert "还没有登记公布的数据；规划目标：到2025年7000万元" in answered["answer"]
    assert not (tmp_path / "none.db").exists()
