"""The survey definition: a versioned data file (handlers/survey/data/survey.yaml), validated on load with
problems that name the file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, Field, Strict, TypeAdapter

from bot.core.datafile import Collector, DataFileError, line_at, node_at, read_yaml
from bot.core.datafile_models import CONFIG, Text, validate

DEFINITION = Path(__file__).parent / "data" / "survey.yaml"
REQUIRED_OPTIONS = ("非常满意", "满意", "一般", "不满意", "非常不满意", "不了解")


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    dimension: str


@dataclass(frozen=True)
class Dimension:
    name: str
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class SurveyDefinition:
    version: str
    title: str
    consent: str
    target: float
    baseline: float
    options: tuple[tuple[str, float | None], ...]  # label -> score (None: left out)
    groups: tuple[tuple[str, float], ...]  # label -> weight
    counties: tuple[str, ...]
    dimensions: tuple[Dimension, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for d in self.dimensions for item in d.items)

    def score_of(self, label: str) -> float | None:
        return dict(self.options)[label]

    def group_weight(self, group: str) -> float:
        return dict(self.groups).get(group, 1.0)


Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]


class _Option(BaseModel):
    model_config = CONFIG
    label: Text
    score: Positive | None = None  # null: left out of the item's score


class _Group(BaseModel):
    model_config = CONFIG
    label: Text
    weight: Positive = 1


class _Item(BaseModel):
    model_config = CONFIG
    id: Text
    text: Text


class _Dimension(BaseModel):
    model_config = CONFIG
    name: Text
    weight: Positive = 1
    items: Annotated[list[_Item], Field(min_length=1)]


class _Survey(BaseModel):
    model_config = CONFIG
    version: Text
    title: Text
    consent: Text
    target: Positive
    baseline: Positive
    options: list[_Option]
    groups: Annotated[list[_Group], Field(min_length=1)]
    counties: Annotated[list[Text], Field(min_length=1)]
    dimensions: Annotated[list[object], Field(min_length=1)]  # each checked on its own: see load()


_SURVEY, _DIMENSION = TypeAdapter(_Survey), TypeAdapter(_Dimension)


def load(path: Path = DEFINITION) -> SurveyDefinition:
    """Load and validate the definition; raises DataFileError listing every problem."""
    data, node = read_yaml(path)
    out = Collector()
    survey = validate(_SURVEY, data, node, path, out)
    if survey is not None and tuple(option.label for option in survey.options) != REQUIRED_OPTIONS:
        out.add(path, line_at(node, "options"), f"options must be exactly {'/'.join(REQUIRED_OPTIONS)}, in that order")
    dimensions: list[Dimension] = []
    seen: set[str] = set()
    raw_dimensions = data.get("dimensions") if isinstance(data, dict) else None  # checked even if the rest is not
    for d, raw in enumerate(raw_dimensions if isinstance(raw_dimensions, list) else []):
        dim_node = node_at(node, "dimensions", d)
        dimension = validate(_DIMENSION, raw, dim_node, path, out)
        for i, item in enumerate(dimension.items if dimension is not None else []):
            if item.id in seen:
                out.add(path, line_at(dim_node, "items", i), f"item id {item.id!r} is used twice")
            seen.add(item.id)
        if dimension is not None:
            items = tuple(Item(i.id, i.text, dimension.name) for i in dimension.items)
            dimensions.append(Dimension(dimension.name, dimension.weight, items))
    if survey is None or out.problems:
        raise DataFileError(out.problems)
    return SurveyDefinition(
        version=survey.version, title=survey.title, consent=" ".join(survey.consent.split()),
        target=survey.target, baseline=survey.baseline, options=tuple((o.label, o.score) for o in survey.options),
        groups=tuple((g.label, g.weight) for g in survey.groups), counties=tuple(survey.counties),
        dimensions=tuple(dimensions),
    )
