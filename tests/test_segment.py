"""The engine segments with jieba-rs; it must cut exactly as the jieba package does."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import jieba
import pytest
import rjieba

from knowledge import loader
from tests.conftest import QUESTION_SETS


@pytest.fixture(scope="module")
def both() -> tuple[rjieba.Jieba, jieba.Tokenizer]:
    python_jieba = jieba.Tokenizer()
    jieba.setLogLevel(logging.ERROR)
    python_jieba.initialize()
    return rjieba.Jieba(), python_jieba


def _texts() -> list[str]:
    kb = loader.load()
    texts = [p for e in kb.entries for p in (e.question, *e.alternates, e.answer)]
    for path in QUESTION_SETS:
        texts += [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def test_jieba_rs_cuts_like_the_jieba_package(both: tuple[rjieba.Jieba, jieba.Tokenizer]) -> None:
    rust, python = both
    texts = _texts()
    differ = [t for t in texts if rust.cut(t, hmm=False) != python.lcut(t, HMM=False)]
    assert len(texts) > 400
    assert differ == []


def test_added_words_are_kept_whole_by_both(both: tuple[rjieba.Jieba, jieba.Tokenizer]) -> None:
    rust, python = both
    rust.add_word("入园惠企", 1000, None)
    python.add_word("入园惠企", 1000)
    assert rust.cut("入园惠企活动", hmm=False) == python.lcut("入园惠企活动", HMM=False) == ["入园惠企", "活动"]


def test_a_word_removed_from_the_user_dictionary_is_gone_after_a_reload(kb_copy: Path) -> None:
    from knowledge.engine import SearchEngine

    userdict = kb_copy / "userdict.txt"
    userdict.write_text(userdict.read_text(encoding="utf-8") + "博乐红枸杞 3000\n", encoding="utf-8")
    before = SearchEngine(loader.load(kb_copy))
    assert "博乐红枸杞" in before.segmenter.words("博乐红枸杞能注册商标吗")
    userdict.write_text(userdict.read_text(encoding="utf-8").replace("博乐红枸杞 3000\n", ""), encoding="utf-8")
    after = SearchEngine(loader.load(kb_copy))
    assert "博乐红枸杞" not in after.segmenter.words("博乐红枸杞能注册商标吗")
    assert "博乐红枸杞" in before.segmenter.words("博乐红枸杞能注册商标吗")  # the old engine is untouched
