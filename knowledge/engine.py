"""Keyword search over the knowledge base.

Ranking: BM25-style scores over each entry's fields (question, alternates, keywords, answer) using
term presence per field, boosted by how closely the question resembles the entry's single closest
phrasing. Synonyms fold into canonical terms; homophone typos (专力, 商表) and typed pinyin
(shangbiao) are repaired through pinyin. Two thresholds decide `confident`: how much of the question
the best entry explains (coverage) and how far it stands ahead of the best entry of another topic.
"""

from __future__ import annotations

import math
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple

from knowledge import pinyin
from knowledge.loader import Entry, KnowledgeBase
from knowledge.normalize import normalize
from knowledge.segment import Segmenter

MAX_QUESTION_CHARS = 500
# The kinds of right a question may name, each by the words that name it.
RIGHTS: dict[str, frozenset[str]] = {
    "专利": frozenset({"专利", "发明", "实用新型", "外观设计"}),
    "商标": frozenset({"商标"}),
    "地理标志": frozenset({"地理标志"}),
}
# Pledge financing, by the words that ask about it: a question about it is rarely answered by an entry that
# never mentions it, and an entry whose question is about it rarely answers a question that is not.
PLEDGE = frozenset({"质押", "出质", "质权", "贷款", "融资"})
# ...but a loan or financing as such is no IP matter: beside no IP word these words do not make a question
# specific enough to answer (贷款, 什么是融资)
FINANCE = frozenset({"贷款", "融资", "银行", "银行贷款", "利率", "利息", "放款"})
# What a question asks about a subject (its cost, papers, time, steps, place...), by canonical terms (see
# synonyms.yaml): an entry whose own question and keywords never name the aspect asked is rarely the answer.
ASPECTS = frozenset({"费用", "材料", "多长时间", "流程", "地点", "条件", "处罚", "赔偿", "转让", "续展", "保护期",
                     "驳回", "注销", "撤销", "评估", "诉讼", "调解", "取证", "举报", "投诉", "许可", "备案", "官费",
                     "目标"})
# The prefecture's own GI, by the words that name it: an entry whose question is about it rarely answers a
# question that never names it (地理标志有几种保护方式 is not about 精河枸杞's marks).
LOCAL_GI = frozenset({"精河枸杞", "精河"})
# what anyone asks of any loan (not 评估, 质押 …, which are of an IP pledge)
_GENERIC_FOR_FINANCE = FINANCE | {"含义", "流程", "条件", "费用", "多长时间", "地点", "材料"}
MEMO_LIMIT = 100_000  # words remembered between questions before the memo starts afresh
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"^[a-z]+$")
_READABLE = re.compile(r"^[\u3400-\u9fffa-z0-9.]+$")  # other scripts are beyond the knowledge base


_RIGHT_OF_WORD = {word: right for right, words in RIGHTS.items() for word in words}
# words that make a question about IP by themselves: a kind of right, or pledging (not finance as such)
_IP_WORDS = frozenset(_RIGHT_OF_WORD).union(PLEDGE.difference(FINANCE))
_NO_RIGHTS: frozenset[str] = frozenset()


def _rights_named(terms: AbstractSet[str]) -> frozenset[str]:
    """The kinds of right (RIGHTS' keys) that any of these terms names (each word names one kind)."""
    found = _RIGHT_OF_WORD.keys() & terms
    return frozenset(map(_RIGHT_OF_WORD.__getitem__, found)) if found else _NO_RIGHTS


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
    other_subject: float = 0.7
    other_aspect: float = 0.8  # the same for an aspect (see ASPECTS)  # the same for pledge financing (see PLEDGE)
    alternatives: int = 3


class Hit(NamedTuple):
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


class QueryTerm(NamedTuple):
    term: str
    weight: float  # how sure we are the user meant it: 1, less for a repaired typo or a word part
    mass: float  # its share of the question's meaning: idf, less for single characters


def _best_first(rescored: tuple[float, int, float]) -> tuple[float, int]:
    """Sort key for (score, entry, similarity): the best score first and, of equal scores, the entry listed
    first in the knowledge base (a topic's main entry, 怎么注册商标, before its narrower ones)."""
    return -rescored[0], rescored[1]


