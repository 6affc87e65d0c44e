"""The SQLite database's instance lock: `ipbot run` holds it for its lifetime, `ipbot restore` for its work.

An exclusive advisory lock (flock) on a file beside the database (`ipbot.db.lock`, 0600). A restore while a
bot serves would replace the file under it (the bot goes on writing into the old, unlinked one: all lost),
and SQLite is one instance; so a second holder is refused with a message saying who holds it. The kernel
releases the lock when its holder dies, however it dies: a stale lock file is harmless.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

SUFFIX = ".lock"


class DatabaseInUse(Exception):
    """Another process (an `ipbot run`, or a restore) holds the database's lock."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


class InstanceLock:
    """`with InstanceLock(database):` — holds the lock, or raises DatabaseInUse at once (never waits)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._descriptor: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise DatabaseInUse(f"{self.database} is in use by a running `ipbot run` (or a restore): it holds "
                                f"{self.path}. Stop it first (e.g. `systemctl stop ipbot`), then try again") from None
        except BaseException:
            os.close(descriptor)
            raise
        self._descriptor = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


def sqlite_file(database_url: str) -> Path | None:
    """The SQLite file a database URL names (None for PostgreSQL or an in-memory database)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).resolve()
