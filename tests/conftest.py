"""Shared fixtures. Database tests run on SQLite always and on PostgreSQL too when
IPBOT_TEST_DATABASE_URL points at one (each test gets its own schema there)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.console import accounts
from bot.core.db import open_database
from handlers.router import Router
from knowledge import loader
from knowledge.service import KnowledgeService
from tests.browser import browser  # noqa: F401  (the browser tests' fixture: one chromium per test module)
from tests.helpers import Person

# The built engine and the fitted classifier (knowledge/cache.py) are kept in a folder of this test process's own,
# which the `ipbot` processes the tests start share: each would otherwise spend about two seconds of CPU building
# what the previous one built. The cache's key covers the knowledge files' bytes, so a test that edits them gets
# its own engine; tests/test_knowledge_cache.py tests the cache itself in folders of its own.
if "IPBOT_CACHE_DIR" not in os.environ:
    os.environ["IPBOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="ipbot-test-cache-")
    atexit.register(shutil.rmtree, os.environ["IPBOT_CACHE_DIR"], True)

# Passwords are hashed at argon2's lowest cost in the test processes: the console tests sign in and check wrong
# passwords hundreds of times, and nothing they test (accounts, throttling, sessions) depends on the cost. The
# hashes carry their parameters, so either side verifies the other's; `ipbot` processes keep the real cost.
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
accounts._DUMMY = accounts._hasher.hash("not a password of anyone")

PG_URL = os.environ.get("IPBOT_TEST_DATABASE_URL")
# the project's own labelled question sets (scripts/holdout/README.md): what the tests measure answering on
HOLDOUT = Path(__file__).resolve().parents[1] / "scripts" / "holdout"
QUESTION_SETS = sorted(HOLDOUT.glob("set-*.jsonl"))
UNSEEN_SET = HOLDOUT / "set-q.jsonl"  # the newest set, measured unseen and not tuned on
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeService:
    return KnowledgeService()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ipbot.db'}"
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine, factory = open_database(database_url)
    yield factory
    engine.dispose()


@pytest.fixture
def router(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    return Router(knowledge, sessions)


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> Router:
    """A router where terminal:boss is staff (survey respondents hashed with the salt "pepper")."""
    return Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss"}), survey_salt="pepper")


@pytest.fixture
def person(router: Router) -> Person:
    return Person(router)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge-base folder."""
    target = tmp_path / "kb"
    shutil.copytree(loader.DATA_DIR, target)
    return target
