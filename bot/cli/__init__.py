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


def _overlay_source() -> Any:
    """What staff taught, from the bot's database — none when there is no database yet (a fresh machine:
    `ipbot ask` then answers from the files without creating one)."""
    from sqlalchemy.engine import make_url

    url = os.environ.get("IPBOT_DATABASE_URL") or _settings_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and (not parsed.database or not Path(parsed.database).exists()):
        return None
    from bot.core.db import open_database
    from handlers.teaching import LearnedSource

    _engine, sessions = open_database(url)
    return LearnedSource(sessions)


def _settings_database_url() -> str:
    from bot.settings import Settings

    return Settings().database_url


def _knowledge(overlay: bool = True) -> KnowledgeService:
    from bot.core.datafile import DataFileError
    from knowledge.service import KnowledgeService

    try:
        return KnowledgeService(_knowledge_dir(), overlay=_overlay_source() if overlay else None)
    except DataFileError as exc:
        sys.stderr.write("知识库有错误，无法启动 / the knowledge base does not load:\n")
        for problem in exc.problems:
            sys.stderr.write(f"  {problem}\n")
        raise SystemExit(2) from exc


def _database_url() -> str:
    from bot.settings import Settings

    return Settings().database_url


def cmd_ask(args: argparse.Namespace) -> int:
    from bot import ask_command

    engine = _knowledge().engine
    # the plan's recorded figures, as the bot answers with them (read only when an answer is about one)
    figures = ask_command.database_figures(_database_url)
    if args.question is not None:
        payload = ask_command.answer(engine, args.question, figures)
        if args.json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            ask_command.print_plain(payload)
        return 0
    lines = ask_command.read_lines(sys.stdin.buffer)
    if args.json:
        ask_command.run_batch(engine, lines, sys.stdout, figures)
    else:
        for line in lines:
            ask_command.print_plain(ask_command.answer(engine, line, figures))
            sys.stdout.write("\n")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.app import build_router
    from bot.channels.terminal import TerminalChannel
    from bot.settings import Settings

    router = build_router(Settings(), _knowledge(overlay=False), learn=True)
    TerminalChannel(router.handle, sys.stdin, sys.stdout, user_id=args.user,
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
    console_only = not settings.telegram_token and not settings.wecom_configured
    try:
        app = build_app(settings, _knowledge(overlay=False), learn=True)
    except ValueError as exc:  # e.g. an EncodingAESKey that is not 43 characters
        sys.stderr.write(f"cannot start: {exc}\n")
        return 2
    logging.getLogger("bot").setLevel(logging.INFO)
    if console_only:
        from bot.console.app import url

        said = (f"没有配置任何渠道，只启动网页工作台 / no channel is configured: serving the staff console only, at "
                f"{url(settings)} (channels: set IPBOT_TELEGRAM_TOKEN, or IPBOT_WECOM_CORP_ID, _AGENT_ID, _SECRET, "
                f"_TOKEN and _AES_KEY; first admin: ipbot staff add NAME --role admin; the bot in a terminal: "
                f"ipbot chat)")
        sys.stdout.write(said + "\n")
        sys.stdout.flush()
        logging.getLogger("bot.console").info("%s", said)
    sys.stderr.write(f"starting {app.describe()}, with reminders and the outbox; Ctrl-C stops it.\n")
    from bot.http_server import ListenError

    try:
        asyncio.run(serve_until_stopped(app))
    except ListenError as exc:
        sys.stderr.write(f"cannot start: {exc}\n")
        return 2
    return 0


def _survey_setup() -> tuple[Any, Any]:
    from bot.core.datafile import DataFileError
    from bot.core.db import open_database
    from bot.settings import Settings
    from handlers.survey import definition as survey_definition

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
    from handlers.survey import conversation as survey
    from handlers.survey import export as survey_export
    from handlers.survey import insights as survey_insights

    report = survey.wave_report(session, definition, args.wave)
    wave = survey.find_wave(session, report.wave) if report else None
    if report is None or wave is None:
        sys.stderr.write("没有调查 / no survey wave yet: ipbot survey open NAME\n")
        return 1
    insights = survey_insights.wave_insights(session, definition, report.wave)
    if args.format == "drivers":
        if insights is None or not survey_insights.has_chart(insights):
            sys.stderr.write("关键驱动需要至少5份完成的答卷 / key drivers need 5 completed responses\n")
            return 1
        return _write_binary(survey_insights.to_png(insights), args.output)
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
        payload = {**report.as_json(), "insights": insights.as_json() if insights else None}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(survey_export.summary(report) + "\n")
        if insights is not None:
            sys.stdout.write(survey_insights.summary(insights) + "\n")
    return 0


def cmd_survey(args: argparse.Namespace) -> int:
    from bot.core.clock import system_clock
    from handlers.survey import conversation as survey

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

    from bot.core.clock import system_clock
    from bot.core.db import open_database
    from bot.core.models import Reminder
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
        from bot.core.datafile import DataFileError
        from scheduler import calendar

        try:
            events = calendar.load()
        except DataFileError as exc:
            for problem in exc.problems:
                sys.stderr.write(f"{problem}\n")
            return 2
        from handlers.indicators.calendar import reporting_events
        from handlers.indicators.plan import load_plans

        try:
            reporting = reporting_events(load_plans())
        except DataFileError as exc:
            for problem in exc.problems:
                sys.stderr.write(f"{problem}\n")
            return 2
        with sessions.begin() as session:
            created = calendar.sync(session, [*events, *reporting], zone, system_clock())
        sys.stdout.write(f"{len(events)} calendar events, {len(reporting)} indicator reporting dates; "
                         f"{created} reminder(s) scheduled\n")
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
    from bot.core.db import open_database
    from bot.core.outbox import status_counts
    from bot.settings import Settings

    _engine, sessions = open_database(Settings().database_url)
    with sessions() as session:
        counts = status_counts(session)
    if args.json:
        sys.stdout.write(json.dumps(counts) + "\n")
    else:
        sys.stdout.write("  ".join(f"{name} {count}" for name, count in counts.items()) + "\n")
    return 0


def _write_binary(data: bytes, output: str | None) -> int:
    if output:
        Path(output).write_bytes(data)
        sys.stderr.write(f"{output}: {len(data)} bytes\n")
    elif sys.stdout.isatty():
        sys.stderr.write("binary output: use --output FILE or redirect standard output\n")
        return 2
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from bot.core.clock import system_clock
    from bot.core.datafile import DataFileError
    from bot.core.db import open_database
    from bot.settings import Settings
    from handlers.indicators import chat as indicator_chat
    from handlers.indicators import export as indicator_export
    from handlers.indicators import plan
    from handlers.indicators import progress as indicators

    try:
        plans = plan.load_plans()
    except DataFileError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        return 2
    _engine, sessions = open_database(Settings().database_url)
    with sessions.begin() as session:
        if args.indicators_command == "set":
            try:
                status, recorded, before = indicators.record(session, plans, args.id, args.period, args.value,
                                                             args.source, "cli", system_clock())
            except indicators.IndicatorError as exc:
                sys.stderr.write(f"{exc}\n")
                return 2
            corrected = "" if before is None else f" (was {indicators.number(before)})"
            sys.stdout.write(f"{status.indicator.id} {recorded.period} = {indicators.number(recorded.value)}"
                             f"{status.indicator.unit}{corrected}; {status.progress_text()}\n")
            return 0
        found = indicators.statuses(session, plans)
    if args.indicators_command == "chart":
        return _write_binary(indicator_export.to_png(found), args.output)
    if args.indicators_command == "report":
        return _write_binary(indicator_export.to_xlsx(found), args.output)
    if args.json:
        sys.stdout.write(json.dumps([s.as_json() for s in found], ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(indicator_chat.listing_text(found) + "\n")
    return 0


def _read_password() -> str:
    """From standard input (its first line), or asked twice with getpass at a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输入一次 / again: ") != first:
        raise SystemExit("两次输入的密码不一样 / the passwords differ")
    return first


def cmd_staff(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.core.clock import system_clock
    from bot.core.db import open_database
    from bot.settings import Settings

    _engine, sessions = open_database(Settings().database_url)
    try:
        if args.staff_command == "list":
            with sessions() as session:
                listed = accounts.listing(session)
            if args.json:
                sys.stdout.write(json.dumps([{"name": a.name, "role": a.role, "disabled": a.disabled,
                                              "links": list(a.links)} for a in listed], ensure_ascii=False) + "\n")
            for a in [] if args.json else listed:
                state = "disabled" if a.disabled else "enabled"
                sys.stdout.write(f"{a.name}\t{a.role}\t{state}\t{','.join(a.links)}\n")
            return 0
        password = _read_password() if args.staff_command in ("add", "passwd") else ""
        with sessions.begin() as session:
            if args.staff_command == "add":
                account = accounts.add(session, args.name, args.role, password, system_clock())
                said = f"account {account.name} ({account.role}) added"
            elif args.staff_command == "passwd":
                said = f"password of {accounts.set_password(session, args.name, password).name} changed"
            elif args.staff_command == "disable":
                said = f"account {accounts.set_disabled(session, args.name, True).name} disabled"
            elif args.staff_command == "enable":
                said = f"account {accounts.set_disabled(session, args.name, False).name} enabled"
            elif args.staff_command == "link":
                linked = accounts.link(session, args.name, args.address, system_clock())
                said = f"{linked.address} linked to {args.name}"
            else:
                accounts.unlink(session, args.name, args.address)
                said = f"{args.address} unlinked from {args.name}"
    except accounts.AccountError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    sys.stdout.write(said + "\n")
    return 0


def cmd_kb_eval(args: argparse.Namespace) -> int:
    from bot.core.datafile import DataFileError
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


def cmd_kb_learned(args: argparse.Namespace) -> int:
    from bot.core.db import open_database
    from handlers.teaching import LearnedSource, learned
    from knowledge.export import export

    _engine, sessions = open_database(os.environ.get("IPBOT_DATABASE_URL") or _settings_database_url())
    with sessions() as session:
        rows = learned(session)
    if args.export:
        knowledge = _knowledge(overlay=False)
        out = Path(args.export)
        changed = export(knowledge.files, knowledge.data_dir, out, LearnedSource(sessions).load(knowledge.files))
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


def cmd_kb_export(args: argparse.Namespace) -> int:
    from knowledge.export import export
    from knowledge.overlay import Overlay

    knowledge = _knowledge(overlay=False)
    source = _overlay_source()
    overlay = source.load(knowledge.files) if source is not None else Overlay()
    out = Path(args.dir)
    changed = export(knowledge.files, knowledge.data_dir, out, overlay)
    sys.stdout.write(f"knowledge base written to {out}: {len(overlay.entries)} edited entr(y/ies), "
                     f"{len(overlay.taught)} taught and {len(overlay.declined)} declined phrasing(s)\n")
    for path in changed:
        sys.stdout.write(f"  changed {path.relative_to(out)}\n")
    return 0


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    from bot.core import db
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
    reporting.add_argument("--format", choices=("text", "csv", "xlsx", "png", "drivers"), default="text",
                           help="png: index and dimensions; drivers: key drivers, importance × performance (PNG)")
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

    plan_indicators = sub.add_parser("indicators", help="the plan's indicators against their targets")
    indicators_sub = plan_indicators.add_subparsers(dest="indicators_command", required=True)
    setting = indicators_sub.add_parser("set", help="record a figure: ID PERIOD (2024 or 2025Q3) VALUE --source TEXT")
    setting.add_argument("id")
    setting.add_argument("period")
    setting.add_argument("value")
    setting.add_argument("--source", required=True, help="where the figure comes from (public answers cite it)")
    indicators_list = indicators_sub.add_parser("list", help="every indicator: latest figure and progress")
    indicators_list.add_argument("--json", action="store_true")
    for name, what in (("chart", "progress of every indicator (PNG)"), ("report", "figures and history (XLSX)")):
        exporting = indicators_sub.add_parser(name, help=what)
        exporting.add_argument("--output", "-o", default=None, help="file to write to")
    plan_indicators.set_defaults(func=cmd_indicators)

    staff = sub.add_parser("staff", help="accounts of the web staff console")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    staff_add = staff_sub.add_parser("add", help="add an account (password from standard input or asked)")
    staff_add.add_argument("name")
    staff_add.add_argument("--role", choices=("admin", "staff"), default="staff")
    for name, what in (("passwd", "set a new password (from standard input or asked)"),
                       ("disable", "disable an account and end its sessions"), ("enable", "enable it again")):
        staff_sub.add_parser(name, help=what).add_argument("name")
    for name, what in (("link", "link a chat id (telegram:123, wecom:zhangsan): staff in chat too"),
                       ("unlink", "remove a linked chat id")):
        linking = staff_sub.add_parser(name, help=what)
        linking.add_argument("name")
        linking.add_argument("address")
    staff_list = staff_sub.add_parser("list", help="accounts, roles and linked chat ids")
    staff_list.add_argument("--json", action="store_true")
    staff.set_defaults(func=cmd_staff)

    kb = sub.add_parser("kb", help="knowledge-base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate the knowledge base; non-zero exit on any error")
    check.add_argument("--dir", type=Path, default=None, help="knowledge-base folder to check")
    check.set_defaults(func=cmd_kb_check)
    exporting = kb_sub.add_parser("export", help="write the knowledge base as it stands (files, console edits, "
                                                 "taught phrasings) into DIR")
    exporting.add_argument("dir", metavar="DIR")
    exporting.set_defaults(func=cmd_kb_export)
    taught = kb_sub.add_parser("learned", help="phrasings staff taught (who, when, to which entry)")
    taught.add_argument("--json", action="store_true", help="one JSON list")
    taught.add_argument("--export", metavar="DIR",
                        help="write the knowledge base with the taught phrasings into DIR, to review and commit")
    taught.set_defaults(func=cmd_kb_learned)
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
