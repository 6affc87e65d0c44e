"""Scoring the satisfaction survey (../shared/survey-design.md).

非常满意 100 … 非常不满意 20; 不了解 is left out of that item. An item's score is the mean of its
answers, each respondent weighted by their group's weight; a dimension's score is the mean of its items;
the index is the weighted mean of the dimensions. The 95 % intervals (the index's and each dimension's) are a
normal approximation, not a bootstrap: mean ± 1.96 standard errors, the standard error from the spread of
respondents' own scores (their answers scored the same way) and the effective sample size under the group
weights. With fewer than two respondents there is no interval.
Group and county cells with fewer than MIN_CELL responses are suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.survey.definition import SurveyDefinition

MIN_CELL = 5
Z95 = 1.959964


@dataclass(frozen=True)
class Answered:
    """One completed response: who (a salted hash), their profile, and item id -> option label."""

    respondent: str
    group: str
    county: str
    answers: Mapping[str, str]


@dataclass(frozen=True)
class Cell:
    n: int
    index: float | None


@dataclass(frozen=True)
class Report:
    wave: str
    n: int
    index: float | None
    ci95: tuple[float, float] | None
    target: float
    baseline: float
    dimensions: dict[str, float | None]
    groups: dict[str, Cell | None]
    counties: dict[str, Cell | None]
    change_since_previous: float | None
    dimension_n: dict[str, int] = field(default_factory=dict)  # respondents who answered some item of it
    dimension_ci95: dict[str, tuple[float, float] | None] = field(default_factory=dict)

    @property
    def gap_to_target(self) -> float | None:
        return None if self.index is None else round(self.target - self.index, 2)

    def as_json(self) -> dict[str, Any]:
        def cell(c: Cell | None) -> dict[str, Any] | None:
            return None if c is None else {"n": c.n, "index": c.index}

        return {
            "wave": self.wave, "n": self.n, "index": self.index,
            "ci95": list(self.ci95) if self.ci95 else None, "target": self.target, "baseline": self.baseline,
            "gap_to_target": self.gap_to_target, "dimensions": self.dimensions,
            "groups": {k: cell(v) for k, v in self.groups.items()},
            "counties": {k: cell(v) for k, v in self.counties.items()},
            "change_since_previous": self.change_since_previous,
            "dimension_n": self.dimension_n,
            "dimension_ci95": {k: list(v) if v else None for k, v in self.dimension_ci95.items()},
        }


def _mean(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Weighted mean of (value, weight) pairs; None when there are none."""
    total = sum(w for _v, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else None


def dimension_scores(definition: SurveyDefinition, responses: Sequence[Answered]) -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    for dimension in definition.dimensions:
        item_means = []
        for item in dimension.items:
            pairs = []
            for response in responses:
                label = response.answers.get(item.id)
                value = definition.score_of(label) if label is not None else None
                if value is not None:
                    pairs.append((value, definition.group_weight(response.group)))
            mean = _mean(pairs)
            if mean is not None:
                item_means.append((mean, 1.0))
        scores[dimension.name] = _mean(item_means)
    return scores


def index_of(definition: SurveyDefinition, responses: Sequence[Answered]) -> float | None:
    scores = dimension_scores(definition, responses)
    weights = {d.name: d.weight for d in definition.dimensions}
    return _mean([(s, weights[name]) for name, s in scores.items() if s is not None])


def _interval(definition: SurveyDefinition, responses: Sequence[Answered], centre: float
              ) -> tuple[float, float] | None:
    own = [(score, definition.group_weight(r.group)) for r in responses
           if (score := index_of(definition, [r])) is not None]
    return _normal_interval(own, centre)


def _normal_interval(pairs: Sequence[tuple[float, float]], centre: float) -> tuple[float, float] | None:
    """Normal approximation (not a bootstrap) around `centre` from respondents' own (score, weight) pairs:
    ± Z95 × the weighted standard deviation over the square root of the effective sample size."""
    if len(pairs) < 2:
        return None
    mean = _mean(pairs) or 0.0
    total = sum(w for _v, w in pairs)
    variance = sum(w * (v - mean) ** 2 for v, w in pairs) / total * len(pairs) / (len(pairs) - 1)
    effective_n = total ** 2 / sum(w * w for _v, w in pairs)
    half = Z95 * math.sqrt(variance / effective_n)
    return (round(max(centre - half, 0.0), 2), round(min(centre + half, 100.0), 2))


def _dimension_spread(definition: SurveyDefinition, responses: Sequence[Answered], scores: Mapping[str, float | None]
                      ) -> tuple[dict[str, int], dict[str, tuple[float, float] | None]]:
    """Each dimension's n (respondents with a scored answer in it) and its 95 % interval (_normal_interval over
    their own dimension scores)."""
    counts: dict[str, int] = {}
    intervals: dict[str, tuple[float, float] | None] = {}
    for dimension in definition.dimensions:
        own = [(score, definition.group_weight(r.group)) for r in responses
               if (score := dimension_scores(definition, [r])[dimension.name]) is not None]
        counts[dimension.name] = len(own)
        centre = scores.get(dimension.name)
        intervals[dimension.name] = None if centre is None else _normal_interval(own, centre)
    return counts, intervals


def _cells(definition: SurveyDefinition, responses: Sequence[Answered], names: Sequence[str],
           key: str) -> dict[str, Cell | None]:
    cells: dict[str, Cell | None] = {}
    for name in names:
        subset = [r for r in responses if getattr(r, key) == name]
        if len(subset) < MIN_CELL:
            cells[name] = None
        else:
            value = index_of(definition, subset)
            cells[name] = Cell(len(subset), None if value is None else round(value, 2))
    return cells


def report(definition: SurveyDefinition, wave: str, responses: Sequence[Answered],
           previous_index: float | None = None) -> Report:
    index = index_of(definition, responses)
    rounded = None if index is None else round(index, 2)
    scores = dimension_scores(definition, responses)
    dimension_n, dimension_ci95 = _dimension_spread(definition, responses, scores)
    return Report(
        wave=wave, n=len(responses), index=rounded,
        ci95=_interval(definition, responses, index) if index is not None else None,
        target=definition.target, baseline=definition.baseline,
        dimensions={k: None if v is None else round(v, 2) for k, v in scores.items()},
        groups=_cells(definition, responses, [g for g, _w in definition.groups], "group"),
        counties=_cells(definition, responses, list(definition.counties), "county"),
        change_since_previous=None if rounded is None or previous_index is None else round(rounded - previous_index, 2),
        dimension_n=dimension_n, dimension_ci95=dimension_ci95,
    )
