"""Insights beside the survey report: what changed since the previous wave (beyond the noise or not) and the
key drivers of overall satisfaction, as text, JSON and an importance × performance chart. Functions a page
or command calls: `wave_insights`, `summary`, `to_png`."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.models import SurveyWave
from handlers import charts
from handlers.survey import texts as text
from handlers.survey.conversation import completed
from handlers.survey.definition import Item, SurveyDefinition
from handlers.survey.drivers import Change, Driver, changes, key_drivers, priorities
from handlers.survey.scoring import MIN_CELL

_ASKING = re.compile(r"^(?:总体而言，)?您对|是否满意？?$")


def short(item: Item) -> str:
    """An item as a label: 您对维权所需的成本是否满意？ → 维权所需的成本."""
    return _ASKING.sub("", item.text).strip() or item.id


@dataclass(frozen=True)
class Insights:
    wave: str
    previous_wave: str | None
    changes: list[Change]  # empty without a previous wave
    drivers: list[Driver]
    target: float

    def as_json(self) -> dict[str, Any]:
        return {"wave": self.wave, "previous_wave": self.previous_wave,
                "changes": [c.as_json() for c in self.changes], "drivers": [d.as_json() for d in self.drivers],
                "priorities": [d.item.id for d in priorities(self.drivers)]}


def wave_insights(session: Session, definition: SurveyDefinition, name: str | None = None) -> Insights | None:
    """A wave's insights (by name; else the latest wave), against the wave before it."""
    query = select(SurveyWave).order_by(SurveyWave.id.desc())
    wave = session.scalars(query.where(SurveyWave.name == name) if name else query).first()
    if wave is None:
        return None
    previous = session.scalars(query.where(SurveyWave.id < wave.id)).first()
    current = completed(session, wave)
    found = changes(definition, completed(session, previous), current) if previous else []
    return Insights(wave.name, previous.name if previous else None, found, key_drivers(definition, current),
                    definition.target)


def _change_line(change: Change) -> str:
    if change.difference is None or change.ci95 is None:
        return text.CHANGE_SUPPRESSED.format(name=change.name, min_cell=MIN_CELL)
    verdict = text.BEYOND_NOISE if change.beyond_noise else text.WITHIN_NOISE
    return text.CHANGE_LINE.format(name=change.name, difference=change.difference, low=change.ci95[0],
                                   high=change.ci95[1], verdict=verdict)


def _driver_line(driver: Driver) -> str:
    if driver.mean is None:
        return text.DRIVER_SUPPRESSED.format(text=short(driver.item), min_cell=MIN_CELL)
    if driver.correlation is None:
        return text.DRIVER_NO_SPREAD.format(text=short(driver.item), mean=driver.mean)
    mark = text.PRIORITY_MARK if driver.quadrant == "priority" else ""
    return text.DRIVER_LINE.format(text=short(driver.item), r=driver.correlation, mean=driver.mean, mark=mark)


def summary(insights: Insights) -> str:
    lines = [text.CHANGES_TITLE.format(previous=insights.previous_wave), *map(_change_line, insights.changes)] \
        if insights.previous_wave else [text.CHANGES_NONE]
    if not any(d.mean is not None for d in insights.drivers):
        lines.append(text.DRIVERS_NONE.format(min_cell=MIN_CELL))
        return "\n".join(lines)
    ranked = sorted(insights.drivers, key=lambda d: (d.correlation is None, -(d.correlation or 0.0)))
    lines += [text.DRIVERS_TITLE, *map(_driver_line, ranked)]
    first = priorities(insights.drivers)
    lines.append(text.DRIVERS_ACT.format(items="、".join(short(d.item) for d in first), target=insights.target)
                 if first
                 else text.DRIVERS_NO_PRIORITY)
    return "\n".join(lines)


def has_chart(insights: Insights) -> bool:
    return any(d.mean is not None and d.correlation is not None for d in insights.drivers)


def to_png(insights: Insights) -> bytes:
    """Importance (correlation with overall satisfaction) against performance (mean score), one point per
    item; the medians split the quadrants, the priority ones in red. Item ids label the points without a
    Chinese font."""
    font = charts.cjk_font()
    plt = charts.pyplot()

    def label(words: str) -> str:
        return charts.label(words, font, text.CHART_DRIVER_FALLBACK.get(words, words))

    shown = [d for d in insights.drivers if d.mean is not None and d.correlation is not None]
    with charts.font_context(font):
        figure, axes = plt.subplots(figsize=(8, 6), dpi=100)
        for d in shown:
            colour = "tab:red" if d.quadrant == "priority" else "tab:blue"
            axes.scatter([d.mean], [d.correlation], color=colour, s=40, zorder=3)
            axes.annotate(short(d.item) if font else d.item.id, (d.mean, d.correlation), xytext=(4, 4),
                          textcoords="offset points", fontsize=8)
        if shown:
            axes.axvline(statistics.median(d.mean for d in shown if d.mean is not None), color="tab:gray",
                         linestyle=":")
            axes.axhline(statistics.median(d.correlation for d in shown if d.correlation is not None),
                         color="tab:gray", linestyle=":")
        axes.axvline(insights.target, color="tab:red", linestyle="--", linewidth=0.8,
                     label=f"{label(text.TARGET_LABEL)} {insights.target:g}%")
        axes.legend(loc="lower left", fontsize=8)
        axes.set_xlim(0, 100)
        axes.set_ylim(-1.05, 1.05)
        axes.set_xlabel(label(text.CHART_AXIS_MEAN))
        axes.set_ylabel(label(text.CHART_AXIS_R))
        axes.set_title(f"{label(text.CHART_TITLE_DRIVERS)} ({charts.label(insights.wave, font, 'this wave')})")
        figure.tight_layout()
        return charts.to_png(figure)
