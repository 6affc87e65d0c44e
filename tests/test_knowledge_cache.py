"""`ipbot ask` starts from the engine kept by the last start when nothing changed, and never from a stale one."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge import cache, learned, loader
from knowledge.engine import SearchEngine
from knowledge.service import KnowledgeService


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("IPBOT_CACHE_DIR", str(folder))
    return folder


def test_a_second_start_uses_the_kept_engine_and_answers_the_same(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = KnowledgeService()
    (kept_file,) = kept.glob("engine-*.pickle")
    assert kept_file.stat().st_mode & 0o077 == 0 and kept.stat().st_mode & 0o077 == 0
    monkeypatch.setattr(loader, "load", lambda *_a, **_k: pytest.fail("loaded the files again"))
    second = KnowledgeService()
    for question in ("专利保护期多久", "商标到期怎么续展", "今天天气怎么样"):
        a, b = first.engine.search(question), second.engine.search(question)
        assert [(h.entry.id, h.score) for h in a.hits] == [(h.entry.id, h.score) for h in b.hits]
        assert a.confident == b.confident


def test_an_edited_file_is_never_answered_from_a_stale_engine(kept: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, data)
    KnowledgeService(data)
    entries = data / "entries" / sorted(p.name for p in (data / "entries").glob("*.yaml"))[0]
    text = entries.read_text(encoding="utf-8")
    entry = loader.load(data).entries[0]
    assert entry.path.name == entries.name
    entries.write_text(text.replace(entry.question, entry.question + "（新）", 1), encoding="utf-8")
    fresh = KnowledgeService(data)
    assert fresh.files.entry(entry.id) is not None
    assert fresh.files.entry(entry.id).question.endswith("（新）")  # type: ignore[union-attr]


def test_a_foreign_or_broken_cache_file_is_ignored(kept: Path) -> None:
    KnowledgeService()
    (kept_file,) = kept.glob("engine-*.pickle")
    kept_file.write_bytes(b"not a pickle")
    assert KnowledgeService().engine.search("专利保护期多久").confident
    kept_file.chmod(0o666)  # writable by others: not trusted, whatever it holds
    assert cache.load(kept_file.name[len("engine-"):-len(".pickle")]) is None


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPBOT_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    KnowledgeService()
    assert not any(tmp_path.rglob("engine-*.pickle")) and os.environ["IPBOT_CACHE_DIR"] == "off"


def test_the_bots_engine_loads_its_classifier_instead_of_fitting_it_again(kept: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`ipbot run` and `ipbot chat` build their engine with what staff taught (no engine cache), but a start with
    the same phrasings loads the classifier kept on disk: no fitting, no scikit-learn in memory. A new phrasing
    fits a new one; a few are kept."""
    kb = loader.load()
    monkeypatch.setattr(learned, "_memo", {})  # nothing fitted in this process yet
    first = SearchEngine(kb)
    assert len(list(kept.glob("learned-*.pickle"))) == 1
    with monkeypatch.context() as as_a_new_process:
        as_a_new_process.setattr(learned, "_memo", {})
        as_a_new_process.setattr(learned, "_fit", lambda *_a: pytest.fail("fitted again"))
        second = SearchEngine(kb)
    assert second.learned is not None and first.learned is not None
    assert second.learned.ranking("商标续展", ["商标", "续展"]) == first.learned.ranking("商标续展", ["商标", "续展"])
    monkeypatch.setattr(learned, "KEEP_ON_DISK", 2)  # (three by default: fitting each costs a second)
    for n in range(2):  # taught phrasings: each state fitted once and kept, the oldest go
        entry = kb.entries[n]
        taught = replace(entry, alternates=(*entry.alternates, f"第{n}个新问法：怎么办理"))
        SearchEngine(replace(kb, entries=(taught, *kb.entries[:n], *kb.entries[n + 1:])))
    assert len(list(kept.glob("learned-*.pickle"))) == 2
