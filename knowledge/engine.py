"""Keyword search over the knowledge base.

Ranking: BM25-style scores over each entry's fields (question, alternates, keywords, answer) using
term presence per field, boosted by how closely the question resembles the entry's single closest
phrasing. Synonyms fold into canonical terms; homophone typos (专力, 商表) and typed pinyin
(shangbiao) are repaired through pinyin. Two thresholds decide `confident`: how much of the question
the best entry explains (coverage) and how far it stands ahead of the best entry of another topic.

The same question gives the same result, to the last bit of every score, in every process: the question's
terms are taken in its own order (never a set's, whose order changes with the hash seed), and entries of equal
score rank in the knowledge base's order.

The parts, each in a module of its own: tuning (weights, thresholds), subjects (the words that name a right,
pledging, an aspect), analysis (text → terms), index (the entries' term weights, idf, postings, phrasing
vectors), query (a question's terms and their shares), typos (repairs by sound), scoring, decision
(whether to answer) and result (Result, Hit). SearchEngine puts them together; the names callers use are
importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from knowledge import fusion, learned
from knowledge.analysis import Analyzer
from knowledge.decision import Decider
from knowledge.index import Index
from knowledge.loader import KnowledgeBase
from knowledge.normalize import normalize
from knowledge.query import QueryAnalyzer
from knowledge.result import Hit, QueryTerm, Result
from knowledge.scoring import Scorer
from knowledge.subjects import ASPECTS, FINANCE, LOCAL_GI, PLEDGE, RIGHTS
from knowledge.tuning import MAX_QUESTION_CHARS, MEMO_LIMIT, Tuning

log = logging.getLogger(__name__)

__all__ = ["ASPECTS", "FINANCE", "LOCAL_GI", "MAX_QUESTION_CHARS", "MEMO_LIMIT", "PLEDGE", "RIGHTS", "Hit",
           "QueryTerm", "Result", "SearchEngine", "Tuning"]


def _best_first(rescored: tuple[float, int, float]) -> tuple[float, int]:
    """Sort key for (score, entry, similarity): the best score first and, of equal scores, the entry listed
    first in the knowledge base (a topic's main entry, 怎么注册商标, before its narrower ones)."""
    return -rescored[0], rescored[1]


class SearchEngine:
    """An index over one loaded knowledge base. Build a new one to reload."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        self.kb = kb
        self.tuning = tuning or Tuning()
        self._analyzer = Analyzer(kb.lexicon, kb.scope, self.tuning.part_factor)
        self.segmenter = self._analyzer.segmenter
        self._index = Index(kb.entries, self._analyzer, self.tuning)
        self._query = QueryAnalyzer(self._index, self._analyzer, self.tuning)
        self._scorer = Scorer(self._index, self.tuning)
        self._decider = Decider(kb.scope, kb.lexicon.synonyms, self.tuning)
        self.learned: learned.Classifier | None = None
        self.learned_status = "on"  # or why the engine answers with its keyword signal alone
        phrasings = [normalize(text) for e in kb.entries for text in (e.question, *e.alternates)]
        labels = [e.topic for e in kb.entries for _text in (e.question, *e.alternates)]
        try:
            self.learned = learned.train(phrasings, labels, self.segmenter.words)
        except ImportError as exc:
            self.learned_status = f"off: {exc}"
            log.warning("the learned signal is off (%s): answering with the keyword signal alone", exc)
        except ValueError as exc:  # fewer than two topics: nothing to tell apart
            self.learned_status = f"off: {exc}"

    def analyze(self, text: str) -> dict[str, float]:
        """Index-side analysis: term -> weight (1, or part_factor for a word's minor form)."""
        return self._analyzer.analyze(text)

    def query_terms(self, text: str) -> list[QueryTerm]:
        """Query-side analysis, with typo repair for what the knowledge base does not know."""
        masses, mass = self._index.masses, self._index.mass
        return [QueryTerm(term, weight, masses[term] if term in masses else mass(term))
                for term, weight in self._query.analyze(normalize(text))[0].items()]

    def search(self, question: str) -> Result:
        return self._search(question, normalize(question))

    def _search(self, question: str, norm: str) -> Result:
        """search(), given the question's normalized form (TaughtEngine has it already): the keyword result,
        fused with the learned signal's ranking when there is one (knowledge/fusion.py)."""
        result, entry_for, vague = self._keyword_search(question, norm)
        ranking = self.learned_ranking(norm) if result.reason not in fusion.UNRANKED and not vague else []
        return fusion.decide(result, ranking, entry_for, self.tuning.alternatives) if ranking else result

    def learned_ranking(self, norm: str) -> list[tuple[str, float]]:
        """The classifier's (topic, score) for a normalized question, the best first ([] without one)."""
        if self.learned is None:
            return []
        return self.learned.ranking(norm, self.segmenter.words(norm))

    def signals(self, question: str) -> tuple[Result, list[tuple[str, float]]]:
        """The keyword signal's result and the learned ranking, before fusion (scripts/fit_decision.py); no
        ranking for a question the keyword signal alone decides."""
        norm = normalize(question)
        result, _entry_for, vague = self._keyword_search(question, norm)
        return result, self.learned_ranking(norm) if result.reason not in fusion.UNRANKED and not vague else []

    def _keyword_search(self, question: str, norm: str) -> tuple[Result, Callable[[str], Hit], bool]:
        """The keyword signal's result; where to find a topic's best entry for the question; and whether the
        question is too vague to answer whatever the learned signal says (Decider.vague)."""
        t = self.tuning
        no_scores: dict[int, float] = {}
        entry_for = self._entry_finder([], no_scores, {}, 0.0)
        if not question or not question.strip():
            return Result(question, [], False, "empty"), entry_for, False
        if len(question) > MAX_QUESTION_CHARS:
            return Result(question, [], False, "too_long"), entry_for, False
        weights, words = self._query.analyze(norm)
        names = list(weights)
        referral = self._decider.referral(weights, words)
        if referral is not None:
            return Result(question, [], False, "out_of_scope", names, referral), entry_for, False
        shares = self._query.shares(weights)
        total_mass = sum(shares.values())
        if total_mass <= 0:
            return Result(question, [], False, "no_match", names), entry_for, False
        scorer = self._scorer
        scores = scorer.keyword_scores(weights)
        if not scores:
            return Result(question, [], False, "no_match", names), entry_for, False
        # the best score first and, of equal scores, the entry listed first (sorted by entry, then stably by score)
        ranked = sorted(sorted(scores), key=scores.__getitem__, reverse=True)
        named = {term for term, weight in weights.items() if weight >= 1.0}
        rescored = scorer.rescore(ranked[:t.candidates], scores, weights, named, total_mass)
        rescored.sort(key=_best_first)
        hits: list[Hit] = []
        topics: set[str] = set()
        entries, entry_topics = self._index.entries, self._index.topics
        for score, i, similarity in rescored:
            topic = entry_topics[i]
            if topic in topics:
                continue
            topics.add(topic)
            matched = scorer.matched(i, shares)
            hits.append(Hit(entries[i], score, matched / total_mass, similarity, matched))
            if len(hits) > t.alternatives:
                break
        reason = self._decider.reason(hits, weights, named, shares)
        vague = self._decider.vague(hits, weights, named, shares)
        return Result(question, hits, reason == "ok", reason, names), self._entry_finder(
            rescored, scores, shares, total_mass), vague

    def _entry_finder(self, rescored: list[tuple[float, int, float]], scores: dict[int, float],
                      shares: dict[str, float], total_mass: float) -> Callable[[str], Hit]:
        """topic -> its entry that scores best for the question: the best re-scored one, else the best keyword
        score, else the topic's first entry (of equal scores, the one listed first)."""
        entries, entry_topics = self._index.entries, self._index.topics

        def entry_for(topic: str) -> Hit:
            for score, i, similarity in rescored:  # already best first
                if entry_topics[i] == topic:
                    matched = self._scorer.matched(i, shares)
                    return Hit(entries[i], score, matched / total_mass, similarity, matched)
            found = [i for i in scores if entry_topics[i] == topic]
            if found:
                i = min(found, key=lambda i: (-scores[i], i))
                matched = self._scorer.matched(i, shares)
                return Hit(entries[i], scores[i], matched / total_mass if total_mass else 0.0, 0.0, matched)
            i = entry_topics.index(topic)
            return Hit(entries[i], 0.0, 0.0, 0.0, 0.0)

        return entry_for
