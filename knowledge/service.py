"""The live knowledge base: loaded once, rebuilt when its files or its overlay (what staff taught or edited,
kept in the database) change, never left broken.

A reload that fails validation keeps the previous engine answering and reports the problems. Every running
instance looks at the overlay's version every few seconds, so what one instance was taught the others answer
too, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable
from pathlib import Path

from knowledge import cache, loader, office
from knowledge.engine import SearchEngine, Tuning
from knowledge.errors import KnowledgeBaseError, Problem
from knowledge.overlay import Overlay, OverlaySource, TaughtEngine

log = logging.getLogger(__name__)
EAGER_SECONDS = 5.0  # after invalidate(): look at every access for this long (the change may not be committed yet)


class KnowledgeService:
    def __init__(self, data_dir: Path | None = None, tuning: Tuning | None = None,
                 check_every: float = 2.0, overlay: OverlaySource | None = None) -> None:
        self.data_dir = data_dir or loader.DATA_DIR
        self.tuning = tuning
        self.check_every = check_every
        self.overlay_source = overlay
        self._lock = threading.Lock()
        self._signature = self._current_signature()
        self._overlay_version: Hashable = None
        self._overlay_version = self._read_overlay_version()
        self._kb, self._engine = self._start()
        self._checked_at = time.monotonic()
        self._eager_until = 0.0
        self.last_problems: list[Problem] = []

    @property
    def engine(self) -> SearchEngine:
        """The current engine, rebuilt first if the files or the overlay changed (checked every few seconds)."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_every or now < self._eager_until:
            self._checked_at = now
            if self._current_signature() != self._signature:
                self.reload()
            elif self._read_overlay_version() != self._overlay_version:
                self.refresh_overlay()
        return self._engine

    @property
    def files(self) -> loader.KnowledgeBase:
        """The knowledge base as the packaged files give it (without the overlay)."""
        return self._kb

    def attach(self, overlay: OverlaySource) -> None:
        """Answer with this overlay from now on."""
        self.overlay_source = overlay
        self._overlay_version = self._read_overlay_version()
        self.refresh_overlay()

    def invalidate(self) -> None:
        """Something was just taught or edited: look for it at every access for a few seconds."""
        self._eager_until = time.monotonic() + EAGER_SECONDS

    def reload(self) -> list[Problem]:
        """Rebuild from the files. On problems, keep the old engine and return them."""
        with self._lock:
            signature = self._current_signature()
            try:
                kb = loader.load(self.data_dir)
                engine = self._build(kb)
            except KnowledgeBaseError as exc:
                self.last_problems = exc.problems
                self._signature = signature  # do not retry until the files change again
                return exc.problems
            self._kb, self._engine, self._signature, self.last_problems = kb, engine, signature, []
            return []

    def refresh_overlay(self) -> None:
        """Rebuild over the same files with the overlay as it stands now."""
        with self._lock:
            self._engine = self._build(self._kb)

    def _start(self) -> tuple[loader.KnowledgeBase, SearchEngine]:
        """The files' engine from the cache when nothing changed since it was built (knowledge/cache.py);
        else loaded, built and kept there. With an overlay (a database), built over it as always."""
        name = cache.key(self.data_dir, self.tuning) if self.overlay_source is None else None
        cached = cache.load(name) if name else None
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], SearchEngine):
            engine, seen = cached
            office.remember(seen)  # the office file as it was read then (re-read if it changed since)
            return engine.kb, engine
        kb = loader.load(self.data_dir)
        engine = self._build(kb)
        if name:
            cache.store(name, (engine, office.checked()))
        return kb, engine

    def _build(self, kb: loader.KnowledgeBase) -> SearchEngine:
        overlay = self._load_overlay(kb)
        if overlay is None:
            return TaughtEngine(kb, Overlay(), self.tuning) if kb.declined else SearchEngine(kb, self.tuning)
        self._overlay_version = overlay.version
        return TaughtEngine(kb, overlay, self.tuning)

    def _read_overlay_version(self) -> Hashable:
        if self.overlay_source is None:
            return None
        try:
            return self.overlay_source.version()
        except Exception:  # the database is away: keep answering with what we have
            log.exception("could not read the knowledge overlay's version")
            return self._overlay_version

    def _load_overlay(self, kb: loader.KnowledgeBase) -> Overlay | None:
        if self.overlay_source is None:
            return None
        try:
            return self.overlay_source.load(kb)
        except Exception:
            log.exception("could not load the knowledge overlay; answering from the files alone")
            return Overlay(version=object())  # try again at the next check

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
