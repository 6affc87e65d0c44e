"""`ipbot backup DIR` (consistent, while `ipbot run` serves) and `ipbot restore DIR [--force]` (SQLite; on
PostgreSQL: pg_dump). The work is bot/backup.py's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import common

REFUSED = 1


def register(sub: Any) -> None:
    backup = sub.add_parser("backup", help="copy the SQLite database, report photos and settings into DIR "
                                           "(safe while the bot runs)")
    backup.add_argument("dir", help="a new or empty folder")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup made by `ipbot backup` (stop the bot first)")
    restore.add_argument("dir")
    restore.add_argument("--force", action="store_true", help="replace an existing database")
    restore.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    from bot import backup

    try:
        manifest = backup.backup(common.settings(), Path(args.dir))
    except backup.BackupError as exc:
        sys.stderr.write(f"backup refused: {exc}\n")
        return REFUSED
    counts = ", ".join(f"{name} {count}" for name, count in manifest["counts"].items())
    photos = sum(1 for entry in manifest["files"] if entry["path"].startswith(backup.MEDIA + "/"))
    sys.stdout.write(f"backed up into {args.dir}: schema {manifest['schema_version']}, {photos} media file(s); "
                     f"{counts}\n")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from bot import backup

    try:
        restored = backup.restore(common.settings(), Path(args.dir), force=args.force)
    except backup.BackupError as exc:
        sys.stderr.write(f"restore refused: {exc}\n")
        return REFUSED
    sys.stdout.write(f"restored {restored.database} (backup of {restored.manifest['created_at']}, schema "
                     f"{restored.manifest['schema_version']}) and {restored.files} media file(s) into "
                     f"{restored.media}.\nStart (or restart) the bot now: `ipbot run` (e.g. "
                     f"`systemctl restart ipbot`); it upgrades an older schema itself.\n")
    return 0
