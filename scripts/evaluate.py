"""Print dev-set figures: python scripts/evaluate.py [PATH] [-v]."""

from __future__ import annotations

import argparse
from pathlib import Path

from knowledge import loader
from knowledge.engine import SearchEngine
from knowledge.evaluate import evaluate, load_questions

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev-questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    engine = SearchEngine(loader.load())
    scores = evaluate(engine, load_questions(args.path))
    if args.verbose:
        for question, topic, result in scores.failures:
            hits = ", ".join(f"{h.entry.topic}:{h.score:.1f}/{h.coverage:.2f}" for h in result.hits[:3])
            print(f"{question!r} want={topic} reason={result.reason} terms={result.terms} hits=[{hits}]")
    print(scores.summary())


if __name__ == "__main__":
    main()
