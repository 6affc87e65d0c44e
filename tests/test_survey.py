"""The satisfaction survey in chat: consent, profile, items with buttons, comment, resume, one per wave."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Incoming
from bot.core.models import SurveyResponse
from handlers.router import Router
from handlers.survey import conversation as survey
from handlers.survey import definition as survey_definition
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot
from tests.conftest import PG_URL
from tests.helpers import Person, answer_all, open_wave

OPTIONS = ["非常满意", "满意", "一般", "不满意", "非常不满意", "不了解"]


def test_no_wave_no_survey(staffed: Router) -> None:
    person = Person(staffed)
    person.says("/survey")
    assert "没有正在进行的满意度调查" in person.text


def test_only_staff_open_and_close_waves(staffed: Router) -> None:
    visitor = Person(staffed, "visitor")
    visitor.says("/survey_open 偷偷开一个")
    assert "只对工作人员开放" in visitor.text


def test_the_whole_survey_in_chat(staffed: Router, sessions: sessionmaker[Session]) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/start")
    person.presses("满意度调查")
    assert "两分钟" in person.text and person.labels == ["同意", "不同意"]
    person.presses("同意")
    person.presses("社会公众")
    person.presses("博乐市")
    assert "（1/12）【法律政策】" in person.text
    for _ in range(11):
        person.presses("一般")
    person.presses("不了解")
    assert "意见或建议" in person.text and person.labels == ["跳过"]
    person.says("希望多办培训")
    assert "调查完成" in person.text
    with sessions() as session:
        row = session.scalars(select(SurveyResponse)).one()
    assert (row.step, row.group, row.county, row.comment, row.version) == ("done", "社会公众", "博乐市",
                                                                          "希望多办培训", "2026.1")
    assert row.answers["effect-overall"] == "不了解" and len(row.answers) == 12
    assert row.respondent != "u1" and len(row.respondent) == 32
    person.says("/survey")
    assert "已经参加过本期调查" in person.text


def test_text_where_a_button_is_expected_asks_again_kindly(staffed: Router) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    person.presses("同意")
    person.says("我是企业")
    assert "请点下面的按钮作答" in person.text and "权利人（企业）" in person.labels


def test_a_stale_or_forged_button_is_ignored_with_a_note(staffed: Router) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    consent = person.last
    person.presses("同意")
    person.last = consent
    person.presses("同意")  # the consent button again, now stale
    assert "按钮已经过期" in person.text and "权利人（企业）" in person.labels
    person.sends_payload("sv:1:g:99")
    assert "按钮已经过期" in person.text
    other = Person(staffed, "someone-else")
    other.sends_payload("sv:1:g:0")
    assert "按钮已经过期" in other.text or "失效" in other.text


def test_resume_after_a_restart(staffed: Router, knowledge: KnowledgeService,
                                sessions: sessionmaker[Session]) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    person.presses("同意")
    person.presses("专业人士（律师、代理人等）")
    restarted = Router(knowledge, sessions, survey_definition=survey_definition.load())
    again = Person(restarted, "u1")
    again.says("/survey")
    assert "从上次停下的地方继续" in again.text and "博乐市" in again.labels


def test_an_unfinished_response_expires_after_seven_days(staffed: Router, sessions: sessionmaker[Session]) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    person.presses("同意")
    with sessions.begin() as session:
        session.execute(update(SurveyResponse).values(
            updated_at=dt.datetime.now(dt.UTC) - survey.EXPIRES_AFTER - dt.timedelta(hours=1)))
    person.says("商标到期怎么续展")
    assert "宽展期" in person.text  # no longer held in the survey
    person.says("/survey")
    assert person.labels == ["同意", "不同意"]


def test_declining_ends_it_politely(staffed: Router) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    person.presses("不同意")
    assert "不参加也没关系" in person.text


def test_report_after_a_wave(staffed: Router, sessions: sessionmaker[Session]) -> None:
    open_wave(staffed)
    for n in range(6):
        answer_all(Person(staffed, f"p{n}"), "满意" if n % 2 else "非常满意")
    with sessions() as session:
        result = survey.wave_report(session, survey_definition.load())
    assert result is not None and result.n == 6 and result.index == 90.0
    report = result.as_json()
    assert report["groups"]["权利人（企业）"] == {"n": 6, "index": 90.0}
    assert report["counties"]["精河县"]["n"] == 6 and report["counties"]["博乐市"] is None
    assert report["target"] == 85 and report["baseline"] == 76.91 and report["gap_to_target"] == -5.0


@pytest.mark.skipif(not PG_URL, reason="concurrency is checked on PostgreSQL")
def test_one_response_per_person_even_when_started_twice_at_once(staffed: Router, database_url: str,
                                                                 sessions: sessionmaker[Session]) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    open_wave(staffed)
    barrier = threading.Barrier(4)

    def begin() -> None:
        barrier.wait()
        staffed.handle(Incoming("terminal", "twin", "twin", text="/survey"))

    threads = [threading.Thread(target=begin) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        assert len(list(session.scalars(select(SurveyResponse).where(SurveyResponse.user_id == "twin")))) == 1


def test_staff_report_in_chat_has_the_summary_and_a_chart(staffed: Router) -> None:
    open_wave(staffed)
    for n in range(5):
        answer_all(Person(staffed, f"p{n}"))
    visitor = Person(staffed, "visitor")
    visitor.says("/report")
    assert "只对工作人员开放" in visitor.text
    boss = Person(staffed, "boss")
    replies = boss.says("/report")
    assert "【2026Q4】满意度调查：5份答卷" in replies[0].text and "指数 80" in replies[0].text
    # the ended plan's 2025 target is a labelled reference, not a current target, and the caveat says the
    # local five-option survey is not the plan's % measure
    assert "参照：原规划2025年目标85%（口径不同），原规划2020年基数76.91%" in replies[0].text
    assert "差距" not in replies[0].text  # no subtracting a local score from the plan's % figure
    assert "目标 85" not in replies[0].text and "不是同一口径" in replies[0].text
    assert replies[1].image is not None and replies[1].image.startswith(b"\x89PNG")


def test_cli_report_json_and_exports(tmp_path: Path, staffed: Router, database_url: str) -> None:
    open_wave(staffed)
    for n in range(5):
        answer_all(Person(staffed, f"p{n}"))
    env = {"IPBOT_DATABASE_URL": database_url}

    def survey_report(*args: str) -> subprocess.CompletedProcess[bytes]:
        return ipbot("survey", "report", *args, env=env, cwd=tmp_path, binary=True)

    report = json.loads(survey_report("--json").stdout)
    assert {"wave", "n", "index", "ci95", "target", "baseline", "dimensions", "groups", "counties",
            "change_since_previous"} <= set(report)
    assert report["n"] == 5 and report["index"] == 80.0 and report["groups"]["社会公众"] is None
    assert (report["target"], report["baseline"], report["gap_to_target"]) == (85, 76.91, 5.0)  # keys kept
    csv_rows = survey_report("--format", "csv").stdout.decode("utf-8-sig").splitlines()
    assert csv_rows[0].startswith("答卷编号（加盐哈希）,问卷版本,群体,县市,完成时间（Asia/Shanghai，UTC+08:00）")
    assert len(csv_rows) == 6 and "（" in csv_rows[0].split(",")[5]  # an item by its wording, then its id
    assert "p0" not in "".join(csv_rows)  # salted hashes, never the user ids
    assert survey_report("--format", "xlsx", "-o", str(tmp_path / "r.xlsx")).returncode == 0
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["汇总", "答卷"] and book["答卷"].max_row == 6
    labels = [row[0] for row in book["汇总"].iter_rows(values_only=True)]
    assert "原规划2025年目标（%）" in labels and "目标" not in labels
    dimension = next(row for row in book["汇总"].iter_rows(values_only=True) if row[0] == "法律政策")
    assert dimension[1:3] == (80.0, "n=5")  # each dimension's score with its n (then its 95% interval)
    png = survey_report("--format", "png").stdout
    assert png.startswith(b"\x89PNG")


def test_a_very_long_comment_is_kept_within_bounds(staffed: Router, sessions: sessionmaker[Session]) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    person.presses("同意")
    person.presses("社会公众")
    person.presses("其他")
    for _ in range(12):
        person.presses("一般")
    person.says("意见" * 3000 + "\x00\x07")
    assert "调查完成" in person.text
    with sessions() as session:
        comment = session.scalars(select(SurveyResponse.comment)).one()
    assert comment is not None and len(comment) == survey.MAX_COMMENT_CHARS and "\x00" not in comment


def test_a_real_question_in_the_middle_is_answered_and_the_place_kept(staffed: Router) -> None:
    open_wave(staffed)
    person = Person(staffed)
    person.says("/survey")
    person.presses("同意")
    person.says("商标到期了怎么续展")
    assert "宽展期" in person.text and "发送 /survey 可以从停下的地方继续" in person.text
    person.says("/survey")
    assert "从上次停下的地方继续" in person.text and "权利人（企业）" in person.labels
