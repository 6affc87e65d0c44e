"""`ipbot outbox status`: the delivery outbox."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.cli import common


def register(sub: Any) -> None:
    outbox = sub.add_parser("outbox", help="the delivery outbox")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_status = outbox_sub.add_parser("status", help="pending, sent, failed and dead counts")
    outbox_status.add_argument("--json", action="store_true")
    outbox_status.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    from bot.core.outbox import status_counts

    sessions = common.open_database()
    with sessions() as session:
        counts = status_counts(session)
    if args.json:
        sys.stdout.write(json.dumps(counts) + "\n")
    else:
        sys.stdout.write("  ".join(f"{name} {count}" for name, count in counts.items()) + "\n")
    return 0
