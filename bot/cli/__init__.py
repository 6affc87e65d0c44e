"""The `ipbot` command line (a stable contract: see DESIGN.md, "The command line").

One module a command group; every leaf command's parser names its function (`set_defaults(func=…)`). Heavy
imports (SQLAlchemy, the handlers) are deferred to the commands, so `ipbot ask` starts light.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli import ask, backup, chat, common, db, indicators, kb, outbox, remind, staff, survey, wechat
from bot.core.datafile import DataFileError
from bot.process import private_files


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ipbot", description="博州知识产权服务助手 / IP services bot")
    top.add_argument("--version", action=VersionAction, help="print the installed version and exit")
    sub = top.add_subparsers(dest="command", required=True)
    for register in (chat.register, ask.register, chat.register_run, survey.register, remind.register,
                     outbox.register, indicators.register, staff.register, kb.register, db.register,
                     backup.register, wechat.register):
        register(sub)
    return top


def _plain(exc: Exception) -> int:
    """A wrong setting, an unreadable .env, a database newer than this version: said plainly (exit 2); anything
    else is raised again."""
    from pydantic import ValidationError  # imported only now: `ipbot ask` starts without pydantic

    from bot.core.db import SchemaTooNew
    from bot.settings import EnvFileUnreadable, describe

    if isinstance(exc, ValidationError):
        print(f"设置有误 / a setting is wrong:\n{describe(exc)}", file=sys.stderr)
    elif isinstance(exc, EnvFileUnreadable):
        print(f"设置文件读不了 / {exc}", file=sys.stderr)
    elif isinstance(exc, SchemaTooNew):
        print(f"数据库版本比本程序新 / {exc}", file=sys.stderr)
    else:
        raise exc
    return 2


def version() -> str:
    """The installed ipbot's version (the package metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("ipbot")
    except PackageNotFoundError:
        return "unknown (not installed as a package)"


class VersionAction(argparse.Action):
    """--version: the metadata looked up only when asked (every other command starts without it)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=str(kwargs.get("help")))

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        sys.stdout.write(f"ipbot {version()}\n")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    private_files()
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except DataFileError as exc:  # a data file does not load: its problems, not a traceback
        return common.report_problems(exc)
    except Exception as exc:
        return _plain(exc)
    finally:
        common.close_databases()
    return code
