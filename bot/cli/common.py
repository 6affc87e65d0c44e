"""What the command groups share: the settings, the knowledge base, the database (every engine opened is
closed when the command ends) and the one printer of data-file problems."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.datafile import DataFileError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from bot.settings import Settings
    from knowledge.service import KnowledgeService

DATA_FILE_ERROR = 2  # the exit code when a data file (knowledge base, survey, plans, calendar, eval set) does not load
KNOWLEDGE_HEADING = "知识库有错误，无法启动 / the knowledge base does not load:"


class KnowledgeBaseDoesNotLoad(DataFileError):
    """The knowledge base's files do not load: its problems are printed under a heading."""


def report_problems(exc: DataFileError) -> int:
    """The one printer of data-file problems: each as "file:line: message" on standard error; the exit code."""
    indent = ""
    if isinstance(exc, KnowledgeBaseDoesNotLoad):
        sys.stderr.write(KNOWLEDGE_HEADING + "\n")
        indent = "  "
    for problem in exc.problems:
        sys.stderr.write(f"{indent}{problem}\n")
    return DATA_FILE_ERROR


def settings() -> Settings:
    from bot.settings import load

    return load()


def knowledge_dir() -> Path | None:
    # Read directly (not through Settings) to keep `ipbot ask` start-up light; same variable.
    value = os.environ.get("IPBOT_KNOWLEDGE_DIR")
    return Path(value) if value else None


def knowledge(overlay: Any = None) -> KnowledgeService:
    """The knowledge base from its files (IPBOT_KNOWLEDGE_DIR or the packaged ones), with `overlay` if given."""
    from knowledge.service import KnowledgeService

    try:
        return KnowledgeService(knowledge_dir(), overlay=overlay)
    except DataFileError as exc:
        raise KnowledgeBaseDoesNotLoad(exc.problems) from exc


_opened: list[Engine] = []


def closing(engine: Engine) -> Engine:
    """Dispose of this engine when the command ends."""
    _opened.append(engine)
    return engine


def close_databases() -> None:
    while _opened:
        _opened.pop().dispose()


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Sessions on the bot's database (IPBOT_DATABASE_URL unless given), created or migrated first if need be."""
    from bot.core.db import open_database as open_and_upgrade

    engine, sessions = open_and_upgrade(url or settings().database_url)
    closing(engine)
    return sessions


def learned_source(sessions: sessionmaker[Session]) -> Any:
    """What staff taught and edited (handlers.taught_phrasings.LearnedSource) read from these sessions' database."""
    from handlers.taught_phrasings import LearnedSource

    source = LearnedSource(sessions)
    bind = source.sessions.kw.get("bind")
    if bind is not None and bind is not sessions.kw.get("bind"):
        closing(bind)  # its own reader engine
    return source


def write_binary(data: bytes, output: str | None) -> int:
    """To the file `output`, else to standard output unless that is a terminal."""
    if output:
        Path(output).write_bytes(data)
        sys.stderr.write(f"{output}: {len(data)} bytes\n")
    elif sys.stdout.isatty():
        sys.stderr.write("binary output: use --output FILE or redirect standard output\n")
        return 2
    else:
        sys.stdout.buffer.write(data)
    return 0


def chart_font_notice() -> None:
    """Before a chart is written: on standard error, when it cannot show Chinese, why and the command that fixes it."""
    from handlers import charts

    notice = charts.missing_font_notice()
    if notice:
        sys.stderr.write(notice + "\n")
