"""The one loader for the project's data files (knowledge base, survey, plans, calendar): YAML parsed once with
its node tree, so that every problem names the file and line it comes from; loading collects every problem
before failing. Each file kind is described by pydantic models next to its feature, checked by
bot/core/datafile_models.py (`validate`); this module needs no pydantic, so a command that only reads a
problem (or an engine kept in knowledge/cache.py) does not load it."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path
from typing import Any

import yaml

try:  # the C parser is much faster; fall back where libyaml is missing
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

__all__ = ["Collector", "DataFileError", "Loader", "Problem", "compose", "line_at", "line_of", "node_at", "read_yaml"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file."""

    path: Path
    line: int  # 1-based; 0 when the problem concerns the whole file
    message: str
    field: str = _field(default="", compare=False)  # the field it concerns ('' for the whole file or item)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class DataFileError(Exception):
    """A data file does not load; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path, line: int, message: str, field: str = "") -> None:
        self.problems.append(Problem(path, line, message, field))


def compose(path: Path, out: Collector) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file, returning its data and node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.add(path, 0, f"cannot read file: {exc}")
        return None, None
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        out.add(path, line, f"YAML syntax error: {exc.problem}")
        return None, None
    except yaml.YAMLError as exc:
        out.add(path, 0, f"YAML error: {exc}")
        return None, None
    finally:
        loader.dispose()
    return data, node


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """A YAML file's data and node tree (for line numbers), parsed once; DataFileError if unreadable."""
    out = Collector()
    data, node = compose(path, out)
    if out.problems:
        raise DataFileError(out.problems)
    return data, node


def line_of(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 0


def _step(node: yaml.Node | None, step: int | str) -> tuple[yaml.Node | None, yaml.Node | None]:
    """One step down a node tree: (the node whose line to report, the node to go on from)."""
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step], node.value[step]
    if isinstance(node, yaml.MappingNode):  # a field's line is its name's; a name given twice: the last (as loaded)
        return next(((k, v) for k, v in reversed(node.value) if k.value == str(step)), (None, None))
    return None, None


def node_at(node: yaml.Node | None, *loc: int | str) -> yaml.Node | None:
    """The node a path of keys and list indexes leads to; None when it leads nowhere."""
    for step in loc:
        node = _step(node, step)[1]
    return node


def line_at(node: yaml.Node | None, *loc: int | str) -> int:
    """The line a path of keys and list indexes leads to, as far as it leads (a missing field: the line of the
    mapping that lacks it)."""
    line = line_of(node)
    for step in loc:
        at, node = _step(node, step)
        if at is None:
            break
        line = line_of(at)
    return line
