"""Keyword search over the knowledge base.

Ranking: BM25-style scores over each entry's fields (question, alternates, keywords, answer) using
term presence per field, boosted by how closely the question resembles the entry's single closest
phrasing. Synonyms fold into canonical terms; homophone typos (专力, 商表) and typed pinyin
(shangbiao) are repaired through pinyin. Two thresholds decide `confident`: how much of the question
the best entry explains (coverage) and how far it stands ahead of the best entry of another topic.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from knowledge import pinyin, segment
from knowledge.loader import Entry, KnowledgeBase
from knowledge.normalize import normalize

MAX_QUESTION_CHARS = 500
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"^[a-z]+$")
_READABLE = re.compile(r"^[\u3400-\u9fffa-z0-9.]+$")  # other scripts are beyond the knowledge base


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
    rare_word_freq: int = 100  # a word jieba has seen less often than this may be a typo
    phrasing_boost: float = 1.0  # how much resemblance to one phrasing lifts the score
    candidates: int = 8
    # Confident when the best entry explains most of the question (coverage), or when it matches
    # strongly (score) and still explains a fair part of a long, chatty question.
    min_coverage: float = 0.55
    strong_score: float = 8.0
    min_coverage_strong: float = 0.2
    min_score: float = 2.0
    min_matched: float = 2.0  # idf mass matched: a lone common word (质押) is too vague to answer
    max_rival_ratio: float = 0.97  # best other-topic score / best score above this → ambiguous
    alternatives: int = 3


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    coverage: float  # share of the question's meaning this entry explains
    similarity: float  # resemblance to the entry's closest phrasing
    matched: float  # the question's meaning this entry explains, in idf units


@dataclass(frozen=True)
class Result:
    question: str
    hits: list[Hit]
    confident: bool
    reason: str  # ok | empty | too_long | no_match | out_of_scope | low_coverage | ambiguous
    terms: list[str] = field(default_factory=list)
    referral: str | None = None  # where to ask instead, for an everyday non-IP question

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def alternatives(self) -> list[Hit]:
        return self.hits[1:]


@dataclass(frozen=True)
class QueryTerm:
    term: str
    weight: float  # how sure we are the user meant it: 1, less for a repaired typo or a word part
    mass: float  # its share of the question's meaning: idf, less for single characters


class SearchEngine:
    """An index over one loaded knowledge base. Build a new one to reload."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        self.kb = kb
        self.tuning = tuning or Tuning()
        lex = kb.lexicon
        segment.add_words(lex.user_words)
        segment.add_words((word, None) for word in {*lex.synonyms, *lex.synonyms.values()})
        self._synonyms = lex.synonyms
        self._stopwords = lex.stopwords
        scope = kb.scope
        segment.add_words((word, None) for word in scope.anchors)
        segment.add_words((word, None) for ref in scope.referrals for word in ref.words)
        self._anchors = frozenset(self._synonyms.get(word, word) for word in scope.anchors)
        self._referrals = scope.referrals
        self._entries = kb.entries
        self._build()

    # ---- analysis -------------------------------------------------------------------------------
    def _canonical(self, word: str) -> str | None:
        word = self._synonyms.get(word, word)
        if not word.strip() or word in self._stopwords:
            return None
        return word

    def analyze(self, text: str) -> dict[str, float]:
        """Index-side analysis: term -> 1 for whole words, part_factor for words only seen inside others."""
        terms: dict[str, float] = {}
        for word, part in segment.cut(normalize(text)):
            term = self._canonical(word)
            if term is not None:
                value = self.tuning.part_factor if part else 1.0
                terms[term] = max(terms.get(term, 0.0), value)
        return terms

    def _build(self) -> None:
        t = self.tuning
        presence: list[dict[str, float]] = []
        self._strong: list[frozenset[str]] = []
        self._phrasings: list[list[dict[str, float]]] = []
        for entry in self._entries:
            phrasings = [self.analyze(text) for text in (entry.question, *entry.alternates)]
            keywords = [self.analyze(text) for text in entry.keywords]
            answer = self.analyze(entry.answer)
            tf: dict[str, float] = defaultdict(float)
            for weight, groups in ((t.question_weight, phrasings[:1]), (t.alternates_weight, phrasings[1:]),
                                   (t.keywords_weight, keywords), (t.answer_weight, [answer])):
                merged: dict[str, float] = {}
                for group in groups:
                    for term, value in group.items():
                        merged[term] = max(merged.get(term, 0.0), value)
                for term, value in merged.items():
                    tf[term] += weight * value
            presence.append(dict(tf))
            self._strong.append(frozenset(term for group in (*phrasings, *keywords) for term in group))
            self._phrasings.append(phrasings)
        n = len(self._entries)
        df: dict[str, int] = defaultdict(int)
        for tf in presence:
            for term in tf:
                df[term] += 1
        self._idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._present = [frozenset(tf) for tf in presence]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(presence):
            for term, w in tf.items():
                self._postings[term].append((i, self._idf[term] * w * (t.k1 + 1) / (w + t.k1)))
        self._phrasing_mass = [[sum(self._idf[term] * v for term, v in p.items()) for p in ps]
                               for ps in self._phrasings]
        self._pinyin_index: dict[tuple[str, ...], str] | None = None
        self._joined_pinyin: dict[str, str] | None = None

    def _pinyin_indexes(self) -> tuple[dict[tuple[str, ...], str], dict[str, str]]:
        """Reading → term, for terms people type in questions (not words only found in answers)."""
        if self._pinyin_index is None or self._joined_pinyin is None:
            strong = frozenset().union(*self._strong)
            spellings = [(term, term) for term in strong]
            spellings += [(variant, term) for variant, term in self._synonyms.items() if term in strong]
            index: dict[tuple[str, ...], str] = {}
            for written, term in spellings:
                if 2 <= len(written) <= 6 and all(_CJK.match(c) for c in written):
                    key = pinyin.primary_key(written)
                    if key is not None and (key not in index or len(self._postings[term]) >
                                            len(self._postings[index[key]])):
                        index[key] = term
            self._pinyin_index = index
            self._joined_pinyin = {"".join(key): term for key, term in index.items()}
        return self._pinyin_index, self._joined_pinyin

    def _mass(self, term: str) -> float:
        idf = self._idf.get(term, self._unknown_idf)
        return idf * (self.tuning.single_char_factor if len(term) == 1 and _CJK.match(term) else 1.0)

    def query_terms(self, text: str) -> list[QueryTerm]:
        """Query-side analysis, with typo repair for what the knowledge base does not know."""
        return self._analyze_query(normalize(text))[0]

    def _analyze_query(self, norm: str) -> tuple[list[QueryTerm], set[str]]:
        t = self.tuning
        tokens = segment.tokenize(norm)
        singles = {start for word, start, part in tokens
                   if not part and len(word) == 1 and _CJK.match(word) and word not in self._postings}
        repaired: list[str] = []
        consumed: set[int] = set()
        if len(singles) > 1:
            repaired, consumed = self._repair_homophones(norm, singles)
        rare = {word: term for word, _start, part in tokens
                if not part and 2 <= len(word) <= 4 and (term := self._repair_rare_word(word)) is not None}
        terms: dict[str, QueryTerm] = {}

        def add(term: str, weight: float) -> None:
            if term not in terms or terms[term].weight < weight:
                terms[term] = QueryTerm(term, weight, self._mass(term))

        for word, start, part in tokens:
            if start in consumed and len(word) == 1:
                continue
            if word in rare:
                add(rare[word], t.pinyin_factor)
                continue
            term = self._canonical(word)
            if term is None or not _READABLE.match(term):
                continue
            if _LATIN.match(term) and term not in self._postings:
                guess = self._pinyin_indexes()[1].get(term)
                if guess is not None:
                    add(guess, t.pinyin_factor)
                    continue
            add(term, t.part_factor if part else 1.0)
        for term in repaired:
            add(term, t.pinyin_factor)
        return list(terms.values()), {word for word, _start, _part in tokens}

    def _repair_rare_word(self, word: str) -> str | None:
        """A rare word the knowledge base does not know, read as the known term that sounds the same."""
        if word in self._postings or word in self._synonyms or word in self._stopwords:
            return None
        if not all(_CJK.match(c) for c in word) or segment.frequency(word) >= self.tuning.rare_word_freq:
            return None
        key = pinyin.primary_key(word)
        return self._pinyin_indexes()[0].get(key) if key is not None else None

    def _repair_homophones(self, norm: str, singles: set[int]) -> tuple[list[str], set[int]]:
        """Runs of characters jieba could not place in any word: try them as mistyped known terms."""
        index = self._pinyin_indexes()[0]
        repaired: list[str] = []
        consumed: set[int] = set()
        i = min(singles)
        end = max(singles) + 1
        while i < end:
            if i not in singles:
                i += 1
                continue
            for size in (4, 3, 2):
                span = range(i, i + size)
                if not all(j in singles for j in span):
                    continue
                key = pinyin.primary_key(norm[i:i + size])
                term = index.get(key) if key is not None else None
                if term is not None:
                    repaired.append(term)
                    consumed.update(span)
                    i += size
                    break
            else:
                i += 1
        return repaired, consumed

    # ---- search ---------------------------------------------------------------------------------
    def search(self, question: str) -> Result:
        t = self.tuning
        if not question or not question.strip():
            return Result(question, [], False, "empty")
        if len(question) > MAX_QUESTION_CHARS:
            return Result(question, [], False, "too_long")
        terms, words = self._analyze_query(normalize(question))
        names = [q.term for q in terms]
        referral = self._referral(terms, words)
        if referral is not None:
            return Result(question, [], False, "out_of_scope", names, referral)
        total_mass = sum(q.mass * q.weight for q in terms)
        if total_mass <= 0:
            return Result(question, [], False, "no_match", names)
        scores: dict[int, float] = defaultdict(float)
        for q in terms:
            for i, contribution in self._postings.get(q.term, ()):
                scores[i] += q.weight * contribution
        if not scores:
            return Result(question, [], False, "no_match", names)
        shortlist = sorted(scores.items(), key=lambda kv: -kv[1])[:t.candidates]
        rescored = []
        for i, score in shortlist:
            similarity = self._similarity(i, terms, total_mass)
            rescored.append((score * (1 + t.phrasing_boost * similarity), i, similarity))
        rescored.sort(key=lambda row: -row[0])
        hits: list[Hit] = []
        topics: set[str] = set()
        for score, i, similarity in rescored:
            entry = self._entries[i]
            if entry.topic in topics:
                continue
            topics.add(entry.topic)
            coverage = self._coverage(i, terms, total_mass)
            hits.append(Hit(entry, round(score, 3), round(coverage, 3), round(similarity, 3),
                            round(coverage * total_mass, 3)))
            if len(hits) > t.alternatives:
                break
        best = hits[0]
        reason = "ok"
        explains = best.coverage >= t.min_coverage or (
            best.score >= t.strong_score and best.coverage >= t.min_coverage_strong)
        if best.score < t.min_score or best.matched < t.min_matched or not explains:
            reason = "low_coverage"
        elif len(hits) > 1 and hits[1].score > t.max_rival_ratio * best.score:
            reason = "ambiguous"
        return Result(question, hits, reason == "ok", reason, names)

    def _referral(self, terms: list[QueryTerm], words: set[str]) -> str | None:
        """The office to point to when the question is about an everyday non-IP matter."""
        if any(q.term in self._anchors for q in terms):
            return None
        names = words | {q.term for q in terms}
        for referral in self._referrals:
            if not referral.words.isdisjoint(names):
                return referral.office
        return None

    def _coverage(self, i: int, terms: list[QueryTerm], total_mass: float) -> float:
        strong, present = self._strong[i], self._present[i]
        matched = 0.0
        for q in terms:
            if q.term in strong:
                matched += q.mass * q.weight
            elif q.term in present:
                matched += 0.5 * q.mass * q.weight
        return matched / total_mass

    def _similarity(self, i: int, terms: list[QueryTerm], total_mass: float) -> float:
        """Cosine-like overlap between the question and the entry's closest phrasing."""
        best = 0.0
        for phrasing, mass in zip(self._phrasings[i], self._phrasing_mass[i], strict=True):
            if mass <= 0:
                continue
            shared = sum(q.mass * q.weight * phrasing[q.term] for q in terms if q.term in phrasing)
            best = max(best, shared / math.sqrt(total_mass * mass))
        return best
