"""Score answering on labelled question sets: python scripts/evaluate.py [PATH ...] [-v].

A PATH is a JSON-lines file ({"q": ..., "topic": id or null} a line) or a folder of them (its set-*.jsonl);
with none, the project's own sets (scripts/holdout/). Prints the figures of each file and, for several, of
all together; -v also lists every miss.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.core.datafile import DataFileError
from knowledge import loader
from knowledge.engine import SearchEngine
from knowledge.evaluate import Scores, evaluate, load_questions

HOLDOUT = Path(__file__).resolve().parent / "holdout"


def question_files(paths: list[Path]) -> list[Path]:
    """The files to score; SystemExit with a message for a path that is not there or holds no set."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("set-*.jsonl")) or sorted(path.glob("*.jsonl"))
            if not found:
                raise SystemExit(f"no question set (*.jsonl) in {path}")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise SystemExit(f"no such file: {path} (a JSON-lines question set, or a folder of them; "
                             f"with no path, the project's own sets in {HOLDOUT} are scored)")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=f"default: {HOLDOUT}")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    files = question_files(args.paths or [HOLDOUT])
    try:
        sets = {path: load_questions(path) for path in files}
    except DataFileError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    engine = SearchEngine(loader.load())
    for path, questions in sets.items():
        scores = evaluate(engine, questions)
        _print(path.name, scores, args.verbose)
    if len(sets) > 1:
        print(f"all {len(sets)} sets: {evaluate(engine, [q for qs in sets.values() for q in qs]).summary()}")
    return 0


def _print(name: str, scores: Scores, verbose: bool) -> None:
    if verbose:
        for question, topic, result in scores.failures:
            hits = ", ".join(f"{h.entry.topic}:{h.score:.1f}/{h.coverage:.2f}" for h in result.hits[:3])
            print(f"  {question!r} want={topic} reason={result.reason} terms={result.terms} hits=[{hits}]")
    print(f"{name}: {scores.summary()}")


if __name__ == "__main__":
    sys.exit(main())
