"""Staff teach the bot what it missed: the review queue, /teach and its buttons, and what the bot answers after."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from handlers.router import Router
from handlers.taught_phrasings import LearnedSource
from knowledge.normalize import normalize
from knowledge.overlay import MAX_KEY, phrasing_key
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot
from tests.helpers import Person

MISSED = "我们合作社的牌子被隔壁县的人用了"  # declined today: the bot is not sure
ENTRY = "tm-infringement-what"


@pytest.fixture
def taught(sessions: sessionmaker[Session]) -> KnowledgeService:
    """A knowledge base with the database overlay, as `ipbot run` builds it."""
    return KnowledgeService(overlay=LearnedSource(sessions), check_every=0)


@pytest.fixture
def staffed(taught: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    return Router(taught, sessions, staff_ids=frozenset({"terminal:boss"}))


def _number(boss: Person, question: str) -> int:
    for reply in boss.last:
        if question in reply.text:
            return int(reply.text.split("：", 1)[0].removeprefix("编号"))
    raise AssertionError(f"{question!r} not in the queue: {boss.text}")


def test_the_queue_groups_the_same_question_with_a_count_and_offers_entries(staffed: Router) -> None:
    user, other, boss = Person(staffed, "u1"), Person(staffed, "u2"), Person(staffed, "boss")
    user.says(MISSED)
    other.says(MISSED + "！")  # the same question, typed a little differently
    user.says("今天中午吃什么好")
    user.says("商标到期怎么续展")
    user.presses("没用")
    user.says("专利年费忘交了怎么办")  # answered, nobody complained: not in the queue
    boss.says("/unanswered")
    assert "2组" not in boss.text and "3组" in boss.text
    assert f"{MISSED}！\n（2次，没把握" in boss.text  # one line, as last asked, with its count
    assert "商标到期怎么续展\n（1次，用户说没用" in boss.text
    assert "专利年费" not in boss.text
    labels = boss.labels
    assert "不属于知识产权" in labels and "忽略" in labels
    assert any(label.startswith("归入：") for label in labels)


def test_a_declined_question_taught_with_teach_is_answered_from_then_on(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says(MISSED)
    assert "不太确定" in user.text
    boss.says("/unanswered")
    number = _number(boss, MISSED)
    boss.says(f"/teach {number} {ENTRY}")
    assert "已记住" in boss.text and ENTRY in boss.text
    user.says(MISSED)
    assert "不太确定" not in user.text and "有用" in user.labels  # a confident answer offers feedback
    assert "商标" in user.text
    boss.says("/unanswered")
    assert MISSED not in boss.text  # taught: out of the queue


def test_a_question_marked_not_ip_is_declined_from_then_on(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    question = "我们那个牌子咋弄"
    user.says(question)
    boss.says("/unanswered")
    boss.presses("不属于知识产权")
    assert "不属于知识产权" in boss.text
    user.says(question)
    assert "不属于知识产权业务" in user.text and "12345" in user.text


def test_ignore_takes_a_group_out_of_the_queue(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says("今天中午吃什么好")
    boss.says("/unanswered")
    boss.presses("忽略")
    assert "已忽略" in boss.text
    boss.says("/unanswered")
    assert "没有待处理的问题" in boss.text


def test_a_press_on_an_entry_button_teaches_it(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says(MISSED)
    boss.says("/unanswered")
    label = next(label for label in boss.labels if label.startswith("归入："))
    boss.presses(label)
    assert "已记住" in boss.text
    user.says(MISSED)
    assert "有用" in user.labels


@pytest.mark.parametrize(("command", "expected"), [
    ("/teach", "用法"),
    ("/teach 12", "用法"),
    ("/teach abc tm-opposition", "用法"),
    ("/teach 99999 tm-opposition", "没有编号为99999的问题"),
])
def test_bad_teach_commands_say_how(staffed: Router, command: str, expected: str) -> None:
    boss = Person(staffed, "boss")
    boss.says(command)
    assert expected in boss.text


def test_an_unknown_entry_id_is_refused_with_the_closest_ids(staffed: Router) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says(MISSED)
    boss.says("/unanswered")
    number = _number(boss, MISSED)
    boss.says(f"/teach {number} tm-infringment-what")
    assert "没有ID为“tm-infringment-what”的条目" in boss.text and ENTRY in boss.text
    user.says(MISSED)
    assert "不太确定" in user.text  # nothing was taught


def test_teaching_is_for_staff_only_even_with_a_forged_button(staffed: Router) -> None:
    user = Person(staffed, "u1")
    user.says(MISSED)
    user.sends_payload(f"t:1:{ENTRY}")
    assert "只对工作人员开放" in user.text
    user.says(MISSED)
    assert "不太确定" in user.text


def test_a_forged_teaching_button_with_an_unknown_number_is_answered(staffed: Router) -> None:
    boss = Person(staffed, "boss")
    boss.sends_payload("t:424242:x")
    assert "没有编号为424242的问题" in boss.text


def test_another_instance_answers_what_one_was_taught_without_a_restart(
        staffed: Router, sessions: sessionmaker[Session]) -> None:
    other_instance = KnowledgeService(overlay=LearnedSource(sessions), check_every=0)
    assert not other_instance.engine.search(MISSED).confident
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says(MISSED)
    boss.says("/unanswered")
    boss.says(f"/teach {_number(boss, MISSED)} {ENTRY}")
    result = other_instance.engine.search(MISSED)
    assert result.confident and result.best is not None and result.best.entry.id == ENTRY
    # and a phrasing like it finds the entry too: the taught text became one of its alternates
    assert MISSED in other_instance.engine.kb.entry(ENTRY).alternates  # type: ignore[union-attr]


def _cli(*args: str, database_url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return ipbot(*args, stdin=stdin, env={"IPBOT_DATABASE_URL": database_url})


def test_ipbot_ask_and_kb_learned_see_what_staff_taught(staffed: Router, database_url: str, tmp_path: Path) -> None:
    user, boss = Person(staffed, "u1"), Person(staffed, "boss")
    user.says(MISSED)
    user.says("我们那个牌子咋弄")
    boss.says("/unanswered")
    taught, declined = _number(boss, MISSED), _number(boss, "我们那个牌子咋弄")
    boss.says(f"/teach {taught} {ENTRY}")
    boss.says(f"/teach {declined} 不属于知识产权")

    asked = _cli("ask", "--json", MISSED, database_url=database_url)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["entry_id"] == ENTRY

    listed = _cli("kb", "learned", "--json", database_url=database_url)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {(r["text"], r["entry_id"], r["taught_by"]) for r in rows} == {
        (MISSED, ENTRY, "terminal:boss"), ("我们那个牌子咋弄", None, "terminal:boss")}
    assert all(dt.datetime.fromisoformat(r["taught_at"]) for r in rows)

    plain = _cli("kb", "learned", database_url=database_url)
    assert MISSED in plain.stdout and ENTRY in plain.stdout and "不属于知识产权" in plain.stdout

    out = tmp_path / "export"
    exported = _cli("kb", "learned", "--export", str(out), database_url=database_url)
    assert exported.returncode == 0, exported.stderr
    entries = yaml.safe_load((out / "entries" / "trademark.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["id"] == ENTRY)
    assert MISSED in entry["alternates"]
    checked = ipbot("kb", "check", env={"IPBOT_KNOWLEDGE_DIR": str(out)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "我们那个牌子咋弄" in (out / "declined.txt").read_text(encoding="utf-8")
    # the exported files alone (no database) answer and decline the same way
    files_only = {"IPBOT_KNOWLEDGE_DIR": str(out), "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    asked = ipbot("ask", "--json", stdin=f"{MISSED}\n我们那个牌子咋弄\n", env=files_only)
    assert asked.returncode == 0, asked.stderr
    first, second = (json.loads(line) for line in asked.stdout.splitlines())
    assert first["entry_id"] == ENTRY
    assert second["entry_id"] is None and "不属于知识产权" in second["answer"]


def test_taught_phrasings_keep_their_keys() -> None:
    """Phrasings taught earlier are stored by key: the key must keep exactly the letters and digits
    (str.isalnum) of the normalized text, for every character there is."""
    points = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) != "Cs"]
    size = MAX_KEY // 2
    for at in range(0, len(points), size):
        text = "".join(points[at:at + size])
        assert phrasing_key(text) == "".join(ch for ch in normalize(text) if ch.isalnum())[:MAX_KEY], at
