"""The index over one knowledge base's entries: term weights per entry (BM25-style, by field), idf, postings,
each entry's phrasings as vectors for the similarity, and what each entry is about (rights, pledging, aspects)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from knowledge.analysis import CJK, Analyzer
from knowledge.loader import Entry
from knowledge.subjects import ASPECTS, LOCAL_GI, PLEDGE, rights_named
from knowledge.tuning import Tuning


class Index:
    def __init__(self, entries: Sequence[Entry], analyzer: Analyzer, tuning: Tuning) -> None:
        t = self.tuning = tuning
        self.entries = entries
        self.topics = [entry.topic for entry in entries]
        analyze = analyzer.analyze
        presence: list[dict[str, float]] = []
        self.strong: list[frozenset[str]] = []  # per entry, the terms of its phrasings and keywords
        self.phrasings: list[list[dict[str, float]]] = []
        about_pledge: list[bool] = []  # the entry's own question asks about pledging
        keyword_lists: list[list[dict[str, float]]] = []
        for entry in entries:
            phrasings = [analyze(text) for text in (entry.question, *entry.alternates)]
            keywords = [analyze(text) for text in entry.keywords]
            keyword_lists.append(keywords)
            answer = analyze(entry.answer)
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
            self.strong.append(frozenset(term for group in (*phrasings, *keywords) for term in group))
            self.phrasings.append(phrasings)
            about_pledge.append(not PLEDGE.isdisjoint(phrasings[0]))
        n = len(entries)
        df: dict[str, int] = defaultdict(int)
        for tf in presence:
            for term in tf:
                df[term] += 1
        self.idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.present = [frozenset(tf) for tf in presence]
        # for the pledge rule (see PLEDGE): entries asked about pledging, and entries not about it at all
        self.pledge_questions = frozenset(i for i in range(n) if about_pledge[i])
        self.local_gi_questions = frozenset(i for i in range(n) if not LOCAL_GI.isdisjoint(self.phrasings[i][0]))
        self.not_pledge = frozenset(i for i in range(n) if not about_pledge[i] and PLEDGE.isdisjoint(self.strong[i]))
        # per entry, the aspects (see ASPECTS) its own question and keywords name
        self.aspects = [ASPECTS.intersection(phrasings[0]).union(*(ASPECTS.intersection(k) for k in keywords))
                        for phrasings, keywords in zip(self.phrasings, keyword_lists, strict=True)]
        # per entry, the kinds of right (RIGHTS' keys) it names anywhere, and in its phrasings or keywords
        self.rights_present = [rights_named(present) for present in self.present]
        self.rights_strong = [rights_named(strong) for strong in self.strong]
        # term -> {entry: contribution}, entries in ascending order. A dict rather than a list of pairs: its
        # items sit side by side in one table (no tuple object per posting), and it copies fast.
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        for i, tf in enumerate(presence):
            for term, w in tf.items():
                contribution = self.idf[term] * w * (t.k1 + 1) / (w + t.k1)
                if contribution >= t.min_contribution:
                    self.postings[term][i] = contribution
                else:
                    self.postings.setdefault(term, {})
        self.vocabulary = frozenset(self.postings)
        self.rare_chars = frozenset(term for term, found in self.postings.items()
                                    if len(term) == 1 and CJK.match(term) and len(found) <= t.rare_char_entries)
        self.masses: dict[str, float] = {}  # empty while it is being built (mass() looks here first)
        self.masses = {term: self.mass(term) for term in self.idf}
        self.phrasing_vectors = [self._vectors(phrasings) for phrasings in self.phrasings]

    def mass(self, term: str) -> float:
        """A term's share of a question's meaning: its idf (an unknown term's is the highest), less for a
        single character."""
        known = self.masses
        if term in known:
            return known[term]
        idf = self.idf.get(term, self.unknown_idf)
        return idf * (self.tuning.single_char_factor if len(term) == 1 and CJK.match(term) else 1.0)

    def _vectors(self, phrasings: list[dict[str, float]]) -> dict[str, tuple[float, ...]]:
        """For the similarity of one entry: term -> its value in each of the entry's phrasings (term mass x
        presence / sqrt(phrasing mass); 0.0 where the phrasing lacks it).

        One tuple per term, so that a question's overlap with all the phrasings at once is a sum of tuples
        done by `map` (see scoring.similarity) rather than a Python loop over (phrasing, value) pairs."""
        vectors: dict[str, list[float]] = {}
        for number, phrasing in enumerate(phrasings):
            # minor forms (a compound its parts spell out) may add to the overlap but do not
            # count in the phrasing's own size: "商标怎么注册" is as close to "商标注册" as can be
            mass = sum(self.idf[term] for term, value in phrasing.items() if value >= 1.0)
            if mass <= 0:
                continue
            scale = 1 / math.sqrt(mass)
            for term, value in phrasing.items():
                vector = vectors.get(term)
                if vector is None:
                    vector = vectors[term] = [0.0] * len(phrasings)
                vector[number] = self.masses[term] * value * scale
        return {term: tuple(vector) for term, vector in vectors.items()}
