"""`ipbot survey open|close|report`: satisfaction survey waves and their reports."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import common


def register(sub: Any) -> None:
    surveys = sub.add_parser("survey", help="satisfaction survey waves and reports")
    survey_sub = surveys.add_subparsers(dest="survey_command", required=True)
    opening = survey_sub.add_parser("open", help="open a new wave")
    opening.add_argument("name")
    opening.set_defaults(func=cmd_open)
    survey_sub.add_parser("close", help="close the open wave").set_defaults(func=cmd_close)
    reporting = survey_sub.add_parser("report", help="the index against the target")
    reporting.add_argument("--json", action="store_true")
    reporting.add_argument("--wave", default=None, help="wave name (default: the open or latest one)")
    reporting.add_argument("--format", choices=("text", "csv", "xlsx", "png", "drivers"), default="text",
                           help="png: index and dimensions; drivers: key drivers, importance × performance (PNG)")
    reporting.add_argument("--output", "-o", default=None, help="file to write csv/xlsx/png to")
    reporting.set_defaults(func=cmd_report)


def _setup() -> tuple[Any, Any]:
    """The survey definition (IPBOT_SURVEY_FILE or the packaged one) and sessions on the database."""
    from handlers.survey import definition as survey_definition

    settings = common.settings()
    definition = survey_definition.load(Path(settings.survey_file) if settings.survey_file
                                        else survey_definition.DEFINITION)
    return definition, common.open_database(settings.database_url)


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(common.settings().timezone)


def _say(replies: list[Any]) -> int:
    for reply in replies:
        sys.stdout.write(reply.text + "\n")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from bot.core.clock import system_clock
    from handlers.survey import conversation as survey

    _definition, sessions = _setup()
    with sessions.begin() as session:
        replies = survey.staff_open(session, args.name, system_clock())
    return _say(replies)


def cmd_close(_args: argparse.Namespace) -> int:
    from bot.core.clock import system_clock
    from handlers.survey import conversation as survey

    _definition, sessions = _setup()
    with sessions.begin() as session:
        replies = survey.staff_close(session, system_clock())
    return _say(replies)


def cmd_report(args: argparse.Namespace) -> int:
    definition, sessions = _setup()
    with sessions.begin() as session:
        return _report(session, definition, args)


def _report(session: Any, definition: Any, args: argparse.Namespace) -> int:
    from handlers.survey import conversation as survey
    from handlers.survey import export as survey_export
    from handlers.survey import insights as survey_insights

    report = survey.wave_report(session, definition, args.wave)
    wave = survey.find_wave(session, report.wave) if report else None
    if report is None or wave is None:
        sys.stderr.write("没有调查 / no survey wave yet: ipbot survey open NAME\n")
        return 1
    insights = survey_insights.wave_insights(session, definition, report.wave)
    if args.format in ("png", "drivers"):
        common.chart_font_notice()
    if args.format == "drivers":
        if insights is None or not survey_insights.has_chart(insights):
            sys.stderr.write("关键驱动需要至少5份完成的答卷 / key drivers need 5 completed responses\n")
            return 1
        return common.write_binary(survey_insights.to_png(insights), args.output)
    if args.format == "csv":
        return common.write_binary(survey_export.to_csv(session, definition, wave, _zone()), args.output)
    if args.format == "xlsx":
        return common.write_binary(survey_export.to_xlsx(session, definition, wave, report, _zone()), args.output)
    if args.format == "png":
        return common.write_binary(survey_export.to_png(session, definition, report), args.output)
    if args.json:
        payload = {**report.as_json(), "insights": insights.as_json() if insights else None}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(survey_export.summary(report) + "\n")
        if insights is not None:
            sys.stdout.write(survey_insights.summary(insights) + "\n")
    return 0
