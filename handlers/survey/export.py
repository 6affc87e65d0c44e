"""Survey exports: the summary as text, responses as CSV or XLSX (salted-hash ids, no names) and a PNG chart
(index by wave beside the former plan's 2025 target and 2020 value, labelled as such, and the five dimensions of
the wave)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import spreadsheets
from bot.core.clock import zone_label
from bot.core.messages import Incoming, Reply
from bot.core.models import SurveyResponse, SurveyWave
from bot.core.spreadsheets import Sheet
from handlers import charts
from handlers.context import Context
from handlers.survey import insights as survey_insights
from handlers.survey import texts as text
from handlers.survey.conversation import completed
from handlers.survey.definition import SurveyDefinition
from handlers.survey.scoring import Report, index_of


def summary(report: Report) -> str:
    def show(value: float | None) -> str:
        return text.NOT_AVAILABLE if value is None else f"{value:g}"

    low, high = report.ci95 if report.ci95 else (None, None)
    dimensions = "；".join(f"{name} {show(score)}" for name, score in report.dimensions.items())
    change = report.change_since_previous
    return text.REPORT.format(wave=report.wave, n=report.n, index=show(report.index), low=show(low),
                              high=show(high), target=show(report.target), baseline=show(report.baseline),
                              change=text.NOT_AVAILABLE if change is None else f"{change:+g}", dimensions=dimensions)


def _rows(session: Session, definition: SurveyDefinition, wave: SurveyWave, zone: dt.tzinfo
          ) -> tuple[list[str], list[list[object]]]:
    """The responses, a row each: headers in Chinese (an item by its wording, its id after it), the completion
    time in `zone` (IPBOT_TIMEZONE), named in its header."""
    items = definition.items
    header = [*text.EXPORT_HEADERS, text.EXPORT_COMPLETED.format(zone=zone_label(zone)),
              *[text.EXPORT_ITEM.format(text=i.text, id=i.id) for i in items], text.EXPORT_COMMENT]
    rows: list[list[object]] = []
    for r in session.scalars(select(SurveyResponse).where(SurveyResponse.wave_id == wave.id,
                                                          SurveyResponse.step == "done").order_by(SurveyResponse.id)):
        answers = dict(r.answers)
        completed_at = f"{r.completed_at.astimezone(zone):%Y-%m-%d %H:%M:%S}" if r.completed_at else ""
        rows.append([r.respondent, r.version, r.group or "", r.county or "", completed_at,
                     *[answers.get(i.id, "") for i in items], r.comment or ""])
    return header, rows


def to_csv(session: Session, definition: SurveyDefinition, wave: SurveyWave, zone: dt.tzinfo) -> bytes:
    header, rows = _rows(session, definition, wave, zone)
    return spreadsheets.to_csv([header, *rows])


def to_xlsx(session: Session, definition: SurveyDefinition, wave: SurveyWave, report: Report,
            zone: dt.tzinfo) -> bytes:
    summary: list[Sequence[object]] = [
        ["期次", report.wave], ["答卷数", report.n], ["指数", report.index], ["95%区间", *(report.ci95 or ("", ""))],
        [f"{text.TARGET_LABEL}（%）", report.target], [f"{text.BASELINE_LABEL}（%）", report.baseline],
        ["比上一期", report.change_since_previous],
        *([name, score, text.EXPORT_DIMENSION_N.format(n=report.dimension_n.get(name, report.n)),
           *(report.dimension_ci95.get(name) or ("", ""))] for name, score in report.dimensions.items()),
        [text.INSTRUMENT_NOTE]]
    header, rows = _rows(session, definition, wave, zone)
    return spreadsheets.to_xlsx([Sheet("汇总", summary), Sheet("答卷", [header, *rows])])


def to_png(session: Session, definition: SurveyDefinition, report: Report) -> bytes:
    font = charts.cjk_font()
    plt = charts.pyplot()

    def label(words: str) -> str:
        return charts.label(words, font, text.CHART_FALLBACK.get(words, words))

    waves: Sequence[SurveyWave] = list(session.scalars(select(SurveyWave).order_by(SurveyWave.id)))
    indexes = [index_of(definition, completed(session, w)) for w in waves]
    with charts.font_context(font):
        figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
        # a wave's name is whatever staff typed: without a Chinese font, its number instead
        names = [charts.label(w.name, font, f"wave {n}") for n, w in enumerate(waves, start=1)]
        left.plot(names, [i if i is not None else float("nan") for i in indexes], marker="o")
        left.axhline(definition.target, color="tab:red", linestyle="--",
                     label=f"{label(text.TARGET_LABEL)} {definition.target:g}%")
        left.axhline(definition.baseline, color="tab:gray", linestyle=":",
                     label=f"{label(text.BASELINE_LABEL)} {definition.baseline:g}%")
        left.set_ylim(0, 100)
        left.set_title(label(text.CHART_TITLE_INDEX))
        left.legend(loc="lower right")
        dims = list(report.dimensions)
        right.barh([charts.label(d, font, text.CHART_FALLBACK.get(d, f"dimension {n}"))
                    for n, d in enumerate(dims, start=1)], [report.dimensions[d] or 0 for d in dims],
                   color="tab:blue")
        right.axvline(definition.target, color="tab:red", linestyle="--")
        right.set_xlim(0, 100)
        right.set_title(label(text.CHART_TITLE_DIMENSIONS))
        figure.text(0.01, 0.01, label(text.CHART_NOTE), fontsize=8, color="tab:gray")
        figure.tight_layout(rect=(0, 0.05, 1, 1))
        return charts.to_png(figure)


def survey_report(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """Staff /report: the summary and the chart."""
    from handlers.survey.conversation import wave_report

    session, definition = ctx.session, ctx.survey
    report = wave_report(session, definition)
    if report is None:
        return [Reply(text.REPORT_NONE)]
    replies = [Reply(summary(report)), Reply("", image=to_png(session, definition, report), file_name="report.png")]
    insights = survey_insights.wave_insights(session, definition, report.wave)
    if insights is not None:  # what changed since the last wave, and what drives overall satisfaction
        replies.append(Reply(survey_insights.summary(insights)))
        if survey_insights.has_chart(insights):
            replies.append(Reply("", image=survey_insights.to_png(insights), file_name="drivers.png"))
    return replies