class SearchEngine:
    """An index over one loaded knowledge base. Build a new one to reload."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        self.kb = kb
        self.tuning = tuning or Tuning()
        lex = kb.lexicon
        scope = kb.scope
        # in a fixed order: a word added without a frequency is given one suggested by the words already there
        self.segmenter = Segmenter(lex.user_words)
        self.segmenter.add_words((word, None) for word in dict.fromkeys([*lex.synonyms, *lex.synonyms.values()]))
        self.segmenter.add_words((word, None) for word in sorted(scope.anchors))
        self.segmenter.add_words((word, None) for ref in scope.referrals for word in sorted(ref.words))
        self._synonyms = lex.synonyms
        self._stopwords = lex.stopwords
        self._anchors = frozenset(self._synonyms.get(word, word) for word in scope.anchors)
        self._referrals = scope.referrals
        self._referral_words = frozenset().union(*(ref.words for ref in scope.referrals))
        self._entries = kb.entries
        self._topics = [entry.topic for entry in kb.entries]
        self._word_memo: dict[str, tuple[tuple[str, float], ...]] = {}
        self._build()

    # ---- analysis -------------------------------------------------------------------------------
    def _canonical(self, word: str) -> str | None:
        word = self._synonyms.get(word, word)
        if not word.strip() or word in self._stopwords:
            return None
        return word

    def analyze(self, text: str) -> dict[str, float]:
        """Index-side analysis: term -> weight (1, or part_factor for a word's minor form)."""
        terms: dict[str, float] = {}
        for word in self.segmenter.words(normalize(text)):
            for term, weight in self._word_terms(word):
                if terms.get(term, 0.0) < weight:
                    terms[term] = weight
        return terms

    def _word_terms(self, word: str) -> tuple[tuple[str, float], ...]:
        """The terms one segmented word stands for, with weights; stop words give none.

        A long word also stands for the shorter dictionary words inside it. When those spell it out
        in full (商标注册 = 商标 + 注册) they carry the meaning and the compound counts less, so that
        "商标怎么注册" meets "商标注册"; otherwise the parts count less. A synonym stands for its
        canonical term alone.
        """
        memo = self._word_memo
        found = memo.get(word)
        if found is not None:
            return found
        synonyms, stopwords, minor = self._synonyms, self._stopwords, self.tuning.part_factor
        term = synonyms.get(word, word)
        result: list[tuple[str, float]] = []
        if term not in stopwords and _READABLE.match(term):
            if len(word) <= 2 or word in synonyms:
                result.append((term, 1.0))
            else:
                grams, spelled_out = self.segmenter.parts(word)
                result.append((term, minor if spelled_out else 1.0))
                for gram in grams:
                    gram_term = synonyms.get(gram, gram)
                    if gram_term not in stopwords and _READABLE.match(gram_term):
                        result.append((gram_term, 1.0 if spelled_out else minor))
        found = tuple(result)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[word] = found
        return found

    def _build(self) -> None:
        t = self.tuning
        presence: list[dict[str, float]] = []
        self._strong: list[frozenset[str]] = []
        self._phrasings: list[list[dict[str, float]]] = []
        about_pledge: list[bool] = []  # the entry's own question asks about pledging
        keyword_lists: list[list[dict[str, float]]] = []
        for entry in self._entries:
            phrasings = [self.analyze(text) for text in (entry.question, *entry.alternates)]
            keywords = [self.analyze(text) for text in entry.keywords]
            keyword_lists.append(keywords)
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
            about_pledge.append(not PLEDGE.isdisjoint(phrasings[0]))
        n = len(self._entries)
        df: dict[str, int] = defaultdict(int)
        for tf in presence:
            for term in tf:
                df[term] += 1
        self._idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self._present = [frozenset(tf) for tf in presence]
        # for the pledge rule (see PLEDGE): entries asked about pledging, and entries not about it at all
        self._pledge_questions = frozenset(i for i in range(n) if about_pledge[i])
        self._local_gi_questions = frozenset(i for i in range(n) if not LOCAL_GI.isdisjoint(self._phrasings[i][0]))
        self._not_pledge = frozenset(i for i in range(n) if not about_pledge[i] and PLEDGE.isdisjoint(self._strong[i]))
        # entries whose own phrasings name a kind of right (专利, 商标, 地理标志)
        self._aspects = [ASPECTS.intersection(phrasings[0]).union(*(ASPECTS.intersection(k) for k in keywords))
                         for phrasings, keywords in zip(self._phrasings, keyword_lists, strict=True)]
        # per entry, the kinds of right (RIGHTS' keys) it names anywhere, and in its phrasings or keywords
        self._rights_present = [_rights_named(present) for present in self._present]
        self._rights_strong = [_rights_named(strong) for strong in self._strong]
        # term -> {entry: contribution}, entries in ascending order. A dict rather than a list of pairs: its
        # items sit side by side in one table (no tuple object per posting), and it copies fast.
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        for i, tf in enumerate(presence):
            for term, w in tf.items():
                contribution = self._idf[term] * w * (t.k1 + 1) / (w + t.k1)
                if contribution >= t.min_contribution:
                    self._postings[term][i] = contribution
                else:
                    self._postings.setdefault(term, {})
        self._vocabulary = frozenset(self._postings)
        self._rare_chars = frozenset(term for term, found in self._postings.items()
                                     if len(term) == 1 and _CJK.match(term) and len(found) <= t.rare_char_entries)
        self._masses: dict[str, float] = {}
        self._masses = {term: self._mass(term) for term in self._idf}
        self._phrasing_vectors = [self._vectors(phrasings) for phrasings in self._phrasings]
        self._pinyin_index: dict[tuple[str, ...], str] | None = None
        self._joined_pinyin: dict[str, str] | None = None
        self._stopword_pinyin: frozenset[str] = frozenset()
        self._unknown_memo: dict[str, tuple[str, float] | None] = {}
        self._run_memo: dict[tuple[str, tuple[bool, ...]], tuple[tuple[int, int, str], ...]] = {}

    def _vectors(self, phrasings: list[dict[str, float]]) -> dict[str, tuple[float, ...]]:
        """For the similarity of one entry: term -> its value in each of the entry's phrasings (term mass x
        presence / sqrt(phrasing mass); 0.0 where the phrasing lacks it).

        One tuple per term, so that a question's overlap with all the phrasings at once is a sum of tuples
        done by `map` (see _similarity) rather than a Python loop over (phrasing, value) pairs."""
        vectors: dict[str, list[float]] = {}
        for number, phrasing in enumerate(phrasings):
            # minor forms (a compound its parts spell out) may add to the overlap but do not
            # count in the phrasing's own size: "商标怎么注册" is as close to "商标注册" as can be
            mass = sum(self._idf[term] for term, value in phrasing.items() if value >= 1.0)
            if mass <= 0:
                continue
            scale = 1 / math.sqrt(mass)
            for term, value in phrasing.items():
                vector = vectors.get(term)
                if vector is None:
                    vector = vectors[term] = [0.0] * len(phrasings)
                vector[number] = self._masses[term] * value * scale
        return {term: tuple(vector) for term, vector in vectors.items()}

    def _pinyin_indexes(self) -> tuple[dict[tuple[str, ...], str], dict[str, str]]:
        """Reading → term, for terms people type in questions (not words only found in answers)."""
        if self._pinyin_index is None or self._joined_pinyin is None:
            strong = frozenset().union(*self._strong)
            spellings = [(term, term) for term in sorted(strong)]  # sorted: of two alike, the same one wins
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
            # question words and particles typed in pinyin (yao, zenme) are dropped like the words themselves
            spoken = (pinyin.primary_key(word) for word in self._stopwords if all(_CJK.match(c) for c in word))
            self._stopword_pinyin = frozenset("".join(key) for key in spoken if key is not None)
        return self._pinyin_index, self._joined_pinyin

    def _mass(self, term: str) -> float:
        known = self._masses  # empty while it is being built
        if term in known:
            return known[term]
        idf = self._idf.get(term, self._unknown_idf)
        return idf * (self.tuning.single_char_factor if len(term) == 1 and _CJK.match(term) else 1.0)

    def query_terms(self, text: str) -> list[QueryTerm]:
        """Query-side analysis, with typo repair for what the knowledge base does not know."""
        masses = self._masses
        return [QueryTerm(term, weight, masses[term] if term in masses else self._mass(term))
                for term, weight in self._analyze_query(normalize(text))[0].items()]

    def _analyze_query(self, norm: str) -> tuple[dict[str, float], set[str]]:
        """The question's terms with their weights (term -> weight; see QueryTerm), and the raw words (for
        the scope check). Search needs only these two mappings, so no QueryTerm is built for it.

        The hot path of every search: known words are sorted out with set operations; only the few
        words the knowledge base does not know go through the slower checks and repairs.
        """
        synonyms, stopwords = self._synonyms, self._stopwords
        main = self.segmenter.words(norm)
        syn_get = synonyms.get
        canonical = list(map(syn_get, main, main))
        words = set(main)
        wanted = set(canonical) - stopwords
        known = wanted & self._vocabulary
        # in the order the question gives them (never a set's: the order of the sums over the terms, so the
        # last bits of every score, must not vary from one process to the next)
        weights = dict.fromkeys([term for term in canonical if term in known], 1.0)
        spelled_out: set[str] = set()
        remembered = self._word_memo.get
        for word in main:
            if len(word) > 2 and word not in synonyms:
                word_terms = remembered(word) or self._word_terms(word)
                if not word_terms:
                    continue
                compound, compound_weight = word_terms[0]
                if compound_weight < 1.0:
                    spelled_out.add(compound)  # its parts carry the meaning
                if compound in weights:
                    weights[compound] = compound_weight
                for gram_term, gram_weight in word_terms[1:]:
                    words.add(gram_term)
                    if weights.get(gram_term, 0.0) < gram_weight:
                        weights[gram_term] = gram_weight
        # a lone character the knowledge base knows only from one or two entries (池 of 资金池) may still be
        # a typo (池名 for 驰名): it takes part in the homophone repair like an unknown one
        unknown = (wanted - known - spelled_out) | (known & self._rare_chars)
        if unknown and self._any_readable(unknown):
            self._add_unknown(norm, main, canonical, unknown, weights)
        return weights, words

    def _shares(self, weights: dict[str, float]) -> dict[str, float]:
        """Term -> its share of the question's meaning: mass (see QueryTerm) x weight."""
        known = self._masses.get  # masses are positive, so `or` falls back only for unknown terms
        return {term: (known(term) or self._mass(term)) * weight for term, weight in weights.items()}

    @staticmethod
    def _any_readable(unknown: set[str]) -> bool:
        """Whether any unknown word is one _add_unknown can use (_read_unknown gives None exactly for those
        _READABLE does not match). Most questions' unknown words are only punctuation and symbols (，？😊),
        which it skips entirely; then it need not walk the question."""
        return any(map(_READABLE.match, unknown))

    def _read_unknown(self, term: str) -> tuple[str, float] | None:
        """How to read one word the knowledge base does not know: (term, weight), or None to skip it.

        A single Chinese character comes back as itself with weight 0: it waits for the homophone repair.
        Remembered per word, like Segmenter.parts.
        """
        memo = self._unknown_memo
        if term in memo:
            return memo[term]
        reading: tuple[str, float] | None = (term, 1.0)
        size = len(term)
        if not _READABLE.match(term):
            reading = None
        elif size == 1 and _CJK.match(term):
            reading = (term, 0.0)
        else:
            guess = None
            if _LATIN.match(term):
                guess = self._pinyin_indexes()[1].get(term)
            elif 2 <= size <= 4:
                guess = self._repair_rare_word(term)
            if guess is not None:
                reading = (guess, self.tuning.pinyin_factor)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[term] = reading
        return reading

    def _add_unknown(self, norm: str, main: list[str], canonical: list[str], unknown: set[str],
                     weights: dict[str, float]) -> None:
        """Words the knowledge base does not know: repaired when they look like typos, else kept as they are."""
        t = self.tuning
        singles: dict[int, str] = {}  # offset -> lone character the knowledge base does not know
        lone_known: dict[int, str] = {}  # offset -> lone character it does know (年 in 年废)
        syllables: list[list[str]] = [[]]  # runs of unknown Latin words read as they are (duo jiu)
        offset = 0
        for word, term in zip(main, canonical, strict=True):
            start, offset = offset, offset + len(word)
            if term not in unknown:
                if len(word) == 1 and term in weights and _CJK.match(term):
                    lone_known[start] = term
                if not word.isspace() and syllables[-1]:
                    syllables.append([])
                continue
            reading = self._read_unknown(term)
            if reading is None:
                continue
            if reading == (term, 1.0) and _LATIN.match(term):
                syllables[-1].append(term)
            elif syllables[-1]:
                syllables.append([])
            term, weight = reading
            if weight == 0.0:
                singles[start] = term
                weight = 1.0
            if weights.get(term, 0.0) < weight:
                weights[term] = weight
        for run in syllables:
            if run:
                self._join_syllables(run, weights)
        if not singles or len(singles) + len(lone_known) < 2:
            return
        repaired, consumed = self._repair_homophones(norm, {**lone_known, **singles}, set(singles))
        lone = {**lone_known, **singles}
        kept = {char for o, char in lone.items() if o not in consumed}
        for o in consumed:
            if lone[o] not in kept:
                weights.pop(lone[o], None)
        for term in repaired:
            if weights.get(term, 0.0) < t.pinyin_factor:
                weights[term] = t.pinyin_factor

    def _join_syllables(self, run: list[str], weights: dict[str, float]) -> None:
        """Pinyin typed a syllable at a time (duo jiu): neighbouring words joined, read as one known term;
        what is left and reads as a question word or particle (yao, ma) is dropped like the word itself."""
        joined = self._pinyin_indexes()[1]
        i = 0
        while i < len(run):
            for size in (4, 3, 2):
                term = joined.get("".join(run[i:i + size])) if i + size <= len(run) else None
                if term is not None:
                    for part in run[i:i + size]:
                        weights.pop(part, None)
                    if weights.get(term, 0.0) < self.tuning.pinyin_factor:
                        weights[term] = self.tuning.pinyin_factor
                    i += size
                    break
            else:
                if run[i] in self._stopword_pinyin:
                    weights.pop(run[i], None)
                i += 1

    def _repair_homophones(self, norm: str, lone: dict[int, str], unknown: set[int]) -> tuple[list[str], set[int]]:
        """Runs of lone characters (at least one of them unknown): try them as mistyped known terms."""
        repaired: list[str] = []
        consumed: set[int] = set()
        start = None
        for i in range(min(lone), max(lone) + 2):
            if i in lone:
                if start is None:
                    start = i
                continue
            if start is not None and i - start > 1:
                mask = tuple(j in unknown for j in range(start, i))
                if any(mask):
                    for offset, size, term in self._repair_run(norm[start:i], mask):
                        repaired.append(term)
                        consumed.update(range(start + offset, start + offset + size))
            start = None
        return repaired, consumed

    def _repair_run(self, run: str, unknown: tuple[bool, ...]) -> tuple[tuple[int, int, str], ...]:
        """Known terms hidden in a run of lone characters, by sound: (offset, length, term). Each window
        repaired holds at least one character the knowledge base does not know. Remembered."""
        memo = self._run_memo
        found = memo.get((run, unknown))
        if found is not None:
            return found
        index = self._pinyin_indexes()[0]
        result: list[tuple[int, int, str]] = []
        i = 0
        while i < len(run) - 1:
            for size in (4, 3, 2):
                if i + size > len(run) or not any(unknown[i:i + size]):
                    continue
                key = pinyin.primary_key(run[i:i + size])
                term = index.get(key) if key is not None else None
                if term is not None:
                    result.append((i, size, term))
                    i += size
                    break
            else:
                i += 1
        found = tuple(result)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[(run, unknown)] = found
        return found

    def _repair_rare_word(self, word: str) -> str | None:
        """A rare word the knowledge base does not know, read as the known term that sounds the same."""
        if word in self._postings or word in self._synonyms or word in self._stopwords:
            return None
        if not all(_CJK.match(c) for c in word) or self.segmenter.frequency(word) >= self.tuning.rare_word_freq:
            return None
        key = pinyin.primary_key(word)
        return self._pinyin_indexes()[0].get(key) if key is not None else None

    # ---- search ---------------------------------------------------------------------------------
    def search(self, question: str) -> Result:
        return self._search(question, normalize(question))

    def _search(self, question: str, norm: str) -> Result:
        """search(), given the question's normalized form (TaughtEngine has it already)."""
        t = self.tuning
        if not question or not question.strip():
            return Result(question, [], False, "empty")
        if len(question) > MAX_QUESTION_CHARS:
            return Result(question, [], False, "too_long")
        weights, words = self._analyze_query(norm)
        names = list(weights)
        referral = self._referral(weights, words)
        if referral is not None:
            return Result(question, [], False, "out_of_scope", names, referral)
        shares = self._shares(weights)
        total_mass = sum(shares.values())
        if total_mass <= 0:
            return Result(question, [], False, "no_match", names)
        scores = self._keyword_scores(weights)
        if not scores:
            return Result(question, [], False, "no_match", names)
        # the best score first and, of equal scores, the entry listed first (sorted by entry, then stably by score)
        ranked = sorted(sorted(scores), key=scores.__getitem__, reverse=True)
        named = {term for term, weight in weights.items() if weight >= 1.0}
        rescored = self._rescore(ranked[:t.candidates], scores, weights, named, total_mass)
        rescored.sort(key=_best_first)
        hits: list[Hit] = []
        topics: set[str] = set()
        entry_topics = self._topics
        for score, i, similarity in rescored:
            topic = entry_topics[i]
            if topic in topics:
                continue
            topics.add(topic)
            matched = self._matched(i, shares)
            hits.append(Hit(self._entries[i], score, matched / total_mass, similarity, matched))
            if len(hits) > t.alternatives:
                break
        best = hits[0]
        reason = "ok"
        about_ip = self._about_ip(weights, named)
        # a strong match that explains little of the question is trusted only when the question names IP
        # (a right, pledging, an anchor word): else a few everyday words (办事, 地址, 公司) in a long entry
        # answer a question about something else (停车, 火锅店)
        explains = (best.coverage >= t.min_coverage
                    or (best.score >= t.strong_score and best.coverage >= t.min_coverage_strong
                        and (about_ip or best.coverage >= t.min_coverage_not_ip))
                    or (best.score >= t.very_strong_score and best.coverage >= t.min_coverage_very_strong
                        and (about_ip or best.coverage >= t.min_coverage_not_ip)))
        rival = hits[1].score / best.score if len(hits) > 1 else 0.0
        matched = best.matched
        if not FINANCE.isdisjoint(named) and not about_ip:
            # a loan question that names no IP: neither the finance words nor what is asked of them (融资是啥,
            # 贷款流程) make it specific
            matched -= sum(share for term, share in shares.items() if term in named and term in _GENERIC_FOR_FINANCE)
        specific = matched >= t.min_matched or (
            best.similarity >= t.close_phrasing and rival <= t.close_phrasing_max_rival)
        if best.score < t.min_score or not specific or not explains:
            reason = "low_coverage"
        elif rival > t.max_rival_ratio:
            reason = "ambiguous"
        return Result(question, hits, reason == "ok", reason, names)

    def _rescore(self, ranked: list[int], scores: dict[int, float], weights: dict[str, float], named: set[str],
                 total_mass: float) -> list[tuple[float, int, float]]:
        """(score, entry, similarity) for the best-ranked entries: the keyword score lifted by resemblance to
        the entry's closest phrasing and lowered for an entry about another right, subject or aspect.

        Resemblance to a phrasing at most doubles a score, so entries under half the best cannot win: only
        the others are re-scored; the rest keep their keyword score, and only as far as the alternatives go.
        """
        t = self.tuning
        floor = scores[ranked[0]] / (1 + t.phrasing_boost)
        norm = 1 / math.sqrt(total_mass)
        boost, alternatives = t.phrasing_boost, t.alternatives
        rights = _rights_named(named)
        rights_present, rights_strong = self._rights_present, self._rights_strong
        asked = ASPECTS.intersection(named)
        aspects = self._aspects
        off_subject = self._not_pledge if not PLEDGE.isdisjoint(named) else self._pledge_questions
        local_gi = self._local_gi_questions if LOCAL_GI.isdisjoint(weights) else frozenset()
        rescored = []
        for rank, i in enumerate(ranked):
            kept = 1.0
            if rights:
                if rights.isdisjoint(rights_present[i]):
                    kept = t.other_right
                elif rights.isdisjoint(rights_strong[i]):
                    # named only in its answer: less so when its question is about another kind of right
                    kept = t.other_right if rights_strong[i] else t.answer_only_right
            if i in off_subject:
                kept *= t.other_subject
            if i in local_gi:
                kept *= t.other_subject
            if asked and asked.isdisjoint(aspects[i]):
                kept *= t.other_aspect
            score = scores[i]
            if score >= floor:
                similarity = self._similarity(i, weights) * norm
                rescored.append((kept * score * (1 + boost * similarity), i, similarity))
            elif rank > alternatives:
                break
            else:
                rescored.append((kept * score, i, 0.0))
        return rescored

    def _about_ip(self, weights: dict[str, float], named: set[str]) -> bool:
        """Whether the question names IP itself: an anchor word, a kind of right, or pledging."""
        return not self._anchors.isdisjoint(weights) or not _IP_WORDS.isdisjoint(named)

    def _referral(self, weights: dict[str, float], words: set[str]) -> str | None:
        """The office to point to when the question is about an everyday non-IP matter."""
        if words.isdisjoint(self._referral_words) or not self._anchors.isdisjoint(weights):
            return None
        for referral in self._referrals:
            if not referral.words.isdisjoint(words):
                return referral.office
        return None

    def _keyword_scores(self, weights: dict[str, float]) -> dict[int, float]:
        """Entry -> BM25-style keyword score, summed over the question's terms' postings in the terms' order.

        The first term's postings become the scores as they are (a dict copy, in C); a weight of 1 needs no
        multiplication. Both give exactly the sums that adding to 0.0 would."""
        postings = self._postings
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in weights.items():
            found = postings.get(term)
            if not found:
                continue
            if not scores:
                scores = found.copy() if weight == 1.0 else {i: weight * c for i, c in found.items()}
                get = scores.get
            elif weight == 1.0:
                for i, contribution in found.items():
                    scores[i] = get(i, 0.0) + contribution
            else:
                for i, contribution in found.items():
                    scores[i] = get(i, 0.0) + weight * contribution
        return scores

    def _matched(self, i: int, shares: dict[str, float]) -> float:
        """The question's meaning (idf mass) that entry i explains; half for words only in its answer.

        A loop over the question's few terms: cheaper than intersecting the entry's sets with them."""
        strong_terms, present_terms = self._strong[i], self._present[i]
        strong = weak = 0.0
        for term, share in shares.items():
            if term in strong_terms:
                strong += share
            elif term in present_terms:
                weak += share
        return strong + 0.5 * weak

    def _similarity(self, i: int, weights: dict[str, float]) -> float:
        """Overlap with the entry's closest phrasing, cosine-like (times sqrt of the question's mass).

        The overlaps with all the entry's phrasings are summed term by term as lazy `map`s over the terms'
        vectors, which `max` then runs in one pass in C. (A weight of 1 needs no multiplication: x * 1.0 == x.)
        """
        vectors = self._phrasing_vectors[i]
        shared: Iterable[float] | None = None
        for term, weight in weights.items():
            vector: Iterable[float] | None = vectors.get(term)
            if vector is None:
                continue
            if weight != 1.0:
                vector = map(operator.mul, repeat(weight), vector)
            shared = vector if shared is None else map(operator.add, shared, vector)
        return max(shared) if shared is not None else 0.0
