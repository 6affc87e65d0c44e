"""The search engine's weights and thresholds, and its limits."""

from __future__ import annotations

from dataclasses import dataclass

MAX_QUESTION_CHARS = 500
MEMO_LIMIT = 100_000  # words remembered between questions before a memo starts afresh


@dataclass(frozen=True)
class Tuning:
    """Weights and thresholds, tuned on the dev set as a whole, never per question."""

    question_weight: float = 1.0
    alternates_weight: float = 1.0
    keywords_weight: float = 1.2
    answer_weight: float = 0.35
    part_factor: float = 0.5  # a word found only inside a longer word
    k1: float = 1.2
    single_char_factor: float = 0.35
    pinyin_factor: float = 0.85
    rare_char_entries: int = 2  # a lone character found in no more entries than this may be a typo too
    rare_word_freq: int = 100  # a word jieba has seen less often than this may be a typo
    phrasing_boost: float = 1.0  # how much resemblance to one phrasing lifts the score
    candidates: int = 8
    min_contribution: float = 0.7  # postings worth less (a common word in an answer) are not kept
    # Confident when the best entry explains most of the question (coverage), or when it matches
    # strongly (score) and still explains a fair part of a long, chatty question.
    min_coverage: float = 0.55
    strong_score: float = 8.0
    min_coverage_strong: float = 0.2
    very_strong_score: float = 15.0  # a long message full of detail: many matches, much else besides
    min_coverage_very_strong: float = 0.1
    min_coverage_not_ip: float = 0.4  # the least coverage for those two when the question names no IP word
    min_score: float = 2.0
    min_matched: float = 2.0  # idf mass matched: a lone common word (质押) is too vague to answer...
    close_phrasing: float = 0.9  # ...unless it is one entry's phrasing almost word for word
    close_phrasing_max_rival: float = 0.9  # and that entry stands clearly ahead
    max_rival_ratio: float = 0.97  # best other-topic score / best score above this → ambiguous
    # A question that names a kind of right (专利, 商标, 地理标志) is rarely answered by an entry that never
    # mentions it: such entries keep this share of their score.
    other_right: float = 0.6
    answer_only_right: float = 0.8  # ...and entries that name it only in their answer, this share
    other_subject: float = 0.7  # the same for pledge financing (see subjects.PLEDGE) and the local GI
    other_aspect: float = 0.8  # the same for an aspect (see subjects.ASPECTS)
    alternatives: int = 3
