"""`ipbot ask`: answers as JSON (one object, or one per input line) or as plain text.

It searches the knowledge base only; it does not touch the database (scripts and evaluations use it,
and their questions are not users' questions).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, TextIO

from handlers.decline import decline_text
from handlers.texts import ask as text
from knowledge.engine import Result, SearchEngine
from knowledge.normalize import strip_control


def as_json(question: str, result: Result) -> dict[str, Any]:
    best = result.best if result.confident else None
    first = result.best
    return {
        "question": question,
        "topic": best.entry.topic if best else None,
        "entry_id": best.entry.id if best else None,
        "title": best.entry.question if best else None,
        "answer": best.entry.answer if best else decline_text(result, question),
        "sources": list(best.entry.sources) if best else [],
        "score": first.score if first else 0.0,
        "coverage": first.coverage if first else 0.0,
        "confident": result.confident,
        "reason": result.reason,
        "referral": result.referral,
        "alternatives": [
            {"entry_id": h.entry.id, "topic": h.entry.topic, "title": h.entry.question, "score": h.score}
            for h in (result.hits[1:] if best else result.hits)
        ],
    }


def answer(engine: SearchEngine, question: str) -> dict[str, Any]:
    clean = strip_control(question)
    return as_json(question, engine.search(clean))


def read_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of standard input; bytes that are not UTF-8 become U+FFFD instead of failing."""
    for raw in stream:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def run_batch(engine: SearchEngine, lines: Iterable[str], out: TextIO) -> int:
    count = 0
    for line in lines:
        out.write(json.dumps(answer(engine, line), ensure_ascii=False) + "\n")
        out.flush()
        count += 1
    return count


def print_plain(payload: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if payload["confident"]:
        out.write(f"{payload['title']}\n\n{payload['answer']}\n\n")
        out.write(text.SOURCES.format(sources="；".join(payload["sources"])) + "\n")
        return
    out.write(payload["answer"] + "\n")
    for alt in payload["alternatives"]:
        out.write(f"  · {alt['title']}\n")
