"""Every figure in the console with its basis: a rate shows its n (and, from ratings, an interval), one rating
is "样本太少，仅供参考" rather than a bare "有用 0%", and the survey index and dimensions show n and a 95 %
interval and never a red gap to the target from a handful of answers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from bot.console import figures
from bot.core.models import QuestionLog
from handlers.router import Router
from knowledge.service import KnowledgeService
from tests.helpers import Person, RunningConsole, answer_all, open_wave


@pytest.fixture
def console(database_url: str, knowledge: KnowledgeService) -> Iterator[RunningConsole]:
    running = RunningConsole(database_url, knowledge)
    running.add_account("clerk")
    yield running
    running.stop()


def _rated(console: RunningConsole, helpful: int, unhelpful: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with console.sessions.begin() as session:
        for n, feedback in enumerate(["helpful"] * helpful + ["unhelpful"] * unhelpful):
            session.add(QuestionLog(channel="telegram", user_id=str(n), chat_id=str(n), text=f"问题{n}", confident=True,
                                    reason="ok", feedback=feedback, feedback_at=now, created_at=now))


def _row(page: str, label: str) -> str:
    found = re.search(rf"<th>{label}</th>(.*?)</tr>", page, re.S)
    assert found is not None, label
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_one_rating_shows_its_n_and_says_it_is_too_few(console: RunningConsole) -> None:
    _rated(console, helpful=0, unhelpful=1)
    browser = console.client()
    browser.sign_in("clerk")
    row = _row(browser.page("/console/"), "评为“有用”")
    assert "0%" in row and "n=1" in row and "样本太少，仅供参考" in row
    assert "95% 区间 0%–79%" in row  # one rating: the interval says how little it tells


def test_enough_ratings_show_n_and_an_interval_without_the_note(console: RunningConsole) -> None:
    _rated(console, helpful=9, unhelpful=3)
    browser = console.client()
    browser.sign_in("clerk")
    row = _row(browser.page("/console/"), "评为“有用”")
    assert "75%" in row and "n=12" in row and "95% 区间 47%–91%" in row and "样本太少" not in row
    confident = _row(browser.page("/console/"), "有把握的回答")
    assert "100%" in confident and "n=12" in confident and "区间" not in confident  # a count, not an estimate


def test_the_wilson_interval_of_a_share() -> None:
    low, high = figures.Share(0, 1, sampled=True).interval or (1.0, 0.0)
    assert low == 0.0 and 0.79 < high < 0.80
    assert figures.Share(0, 0, sampled=True).interval is None and figures.Share(0, 0).percent == "—"
    assert figures.Share(5, 10).interval is None  # not sampled: no interval


def test_one_survey_response_shows_n_and_no_gap_to_the_target(console: RunningConsole,
                                                              knowledge: KnowledgeService) -> None:
    router = Router(knowledge, console.sessions, staff_ids=frozenset({"terminal:boss"}), survey_salt="pepper")
    open_wave(router)
    answer_all(Person(router, "p1"))  # 满意 everywhere: 80, five below the target
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/survey")
    assert "n=1" in page and "95% 区间 —（答卷太少）" in page and "样本太少" in page
    assert "差 " not in page and "差距" not in page and 'class="warn"' not in page
    dimensions = re.findall(r'<td data-label="n">(\d+)</td>', page)
    assert dimensions == ["1"] * 5 and page.count("样本太少，不作比较") == 5
    overview = browser.page("/console/")
    assert "n=1" in overview and "差距" not in overview and "样本太少" in overview


def test_a_dimension_is_set_beside_the_target_only_when_the_target_is_outside_its_interval() -> None:
    assert figures.against_target(80.0, 3, (70.0, 90.0), 85.0)[0] == "样本太少，不作比较"
    assert figures.against_target(80.0, 40, (78.0, 86.0), 85.0)[0] == "与目标无明显差别（目标在区间内）"
    assert figures.against_target(80.0, 40, (78.0, 82.0), 85.0) == ("低于参照值", "warn")
    assert figures.against_target(90.0, 40, (88.0, 92.0), 85.0) == ("高于参照值", "ok")

