"""The learned signal (knowledge/learned.py) fused with the keyword ranking (knowledge/fusion.py): what a user
notices, and the fallback to keywords alone."""

from __future__ import annotations

import logging
import pickle

import pytest

from bot.cli import main
from knowledge import fusion, learned, loader
from knowledge.engine import SearchEngine
from knowledge.overlay import Overlay, TaughtEngine, phrasing_key
from knowledge.result import Hit, Result


@pytest.fixture(scope="module")
def kb() -> loader.KnowledgeBase:
    return loader.load()


@pytest.fixture(scope="module")
def engine(kb: loader.KnowledgeBase) -> SearchEngine:
    return SearchEngine(kb)


def test_a_newcomer_asking_about_a_bank_loan_on_a_patent_is_answered_about_pledging(engine: SearchEngine) -> None:
    question = "我有一个发明专利，能拿去银行贷款吗"
    keywords, _ranking = engine.signals(question)
    assert not keywords.confident  # the keyword signal alone hesitates between pledge entries
    result = engine.search(question)
    assert result.confident and result.reason == "ok"
    assert result.best is not None and result.best.entry.topic.startswith("pledge")


@pytest.mark.parametrize(("taught", "entry_id", "asked"), [
    ("羊肉想搞个地方名号保护一下", "gi-product-how-to-apply", "牛肉想搞个地方名号保护一下"),
    ("手机壳上印别人家的卡通形象行不行", "tm-infringement-what", "杯子上印别人家的卡通形象行不行"),
])
def test_a_taught_phrasing_helps_questions_like_it_at_once(kb: loader.KnowledgeBase, engine: SearchEngine,
                                                           taught: str, entry_id: str, asked: str) -> None:
    assert not engine.search(asked).confident
    after = TaughtEngine(kb, Overlay(taught={phrasing_key(taught): (entry_id, taught)}))
    result = after.search(asked)
    assert result.confident and result.best is not None and result.best.entry.id == entry_id


def test_questions_too_vague_for_the_keywords_stay_declined(engine: SearchEngine) -> None:
    for question in ("贷款", "注册", "融资是啥"):
        assert not engine.search(question).confident, question


def test_the_result_keeps_its_shape(engine: SearchEngine) -> None:
    result = engine.search("商标被别人抢注了怎么办")
    topics = [h.entry.topic for h in result.hits]
    assert 1 <= len(topics) <= 4 and len(set(topics)) == len(topics)


def test_the_classifier_is_fitted_once_per_knowledge_base_and_pickles(kb: loader.KnowledgeBase,
                                                                     engine: SearchEngine) -> None:
    assert engine.learned is not None and SearchEngine(kb).learned is engine.learned
    copy = pickle.loads(pickle.dumps(engine))
    question = "外观设计专利保护多少年"
    assert copy.search(question) == engine.search(question)


def test_without_the_classifier_the_keywords_answer_alone(kb: loader.KnowledgeBase, engine: SearchEngine,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def missing(*_args: object) -> learned.Classifier:
        raise ImportError("No module named 'sklearn'")

    monkeypatch.setattr(learned, "train", missing)
    with caplog.at_level(logging.WARNING, logger="knowledge.engine"):
        alone = SearchEngine(kb)
    assert alone.learned is None and alone.learned_status.startswith("off")
    assert "keyword signal alone" in caplog.text
    for question in ("我有一个发明专利，能拿去银行贷款吗", "商标注册要多久", "今天中午吃什么好"):
        assert alone.search(question) == engine.signals(question)[0]


def test_kb_check_says_when_the_learned_signal_is_off(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    assert "Learned signal: on" in capsys.readouterr().out
    monkeypatch.setattr(learned, "available", lambda: "scikit-learn is not installed")
    assert main(["kb", "check"]) == 0
    assert "Learned signal: OFF, scikit-learn is not installed" in capsys.readouterr().out


def test_where_the_signals_swap_their_top_two_the_decisive_one_chooses(kb: loader.KnowledgeBase) -> None:
    """Keyword scores nearly tied and the classifier sure of its first: the classifier's topic; keyword scores
    far apart or the classifier unsure: the keywords' topic (reciprocal-rank fusion alone ties the two)."""
    first, second = kb.entries[0], next(e for e in kb.entries if e.topic != kb.entries[0].topic)

    def result(second_score: float) -> Result:
        hits = [Hit(first, 10.0, 0.5, 0.5, 1.0), Hit(second, second_score, 0.5, 0.5, 1.0)]
        return Result("q", hits, True, "ok")

    sure = [(second.topic, 0.2), (first.topic, -0.4)]
    unsure = [(second.topic, -0.3), (first.topic, -0.4)]
    assert fusion.choose(result(9.0), sure) == second.topic
    assert fusion.choose(result(5.0), sure) == first.topic
    assert fusion.choose(result(9.0), unsure) == first.topic
