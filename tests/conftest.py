"""Shared fixtures. Database tests run on SQLite always and on PostgreSQL too when
IPBOT_TEST_DATABASE_URL points at one (each test gets its own schema there)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.core.db import open_database
from bot.core.messages import Address, Incoming, Reply, StaffChat, Target
from handlers.router import Router
from knowledge import loader
from knowledge.service import KnowledgeService

# The knowledge engine is built afresh in every test (knowledge/cache.py keeps it between processes otherwise;
# tests/test_knowledge_cache.py tests that in a folder of its own).
os.environ.setdefault("IPBOT_CACHE_DIR", "off")

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


class Inbox:
    """An outbox sender that keeps what it was given."""

    def __init__(self) -> None:
        self.sent: list[tuple[Target, Reply]] = []

    async def send(self, to: Target, reply: Reply) -> None:
        self.sent.append((to, reply))


class Person:
    """Drives the router the way a user would: types text, presses buttons by label."""

    def __init__(self, router: Router, user_id: str = "u1", channel: str = "terminal") -> None:
        self.router = router
        self.user_id = user_id
        self.channel = channel
        self.last: list[Reply] = []

    def says(self, message: str) -> list[Reply]:
        self.last = self.router.handle(Incoming(self.channel, self.user_id, self.user_id, text=message))
        return self.last

    def presses(self, label: str) -> list[Reply]:
        for reply in self.last:
            for row in reply.buttons:
                for button in row:
                    if button.label == label:
                        return self.sends_payload(button.payload)
        raise AssertionError(f"no button {label!r} in {[r.labels() for r in self.last]}")

    def sends_payload(self, payload: str) -> list[Reply]:
        self.last = self.router.handle(Incoming(self.channel, self.user_id, self.user_id, payload=payload))
        return self.last

    def _mine(self) -> list[Reply]:
        return [r for r in self.last if r.to in (None, Address(self.channel, self.user_id))]

    @property
    def text(self) -> str:
        """What this person sees."""
        return "\n".join(r.text for r in self._mine())

    @property
    def labels(self) -> list[str]:
        return [label for r in self._mine() for label in r.labels()]

    @property
    def to_staff(self) -> str:
        """What their last message sent to the staff chat."""
        return "\n".join(r.text for r in self.last if isinstance(r.to, StaffChat))


@pytest.fixture
def person(router: Router) -> Person:
    return Person(router)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge-base folder."""
    target = tmp_path / "kb"
    shutil.copytree(loader.DATA_DIR, target)
    return target
