"""Scores of the entries for a question: BM25-style keyword scores over the question's terms, the best ones
lifted by resemblance to the entry's closest phrasing and lowered for an entry about another right, subject
or aspect; and how much of the question an entry explains."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from itertools import repeat

from knowledge.index import Index
from knowledge.subjects import ASPECTS, LOCAL_GI, PLEDGE, rights_named
from knowledge.tuning import Tuning


class Scorer:
    def __init__(self, index: Index, tuning: Tuning) -> None:
        self.index = index
        self.tuning = tuning

    def keyword_scores(self, weights: dict[str, float]) -> dict[int, float]:
        """Entry -> BM25-style keyword score, summed over the question's terms' postings in the terms' order.

        The first term's postings become the scores as they are (a dict copy, in C); a weight of 1 needs no
        multiplication. Both give exactly the sums that adding to 0.0 would."""
        postings = self.index.postings
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

    def rescore(self, ranked: list[int], scores: dict[int, float], weights: dict[str, float], named: set[str],
                total_mass: float) -> list[tuple[float, int, float]]:
        """(score, entry, similarity) for the best-ranked entries: the keyword score lifted by resemblance to
        the entry's closest phrasing and lowered for an entry about another right, subject or aspect.

        Resemblance to a phrasing at most doubles a score, so entries under half the best cannot win: only
        the others are re-scored; the rest keep their keyword score, and only as far as the alternatives go.
        """
        t, index = self.tuning, self.index
        floor = scores[ranked[0]] / (1 + t.phrasing_boost)
        norm = 1 / math.sqrt(total_mass)
        boost, alternatives = t.phrasing_boost, t.alternatives
        rights = rights_named(named)
        rights_present, rights_strong = index.rights_present, index.rights_strong
        asked = ASPECTS.intersection(named)
        aspects = index.aspects
        off_subject = index.not_pledge if not PLEDGE.isdisjoint(named) else index.pledge_questions
        local_gi = index.local_gi_questions if LOCAL_GI.isdisjoint(weights) else frozenset()
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
                similarity = self.similarity(i, weights) * norm
                rescored.append((kept * score * (1 + boost * similarity), i, similarity))
            elif rank > alternatives:
                break
            else:
                rescored.append((kept * score, i, 0.0))
        return rescored

    def matched(self, i: int, shares: dict[str, float]) -> float:
        """The question's meaning (idf mass) that entry i explains; half for words only in its answer.

        A loop over the question's few terms: cheaper than intersecting the entry's sets with them."""
        strong_terms, present_terms = self.index.strong[i], self.index.present[i]
        strong = weak = 0.0
        for term, share in shares.items():
            if term in strong_terms:
                strong += share
            elif term in present_terms:
                weak += share
        return strong + 0.5 * weak

    def similarity(self, i: int, weights: dict[str, float]) -> float:
        """Overlap with the entry's closest phrasing, cosine-like (times sqrt of the question's mass).

        The overlaps with all the entry's phrasings are summed term by term as lazy `map`s over the terms'
        vectors, which `max` then runs in one pass in C. (A weight of 1 needs no multiplication: x * 1.0 == x.)
        """
        vectors = self.index.phrasing_vectors[i]
        shared: Iterable[float] | None = None
        for term, weight in weights.items():
            vector: Iterable[float] | None = vectors.get(term)
            if vector is None:
                continue
            if weight != 1.0:
                vector = map(operator.mul, repeat(weight), vector)
            shared = vector if shared is None else map(operator.add, shared, vector)
        return max(shared) if shared is not None else 0.0
