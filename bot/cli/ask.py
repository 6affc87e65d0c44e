"""`ipbot ask`: answers from the knowledge base, for scripts and evaluations.

It starts light: the database layer is imported only when the bot's database exists, and then it is only
read (never created nor migrated): what staff taught and the plan figures recorded come from it when its
schema is current; otherwise the answers come from the files alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from bot.cli import common

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///ipbot.db"  # bot.settings.DEFAULT_DATABASE_URL, without importing pydantic


def register(sub: Any) -> None:
    ask = sub.add_parser("ask", help="answer one question, or one per line from standard input")
    ask.add_argument("question", nargs="?", help="the question; omit to read standard input")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.set_defaults(func=cmd_ask)


def database_url() -> str:
    """IPBOT_DATABASE_URL as the settings read it; pydantic is imported only when a .env file (or a variable
    spelled in another case) could say otherwise."""
    value = os.environ.get("IPBOT_DATABASE_URL")
    if value:
        return value
    if Path(".env").is_file() or any(key.upper() == "IPBOT_DATABASE_URL" for key in os.environ):
        return common.settings().database_url
    return DEFAULT_DATABASE_URL


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL, as SQLAlchemy's make_url reads it ("" or ":memory:" for a database in memory),
    without importing SQLAlchemy."""
    database = url.partition("://")[2].partition("/")[2].partition("?")[0]
    return unquote(database)


class ReadOnlyDatabase:
    """The bot's database, for reading only, opened on first need: None when there is none (a SQLite file that
    does not exist), when its schema is not the current one, or when it cannot be read."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._sessions: sessionmaker[Session] | None = None
        self._opened = False

    def sessions(self) -> sessionmaker[Session] | None:
        if not self._opened:
            self._opened = True
            self._sessions = self._open()
        return self._sessions

    def _exists(self) -> bool:
        if not self.url.startswith("sqlite"):
            return True  # a server's database: looked at when opened
        return sqlite_path(self.url) not in ("", ":memory:") and Path(sqlite_path(self.url)).is_file()

    def _open(self) -> sessionmaker[Session] | None:
        if not self._exists():
            return None
        from sqlalchemy import create_engine
        from sqlalchemy.exc import SQLAlchemyError
        from sqlalchemy.orm import sessionmaker

        from bot.core.db import is_current, make_reader

        engine = common.closing(make_reader(create_engine(self.url)))  # on SQLite: PRAGMA query_only
        try:
            current = is_current(engine)
        except SQLAlchemyError as exc:
            sys.stderr.write(f"the database is not read, answers come from the files alone: {exc}\n")
            return None
        return sessionmaker(engine) if current else None


def cmd_ask(args: argparse.Namespace) -> int:
    from bot import ask_command

    database = ReadOnlyDatabase(database_url())
    sessions = database.sessions()
    engine = common.knowledge(common.learned_source(sessions) if sessions is not None else None).engine
    # the plan's recorded figures, as the bot answers with them (read only when an answer is about one)
    figures = ask_command.database_figures(database.sessions)
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
