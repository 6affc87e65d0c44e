"""Builds the running bot from settings: database, knowledge base and router."""

from __future__ import annotations

import logging

from bot.db import open_database
from bot.settings import Settings
from handlers.router import Router
from knowledge.service import KnowledgeService


def build_router(knowledge: KnowledgeService, settings: Settings | None = None) -> Router:
    settings = settings or Settings()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _engine, sessions = open_database(settings.database_url)
    return Router(knowledge, sessions)
