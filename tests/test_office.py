"""The bureau's own contact details (knowledge/data/office.yaml): checked on load, filled into the contact answers
and the handoff at answer time; while empty, no number or address is shown and people are told where to look."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot import ask_command
from handlers.router import Router
from knowledge import loader, office
from knowledge.service import KnowledgeService
from tests.helpers import Person

PHONE_LIKE = re.compile(r"\d{3,4}[-－ ]?\d{7,8}|\d{7,}")  # a local number; 12315 and 12345 are not matched
FILLED = """\
name: 博尔塔拉蒙古自治州市场监督管理局
address: 博乐市某某路1号 政务服务中心二楼
phone: "0909-1234567"
hours: 工作日 10:00-14:00，15:30-19:30
wechat: 博州市场监管
website: https://example.gov.cn/
"""


def _fill(kb_dir: Path, text: str = FILLED) -> Path:
    path = kb_dir / office.FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_the_packaged_office_file_is_empty_and_valid() -> None:
    path = loader.DATA_DIR / office.FILE
    assert office.load(path) == office.Office()  # nothing is filled in until the bureau confirms it


def test_an_empty_office_gives_no_number_or_address_and_says_where_to_look(knowledge: KnowledgeService) -> None:
    for question in ("博州知识产权局电话是多少", "怎么找人工客服"):
        answer = ask_command.answer(knowledge.engine, question)
        assert answer["confident"], question
        text = answer["answer"]
        assert "{office" not in text
        assert office.FALLBACK.format(name=office.DEFAULT_NAME) in text
        assert not PHONE_LIKE.search(text) and "地址：" not in text and "电话：" not in text


def test_a_filled_office_is_answered_from_a_copy_of_the_data(kb_copy: Path) -> None:
    _fill(kb_copy)
    proc = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--json", "博州知识产权局电话是多少"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "IPBOT_KNOWLEDGE_DIR": str(kb_copy)})
    assert proc.returncode == 0, proc.stderr
    text = json.loads(proc.stdout)["answer"]
    assert "电话：0909-1234567" in text and "地址：博乐市某某路1号 政务服务中心二楼" in text
    assert "网站：https://example.gov.cn/" in text and "办公时间：工作日" in text
    assert "本助手还没有收到核实过的联系方式" not in text


def test_the_handoff_tells_where_to_find_the_bureau(person: Person) -> None:
    person.says("转人工")
    assert office.FALLBACK.format(name=office.DEFAULT_NAME) in person.text
    assert not PHONE_LIKE.search(person.text)


def test_the_handoff_gives_the_filled_details(kb_copy: Path, sessions: sessionmaker[Session]) -> None:
    _fill(kb_copy, "phone: '0909-7654321'\nhours: 工作日办公\n")
    someone = Person(Router(KnowledgeService(kb_copy), sessions))
    someone.says("转人工")
    assert "电话：0909-7654321" in someone.text and "办公时间：工作日办公" in someone.text
    assert "其他联系方式请以自治州市场监督管理局（知识产权局）对外公布的为准" in someone.text


def test_placeholders_render_each_detail_or_where_to_find_it() -> None:
    filled = office.Office(phone="0909-1234567")
    name = office.DEFAULT_NAME
    assert office.render("电话{office.phone}，{office.name}", filled) == f"电话0909-1234567，{name}"
    assert office.render("地址{office.address}", filled) == f"地址（以{name}对外公布的为准）"
    assert office.render("没有占位符", filled) == "没有占位符"


def test_a_phone_number_keeps_its_digits_as_written(tmp_path: Path) -> None:
    assert office.load(_fill(tmp_path, "phone: 09091234567\n")).phone == "09091234567"


def test_mistakes_in_the_office_file_are_named_with_file_and_line(kb_copy: Path) -> None:
    path = _fill(kb_copy, "name: 州市场监督管理局\nphone: 电话待定\nfax: '123'\n"
                          "website: www.example.cn\nhours: [1, 2]\n")
    _kb, problems = loader.collect(kb_copy)
    found = {(p.path, p.line) for p in problems}
    assert found == {(path, 2), (path, 3), (path, 4), (path, 5)}
    assert any("fax: unknown field" in str(p) for p in problems)
    assert all(str(p).startswith(f"{path}:") for p in problems)


def test_an_unknown_placeholder_in_an_answer_is_a_problem(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "service.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{office}", "{office.fax}", 1), encoding="utf-8")
    _kb, problems = loader.collect(kb_copy)
    assert [p for p in problems if "{office.fax}" in p.message and p.path == path]
