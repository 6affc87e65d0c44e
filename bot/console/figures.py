"""Figures as staff read them: every one with its n, a 95 % interval where it is an estimate, and a plain note
when there are too few to compare (MIN_COMPARE) — so one rating never reads as "有用 0%" and one survey
answer never as a red gap to the target."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.console import texts

MIN_COMPARE = 10  # below this many, a figure is shown with 样本太少，仅供参考 and never compared
Z95 = 1.959964


@dataclass(frozen=True)
class Share:
    """part of whole, e.g. answers rated 有用 of answers rated. `sampled`: the whole is a sample of something
    larger (ratings of answers: most people do not rate), so the share is an estimate and gets an interval."""

    part: int
    whole: int
    sampled: bool = False

    @property
    def percent(self) -> str:
        return f"{self.part / self.whole:.0%}" if self.whole else "—"

    @property
    def too_few(self) -> bool:
        return self.whole < MIN_COMPARE

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson score interval (95 %) of the share; None when nothing was counted or it is not an estimate."""
        if not self.sampled or not self.whole:
            return None
        n, p = self.whole, self.part / self.whole
        centre = (p + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / (1 + Z95 ** 2 / n)
        return max(centre - half, 0.0), min(centre + half, 1.0)

    def interval_text(self) -> str:
        found = self.interval
        return "" if found is None else texts.INTERVAL.format(low=f"{found[0]:.0%}", high=f"{found[1]:.0%}")


def scores_interval(ci95: tuple[float, float] | None) -> str:
    """A survey score's 95 % interval as shown (the survey's own: handlers/survey/scoring.py)."""
    return texts.INTERVAL_NONE if ci95 is None else texts.INTERVAL.format(low=f"{ci95[0]:g}", high=f"{ci95[1]:g}")


def against_target(score: float | None, n: int, ci95: tuple[float, float] | None, target: float) -> tuple[str, str]:
    """A survey score beside the target, as (words, css class): no comparison from too few answers, above or
    below only when the target lies outside the interval, and never a difference (the target is the plan's
    figure from another instrument: nothing is subtracted from it)."""
    if score is None:
        return "—", ""
    if n < MIN_COMPARE:
        return texts.TOO_FEW_TO_COMPARE, "muted"
    if ci95 is not None and ci95[0] <= target <= ci95[1]:
        return texts.NO_CLEAR_GAP, ""
    if score >= target:
        return texts.REACHED, "ok"
    return texts.BELOW, "warn"
