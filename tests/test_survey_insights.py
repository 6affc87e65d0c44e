"""Beside the survey report: the change since the previous wave (beyond the noise or not) and the key drivers
of overall satisfaction — the items that matter most and score lowest are where to act."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers.router import Router
from handlers.survey import definition as survey_definition
from handlers.survey import insights as survey_insights
from handlers.survey.drivers import changes, key_drivers, priorities
from handlers.survey.scoring import Answered
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot
from tests.helpers import Person

LEVELS = ["非常满意", "满意", "一般", "不满意", "非常不满意"]  # 100 80 60 40 20
DEFINITION = survey_definition.load()


def respondent(number: int, answers: dict[str, str], default: str) -> Answered:
    return Answered(f"r{number}", "权利人（企业）", "博乐市",
                    {item.id: answers.get(item.id, default) for item in DEFINITION.items})


def designed_wave() -> list[Answered]:
    """Overall satisfaction 100/80/60 by thirds; the cost of protecting one's rights follows it two levels
    lower (goes with it, scores low); respect for IP runs against it; the policy rules please everyone."""
    wave = []
    for n in range(6):
        level = n % 3
        wave.append(respondent(n, {"effect-overall": LEVELS[level], "enforce-cost": LEVELS[level + 2],
                                   "awareness-respect": LEVELS[2 - level], "policy-rules": "非常满意"},
                               "满意" if n % 2 else "非常满意"))
    return wave


def test_the_item_that_goes_with_overall_satisfaction_and_scores_lowest_comes_first() -> None:
    drivers = {d.item.id: d for d in key_drivers(DEFINITION, designed_wave())}
    assert "effect-overall" not in drivers
    assert drivers["enforce-cost"].correlation == 1.0 and drivers["enforce-cost"].mean == 40.0
    assert drivers["enforce-cost"].quadrant == "priority"
    assert drivers["awareness-respect"].correlation == -1.0 and drivers["awareness-respect"].quadrant != "priority"
    assert drivers["policy-rules"].correlation is None  # everyone gave the same answer: nothing to correlate
    assert priorities(list(drivers.values()))[0].item.id == "enforce-cost"


def test_drivers_are_suppressed_under_five_responses() -> None:
    drivers = key_drivers(DEFINITION, designed_wave()[:4])
    assert all(d.mean is None and d.correlation is None for d in drivers)


def test_a_change_beyond_the_noise_is_told_from_one_within_it() -> None:
    policy = {"policy-rules", "policy-explained"}
    before = [respondent(n, {}, LEVELS[1 + n % 2]) for n in range(6)]  # 80/60: everything 70 on average
    after = [respondent(n, {i: LEVELS[1 + n % 2] for i in policy}, LEVELS[n % 2]) for n in range(6)]  # 90
    found = {c.name: c for c in changes(DEFINITION, before, after)}
    assert found["执法保护"].difference == 20.0 and found["执法保护"].beyond_noise is True
    assert found["法律政策"].difference == 0.0 and found["法律政策"].beyond_noise is False
    low, high = found["法律政策"].ci95 or (0, 0)
    assert low < 0 < high
    assert found["指数"].difference == 16.0  # four of five dimensions up by 20
    too_few = {c.name: c for c in changes(DEFINITION, before[:4], after)}
    assert too_few["执法保护"].difference is None and too_few["执法保护"].ci95 is None


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    return Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss"}), survey_definition=DEFINITION,
                  survey_salt="pepper")


def answer(person: Person, picks: dict[int, str], default: str) -> None:
    person.says("/survey")
    person.presses("同意")
    person.presses("权利人（企业）")
    person.presses("精河县")
    for number in range(len(DEFINITION.items)):
        person.presses(picks.get(number, default))
    person.presses("跳过")


def test_report_in_chat_and_on_the_command_line_carries_the_drivers(staffed: Router, database_url: str) -> None:
    boss = Person(staffed, "boss")
    boss.says("/survey_open 2026Q3")
    for n in range(5):
        answer(Person(staffed, f"a{n}"), {}, "一般")
    boss.says("/survey_close")
    boss.says("/survey_open 2026Q4")
    cost, overall = 4, len(DEFINITION.items) - 1  # enforce-cost is the fifth item, overall the last
    for n in range(6):
        level = n % 3
        answer(Person(staffed, f"b{n}"), {0: LEVELS[level], 1: LEVELS[2 - level], cost: LEVELS[level + 2],
                                          overall: LEVELS[level]}, "满意")
    replies = boss.says("/report")
    assert len(replies) == 4 and replies[1].image is not None
    insights = replies[2].text
    assert "比上一期（2026Q3）的变化" in insights and "执法保护" in insights
    assert "关键驱动" in insights and "维权所需的成本：r=1.00，40分 ← 优先改进" in insights
    assert "最该下功夫的：维权所需的成本（参照：原规划2025年目标85%，口径不同）" in insights
    assert "要达到85" not in insights
    assert replies[3].image is not None and replies[3].image.startswith(b"\x89PNG")
    done = ipbot("survey", "report", "--json", env={"IPBOT_DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)["insights"]
    assert payload["previous_wave"] == "2026Q3" and payload["priorities"][0] == "enforce-cost"
    cost_driver = next(d for d in payload["drivers"] if d["item"] == "enforce-cost")
    assert cost_driver["correlation"] == 1.0 and cost_driver["mean"] == 40.0


def test_a_single_small_wave_says_there_is_too_little_to_analyse(staffed: Router) -> None:
    boss = Person(staffed, "boss")
    boss.says("/survey_open 2026Q4")
    for n in range(3):
        answer(Person(staffed, f"c{n}"), {}, "满意")
    replies = boss.says("/report")
    assert "没有上一期可比" in replies[2].text and "完成的答卷不足5份" in replies[2].text
    assert len(replies) == 3  # no drivers chart to draw


def test_insights_functions_for_a_page(sessions: sessionmaker[Session], staffed: Router) -> None:
    Person(staffed, "boss").says("/survey_open 2026Q4")
    for n in range(6):
        answer(Person(staffed, f"d{n}"), {len(DEFINITION.items) - 1: LEVELS[n % 2]}, LEVELS[n % 2])
    with sessions() as session:
        found = survey_insights.wave_insights(session, DEFINITION)
    assert found is not None and found.wave == "2026Q4" and found.previous_wave is None
    assert survey_insights.has_chart(found) and survey_insights.to_png(found).startswith(b"\x89PNG")
