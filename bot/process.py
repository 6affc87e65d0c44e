"""Process-wide setup, done by the commands that run the bot (`ipbot run`, `ipbot chat`) and never by
`build_app` or `build_router`: tests, benchmarks and other callers build apps without changing the process
they run in.

    private_files()       first thing in every command (bot/cli): what it creates is its user's alone
    configure_process()   first thing in the command: logging
    startup_done()        once the app is built (everything start-up loads is in memory): gc.freeze
"""

from __future__ import annotations

import gc
import logging
import os

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def private_files() -> None:
    """Files this process creates are readable by its user only (0600, folders 0700): the database and its WAL
    hold contacts, chat ids, password hashes and generated secrets; the media folder, report photos; exports,
    survey answers."""
    os.umask(0o077)


def configure_process(level: int = logging.WARNING) -> None:
    """Log records of `level` and up (IPBOT_LOG_LEVEL) to standard error with time and source (a root handler
    already set up is kept)."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    logging.getLogger().setLevel(level)


def bot_log_level(level: int) -> int:
    """The bot's own loggers (bot.*): their notices (messages recovered after a restart, console-only start)
    at INFO unless IPBOT_LOG_LEVEL asks for less (ERROR, CRITICAL) or more (DEBUG)."""
    return min(level, logging.INFO) if level <= logging.WARNING else level


def startup_done() -> None:
    """What start-up loaded (knowledge base, indexes, dictionaries) lives as long as the process: out of the
    cyclic collector's sight, its full collections stop walking it on every message's garbage."""
    gc.freeze()
