"""`ipbot kb check` and the loader: every kind of mistake is reported with its file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import loader
from knowledge.errors import KnowledgeBaseError


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def _problems(kb_dir: Path) -> list[str]:
    return [str(p) for p in loader.collect(kb_dir)[1]]


def test_the_shipped_knowledge_base_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    assert "60 of 60 topics" in capsys.readouterr().out


def test_unknown_topic_is_reported_with_file_and_line(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "trademark.yaml"
    _edit(path, "topic: tm-fees", "topic: tm-prices", count=-1)  # every entry of the topic
    line = _line_of(path, "topic: tm-prices")
    problems = _problems(kb_copy)
    assert f"{path}:{line}: unknown topic 'tm-prices' (not in topics.yaml)" in problems
    # the topic they used to cover is now uncovered, and that is reported against topics.yaml
    assert any(p.startswith(str(kb_copy / "topics.yaml")) and "'tm-fees' has no entry" in p for p in problems)


def test_duplicate_id_names_both_places(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "gi.yaml"
    _edit(path, "- id: gi-targets", "- id: gi-what-is")
    problems = _problems(kb_copy)
    assert any(re.search(r"gi\.yaml:\d+: duplicate id 'gi-what-is' \(first at gi\.yaml:2\)", p) for p in problems)


def test_dangling_related_id(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "service.yaml"
    _edit(path, "related: [contact-office]\n", "related: [no-such-entry]\n")
    assert any("related id 'no-such-entry' does not exist" in p for p in _problems(kb_copy))


def test_missing_source_and_empty_answer(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "service.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  sources:\n    - 《中华人民共和国著作权法》第二条\n    - 《计算机软件著作权登记办法》\n"
    assert old in text
    path.write_text(text.replace(old, "  sources: []\n"), encoding="utf-8")
    _edit(path, "  question: 湖北援疆在知识产权方面和博州有哪些合作？", "  question: ''")
    problems = _problems(kb_copy)
    assert any(re.search(r"service\.yaml:\d+: entry 'copyright-referral': sources: must not be empty", p)
               for p in problems)
    line = _line_of(path, "question: ''")
    assert f"{path}:{line}: entry 'hubei-aid': question: must not be empty" in problems


def test_yaml_syntax_error_gives_the_line(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "pledge.yaml"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + "\n  keywords: [入园惠企, 园区\n", encoding="utf-8")  # a list never closed
    problems = _problems(kb_copy)
    assert any(re.match(rf"{re.escape(str(path))}:\d+: YAML syntax error", p) for p in problems)


def test_unknown_field_and_bad_date(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "patent.yaml"
    text = path.read_text(encoding="utf-8")
    # the first entry's date, whatever it is: the entry before patent-how-to-apply
    edited, count = re.subn(r"  updated: \d{4}-\d{2}-\d{2}\n(\s*\n- id: patent-how-to-apply)",
                            r"  updated: yesterday\n  tags: [x]\n\1", text, count=1)
    assert count == 1, f"no entry before patent-how-to-apply in {path}"
    path.write_text(edited, encoding="utf-8")
    problems = _problems(kb_copy)
    tags = rf"{re.escape(str(path))}:{_line_of(path, 'tags: [x]')}: entry '[a-z0-9-]+': tags: unknown field"
    assert any(re.match(tags, p) for p in problems)
    assert any(f"{path}:{_line_of(path, 'updated: yesterday')}:" in p and "updated: must be a date" in p
               for p in problems)


def test_synonym_with_two_meanings(kb_copy: Path) -> None:
    path = kb_copy / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "版权局: [地标]\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert f"{path}:{line}: '地标' already means '地理标志'" in _problems(kb_copy)


def test_synonym_listed_twice(kb_copy: Path) -> None:
    path = kb_copy / "synonyms.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "质押: [押品]\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert f"{path}:{line}: '质押' is listed twice; merge the two lists" in _problems(kb_copy)


def test_userdict_frequency_must_be_a_number(kb_copy: Path) -> None:
    path = kb_copy / "userdict.txt"
    path.write_text(path.read_text(encoding="utf-8") + "专利池 many\n", encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert f"{path}:{line}: frequency 'many' must be a whole number" in _problems(kb_copy)


def test_check_command_fails_and_lists_problems(kb_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(kb_copy / "entries" / "trademark.yaml", "topic: tm-fees", "topic: nonsense")
    assert main(["kb", "check", "--dir", str(kb_copy)]) == 1
    out = capsys.readouterr().out
    assert "unknown topic 'nonsense'" in out and "problem(s) found" in out


def test_loading_a_broken_base_raises_with_every_problem(kb_copy: Path) -> None:
    _edit(kb_copy / "entries" / "trademark.yaml", "topic: tm-fees", "topic: nonsense")
    _edit(kb_copy / "entries" / "gi.yaml", "- id: gi-targets", "- id: gi-what-is")
    with pytest.raises(KnowledgeBaseError) as info:
        loader.load(kb_copy)
    assert len(info.value.problems) >= 3


def test_every_topic_has_a_chinese_name_and_a_name_for_no_topic_is_reported(kb_copy: Path) -> None:
    assert loader.load().topic_name("tm-renewal") == "商标续展"
    names = kb_copy / "topic_names.yaml"
    _edit(names, "tm-fees: 商标注册费用", "tm-prices: 商标注册费用")
    problems = _problems(kb_copy)
    assert f"{names}:{_line_of(names, 'tm-prices:')}: 'tm-prices' is not a topic in topics.yaml" in problems
    topics = kb_copy / "topics.yaml"
    assert f"{topics}:{_line_of(topics, '  tm-fees:')}: topic 'tm-fees' has no Chinese name in topic_names.yaml" \
        in problems
    _edit(names, "tm-renewal: 商标续展", "tm-renewal: ")
    assert any(p.startswith(f"{names}:{_line_of(names, 'tm-renewal:')}") for p in _problems(kb_copy))
