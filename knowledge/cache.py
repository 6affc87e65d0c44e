"""The built search engine kept on disk between processes, keyed by what it was built from: the knowledge
files' bytes, the knowledge package's code, the tuning and the Python version. A start with nothing changed
(every `ipbot ask`) loads it instead of reading, validating and indexing 176 entries again; any change to
any of those gives another key, so a stale engine is never used. Nothing here is needed: without a writable
cache folder, or with a file that does not load, the engine is simply built.

The learned classifier (knowledge/learned.py) is kept here too, by its own key (the phrasings, their words and
topics, and its code): the bot's engine includes what staff taught, so it is built at every start, but unless
something was taught since, its classifier is loaded rather than fitted (fitting imports scikit-learn, about
150 MB more resident memory for the life of the process).

Where: IPBOT_CACHE_DIR, else $XDG_CACHE_HOME/ipbot, else ~/.cache/ipbot; IPBOT_CACHE_DIR=off keeps nothing.
The folder is its user's alone (0700, each file 0600): a cache file is code to pickle, never read from a folder
someone else could write to.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
FORMAT = 1  # raise when what is pickled changes shape in a way the code digest would not show
_CODE = Path(__file__).parent


def folder() -> Path | None:
    configured = os.environ.get("IPBOT_CACHE_DIR", "")
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ipbot"


def key(data_dir: Path, tuning: object) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{sys.version}|{tuning!r}".encode())
    for root in (data_dir, _CODE):
        pattern = "*" if root == data_dir else "*.py"
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _private(place: Path) -> bool:
    """Ours alone: owned by this user, and neither group nor others may write to it."""
    try:
        info = place.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def load(name: str, kind: str = "engine") -> Any | None:
    """What was stored under this kind and name, or None (nothing kept, not ours, or it does not load)."""
    place = folder()
    if place is None:
        return None
    path = place / f"{kind}-{name}.pickle"
    if not path.exists() or not _private(place) or not _private(path):
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a broken or foreign file: build instead
        log.info("knowledge cache %s not used", path, exc_info=True)
        return None


def store(name: str, value: object, kind: str = "engine", keep: int = 1) -> None:
    """Keep `value` under this kind and name, with at most `keep` of its kind (the newest)."""
    place = folder()
    if place is None:
        return
    try:
        place.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(place):
            return
        kept = sorted(place.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[max(keep - 1, 0):]:  # one engine kept (the files change rarely); a few classifiers
            old.unlink(missing_ok=True)
        partial = place / f".{kind}-{name}.{os.getpid()}.part"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(place / f"{kind}-{name}.pickle")
    except OSError:  # read-only home, full disk: the next start builds again
        log.info("knowledge cache not written", exc_info=True)
