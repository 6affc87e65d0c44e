"""What moves satisfaction, from one wave's responses (pure arithmetic; no database).

- Change since the previous wave, per dimension and for the index: the difference, its 95 % interval from
  the two waves' respondent-level spreads (a two-sample z interval, Welch-style, with the effective sample
  sizes under the group weights), and whether it is beyond the noise (the interval leaves out 0).
- Key drivers: each item's correlation (weighted Pearson, over respondents who answered both) with the
  overall-satisfaction item, against its mean score. Items that matter most and score lowest are where to act.

Cells under MIN_CELL responses are suppressed, as in the report.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from handlers.survey.definition import Item, SurveyDefinition
from handlers.survey.scoring import MIN_CELL, Z95, Answered, dimension_scores, index_of

OVERALL_ITEM = "effect-overall"
Quadrant = Literal["priority", "strength", "secondary", "surplus"]
INDEX = "指数"


@dataclass(frozen=True)
class Change:
    """A dimension's (or the index's) change since the previous wave; None fields: suppressed."""

    name: str
    previous: float | None
    current: float | None
    difference: float | None
    ci95: tuple[float, float] | None

    @property
    def beyond_noise(self) -> bool | None:
        if self.ci95 is None:
            return None
        return self.ci95[0] > 0 or self.ci95[1] < 0

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "previous": self.previous, "current": self.current,
                "difference": self.difference, "ci95": list(self.ci95) if self.ci95 else None,
                "beyond_noise": self.beyond_noise}


@dataclass(frozen=True)
class Driver:
    """One item: how closely it goes with overall satisfaction, and how well it scores."""

    item: Item
    n: int  # respondents who answered both it and the overall item
    mean: float | None  # None: suppressed (fewer than MIN_CELL answers)
    correlation: float | None  # None: suppressed, or no spread to correlate
    quadrant: Quadrant | None = None

    def as_json(self) -> dict[str, Any]:
        return {"item": self.item.id, "text": self.item.text, "dimension": self.item.dimension, "n": self.n,
                "mean": self.mean, "correlation": self.correlation, "quadrant": self.quadrant}


def _score(definition: SurveyDefinition, response: Answered, item_id: str) -> float | None:
    label = response.answers.get(item_id)
    return definition.score_of(label) if label is not None else None


def _own_dimension(definition: SurveyDefinition, response: Answered, name: str) -> float | None:
    """A respondent's own score of a dimension: the mean of the items they rated in it."""
    dimension = next(d for d in definition.dimensions if d.name == name)
    scores = [s for item in dimension.items if (s := _score(definition, response, item.id)) is not None]
    return sum(scores) / len(scores) if scores else None


def _spread(pairs: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """(variance, effective n) of weighted values; None below MIN_CELL."""
    if len(pairs) < MIN_CELL:
        return None
    total = sum(w for _v, w in pairs)
    mean = sum(v * w for v, w in pairs) / total
    variance = sum(w * (v - mean) ** 2 for v, w in pairs) / total * len(pairs) / (len(pairs) - 1)
    return variance, total ** 2 / sum(w * w for _v, w in pairs)


def _change(name: str, previous: float | None, current: float | None, before: Sequence[tuple[float, float]],
            after: Sequence[tuple[float, float]]) -> Change:
    spread_before, spread_after = _spread(before), _spread(after)
    if previous is None or current is None or spread_before is None or spread_after is None:
        return Change(name, None, None, None, None)
    difference = current - previous
    half = Z95 * math.sqrt(spread_before[0] / spread_before[1] + spread_after[0] / spread_after[1])
    return Change(name, round(previous, 2), round(current, 2), round(difference, 2),
                  (round(difference - half, 2), round(difference + half, 2)))


def changes(definition: SurveyDefinition, previous: Sequence[Answered], current: Sequence[Answered]) -> list[Change]:
    """The index's change and each dimension's, with 95 % intervals; suppressed where a wave has fewer than
    MIN_CELL respondents who rated it."""
    def weighted(responses: Sequence[Answered], own: Any) -> list[tuple[float, float]]:
        return [(value, definition.group_weight(r.group)) for r in responses if (value := own(r)) is not None]

    found = [_change(INDEX, index_of(definition, previous), index_of(definition, current),
                     weighted(previous, lambda r: index_of(definition, [r])),
                     weighted(current, lambda r: index_of(definition, [r])))]
    before, after = dimension_scores(definition, previous), dimension_scores(definition, current)
    for d in definition.dimensions:
        found.append(_change(d.name, before[d.name], after[d.name],
                             weighted(previous, lambda r, name=d.name: _own_dimension(definition, r, name)),
                             weighted(current, lambda r, name=d.name: _own_dimension(definition, r, name))))
    return found


def _pearson(triples: Sequence[tuple[float, float, float]]) -> float | None:
    total = sum(w for _x, _y, w in triples)
    mean_x = sum(x * w for x, _y, w in triples) / total
    mean_y = sum(y * w for _x, y, w in triples) / total
    sxy = sum(w * (x - mean_x) * (y - mean_y) for x, y, w in triples)
    sxx = sum(w * (x - mean_x) ** 2 for x, _y, w in triples)
    syy = sum(w * (y - mean_y) ** 2 for _x, y, w in triples)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def key_drivers(definition: SurveyDefinition, responses: Sequence[Answered],
                overall: str = OVERALL_ITEM) -> list[Driver]:
    """Every item but the overall one, with its correlation with overall satisfaction and its mean; items are
    placed in quadrants around the medians: priority (matters more, scores lower), strength (matters more,
    scores higher), secondary (matters less, scores lower), surplus (matters less, scores higher). Empty when
    the definition has no `overall` item."""
    if overall not in {i.id for i in definition.items}:
        return []
    drivers: list[Driver] = []
    for item in definition.items:
        if item.id == overall:
            continue
        answered = [(s, definition.group_weight(r.group)) for r in responses
                    if (s := _score(definition, r, item.id)) is not None]
        triples = [(x, y, definition.group_weight(r.group)) for r in responses
                   if (x := _score(definition, r, item.id)) is not None
                   and (y := _score(definition, r, overall)) is not None]
        mean = sum(v * w for v, w in answered) / sum(w for _v, w in answered) if len(answered) >= MIN_CELL else None
        correlation = _pearson(triples) if len(triples) >= MIN_CELL else None
        drivers.append(Driver(item, len(triples), None if mean is None else round(mean, 2),
                              None if correlation is None else round(correlation, 3)))
    placed = [d for d in drivers if d.mean is not None and d.correlation is not None]
    if not placed:
        return drivers
    cut_r = statistics.median(d.correlation for d in placed if d.correlation is not None)
    cut_mean = statistics.median(d.mean for d in placed if d.mean is not None)

    def quadrant(d: Driver) -> Quadrant | None:
        if d.mean is None or d.correlation is None:
            return None
        if d.correlation >= cut_r:
            return "priority" if d.mean < cut_mean else "strength"
        return "secondary" if d.mean < cut_mean else "surplus"

    return [Driver(d.item, d.n, d.mean, d.correlation, quadrant(d)) for d in drivers]


def priorities(drivers: Sequence[Driver]) -> list[Driver]:
    """Where to act first: the priority quadrant, the strongest association first."""
    return sorted((d for d in drivers if d.quadrant == "priority"), key=lambda d: -(d.correlation or 0.0))
