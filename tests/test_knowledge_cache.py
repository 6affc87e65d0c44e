"""`ipbot ask` starts from the engine kept by the last start when nothing changed, and never from a stale one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from knowledge import cache, loader
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
