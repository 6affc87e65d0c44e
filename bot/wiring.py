"""Builds the running bot from settings: database, knowledge base, router and channels."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from bot.db import open_database
from bot.settings import Settings
from handlers import survey_definition
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from knowledge.service import KnowledgeService


def build_router(knowledge: KnowledgeService, settings: Settings | None = None) -> Router:
    settings = settings or Settings()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _engine, sessions = open_database(settings.database_url)
    router = Router(knowledge, sessions, staff_ids=settings.staff_ids,
                    rate_limiter=RateLimiter(limit=settings.user_messages_per_minute, window=60.0),
                    one_writer=settings.database_url.startswith("sqlite"),
                    survey_definition=survey_definition.load(Path(settings.survey_file) if settings.survey_file
                                                              else survey_definition.DEFINITION),
                    survey_salt=settings.survey_salt, timezone=settings.timezone)
    # What start-up loaded (the knowledge base's indexes, the libraries) lives as long as the process: out of
    # the cyclic collector's sight, its full collections stop walking it on every message's garbage (about
    # 5 % of Telegram throughput). A reloaded knowledge base frees the old one by reference counting (it
    # holds no cycles), so nothing frozen is kept alive by this.
    gc.freeze()
    return router
