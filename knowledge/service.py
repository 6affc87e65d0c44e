"""The live knowledge base: loaded once, rebuilt when its files change, never left broken.

A reload that fails validation keeps the previous engine answering and reports the problems.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from knowledge import loader
from knowledge.engine import SearchEngine, Tuning
from knowledge.errors import KnowledgeBaseError, Problem


class KnowledgeService:
    def __init__(self, data_dir: Path | None = None, tuning: Tuning | None = None,
                 check_every: float = 2.0) -> None:
        self.data_dir = data_dir or loader.DATA_DIR
        self.tuning = tuning
        self.check_every = check_every
        self._lock = threading.Lock()
        self._engine = SearchEngine(loader.load(self.data_dir), tuning)
        self._signature = self._current_signature()
        self._checked_at = time.monotonic()
        self.last_problems: list[Problem] = []

    @property
    def engine(self) -> SearchEngine:
        """The current engine, rebuilt first if the files changed (checked at most every few seconds)."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_every:
            self._checked_at = now
            if self._current_signature() != self._signature:
                self.reload()
        return self._engine

    def reload(self) -> list[Problem]:
        """Rebuild from the files. On problems, keep the old engine and return them."""
        with self._lock:
            signature = self._current_signature()
            try:
                engine = SearchEngine(loader.load(self.data_dir), self.tuning)
            except KnowledgeBaseError as exc:
                self.last_problems = exc.problems
                self._signature = signature  # do not retry until the files change again
                return exc.problems
            self._engine, self._signature, self.last_problems = engine, signature, []
            return []

    def _current_signature(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(self.data_dir.rglob("*"))
        out = []
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                out.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(out)
