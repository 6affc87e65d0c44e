"""Score the engine on a labelled question set (JSON lines: {"q": ..., "topic": id or null})."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from knowledge.engine import Result, SearchEngine
from knowledge.errors import DataFileError, Problem


@dataclass(frozen=True)
class Scores:
    in_scope: int
    out_of_scope: int
    top1: float  # in-scope answered confidently with the right topic
    declined_out_of_scope: float  # out-of-scope not answered confidently
    declined_in_scope: float  # in-scope not answered confidently (wrongly declined)
    failures: list[tuple[str, str | None, Result]]

    def summary(self) -> str:
        return (f"in-scope {self.in_scope}, out-of-scope {self.out_of_scope}: "
                f"top-1 {self.top1:.1%}, out-of-scope declined {self.declined_out_of_scope:.1%}, "
                f"in-scope declined {self.declined_in_scope:.1%} (targets ≥95% / ≥95% / ≤3%)")


def load_questions(path: Path, topics: Collection[str] | None = None) -> list[tuple[str, str | None]]:
    """The labelled questions of a JSON-lines file; every bad line is reported with its number (DataFileError),
    and with `topics` a label that is not one of them too."""
    return [(question, topic) for question, topic, _style in load_styled(path, topics)]


def load_styled(path: Path, topics: Collection[str] | None = None) -> list[tuple[str, str | None, str | None]]:
    """load_questions, with each line's `style` (how the question is written: "voice", "l2", …) or None."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError([Problem(path, 0, f"cannot read file: {exc}")]) from exc
    rows: list[tuple[str, str | None, str | None]] = []
    problems = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(path, number, f"not JSON: {exc.msg}"))
            continue
        if not isinstance(row, dict) or not isinstance(row.get("q"), str) or not row["q"].strip():
            problems.append(Problem(path, number, 'expected {"q": "question", "topic": "topic-id" or null}'))
            continue
        topic = row.get("topic")
        if topic is not None and (not isinstance(topic, str) or (topics is not None and topic not in topics)):
            problems.append(Problem(path, number, f"unknown topic {topic!r}"))
            continue
        style = row.get("style")
        rows.append((row["q"], topic, style if isinstance(style, str) and style.strip() else None))
    if problems:
        raise DataFileError(problems)
    return rows


def evaluate(engine: SearchEngine, rows: list[tuple[str, str | None]]) -> Scores:
    ins = outs = right = declined_out = declined_in = 0
    failures = []
    for question, topic in rows:
        result = engine.search(question)
        got = result.best.entry.topic if result.best and result.confident else None
        if topic:
            ins += 1
            right += got == topic
            declined_in += not result.confident
        else:
            outs += 1
            declined_out += not result.confident
        if got != topic:
            failures.append((question, topic, result))
    return Scores(ins, outs, right / max(ins, 1), declined_out / max(outs, 1), declined_in / max(ins, 1),
                  failures)


def by_style(engine: SearchEngine, rows: list[tuple[str, str | None, str | None]]) -> dict[str, Scores]:
    """The scores of each style's questions (lines without a style are left out), styles in name order."""
    styles = sorted({style for _q, _t, style in rows if style})
    return {style: evaluate(engine, [(q, t) for q, t, s in rows if s == style]) for style in styles}
