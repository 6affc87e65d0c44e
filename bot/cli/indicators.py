"""`ipbot indicators set|list|chart|report|evaluation`: the plan's indicators against their targets, and the final
evaluation (终期评估) of the plan that ended."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import common

if TYPE_CHECKING:
    from handlers.indicators.progress import Status


EVALUATION_FORMATS = ("text", "xlsx", "png")


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
    evaluating = indicators_sub.add_parser(
        "evaluation", help="the final evaluation (终期评估) of the plan that ended: text, or -o FILE.xlsx / FILE.png")
    evaluating.add_argument("--output", "-o", default=None, help="FILE.xlsx (workbook) or FILE.png (chart)")
    evaluating.add_argument("--format", choices=EVALUATION_FORMATS, default=None,
                            help="what to write (default: by the output file's suffix; text without one)")
    evaluating.set_defaults(func=cmd_evaluation)


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
    from zoneinfo import ZoneInfo

    from handlers.indicators import export as indicator_export

    zone = ZoneInfo(common.settings().timezone)
    return common.write_binary(indicator_export.to_xlsx(_statuses(), zone), args.output)


def cmd_evaluation(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from bot.core.clock import system_clock
    from handlers.indicators import evaluation as final_evaluation
    from handlers.indicators import evaluation_export, plan
    from handlers.indicators import texts as text
    from handlers.survey import definition as survey_definition

    suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else "text"
    wanted = args.format or suffix
    if wanted not in EVALUATION_FORMATS:
        sys.stderr.write(f"{args.output}: write FILE.xlsx or FILE.png, or say which with --format xlsx|png\n")
        return 2
    settings = common.settings()
    definition = survey_definition.load(Path(settings.survey_file) if settings.survey_file
                                        else survey_definition.DEFINITION)
    plans = plan.load_plans()
    now = system_clock()
    with common.open_database(settings.database_url).begin() as session:
        found = final_evaluation.evaluate(session, plans, definition, now.date())
    if found is None:
        sys.stderr.write(text.EVAL_NO_PLAN + "\n")
        return 1
    if wanted == "xlsx":
        return common.write_binary(evaluation_export.to_xlsx(found, ZoneInfo(settings.timezone), now), args.output)
    if wanted == "png":
        common.chart_font_notice()
        return common.write_binary(evaluation_export.to_png(found), args.output)
    summary = final_evaluation.summary(found) + "\n"
    if args.output:
        Path(args.output).write_text(summary, encoding="utf-8")
    else:
        sys.stdout.write(summary)
    return 0
