"""What the knowledge base says: coverage of every topic, checked facts, hedges, no leakage of the set kept
for measuring."""

from __future__ import annotations

import pytest

from handlers.texts import general
from knowledge import loader
from knowledge.evaluate import load_questions
from knowledge.normalize import normalize
from tests.conftest import QUESTION_SETS, UNSEEN_SET

KB = loader.load()


def _entry_for(topic: str) -> str:
    return "\n".join(e.answer for e in KB.entries if e.topic == topic)


def test_the_topic_list_is_the_one_the_question_sets_are_labelled_with() -> None:
    assert len(KB.topics) == len(set(KB.topics)) == 60
    labels = {topic for path in QUESTION_SETS for _question, topic in load_questions(path) if topic is not None}
    assert labels == set(KB.topics)  # every label is a topic, every topic is asked about


def test_every_topic_has_an_entry_with_a_source() -> None:
    covered = {e.topic for e in KB.entries if e.sources and e.answer}
    assert covered == set(KB.topics)


def test_no_question_of_the_unseen_set_is_copied_into_the_knowledge_base() -> None:
    unseen = {normalize(question) for question, _topic in load_questions(UNSEEN_SET)}
    phrasings = {normalize(p): e.id for e in KB.entries for p in (e.question, *e.alternates)}
    # written blind, it happened to ask one thing exactly as an alternate from the first knowledge base does
    assert sorted(set(phrasings) & unseen) == ["精河县为什么叫中国枸杞之乡"]


@pytest.mark.parametrize(("topic", "facts"), [
    ("patent-types-terms", ["20年", "10年", "15年", "申请日"]),
    ("tm-fees", ["270元", "300元", "27元", "30元"]),
    ("tm-renewal", ["10年", "12个月", "6个月"]),
    ("patent-annual-fee", ["6个月", "5%"]),
    ("patent-fee-reduction", ["85%", "70%", "5000元", "100万元"]),
    ("pledge-trademark", ["2个工作日", "不收"]),
    ("protect-damages", ["一倍以上五倍以下", "3万元", "500万元"]),
    ("service-ip-week", ["4月20日", "26日"]),
    ("plan-satisfaction", ["76.91", "85"]),
    ("gi-jinghe-goji", ["2002", "2012", "中国枸杞之乡"]),
])
def test_answers_carry_the_checked_facts(topic: str, facts: list[str]) -> None:
    answer = _entry_for(topic)
    for fact in facts:
        assert fact in answer, f"{topic} should say {fact}"


@pytest.mark.parametrize("topic", ["pledge-time", "patent-fee-reduction", "gi-logo-use"])
def test_unverified_facts_are_hedged(topic: str) -> None:
    assert "以" in _entry_for(topic) and "为准" in _entry_for(topic)


def test_no_demonstration_zone_is_claimed_to_exist() -> None:
    """Whether the plan's GI protection demonstration zone has been built is the bureau's to say: the answers
    claim neither that it exists nor that it does not, and refer to the bureau."""
    answer = _entry_for("gi-demo-zone")
    for claim in ("已建成", "已经建成", "已于", "还没有", "尚未", "没有建成", "未建成", "没建成"):
        assert claim not in answer, f"gi-demo-zone should not say {claim}"
    assert "不作判断" in answer
    assert "市场监督管理局" in answer and "为准" in answer


def test_no_local_subsidy_amounts_are_invented() -> None:
    for topic in ("service-support", "pledge-risk-compensation"):
        answer = _entry_for(topic)
        assert "万元" not in answer and "%" not in answer


def test_the_satisfaction_survey_is_not_called_the_national_index() -> None:
    assert "不是全国指数" in _entry_for("plan-satisfaction")


def test_example_buttons_point_at_real_entries() -> None:
    for _label, entry_id in general.EXAMPLES:
        assert KB.entry(entry_id) is not None


def test_every_entry_has_at_least_twelve_ways_people_ask() -> None:
    from knowledge import loader

    short = [(e.id, len(e.alternates)) for e in loader.load().entries if len(e.alternates) < 12]
    assert short == []
