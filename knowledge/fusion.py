"""The fused decision: the engine's keyword ranking (the first, explainable signal) and the learned classifier's
(knowledge/learned.py) put together.

Which topic: the two rankings fused by reciprocal rank (each topic gets 1 / (K + rank) from each ranking it is in;
of equal sums, the engine's order, then the classifier's), except where the two swap their top two and only the
classifier is decisive (choose()). Which entry of that topic: the engine's hit when it
has one for the topic, else the entry of the topic it scored best for the question, else the topic's first entry.

Whether to answer: a small logistic model over the evidence (what the engine decided and why, whether the two
signals agree on the chosen topic, how sure the classifier is, how strong the keyword match). Its weights are
fitted offline on the project's labelled sets by scripts/fit_decision.py and kept in knowledge/fusion_weights.py.
A question the engine turns away before ranking (empty, too long, out of scope) is never answered here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from knowledge import fusion_weights
from knowledge.result import Hit, Result

K = 10  # reciprocal-rank constant (10 did best on the project's sets; 60, the usual one, weighs the top less)
LEARNED_DEPTH = 10  # how many of the classifier's topics take part in the fusion
# When the signals swap their top two: the classifier's margin (decision values) that makes it decisive, and how
# close the keyword scores must be (second / first). Chosen on a fresh set (set-u, 2026-12-08), checked on the
# project's other sets: 0.45 and 0.8 moved no set down and set-l, set-r, set-s up by 0.4-0.6 points.
SWAP_LEARNED_MARGIN = 0.45
SWAP_KEYWORD_RATIO = 0.8
UNRANKED = frozenset({"empty", "too_long", "out_of_scope", "taught"})  # decided before any ranking
REASONS = ("ok", "ambiguous", "low_coverage", "no_match")  # the engine's reasons the model knows
FEATURES = ("engine_confident", *(f"reason_{r}" for r in REASONS), "chosen_is_engine_top", "chosen_is_learned_top",
            "engine_top_is_learned_top", "learned_score", "learned_margin", "log1p_engine_score", "engine_coverage")

Ranking = Sequence[tuple[str, float]]  # (topic, score), the best first


def fused_topics(engine: Sequence[str], learned: Sequence[str]) -> list[str]:
    """Topics by reciprocal-rank fusion, the best first."""
    total: dict[str, float] = {}
    for ranking in (engine, learned[:LEARNED_DEPTH]):
        for rank, topic in enumerate(ranking):
            total[topic] = total.get(topic, 0.0) + 1.0 / (K + rank + 1)
    order = {topic: n for n, topic in enumerate(total)}  # first seen: the engine's order, then the classifier's
    return sorted(total, key=lambda topic: (-total[topic], order[topic]))


def features(result: Result, learned: Ranking, chosen: str) -> list[float]:
    """The evidence about answering `chosen` for this result, in FEATURES' order."""
    engine_top = result.hits[0].entry.topic if result.hits else None
    learned_top = learned[0][0]
    top_score = learned[0][1]
    margin = top_score - learned[1][1] if len(learned) > 1 else 0.0
    best = result.hits[0] if result.hits else None
    return [float(result.confident), *(float(result.reason == r) for r in REASONS), float(chosen == engine_top),
            float(chosen == learned_top), float(engine_top == learned_top), top_score, margin,
            math.log1p(best.score) if best else 0.0, best.coverage if best else 0.0]


def probability(values: Sequence[float]) -> float:
    """The model's probability that the chosen topic is right (the sum in FEATURES' order)."""
    z = fusion_weights.INTERCEPT
    for weight, value in zip(fusion_weights.WEIGHTS, values, strict=True):
        z += weight * value
    return 1.0 / (1.0 + math.exp(-z))


def choose(result: Result, learned: Ranking) -> str:
    """The fused topic; but where the two signals swap their top two topics (a tie in the fusion, which the
    engine's order would break), the classifier's first when it is decisive and the keyword scores are close."""
    fused = fused_topics([h.entry.topic for h in result.hits], [topic for topic, _ in learned])
    hits = result.hits
    if (len(hits) > 1 and len(learned) > 1 and fused[0] == hits[0].entry.topic == learned[1][0]
            and hits[1].entry.topic == learned[0][0] and learned[0][1] - learned[1][1] >= SWAP_LEARNED_MARGIN
            and hits[1].score >= SWAP_KEYWORD_RATIO * hits[0].score):
        return learned[0][0]
    return fused[0]


def decide(result: Result, learned: Ranking, entry_for: Callable[[str], Hit], alternatives: int) -> Result:
    """The result with the fused answer first, the engine's other hits after it, and the model's confidence."""
    if result.reason in UNRANKED or not learned:
        return result
    chosen = choose(result, learned)
    answer = next((h for h in result.hits if h.entry.topic == chosen), None) or entry_for(chosen)
    others = [h for h in result.hits if h.entry.topic != chosen][:alternatives]
    confident = probability(features(result, learned, chosen)) >= fusion_weights.THRESHOLD
    # declined: the engine's own reason, or (when it alone would answer) that the evidence disagrees
    reason = "ok" if confident else result.reason if result.reason != "ok" else "ambiguous"
    return Result(result.question, [answer, *others], confident, reason, result.terms, result.referral)
