"""满意度: the waves (open one, close it), a wave's index with its 95 % interval, by dimension, group and
county, beside the ended plan's 2025 target and 2020 value (labelled as such: a different instrument) and the
previous wave; downloads as CSV, XLSX and PNG (the same code as
`ipbot survey report` and the chat's /report: handlers/survey/export.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import figures as shown
from bot.console import texts
from bot.console.web import ConsoleHandler
from bot.core.models import SurveyResponse, SurveyWave
from handlers.survey import conversation as survey
from handlers.survey import export as survey_export
from handlers.survey import texts as survey_texts
from handlers.survey.definition import SurveyDefinition
from handlers.survey.scoring import Report

DOWNLOADS = {"csv": ("text/csv; charset=utf-8", "csv"),
             "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
             "png": ("image/png", "png")}


@dataclass(frozen=True)
class WaveView:
    name: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    done: int


def waves(session: Session) -> list[WaveView]:
    counts = dict(session.execute(select(SurveyResponse.wave_id, func.count()).where(SurveyResponse.step == "done")
                                  .group_by(SurveyResponse.wave_id)).all())
    return [WaveView(w.name, w.opened_at, w.closed_at, int(counts.get(w.id, 0)))
            for w in session.scalars(select(SurveyWave).order_by(SurveyWave.id.desc()))]


def export(session: Session, definition: SurveyDefinition, name: str | None, kind: str, zone: dt.tzinfo
           ) -> bytes | None:
    report = survey.wave_report(session, definition, name)
    wave = survey.find_wave(session, report.wave) if report else None
    if report is None or wave is None:
        return None
    if kind == "csv":
        return survey_export.to_csv(session, definition, wave, zone)
    if kind == "xlsx":
        return survey_export.to_xlsx(session, definition, wave, report, zone)
    return survey_export.to_png(session, definition, report)


class SurveyPage(ConsoleHandler):
    async def show(self, error: str | None = None) -> None:
        wanted = self.get_query_argument("wave", None) or None
        definition = self.deps.survey

        def load(session: Session) -> tuple[list[WaveView], Report | None]:
            return waves(session), survey.wave_report(session, definition, wanted)

        listed, report = await self.read(load)
        if wanted and report is None:
            error = texts.UNKNOWN_WAVE.format(wave=wanted[:64])
        self.page("survey.html", error=error, waves=listed, report=report, target=definition.target,
                  target_label=survey_texts.TARGET_LABEL, baseline_label=survey_texts.BASELINE_LABEL,
                  instrument_note=survey_texts.INSTRUMENT_NOTE, min_compare=shown.MIN_COMPARE,
                  too_few=texts.TOO_FEW, interval=shown.scores_interval, against=shown.against_target,
                  is_open=any(w.closed_at is None for w in listed))

    async def get(self, *_rest: str) -> None:
        await self.show()

    async def post(self, action: str = "") -> None:
        if action not in ("open", "close"):
            raise HTTPError(405)
        name, now = self.form("name").strip(), self.deps.clock()
        if action == "open" and not name:
            await self.show(texts.WAVE_NAME_EMPTY)
            return
        if action == "close" and not self.confirmed():
            opened = await self.read(lambda s: next((w for w in waves(s) if w.closed_at is None), None))
            if opened is None:
                await self.show(texts.WAVE_NONE_OPEN)
                return
            title, message, button = texts.CONFIRM_CLOSE_WAVE
            self.ask_to_confirm(title, message.format(wave=opened.name, n=opened.done), button, "/console/survey")
            return

        def act(session: Session) -> tuple[bool, str]:
            """Whether it was done, and what to say."""
            wave = survey.open_wave(session)
            if action == "open":
                if wave is not None:
                    return False, texts.WAVE_ALREADY_OPEN.format(wave=wave.name)
                said = survey.staff_open(session, name, now)[0].text
                if survey.open_wave(session) is None:  # e.g. the name was taken
                    return False, said
                self.audit(session, "survey.open", name)
                return True, said
            if wave is None:
                return False, texts.WAVE_NONE_OPEN
            said = survey.staff_close(session, now)[0].text
            self.audit(session, "survey.close", wave.name)
            return True, said

        done, said = await self.change(act)
        if not done:
            await self.show(said)
            return
        self.done(said, "/console/survey")


class SurveyDownload(ConsoleHandler):
    async def get(self, kind: str) -> None:
        if kind not in DOWNLOADS:
            raise HTTPError(404)
        wanted = self.get_query_argument("wave", None) or None
        data = await self.read(lambda s: export(s, self.deps.survey, wanted, kind, self.deps.zone))
        if data is None:
            raise HTTPError(404)
        content_type, suffix = DOWNLOADS[kind]
        self.set_header("Content-Type", content_type)
        if kind != "png" or self.get_query_argument("download", None):
            self.set_header("Content-Disposition", f'attachment; filename="survey.{suffix}"')
        self.finish(data)
