"""Which knowledge-base entries carry plan figures, read from the plan files without validating them.

`ipbot ask` answers and exits: validating every plan file (pydantic) only to learn that an answer carries no
figure would cost it more than the answer itself. This scan reads the entry ids alone. A file it cannot make sense
of gives None ("cannot tell"); the caller then loads the plans properly (plan.current_plans), which reports the
error with its file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

PLAN_DIR = Path(__file__).parent / "data"
PLAN_GLOB = "plan-*.yaml"


def _ids(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def entries_with_figures(directory: Path = PLAN_DIR) -> frozenset[str] | None:
    """Every entry id a plan file names (per indicator or for the whole plan), or None when a file is unreadable
    or not shaped as a plan."""
    found: set[str] = set()
    for path in sorted(directory.glob(PLAN_GLOB)):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
            return None
        lists = [data.get("whole_plan_entries")]
        lists += [i.get("entries") if isinstance(i, dict) else 0 for i in data["indicators"]]
        for value in lists:
            ids = _ids(value)
            if ids is None:
                return None
            found.update(ids)
    return frozenset(found)
