"""`ipbot db upgrade`: database tools."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli import common


def register(sub: Any) -> None:
    database = sub.add_parser("db", help="database tools")
    db_sub = database.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply database migrations")
    up.set_defaults(func=cmd_upgrade)


def cmd_upgrade(_args: argparse.Namespace) -> int:
    from bot.core import db

    engine = common.closing(db.make_engine(common.settings().database_url))
    db.upgrade(engine)
    sys.stdout.write(f"Database is up to date: {engine.url.render_as_string(hide_password=True)}\n")
    return 0
