"""The survey definition: a versioned data file (handlers/survey/data/survey.yaml), validated on load with
problems that name the file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.datafile import DataFileError, Problem, read_yaml

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


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1 if node is not None else 0, message))

    def field(self, node: yaml.Node, name: str) -> yaml.Node | None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == name:
                    return value  # type: ignore[no-any-return]
        return None


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def load(path: Path = DEFINITION) -> SurveyDefinition:
    """Load and validate the definition; raises DataFileError listing every problem."""
    reader = _Reader(path)
    data, node = read_yaml(path)
    if not isinstance(data, dict) or node is None:
        raise DataFileError([Problem(path, 0, "expected a mapping")])
    for name in ("version", "title", "consent"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            reader.add(reader.field(node, name) or node, f"{name!r} must be non-empty text")
    for name in ("target", "baseline"):
        if not _positive(data.get(name)):
            reader.add(reader.field(node, name) or node, f"{name!r} must be a positive number")
    options: list[tuple[str, float | None]] = []
    options_node = reader.field(node, "options")
    for raw, item_node in zip(data.get("options") or [], getattr(options_node, "value", []), strict=False):
        score = raw.get("score") if isinstance(raw, dict) else "?"
        valid_score = score is None or _positive(score)
        if not isinstance(raw, dict) or not isinstance(raw.get("label"), str) or not valid_score:
            reader.add(item_node, "an option needs a 'label' and a 'score' (a number, or null to leave it out)")
            continue
        options.append((raw["label"], float(score) if score is not None else None))
    if tuple(label for label, _ in options) != REQUIRED_OPTIONS:
        reader.add(options_node or node, f"options must be exactly {'/'.join(REQUIRED_OPTIONS)}, in that order")
    groups: list[tuple[str, float]] = []
    groups_node = reader.field(node, "groups")
    for raw, item_node in zip(data.get("groups") or [], getattr(groups_node, "value", []), strict=False):
        if not isinstance(raw, dict) or not isinstance(raw.get("label"), str) or not _positive(raw.get("weight", 1)):
            reader.add(item_node, "a group needs a 'label' and a positive 'weight'")
            continue
        groups.append((raw["label"], float(raw.get("weight", 1))))
    if not groups:
        reader.add(groups_node or node, "at least one respondent group is needed")
    counties = data.get("counties")
    if not isinstance(counties, list) or not counties or not all(isinstance(c, str) and c for c in counties):
        reader.add(reader.field(node, "counties") or node, "'counties' must be a non-empty list of names")
        counties = []
    dimensions: list[Dimension] = []
    seen: set[str] = set()
    dims_node = reader.field(node, "dimensions")
    for raw, dim_node in zip(data.get("dimensions") or [], getattr(dims_node, "value", []), strict=False):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not _positive(raw.get("weight", 1)):
            reader.add(dim_node, "a dimension needs a 'name', a positive 'weight' and 'items'")
            continue
        items: list[Item] = []
        items_node = reader.field(dim_node, "items")
        for item, item_node in zip(raw.get("items") or [], getattr(items_node, "value", []), strict=False):
            well_formed = (isinstance(item, dict) and isinstance(item.get("id"), str)
                           and isinstance(item.get("text"), str))
            if not well_formed:
                reader.add(item_node, "an item needs an 'id' and a 'text'")
            elif item["id"] in seen:
                reader.add(item_node, f"item id {item['id']!r} is used twice")
            else:
                seen.add(item["id"])
                items.append(Item(item["id"], item["text"].strip(), raw["name"]))
        if not items:
            reader.add(dim_node, f"dimension {raw['name']!r} has no items")
        dimensions.append(Dimension(raw["name"], float(raw.get("weight", 1)), tuple(items)))
    if not dimensions:
        reader.add(dims_node or node, "at least one dimension is needed")
    if reader.problems:
        raise DataFileError(reader.problems)
    return SurveyDefinition(
        version=str(data["version"]), title=data["title"], consent=" ".join(data["consent"].split()),
        target=float(data["target"]), baseline=float(data["baseline"]), options=tuple(options),
        groups=tuple(groups), counties=tuple(counties), dimensions=tuple(dimensions),
    )
