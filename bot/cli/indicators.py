"""`ipbot indicators set|list|chart|report`: the plan's indicators against their targets."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from bot.cli import common

if TYPE_CHECKING:
    from handlers.indicators.progress import Status


def register(sub: Any) -> None:
    plan_indicators = sub.add_parser("indicators", help="the plan's indicators against their targets")
    indicators_sub = plan_indicators.add_subparsers(dest="indicators_command", required=True)
    setting = indicators_sub.add_parser("set", help="record a figure: ID PERIOD (2024 or 2025Q3) VALUE --source TEXT")
    setting.add_argument("id")
    setting.add_argument("period")
    setting.add_argument("value")
    setting.add_argument("--source", required=True, help="where the figure comes from (public answers cite it)")
    setting.set_defaults(func=cmd_set)
    indicators_list = indicators_sub.add_parser("list", help="every indicator: latest figure and progress")
    indicators_list.add_argument("--json", action="store_true")
    indicators_list.set_defaults(func=cmd_list)
    for name, what, func in (("chart", "progress of every indicator (PNG)", cmd_chart),
                             ("report", "figures and history (XLSX)", cmd_report)):
        exporting = indicators_sub.add_parser(name, help=what)
        exporting.add_argument("--output", "-o", default=None, help="file to write to")
        exporting.set_defaults(func=func)


def cmd_set(args: argparse.Namespace) -> int:
    from bot.core.clock import system_clock
    from handlers.indicators import plan
    from handlers.indicators import progress as indicators

    plans = plan.load_plans()
    sessions = common.open_database()
    with sessions.begin() as session:
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


def _statuses() -> list[Status]:
    from handlers.indicators import plan
    from handlers.indicators import progress as indicators

    plans = plan.load_plans()
    sessions = common.open_database()
    with sessions.begin() as session:
        return indicators.statuses(session, plans)


def cmd_list(args: argparse.Namespace) -> int:
    from handlers.indicators import chat as indicator_chat

    found = _statuses()
    if args.json:
        sys.stdout.write(json.dumps([s.as_json() for s in found], ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(indicator_chat.listing_text(found) + "\n")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from handlers.indicators import export as indicator_export

    common.chart_font_notice()
    return common.write_binary(indicator_export.to_png(_statuses()), args.output)


def cmd_report(args: argparse.Namespace) -> int:
    from handlers.indicators import export as indicator_export

    return common.write_binary(indicator_export.to_xlsx(_statuses()), args.output)
