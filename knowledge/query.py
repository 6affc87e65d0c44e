"""A question's terms, in the order the question gives them, with how sure we are each was meant (its weight),
and each term's share of the question's meaning."""

from __future__ import annotations

from knowledge.analysis import READABLE, Analyzer
from knowledge.index import Index
from knowledge.tuning import Tuning
from knowledge.typos import Repairer


class QueryAnalyzer:
    def __init__(self, index: Index, analyzer: Analyzer, tuning: Tuning) -> None:
        self.index = index
        self.analyzer = analyzer
        self.repairer = Repairer(index, analyzer, tuning)

    def analyze(self, norm: str) -> tuple[dict[str, float], set[str]]:
        """The question's terms with their weights (term -> weight; see QueryTerm), and the raw words (for
        the scope check). Search needs only these two mappings, so no QueryTerm is built for it.

        The terms come in the order the question gives them (the words it names, then the parts of its long
        words, then what was repaired): never in a set's order, which changes from one process to the next
        and would change the order of the sums over the terms, so the last bits of every score.

        The hot path of every search: known words are sorted out with set operations; only the few
        words the knowledge base does not know go through the slower checks and repairs.
        """
        analyzer = self.analyzer
        synonyms, stopwords = analyzer.synonyms, analyzer.stopwords
        main = analyzer.segmenter.words(norm)
        syn_get = synonyms.get
        canonical = list(map(syn_get, main, main))
        words = set(main)
        wanted = set(canonical) - stopwords
        known = wanted & self.index.vocabulary
        weights = dict.fromkeys([term for term in canonical if term in known], 1.0)
        spelled_out: set[str] = set()
        remembered = analyzer.word_memo.get
        for word in main:
            if len(word) > 2 and word not in synonyms:
                word_terms = remembered(word) or analyzer.word_terms(word)
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
        unknown = (wanted - known - spelled_out) | (known & self.index.rare_chars)
        if unknown and _any_readable(unknown):
            self.repairer.add_unknown(norm, main, canonical, unknown, weights)
        return weights, words

    def shares(self, weights: dict[str, float]) -> dict[str, float]:
        """Term -> its share of the question's meaning: mass (see QueryTerm) x weight."""
        known = self.index.masses.get  # masses are positive, so `or` falls back only for unknown terms
        mass = self.index.mass
        return {term: (known(term) or mass(term)) * weight for term, weight in weights.items()}


def _any_readable(unknown: set[str]) -> bool:
    """Whether any unknown word is one Repairer.add_unknown can use (read_unknown gives None exactly for those
    READABLE does not match). Most questions' unknown words are only punctuation and symbols (，？😊), which it
    skips entirely; then it need not walk the question."""
    return any(map(READABLE.match, unknown))
