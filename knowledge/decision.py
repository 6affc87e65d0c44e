"""Whether to answer: the best entry is trusted when it explains enough of the question (coverage), matches
something specific enough, and stands far enough ahead of the best entry of another topic; an everyday
non-IP question is pointed to the office that handles it."""

from __future__ import annotations

from knowledge.loader import Scope
from knowledge.result import Hit
from knowledge.subjects import FINANCE, GENERIC_FOR_FINANCE, IP_WORDS
from knowledge.tuning import Tuning


class Decider:
    def __init__(self, scope: Scope, synonyms: dict[str, str], tuning: Tuning) -> None:
        self.tuning = tuning
        self._anchors = frozenset(synonyms.get(word, word) for word in scope.anchors)
        self._referrals = scope.referrals
        self._referral_words = frozenset().union(*(ref.words for ref in scope.referrals))

    def referral(self, weights: dict[str, float], words: set[str]) -> str | None:
        """The office to point to when the question is about an everyday non-IP matter."""
        if words.isdisjoint(self._referral_words) or not self._anchors.isdisjoint(weights):
            return None
        for referral in self._referrals:
            if not referral.words.isdisjoint(words):
                return referral.office
        return None

    def about_ip(self, weights: dict[str, float], named: set[str]) -> bool:
        """Whether the question names IP itself: an anchor word, a kind of right, or pledging."""
        return not self._anchors.isdisjoint(weights) or not IP_WORDS.isdisjoint(named)

    def vague(self, hits: list[Hit], weights: dict[str, float], named: set[str], shares: dict[str, float]) -> bool:
        """Whether the best hit matches nothing specific: a lone common word (质押, 贷款, 注册) that is not one
        entry's phrasing almost word for word. Such a question is never answered, whatever else says so."""
        t = self.tuning
        best = hits[0]
        rival = hits[1].score / best.score if len(hits) > 1 else 0.0
        matched = best.matched
        if not FINANCE.isdisjoint(named) and not self.about_ip(weights, named):
            # a loan question that names no IP: neither the finance words nor what is asked of them (融资是啥,
            # 贷款流程) make it specific (summed in the question's order, as every sum over its terms)
            matched -= sum(share for term, share in shares.items() if term in named and term in GENERIC_FOR_FINANCE)
        return not (matched >= t.min_matched or (
            best.similarity >= t.close_phrasing and rival <= t.close_phrasing_max_rival))

    def reason(self, hits: list[Hit], weights: dict[str, float], named: set[str], shares: dict[str, float]) -> str:
        """ok, or why the best hit is not trusted: low_coverage or ambiguous."""
        t = self.tuning
        best = hits[0]
        about_ip = self.about_ip(weights, named)
        # a strong match that explains little of the question is trusted only when the question names IP
        # (a right, pledging, an anchor word): else a few everyday words (办事, 地址, 公司) in a long entry
        # answer a question about something else (停车, 火锅店)
        explains = (best.coverage >= t.min_coverage
                    or (best.score >= t.strong_score and best.coverage >= t.min_coverage_strong
                        and (about_ip or best.coverage >= t.min_coverage_not_ip))
                    or (best.score >= t.very_strong_score and best.coverage >= t.min_coverage_very_strong
                        and (about_ip or best.coverage >= t.min_coverage_not_ip)))
        rival = hits[1].score / best.score if len(hits) > 1 else 0.0
        if best.score < t.min_score or self.vague(hits, weights, named, shares) or not explains:
            return "low_coverage"
        if rival > t.max_rival_ratio:
            return "ambiguous"
        return "ok"
