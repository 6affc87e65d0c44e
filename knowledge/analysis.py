"""How a text becomes terms: cut into words by jieba (with the knowledge base's own words), synonyms folded
into their canonical terms, stop words dropped, and a long word standing also for the shorter words inside it."""

from __future__ import annotations

import re

from knowledge.loader import Lexicon, Scope
from knowledge.normalize import normalize
from knowledge.segment import Segmenter
from knowledge.tuning import MEMO_LIMIT

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"^[a-z]+$")
READABLE = re.compile(r"^[\u3400-\u9fffa-z0-9.]+$")  # other scripts are beyond the knowledge base


class Analyzer:
    """One knowledge base's words: its segmenter, synonyms and stop words."""

    def __init__(self, lex: Lexicon, scope: Scope, part_factor: float) -> None:
        # in a fixed order: a word added without a frequency is given one suggested by the words already there
        self.segmenter = Segmenter(lex.user_words)
        self.segmenter.add_words((word, None) for word in dict.fromkeys([*lex.synonyms, *lex.synonyms.values()]))
        self.segmenter.add_words((word, None) for word in sorted(scope.anchors))
        self.segmenter.add_words((word, None) for ref in scope.referrals for word in sorted(ref.words))
        self.synonyms = lex.synonyms
        self.stopwords = lex.stopwords
        self.part_factor = part_factor
        self.word_memo: dict[str, tuple[tuple[str, float], ...]] = {}

    def analyze(self, text: str) -> dict[str, float]:
        """Index-side analysis: term -> weight (1, or part_factor for a word's minor form)."""
        terms: dict[str, float] = {}
        for word in self.segmenter.words(normalize(text)):
            for term, weight in self.word_terms(word):
                if terms.get(term, 0.0) < weight:
                    terms[term] = weight
        return terms

    def word_terms(self, word: str) -> tuple[tuple[str, float], ...]:
        """The terms one segmented word stands for, with weights; stop words give none.

        A long word also stands for the shorter dictionary words inside it. When those spell it out
        in full (商标注册 = 商标 + 注册) they carry the meaning and the compound counts less, so that
        "商标怎么注册" meets "商标注册"; otherwise the parts count less. A synonym stands for its
        canonical term alone.
        """
        memo = self.word_memo
        found = memo.get(word)
        if found is not None:
            return found
        synonyms, stopwords, minor = self.synonyms, self.stopwords, self.part_factor
        term = synonyms.get(word, word)
        result: list[tuple[str, float]] = []
        if term not in stopwords and READABLE.match(term):
            if len(word) <= 2 or word in synonyms:
                result.append((term, 1.0))
            else:
                grams, spelled_out = self.segmenter.parts(word)
                result.append((term, minor if spelled_out else 1.0))
                for gram in grams:
                    gram_term = synonyms.get(gram, gram)
                    if gram_term not in stopwords and READABLE.match(gram_term):
                        result.append((gram_term, 1.0 if spelled_out else minor))
        found = tuple(result)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[word] = found
        return found
