"""`ipbot ask`: answers as JSON (one object, or one per input line) or as plain text.

It searches the knowledge base (with what staff taught, when the bot's database has it) and writes nothing:
scripts and evaluations use it, and their questions are not users' questions.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from handlers.decline import decline_text
from handlers.indicators.entry_map import entries_with_figures
from handlers.texts import ask as text
from knowledge import office
from knowledge.engine import Result, SearchEngine
from knowledge.normalize import strip_control

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


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


Figures = Callable[[str], str]  # entry id → the recorded plan figures its answer carries ("" for none)


def answer(engine: SearchEngine, question: str, figures: Figures | None = None) -> dict[str, Any]:
    clean = strip_control(question)
    payload = as_json(question, engine.search(clean))
    if payload["confident"]:  # the bureau's contact details, from office.yaml as it stands now
        payload["answer"] = office.render(payload["answer"], office.for_kb(engine.kb))
    if figures is not None and payload["confident"] and (extra := figures(payload["entry_id"])):
        payload["answer"] = f"{payload['answer']}\n\n{extra}"
    return payload


def database_figures(sessions: Callable[[], sessionmaker[Session] | None]) -> Figures:
    """The plan figures staff recorded, read from the database as the bot answers with them. `sessions` is
    called on first need (most answers are about no indicator) and gives None when there is no database to read:
    then no figure is recorded yet."""

    named = entries_with_figures()  # the entries the plan files name (None: a file the scan cannot read)

    def figures(entry_id: str) -> str:
        if named is not None and entry_id not in named:
            return ""  # most answers: no plan names this entry (known without validating the plans)
        from handlers.indicators.plan import current_plans

        if not current_plans().entry_indicators(entry_id):
            return ""
        from handlers.indicators.chat import figures_for_entry

        factory = sessions()
        if factory is None:
            return figures_for_entry(None, entry_id)
        with factory() as session:
            return figures_for_entry(session, entry_id)

    return figures


def read_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of standard input; bytes that are not UTF-8 become U+FFFD instead of failing."""
    for raw in stream:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def run_batch(engine: SearchEngine, lines: Iterable[str], out: TextIO, figures: Figures | None = None) -> int:
    count = 0
    for line in lines:
        out.write(json.dumps(answer(engine, line, figures), ensure_ascii=False) + "\n")
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
