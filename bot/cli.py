"""The `ipbot` command line (a stable contract: see DESIGN.md).

Imports are deferred to each command, so `ipbot ask` starts without loading the database layer.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.service import KnowledgeService


def _knowledge_dir() -> Path | None:
    # Read directly (not through Settings) to keep `ipbot ask` start-up light; same variable.
    value = os.environ.get("IPBOT_KNOWLEDGE_DIR")
    return Path(value) if value else None


def _knowledge() -> KnowledgeService:
    from knowledge.errors import DataFileError
    from knowledge.service import KnowledgeService

    try:
        return KnowledgeService(_knowledge_dir())
    except DataFileError as exc:
        sys.stderr.write("知识库有错误，无法启动 / the knowledge base does not load:\n")
        for problem in exc.problems:
            sys.stderr.write(f"  {problem}\n")
        raise SystemExit(2) from exc


def cmd_ask(args: argparse.Namespace) -> int:
    from bot import ask_command

    engine = _knowledge().engine
    if args.question is not None:
        payload = ask_command.answer(engine, args.question)
        if args.json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            ask_command.print_plain(payload)
        return 0
    lines = ask_command.read_lines(sys.stdin.buffer)
    if args.json:
        ask_command.run_batch(engine, lines, sys.stdout)
    else:
        for line in lines:
            ask_command.print_plain(ask_command.answer(engine, line))
            sys.stdout.write("\n")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.app import build_router
    from bot.channels.console import ConsoleChannel
    from bot.settings import Settings

    router = build_router(Settings(), _knowledge())
    ConsoleChannel(router.handle, sys.stdin, sys.stdout, user_id=args.user,
                   interactive=sys.stdin.isatty()).run()
    return 0


def cmd_run(_args: argparse.Namespace) -> int:
    import asyncio

    from bot.app import build_app, serve_until_stopped
    from bot.settings import Settings

    settings = Settings()
    if settings.wecom_missing:
        sys.stderr.write(f"WeCom is partly configured; also set: {', '.join(settings.wecom_missing)}\n")
        return 2
    if not settings.telegram_token and not settings.wecom_configured:
        sys.stderr.write("没有配置任何渠道 / no channel is configured: set IPBOT_TELEGRAM_TOKEN, or "
                         "IPBOT_WECOM_CORP_ID, _AGENT_ID, _SECRET, _TOKEN and _AES_KEY. "
                         "To try the bot without a token: ipbot chat\n")
        return 2
    try:
        app = build_app(settings, _knowledge())
    except ValueError as exc:  # e.g. an EncodingAESKey that is not 43 characters
        sys.stderr.write(f"cannot start: {exc}\n")
        return 2
    logging.getLogger("bot").setLevel(logging.INFO)
    sys.stderr.write(f"starting {app.describe()}, with reminders and the outbox; Ctrl-C stops it.\n")
    asyncio.run(serve_until_stopped(app))
    return 0


def _survey_setup() -> tuple[Any, Any]:
    from bot.db import open_database
    from bot.settings import Settings
    from handlers import survey_definition
    from knowledge.errors import DataFileError

    settings = Settings()
    try:
        definition = survey_definition.load(Path(settings.survey_file) if settings.survey_file
                                            else survey_definition.DEFINITION)
    except DataFileError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        raise SystemExit(2) from exc
    _engine, sessions = open_database(settings.database_url)
    return definition, sessions


def _survey_report(session: Any, definition: Any, args: argparse.Namespace) -> int:
    from handlers import survey, survey_export

    report = survey.wave_report(session, definition, args.wave)
    wave = survey.find_wave(session, report.wave) if report else None
    if report is None or wave is None:
        sys.stderr.write("没有调查 / no survey wave yet: ipbot survey open NAME\n")
        return 1
    if args.format in ("csv", "xlsx", "png"):
        if args.format == "csv":
            data = survey_export.to_csv(session, definition, wave)
        elif args.format == "xlsx":
            data = survey_export.to_xlsx(session, definition, wave, report)
        else:
            data = survey_export.to_png(session, definition, report)
        if args.output:
            Path(args.output).write_bytes(data)
            sys.stderr.write(f"{args.output}: {len(data)} bytes\n")
        elif sys.stdout.isatty():
            sys.stderr.write("binary output: use --output FILE or redirect standard output\n")
            return 2
        else:
            sys.stdout.buffer.write(data)
        return 0
    if args.json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(survey_export.summary(report) + "\n")
    return 0


def cmd_survey(args: argparse.Namespace) -> int:
    from bot.clock import system_clock
    from handlers import survey

    definition, sessions = _survey_setup()
    with sessions.begin() as session:
        if args.survey_command == "open":
            replies = survey.staff_open(session, args.name, system_clock())
        elif args.survey_command == "close":
            replies = survey.staff_close(session, system_clock())
        else:
            return _survey_report(session, definition, args)
    for reply in replies:
        sys.stdout.write(reply.text + "\n")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from bot.clock import system_clock
    from bot.db import open_database
    from bot.models import Reminder
    from bot.settings import Settings
    from scheduler import reminders

    settings = Settings()
    zone = ZoneInfo(settings.timezone)
    try:
        if args.remind_command == "add":
            try:
                at = dt.datetime.strptime(args.at.strip(), "%Y-%m-%d %H:%M:%S" if args.at.count(":") == 2
                                          else "%Y-%m-%d %H:%M").replace(tzinfo=zone)
            except ValueError as exc:
                raise reminders.ReminderError(f'--at wants "YYYY-MM-DD HH:MM[:SS]" (got {args.at!r})') from exc
            if args.to.startswith("@"):
                try:
                    lines = Path(args.to[1:]).read_text(encoding="utf-8").splitlines()
                except OSError as exc:
                    raise reminders.ReminderError(f"cannot read recipients file {args.to[1:]}: {exc}") from exc
            else:
                lines = args.to.split(",")
            recipients = reminders.parse_recipients(lines)
            every = reminders.parse_every(args.every)
            _engine, sessions = open_database(settings.database_url)
            with sessions.begin() as session:
                row = reminders.add(session, args.text, recipients, at, every, needs_ack=args.ack, now=system_clock())
                sys.stdout.write(f"reminder {row.id}: {at:%Y-%m-%d %H:%M:%S} ({settings.timezone}), "
                                 f"{len(recipients)} recipient(s)\n")
            return 0
    except reminders.ReminderError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    _engine, sessions = open_database(settings.database_url)
    if args.remind_command == "calendar":
        from knowledge.errors import DataFileError
        from scheduler import calendar

        try:
            events = calendar.load()
        except DataFileError as exc:
            for problem in exc.problems:
                sys.stderr.write(f"{problem}\n")
            return 2
        with sessions.begin() as session:
            created = calendar.sync(session, events, zone, system_clock())
        sys.stdout.write(f"{len(events)} calendar events; {created} reminder(s) scheduled\n")
        return 0
    with sessions.begin() as session:
        if args.remind_command == "cancel":
            found = session.get(Reminder, args.id)
            if found is None or not found.active:
                sys.stderr.write(f"no active reminder {args.id}\n")
                return 1
            found.active = False
            sys.stdout.write(f"reminder {args.id} cancelled\n")
            return 0
        rows = session.scalars(select(Reminder).where(Reminder.active.is_(True)).order_by(Reminder.next_fire_at))
        listed: list[dict[str, Any]] = [{"id": r.id, "text": r.text, "to": r.recipients,
                                         "every_seconds": r.every_seconds, "ack": r.needs_ack,
                   "next": r.next_fire_at.astimezone(zone).isoformat()} for r in rows]
    if args.json:
        sys.stdout.write(json.dumps(listed, ensure_ascii=False) + "\n")
    else:
        for item in listed:
            sys.stdout.write(f"{item['id']}\t{item['next']}\t{','.join(item['to'])}\t{item['text']}\n")
    return 0


def cmd_outbox_status(args: argparse.Namespace) -> int:
    from bot.db import open_database
    from bot.settings import Settings
    from scheduler.outbox import status_counts

    _engine, sessions = open_database(Settings().database_url)
    with sessions() as session:
        counts = status_counts(session)
    if args.json:
        sys.stdout.write(json.dumps(counts) + "\n")
    else:
        sys.stdout.write("  ".join(f"{name} {count}" for name, count in counts.items()) + "\n")
    return 0


def cmd_kb_eval(args: argparse.Namespace) -> int:
    from knowledge.errors import DataFileError
    from knowledge.evaluate import evaluate, load_questions

    engine = _knowledge().engine
    try:
        rows = load_questions(args.file, engine.kb.topics)
    except DataFileError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        return 2
    scores = evaluate(engine, rows)
    if args.misses:
        for question, wanted, result in scores.failures:
            got = f"{result.best.entry.topic} ({result.best.entry.id})" if result.best and result.confident \
                else f"declined ({result.reason})"
            sys.stdout.write(f"{question}\twanted {wanted or 'declined'}\tgot {got}\n")
    sys.stdout.write(scores.summary() + "\n")
    return 0


def cmd_kb_check(args: argparse.Namespace) -> int:
    from knowledge import loader

    data_dir = args.dir or _knowledge_dir() or loader.DATA_DIR
    kb, problems = loader.collect(data_dir)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stdout.write(f"{len(problems)} problem(s) found.\n")
        return 1
    sys.stdout.write(f"OK: {len(kb.entries)} entries covering {len({e.topic for e in kb.entries})} of "
                     f"{len(kb.topics)} topics, {len(kb.lexicon.synonyms)} synonyms.\n")
    return 0


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    from bot import db
    from bot.settings import Settings

    url = Settings().database_url
    engine = db.make_engine(url)
    db.upgrade(engine)
    sys.stdout.write(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}\n")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ipbot", description="博州知识产权服务助手 / IP services bot")
    sub = top.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--user", default="local", help="user id for this console session")
    chat.set_defaults(func=cmd_chat)

    ask = sub.add_parser("ask", help="answer one question, or one per line from standard input")
    ask.add_argument("question", nargs="?", help="the question; omit to read standard input")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.set_defaults(func=cmd_ask)

    run = sub.add_parser("run", help="start every configured channel (Telegram now)")
    run.set_defaults(func=cmd_run)

    surveys = sub.add_parser("survey", help="satisfaction survey waves and reports")
    survey_sub = surveys.add_subparsers(dest="survey_command", required=True)
    opening = survey_sub.add_parser("open", help="open a new wave")
    opening.add_argument("name")
    survey_sub.add_parser("close", help="close the open wave")
    reporting = survey_sub.add_parser("report", help="the index against the target")
    reporting.add_argument("--json", action="store_true")
    reporting.add_argument("--wave", default=None, help="wave name (default: the open or latest one)")
    reporting.add_argument("--format", choices=("text", "csv", "xlsx", "png"), default="text")
    reporting.add_argument("--output", "-o", default=None, help="file to write csv/xlsx/png to")
    surveys.set_defaults(func=cmd_survey)

    remind = sub.add_parser("remind", help="scheduled reminders")
    remind_sub = remind.add_subparsers(dest="remind_command", required=True)
    adding = remind_sub.add_parser("add", help="schedule a reminder")
    adding.add_argument("--at", required=True, help='"YYYY-MM-DD HH:MM[:SS]" in IPBOT_TIMEZONE')
    adding.add_argument("--to", required=True, help="channel:id[,channel:id…] or @FILE with one a line")
    adding.add_argument("--every", default=None, help="repeat: 30m, 12h, 1d, 1w")
    adding.add_argument("--ack", action="store_true",
                        help="add an 已办 button; escalate when nobody presses it (staff reminders)")
    adding.add_argument("text")
    listing = remind_sub.add_parser("list", help="active reminders")
    listing.add_argument("--json", action="store_true")
    remind_sub.add_parser("calendar", help="schedule the staff calendar's reminders now")
    cancelling = remind_sub.add_parser("cancel", help="cancel a reminder")
    cancelling.add_argument("id", type=int)
    remind.set_defaults(func=cmd_remind)

    outbox = sub.add_parser("outbox", help="the delivery outbox")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_status = outbox_sub.add_parser("status", help="pending, sent, failed and dead counts")
    outbox_status.add_argument("--json", action="store_true")
    outbox_status.set_defaults(func=cmd_outbox_status)

    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate the knowledge base; non-zero exit on any error")
    check.add_argument("--dir", type=Path, default=None, help="knowledge-base folder to check")
    check.set_defaults(func=cmd_kb_check)
    evaluate = kb_sub.add_parser("eval", help="score answering on a labelled file (JSON lines: q, topic or null)")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--misses", action="store_true", help="list every question not answered as labelled")
    evaluate.set_defaults(func=cmd_kb_eval)

    database = sub.add_parser("db", help="database tools")
    db_sub = database.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply database migrations")
    up.set_defaults(func=cmd_db_upgrade)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from pydantic import ValidationError  # imported only now: `ipbot ask` starts without pydantic

        if not isinstance(exc, ValidationError):
            raise
        from bot.settings import describe

        print(f"设置有误 / a setting is wrong:\n{describe(exc)}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
