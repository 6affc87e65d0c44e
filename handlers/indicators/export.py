"""The plan's indicators for the joint meeting: a chart of every indicator's progress against the straight
path (PNG) and a report with the figures and their history (XLSX)."""

from __future__ import annotations

import datetime as dt
import math

from bot.core import spreadsheets
from bot.core.clock import zone_label
from bot.core.spreadsheets import Sheet
from handlers import charts
from handlers.indicators import texts as text
from handlers.indicators.plan import PENDING
from handlers.indicators.progress import Status


def to_png(all_statuses: list[Status]) -> bytes:
    """One bar per indicator: progress from baseline (0 %) to target (100 %), the straight path's mark at the
    latest period; indicators without a figure show no bar, those whose target is not published say so. With
    more than one plan, each label carries its plan's years. Labels are the indicators' ids without a Chinese
    font."""
    font = charts.cjk_font()
    plt = charts.pyplot()

    def label(words: str) -> str:
        return charts.label(words, font, text.CHART_FALLBACK.get(words, "?"))

    shown = list(reversed(all_statuses))  # the file's first indicator on top
    several = len({s.plan.path for s in shown}) > 1
    names = [charts.label(s.indicator.name, font, s.indicator.id) + (f" ({s.plan.years})" if several else "")
             for s in shown]
    progress = [100 * s.progress if s.progress is not None else math.nan for s in shown]
    with charts.font_context(font):
        figure, axes = plt.subplots(figsize=(10, 1.2 + 0.45 * max(len(shown), 1)), dpi=100)
        positions = list(range(len(shown)))
        bars = axes.barh(positions, [0 if math.isnan(p) else p for p in progress], color="tab:blue")
        for bar, value, status in zip(bars, progress, shown, strict=True):
            where = (bar.get_width(), bar.get_y() + bar.get_height() / 2)
            if not math.isnan(value):
                axes.annotate(f"{value:.0f}%", where, xytext=(3, 0), textcoords="offset points", va="center",
                              fontsize=8)
            elif status.indicator.target is None:
                axes.annotate(label(text.TARGET_PENDING), where, xytext=(3, 0), textcoords="offset points",
                              va="center", fontsize=8, color="tab:gray")
        expected = [(pos, 100 * s.expected) for pos, s in zip(positions, shown, strict=True) if s.expected is not None]
        if expected:
            axes.scatter([e for _p, e in expected], [p for p, _e in expected], marker="|", s=300, color="tab:orange",
                         label=label(text.CHART_EXPECTED), zorder=3)
            axes.legend(loc="lower right")
        axes.axvline(100, color="tab:red", linestyle="--")
        axes.set_yticks(positions, names)
        top = max([100.0, *[p for p in progress if not math.isnan(p)]])
        axes.set_xlim(min([0.0, *[p for p in progress if not math.isnan(p)]]), top * 1.12)
        axes.set_xlabel(label(text.CHART_AXIS))
        axes.set_title(label(text.CHART_TITLE))
        figure.tight_layout()
        return charts.to_png(figure)


def _local(moment: dt.datetime, zone: dt.tzinfo) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # stored in UTC (SQLite drops the zone)
    return aware.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _share(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def figure(value: float | None, pending: bool) -> float | str:
    """A baseline or target cell: the number, 待发布, or empty (the plan gives none)."""
    return PENDING if pending else ("" if value is None else value)


def to_xlsx(all_statuses: list[Status], zone: dt.tzinfo) -> bytes:
    """Sheet 指标: one row per indicator (latest figure, progress, straight path, pace); sheet 历次数据: every
    period's figure with its source, who recorded it and when (local time, the zone named in the header)."""
    listing: list[list[object]] = [list(text.REPORT_HEADER)]
    for s in all_statuses:
        i, latest = s.indicator, s.latest
        listing.append([s.plan.name, i.id, i.name, i.unit, i.kind, figure(i.baseline, i.baseline_pending),
                        figure(i.target, i.target is None), latest.value if latest else "",
                        latest.period.label if latest else "",
                        latest.source if latest else "", _share(s.progress), _share(s.expected),
                        text.PACE[s.pace] if s.pace else ""])
    history: list[list[object]] = [[*text.HISTORY_HEADER, text.RECORDED_AT.format(zone=zone_label(zone))]]
    for s in all_statuses:
        for r in s.history:
            history.append([s.plan.name, s.indicator.id, s.indicator.name, r.period.label, r.value, s.indicator.unit,
                            r.source, r.recorded_by, _local(r.recorded_at, zone)])
    return spreadsheets.to_xlsx([Sheet(text.REPORT_SHEET, listing, {"K": "0%", "L": "0%"}),
                                 Sheet(text.HISTORY_SHEET, history)])


