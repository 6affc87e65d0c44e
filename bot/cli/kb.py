"""`ipbot kb check|eval|learned|export`: knowledge-base tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import common


def register(sub: Any) -> None:
    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate the knowledge base; non-zero exit on any error")
    check.add_argument("--dir", type=Path, default=None, help="knowledge-base folder to check")
    check.set_defaults(func=cmd_check)
    exporting = kb_sub.add_parser("export", help="write the knowledge base as it stands (files, console edits, "
                                                 "taught phrasings) into DIR")
    exporting.add_argument("dir", metavar="DIR")
    exporting.set_defaults(func=cmd_export)
    taught = kb_sub.add_parser("learned", help="phrasings staff taught (who, when, to which entry)")
    taught.add_argument("--json", action="store_true", help="one JSON list")
    taught.add_argument("--export", metavar="DIR",
                        help="write the knowledge base with the taught phrasings into DIR, to review and commit")
    taught.set_defaults(func=cmd_learned)
    evaluate = kb_sub.add_parser("eval", help="score answering on a labelled file (JSON lines: q, topic or null)")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--misses", action="store_true", help="list every question not answered as labelled")
    evaluate.set_defaults(func=cmd_eval)


def cmd_check(args: argparse.Namespace) -> int:
    from knowledge import learned, loader

    data_dir = args.dir or common.knowledge_dir() or loader.DATA_DIR
    kb, problems = loader.collect(data_dir)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stdout.write(f"{len(problems)} problem(s) found.\n")
        return 1
    sys.stdout.write(f"OK: {len(kb.entries)} entries covering {len({e.topic for e in kb.entries})} of "
                     f"{len(kb.topics)} topics, {len(kb.lexicon.synonyms)} synonyms.\n")
    missing = learned.available()
    sys.stdout.write("Learned signal: on (a topic classifier over the phrasings, fused with the keywords).\n"
                     if missing is None else
                     f"Learned signal: OFF, {missing}: answering with the keyword signal alone.\n")
    return 0


def _overlay_source() -> Any:
    """What staff taught and edited, from the bot's database — none when there is no database yet (a fresh
    machine: the files alone, and no database is created)."""
    from sqlalchemy.engine import make_url

    url = common.settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).exists()):
        return None
    return common.learned_source(common.open_database(url))


def cmd_eval(args: argparse.Namespace) -> int:
    from knowledge.evaluate import by_style, evaluate, load_styled

    engine = common.knowledge(_overlay_source()).engine
    styled = load_styled(args.file, engine.kb.topics)
    scores = evaluate(engine, [(question, topic) for question, topic, _style in styled])
    if args.misses:
        for question, wanted, result in scores.failures:
            got = f"{result.best.entry.topic} ({result.best.entry.id})" if result.best and result.confident \
                else f"declined ({result.reason})"
            sys.stdout.write(f"{question}\twanted {wanted or 'declined'}\tgot {got}\n")
    sys.stdout.write(scores.summary() + "\n")
    for style, part in by_style(engine, styled).items():  # when the lines say how each question is written
        sys.stdout.write(f"  {style}: {part.summary()}\n")
    return 0


def cmd_learned(args: argparse.Namespace) -> int:
    from handlers.taught_phrasings import learned
    from knowledge.export import export

    sessions = common.open_database()
    with sessions() as session:
        rows = learned(session)
    if args.export:
        knowledge = common.knowledge()
        out = Path(args.export)
        taught = common.learned_source(sessions).load(knowledge.files)
        changed = export(knowledge.files, knowledge.data_dir, out, taught)
        sys.stdout.write(f"knowledge base written to {out} with {len(rows)} taught phrasing(s); changed:\n")
        for path in changed:
            sys.stdout.write(f"  {path.relative_to(out)}\n")
        return 0
    if args.json:
        sys.stdout.write(json.dumps([r.to_json() for r in rows], ensure_ascii=False) + "\n")
        return 0
    if not rows:
        sys.stdout.write("还没有教过的问法 / nothing taught yet\n")
    for r in rows:
        target = r.entry_id or "不属于知识产权"
        sys.stdout.write(f"{r.id}\t{r.taught_at:%Y-%m-%d %H:%M}\t{r.taught_by}\t{target}\t{r.text}\n")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from knowledge.export import export
    from knowledge.overlay import Overlay

    knowledge = common.knowledge()
    source = _overlay_source()
    overlay = source.load(knowledge.files) if source is not None else Overlay()
    out = Path(args.dir)
    changed = export(knowledge.files, knowledge.data_dir, out, overlay)
    sys.stdout.write(f"knowledge base written to {out}: {len(overlay.entries)} edited entr(y/ies), "
                     f"{len(overlay.taught)} taught and {len(overlay.declined)} declined phrasing(s)\n")
    for path in changed:
        sys.stdout.write(f"  changed {path.relative_to(out)}\n")
    return 0
