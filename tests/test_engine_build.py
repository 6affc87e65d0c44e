"""The search engine compiled by setup.py (mypyc) answers exactly as its source does, and an edit to the source
takes effect even before it is compiled again."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import knowledge
from knowledge import engine as engine_module
from knowledge import loader, native
from knowledge.normalize import normalize
from knowledge.overlay import MAX_KEY, Overlay, TaughtEngine, phrasing_key
from tests.conftest import QUESTION_SETS

COMPILED = native.running_compiled(engine_module)


def _source_engine() -> ModuleType:
    """knowledge/engine.py run as Python, under a name of its own beside the (compiled) knowledge.engine."""
    source = Path(knowledge.__file__).parent / "engine.py"
    spec = importlib.util.spec_from_file_location("ipbot_engine_as_python", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _questions() -> Iterator[str]:
    kb = loader.load()
    for entry in kb.entries:
        yield entry.question
        yield from entry.alternates
    for path in QUESTION_SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)["q"]
    # odd input: empty, blank, too long, symbols only, pinyin, mixed scripts
    yield from ["", "   ", "专利" * 400, "？？！！😊", "zhuanli zhiya", "shangbiao xuzhan", "Patent 质押 ok?"]


def _answer(result: Any) -> tuple[object, ...]:
    """What a user would see of a Result (of either engine's class)."""
    hits = [(hit.entry.id, hit.score, hit.coverage, hit.similarity) for hit in result.hits]
    return (result.reason, result.confident, result.referral, tuple(result.terms), hits)


@pytest.mark.skipif(not COMPILED, reason="the search engine is not compiled in this install (see setup.py)")
def test_compiled_engine_answers_every_question_exactly_as_the_source() -> None:
    kb = loader.load()
    compiled, taught = engine_module.SearchEngine(kb), TaughtEngine(kb, Overlay())
    source = _source_engine().SearchEngine(kb)
    questions = list(dict.fromkeys(_questions()))
    assert len(questions) > 3000
    differ = [q for q in questions if _answer(compiled.search(q)) != _answer(source.search(q))]
    assert differ == []
    # with nothing taught, the bot's engine answers as the plain one
    assert [q for q in questions[::7] if _answer(taught.search(q)) != _answer(source.search(q))] == []


def _package(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg_native_test"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "mod.py").write_text("WHERE = 'source'\n", encoding="utf-8")
    # stands for a compiled build (never imported here: the tests look at which module would be used)
    (folder / f"mod{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    return folder


def test_an_edited_source_runs_instead_of_its_older_compiled_build(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    native.stamp_path(folder, "mod").write_text(native.digest(folder / "mod.py"), encoding="ascii")
    assert native.sources_if_stale("pkg_native_test", folder, ["mod"]) == []  # as compiled: the build is used

    (folder / "mod.py").write_text("WHERE = 'edited source'\n", encoding="utf-8")
    try:
        with pytest.warns(UserWarning, match="changed after they were compiled"):
            [module] = native.sources_if_stale("pkg_native_test", folder, ["mod"])
        assert module.WHERE == "edited source"
        assert sys.modules["pkg_native_test.mod"] is module
    finally:
        sys.modules.pop("pkg_native_test.mod", None)


def test_a_compiled_build_without_its_stamp_is_not_trusted(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    try:
        with pytest.warns(UserWarning):
            [module] = native.sources_if_stale("pkg_native_test", folder, ["mod"])
        assert module.WHERE == "source"
    finally:
        sys.modules.pop("pkg_native_test.mod", None)


def test_nothing_compiled_nothing_loaded(tmp_path: Path) -> None:
    folder = _package(tmp_path)
    next(folder.glob(f"mod{importlib.machinery.EXTENSION_SUFFIXES[0]}")).unlink()
    assert native.sources_if_stale("pkg_native_test", folder, ["mod"]) == []
    assert "pkg_native_test.mod" not in sys.modules


def test_taught_phrasings_keep_their_keys() -> None:
    """Phrasings taught earlier are stored by key: the key must keep exactly the letters and digits
    (str.isalnum) of the normalized text, for every character there is."""
    points = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) != "Cs"]
    size = MAX_KEY // 2
    for at in range(0, len(points), size):
        text = "".join(points[at:at + size])
        assert phrasing_key(text) == "".join(ch for ch in normalize(text) if ch.isalnum())[:MAX_KEY], at
