"""The console's routes on the project's HTTP server (bot/http_server.py), all under /console/.

To add a page: a ConsoleHandler subclass (bot/console/web.py) in a module of its own, a template extending
base.html, a line here and its link in texts.NAV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from tornado.web import RedirectHandler, StaticFileHandler

from bot.client_address import parse_proxies
from bot.console import (
    accounts_page,
    handoffs,
    indicators_page,
    knowledge_page,
    login,
    new_entry_page,
    outbox_page,
    overview,
    password_page,
    questions_page,
    reminders_page,
    survey_pages,
    tips_page,
)
from bot.console.web import ConsoleDeps, NotFound
from bot.core.kept_secrets import COOKIE_SECRET, kept_secret
from bot.http_server import Route, parse_listen
from bot.settings import Settings
from handlers.router import Router

STATIC = Path(__file__).parent / "static"
PREFIX = "/console"


def routes(deps: ConsoleDeps) -> list[Route]:
    d = {"deps": deps}
    return [
        (PREFIX, RedirectHandler, {"url": f"{PREFIX}/"}),
        (f"{PREFIX}/", overview.OverviewPage, d),
        (f"{PREFIX}/login", login.Login, d),
        (f"{PREFIX}/logout", login.Logout, d),
        (f"{PREFIX}/password", password_page.PasswordPage, d),
        (f"{PREFIX}/questions", questions_page.QuestionsPage, d),
        (rf"{PREFIX}/questions/(\d{{1,12}})/(teach|not-ip|ignore)", questions_page.QuestionAction, d),
        (f"{PREFIX}/knowledge", knowledge_page.KnowledgePage, d),
        (f"{PREFIX}/knowledge/new", new_entry_page.DraftForm, d),
        (rf"{PREFIX}/knowledge/draft/([a-z0-9][a-z0-9-]{{0,63}})", new_entry_page.DraftForm, d),
        (rf"{PREFIX}/knowledge/([a-z0-9][a-z0-9-]{{0,63}})", knowledge_page.EntryPage, d),
        (rf"{PREFIX}/knowledge/([a-z0-9][a-z0-9-]{{0,63}})/revert", knowledge_page.EntryRevert, d),
        (f"{PREFIX}/handoffs", handoffs.HandoffsPage, d),
        (rf"{PREFIX}/handoffs/(\d{{1,12}})", handoffs.HandoffPage, d),
        (rf"{PREFIX}/handoffs/(\d{{1,12}})/(reply|end)", handoffs.HandoffPage, d),
        (f"{PREFIX}/survey", survey_pages.SurveyPage, d),
        (f"{PREFIX}/survey/(open|close)", survey_pages.SurveyPage, d),
        (rf"{PREFIX}/survey/export\.(\w{{1,8}})", survey_pages.SurveyDownload, d),
        (f"{PREFIX}/reminders", reminders_page.RemindersPage, d),
        (rf"{PREFIX}/reminders/(\d{{1,12}})/cancel", reminders_page.ReminderCancel, d),
        (f"{PREFIX}/outbox", outbox_page.OutboxPage, d),
        (rf"{PREFIX}/outbox/(\d{{1,12}})/retry", outbox_page.OutboxRetry, d),
        (f"{PREFIX}/tips", tips_page.TipsPage, d),
        (rf"{PREFIX}/tips/export\.xlsx", tips_page.TipsExport, d),
        (rf"{PREFIX}/tips/photos/(\d{{1,12}})", tips_page.TipPhotoFile, d),
        (rf"{PREFIX}/tips/(WQ\d{{10}}(?:\d{{4}})?)", tips_page.TipPage, d),
        (rf"{PREFIX}/tips/(WQ\d{{10}}(?:\d{{4}})?)/move", tips_page.TipMove, d),
        (f"{PREFIX}/indicators", indicators_page.IndicatorsPage, d),
        (rf"{PREFIX}/indicators/chart\.png", indicators_page.IndicatorChart, d),
        (rf"{PREFIX}/indicators/report\.xlsx", indicators_page.IndicatorReport, d),
        (f"{PREFIX}/indicators/evaluation", indicators_page.EvaluationPage, d),
        (rf"{PREFIX}/indicators/evaluation\.(xlsx|png)", indicators_page.EvaluationDownload, d),
        (f"{PREFIX}/accounts", accounts_page.AccountsPage, d),
        (f"{PREFIX}/accounts/(\\w{{1,16}})", accounts_page.AccountsPage, d),
        (f"{PREFIX}/static/(.*)", StaticFileHandler, {"path": str(STATIC)}),
        (f"{PREFIX}/(.*)", NotFound, d),
    ]


def deps_for(settings: Settings, router: Router, wake: Callable[[], None], channels: tuple[str, ...],
             writer: AbstractContextManager[object]) -> ConsoleDeps:
    """What the pages need, from the running bot's parts (the cookie secret is read, or made and stored)."""
    with writer, router.sessions.begin() as session:
        secret = kept_secret(session, COOKIE_SECRET, settings.console_secret)
    return ConsoleDeps(router.sessions, secret, router.survey, router.zone,
                       lambda session: router.linked_staff.together(session, router.staff_ids),
                       wake=wake, clock=router.clock, channels=channels, writer=writer,
                       knowledge=router.knowledge, media=settings.media_folder,
                       proxies=parse_proxies(settings.trusted_proxies),
                       idle=dt.timedelta(minutes=settings.console_idle_minutes))


def url(settings: Settings) -> str:
    host, port = parse_listen(settings.http_listen)
    return f"http://{host}:{port}{PREFIX}/"
