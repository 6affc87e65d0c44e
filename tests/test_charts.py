"""Charts never show boxes: the one font chooser finds the installed Chinese font (by family, or by file when
matplotlib's font list was cached before the font was installed), every chart draws Chinese text with no glyph
missing; without a Chinese font the charts use English labels and the operator is told the command that fixes it."""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from handlers import charts
from handlers.indicators import export as indicator_export
from handlers.indicators import plan
from handlers.indicators import progress as indicators
from handlers.router import Router
from handlers.survey import definition as survey_definition
from handlers.survey import export as survey_export
from handlers.survey import insights as survey_insights
from handlers.survey.conversation import wave_report
from tests.cli_runner import ipbot
from tests.helpers import Person, answer_all, open_wave

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
WAVE = "2026年第四季度"  # a wave name as staff type it: Chinese, drawn on the survey chart
FIX = "apt-get install fonts-noto-cjk"
needs_font = pytest.mark.skipif(charts.cjk_font() is None,
                                reason=f"no Chinese (CJK) font installed, so nothing to draw Chinese with: {FIX}")


@pytest.fixture
def glyphs_checked() -> Iterator[None]:
    """matplotlib warns "Glyph … missing from font(s) …" when it draws a box: here that fails the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        yield


def _every_chart(staffed: Router, sessions: sessionmaker[Session]) -> dict[str, Callable[[], bytes]]:
    """The survey chart, the key-drivers chart and the indicators' chart, with Chinese to draw in each."""
    open_wave(staffed, WAVE)
    for n in range(6):
        answer_all(Person(staffed, f"p{n}"), "满意" if n % 2 else "非常满意")
    definition = survey_definition.load()
    plans = plan.load_plans()
    with sessions.begin() as session:
        indicators.record(session, plans, "pledge-financing", "2024", "6100", "公报", "cli", NOW)
        indicators.record(session, plans, "pledge-financing", "2026", "7400", "公报", "cli", NOW)  # target pending

    def survey_chart() -> bytes:
        with sessions() as session:
            report = wave_report(session, definition)
            assert report is not None and report.wave == WAVE
            return survey_export.to_png(session, definition, report)

    def drivers_chart() -> bytes:
        with sessions() as session:
            found = survey_insights.wave_insights(session, definition, WAVE)
        assert found is not None
        return survey_insights.to_png(found)

    def indicators_chart() -> bytes:
        with sessions() as session:
            return indicator_export.to_png(indicators.statuses(session, plans))

    return {"survey": survey_chart, "drivers": drivers_chart, "indicators": indicators_chart}


@needs_font
def test_the_chosen_font_has_every_glyph_of_the_chinese_the_charts_show() -> None:
    from matplotlib import font_manager

    family = charts.cjk_font()
    assert family is not None
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert charts.covers(path, 0, charts.PROBE + WAVE + "知识产权质押融资额每万人口高价值发明专利拥有量")


@needs_font
def test_every_chart_draws_chinese_with_no_glyph_missing(staffed: Router, sessions: sessionmaker[Session],
                                                         glyphs_checked: None) -> None:
    for name, draw in _every_chart(staffed, sessions).items():
        assert draw().startswith(b"\x89PNG"), name
    # and the check itself bites: the same text in matplotlib's Latin font is refused
    plt = charts.pyplot()
    with charts.font_context(None), pytest.raises(UserWarning, match="missing from font"):
        figure, axes = plt.subplots()
        axes.set_title(WAVE)
        charts.to_png(figure)


def test_a_font_list_cached_before_the_font_was_installed_still_finds_it_by_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    installed = [path for path in charts.CJK_FILES if Path(path).is_file()]
    if not installed:
        pytest.skip(f"no Chinese (CJK) font file in the usual places: {FIX}")
    stale = [entry for entry in font_manager.fontManager.ttflist if entry.name not in charts.CJK_FAMILIES]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)  # as cached before fonts-noto-cjk came
    assert charts.choose(files=()) is None
    assert charts.choose() in charts.CJK_FAMILIES


def test_without_a_chinese_font_charts_use_english_and_the_operator_is_told_the_fix(
        staffed: Router, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch, database_url: str,
        tmp_path: Path, caplog: pytest.LogCaptureFixture, glyphs_checked: None) -> None:
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    for name, draw in _every_chart(staffed, sessions).items():  # the Chinese wave name included: no box
        assert draw().startswith(b"\x89PNG"), name
    with caplog.at_level(logging.WARNING, logger="handlers.charts"):
        charts.warn_if_no_font()  # what `ipbot run` does at start
    assert FIX in caplog.text and "English labels" in caplog.text
    made = ipbot("indicators", "chart", "-o", str(tmp_path / "c.png"), env={"IPBOT_DATABASE_URL": database_url})
    assert made.returncode == 0 and FIX in made.stderr and (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")


@needs_font
def test_with_a_chinese_font_the_commands_say_nothing_about_fonts(database_url: str, tmp_path: Path) -> None:
    made = ipbot("indicators", "chart", "-o", str(tmp_path / "c.png"), env={"IPBOT_DATABASE_URL": database_url})
    assert made.returncode == 0 and FIX not in made.stderr and "CJK" not in made.stderr
    assert charts.missing_font_notice() is None
