"""The final evaluation (handlers/indicators/evaluation.py) as a workbook for the office's report (XLSX, through
the one safe spreadsheet writer) and as a chart (PNG): each indicator's final value against its target, and the
survey's waves beside the plan's satisfaction target with the caveat."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import spreadsheets
from bot.core.spreadsheets import Sheet
from handlers import charts
from handlers.indicators import texts as text
from handlers.indicators.evaluation import Evaluation, Row, Wave, survey_caveat

COLOURS = {"reached": "tab:green", "not_reached": "tab:red", "qualitative": "tab:gray"}


def _indicator_row(row: Row) -> list[object]:
    i, final, earlier, plan = row.status.indicator, row.final, row.earlier, row.status.plan
    return [i.id, i.name, i.unit, i.kind, i.measure, i.baseline if i.baseline is not None else i.baseline_text(),
            i.target if i.target is not None else i.target_text(), text.EVAL_SOURCE_PLAN.format(document=plan.document),
            final.value if final else text.EVAL_NONE, final.period.label if final else "",
            final.source if final else "", final.recorded_by if final else "", row.verdict_text,
            earlier.value if earlier else "", earlier.period.label if earlier else "",
            earlier.source if earlier else "", i.note or ""]


def _wave_row(wave: Wave, target: float | None, zone: ZoneInfo) -> list[object]:
    low, high = wave.ci95 if wave.ci95 else ("", "")
    gap: object = "" if wave.index is None or target is None else round(target - wave.index, 2)
    return [wave.name, wave.opened_at.astimezone(zone).strftime("%Y-%m-%d"),
            wave.closed_at.astimezone(zone).strftime("%Y-%m-%d") if wave.closed_at else "",
            wave.n, "" if wave.index is None else wave.index, low, high, "" if target is None else target, gap,
            text.EVAL_TOO_FEW if wave.too_few else ""]


def to_xlsx(evaluation: Evaluation, zone: ZoneInfo, now: dt.datetime) -> bytes:
    """Sheet 终期评估: every indicator (未录入 ones too); 满意度调查: every wave with n and interval, then the
    caveat; 说明: how the final value and 是否达到 are decided."""
    plan = evaluation.plan
    header: list[object] = [h.format(baseline_year=plan.baseline_year, target_year=plan.target_year)
                            for h in text.EVAL_HEADER]
    listing: list[list[object]] = [header, *(_indicator_row(r) for r in evaluation.rows)]
    waves: list[list[object]] = [list(text.EVAL_SURVEY_HEADER),
                                 *(_wave_row(w, evaluation.survey_target, zone) for w in evaluation.waves),
                                 [], [survey_caveat()]]
    fields = {"plan": plan.name, "years": plan.years, "document": plan.document, "target_year": plan.target_year,
              "generated": now.astimezone(zone).strftime("%Y-%m-%d %H:%M"), "caveat": survey_caveat()}
    about: list[list[object]] = [[name, value.format(**fields)] for name, value in text.EVAL_ABOUT]
    return spreadsheets.to_xlsx([Sheet(text.EVAL_SHEET, listing), Sheet(text.EVAL_SURVEY_SHEET, waves),
                                 Sheet(text.EVAL_ABOUT_SHEET, [["", ""], *about])])


def attainment(row: Row) -> float | None:
    """How far the final value went, in % of the way the plan measures it (100: exactly the target): value over
    target when higher is better, target over value when lower is; None without a comparable figure."""
    i, final = row.status.indicator, row.final
    if final is None or i.target is None or i.measure == "定性":
        return None
    if i.measure == "越高越好":
        return 100 * final.value / i.target if i.target else None
    return 100 * i.target / final.value if final.value else None


def to_png(evaluation: Evaluation) -> bytes:
    """Left: one bar per indicator, its final value as a share of its target (the red line: reached), 未录入
    written where there is none. Right: the survey's waves (index and 95 % interval) beside the plan's target line,
    with the caveat below."""
    font = charts.cjk_font()
    plt = charts.pyplot()

    def label(words: str) -> str:
        return charts.label(words, font, text.EVAL_CHART_FALLBACK.get(words, "?"))

    rows = list(reversed(evaluation.rows))  # the plan's first indicator on top
    shares = [attainment(r) for r in rows]
    with charts.font_context(font):
        figure, (left, right) = plt.subplots(1, 2, figsize=(13, 1.6 + 0.5 * max(len(rows), 4)), dpi=100,
                                             gridspec_kw={"width_ratios": [3, 2]})
        positions = list(range(len(rows)))
        bars = left.barh(positions, [s or 0 for s in shares],
                         color=[COLOURS.get(r.verdict, "tab:gray") for r in rows])
        for bar, share, row in zip(bars, shares, rows, strict=True):
            where = (bar.get_width(), bar.get_y() + bar.get_height() / 2)
            said = f"{share:.0f}%" if share is not None else label(text.EVAL_VERDICT[row.verdict])
            left.annotate(said, where, xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        left.axvline(100, color="tab:red", linestyle="--")
        left.set_yticks(positions, [charts.label(r.status.indicator.name, font, r.status.indicator.id) for r in rows])
        known = [s for s in shares if s is not None and math.isfinite(s)]
        left.set_xlim(0, max([100.0, *known]) * 1.18)
        left.set_xlabel(label(text.EVAL_CHART_AXIS))
        left.set_title(charts.label(text.EVAL_CHART_TITLE.format(plan=evaluation.plan.name), font,
                                    f"Final evaluation {evaluation.plan.years}: final value / target"))
        _survey(right, evaluation, font, label)
        figure.text(0.01, 0.01, label(text.EVAL_CHART_NOTE), fontsize=8, color="tab:gray")
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        return charts.to_png(figure)


def _survey(ax: Any, evaluation: Evaluation, font: str | None, say: Callable[[str], str]) -> None:
    """The waves' indexes with their intervals, and the plan's target line."""
    waves = evaluation.waves
    names = [charts.label(w.name, font, f"wave {n}") + f"\nn={w.n}" for n, w in enumerate(waves, start=1)]
    for x, wave in enumerate(waves):
        if wave.index is None:
            continue
        low, high = wave.ci95 or (wave.index, wave.index)
        ax.errorbar([x], [wave.index], yerr=[[wave.index - low], [high - wave.index]], fmt="o", capsize=4,
                    color="tab:gray" if wave.too_few else "tab:blue")
        ax.annotate(f"{wave.index:g}", (x, wave.index), xytext=(6, 0), textcoords="offset points", fontsize=8)
    if evaluation.survey_target is not None:
        ax.axhline(evaluation.survey_target, color="tab:red", linestyle="--",
                   label=f"{say(text.EVAL_CHART_TARGET)} {evaluation.survey_target:g}{evaluation.survey_unit}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xticks(list(range(len(waves))), names)
    ax.set_xlim(-0.7, max(len(waves), 1) - 0.3)
    ax.set_ylim(0, 100)
    ax.set_title(say(text.EVAL_CHART_SURVEY))
