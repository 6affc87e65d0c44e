"""The data files' models checked (the pydantic half of the one data-file loader, bot/core/datafile.py): the
shared field types and model settings, and `validate`, which reports each problem as "field: message" at the
line of the YAML node the error's location leads to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BeforeValidator, ConfigDict, Strict, StringConstraints, TypeAdapter, ValidationError

from bot.core.datafile import Collector, line_at

T = TypeVar("T")


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    return value


# Every model of a data file: unknown fields are mistakes; numbers where text is expected (a hotline such as
# 12315, a version 2026.1) are taken as text. Text: non-empty, stripped. Date: YAML's own, or text 2026-11-25.
CONFIG = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Date = Annotated[dt.date, BeforeValidator(_as_date), Strict()]

_SAID = {
    "missing": "missing",
    "extra_forbidden": "unknown field (check its spelling)",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "list_type": "must be a list",
    "dict_type": "must be a mapping (name: value)",
    "model_type": "must be a mapping (name: value)",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "date_type": "must be a date like 2026-11-25",
}


def _say(error: Any) -> str:
    """A pydantic error as a person editing the file reads it."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if error.get("input", "") is None and kind.endswith("_type"):
        return "must not be empty"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
        said = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
                "less_than_equal": "at most"}[kind]
        return f"must be {said} {bound}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    return _SAID.get(kind, str(error["msg"]))




def validate(schema: TypeAdapter[T], data: Any, node: yaml.Node | None, path: Path, out: Collector,
             context: str = "") -> T | None:
    """Parsed YAML data checked against a model (a TypeAdapter built once); None, with a problem at the
    node's line for each error (`context` leads each message, e.g. "entry 'x': "), when it does not fit."""
    try:
        return schema.validate_python(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_context=True):
            line = line_at(node, *error["loc"])
            name = next((step for step in reversed(error["loc"]) if isinstance(step, str)), "")
            out.add(path, line, f"{context}{name}: {_say(error)}" if name else f"{context}{_say(error)}", name)
        return None
