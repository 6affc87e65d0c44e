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
    sub = top.add_subparsers(dest="command", required=True)
    for register in (chat.register, ask.register, chat.register_run, survey.register, remind.register,
                     outbox.register, indicators.register, staff.register, kb.register, db.register,
                     backup.register, wechat.register):
        register(sub)
    return top


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
        from pydantic import ValidationError  # imported only now: `ipbot ask` starts without pydantic

        if not isinstance(exc, ValidationError):
            raise
        from bot.settings import describe

        print(f"设置有误 / a setting is wrong:\n{describe(exc)}", file=sys.stderr)
        return 2
    finally:
        common.close_databases()
    return code
