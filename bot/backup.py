"""`ipbot backup DIR` and `ipbot restore DIR` on SQLite (PostgreSQL: pg_dump, see docs/deploy.md).

A backup folder holds:

    ipbot.db        the database, copied with SQLite's online backup API: one consistent snapshot, taken while
                    `ipbot run` goes on serving (in WAL mode the copy reads beside the writer, never blocking it)
    media/…         the report photos, copied after the snapshot (so every photo it names is there)
    settings.txt    the IPBOT_* settings from the environment and .env, secrets left out (named, not valued)
    manifest.json   when, the schema version, counts of the key tables, every file with its size and sha256

Files are 0600 and folders 0700 (the copy holds what the database holds: contacts, chat ids, password hashes,
the generated secrets). `restore` checks every file against the manifest before touching anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.engine import make_url

from bot.instance_lock import DatabaseInUse, InstanceLock
from bot.settings import Settings

DATABASE = "ipbot.db"
MEDIA = "media"
SETTINGS = "settings.txt"
MANIFEST = "manifest.json"
FORMAT = 1
# counted into the manifest: what an operator checks a restore by
KEY_TABLES = ("question_log", "handoff_request", "tip", "tip_photo", "reminder", "subscription", "survey_response",
              "staff_account", "audit_log", "outbox", "learned_phrasing", "indicator_value")
# a setting whose name holds one of these is a secret: named in settings.txt, its value left out
SECRET_PARTS = ("SECRET", "TOKEN", "AES_KEY", "SALT", "PASSWORD", "ROBOT_WEBHOOK_URL")
PG_DUMP_HINT = ("ipbot backup/restore handle the SQLite database only; on PostgreSQL use pg_dump and pg_restore "
                "(e.g. `pg_dump -Fc -f ipbot.dump DBNAME`) and copy the media folder yourself (docs/deploy.md)")


class BackupError(Exception):
    """A backup or restore that cannot (or must not) be done; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    database: Path
    media: Path
    files: int
    manifest: dict[str, Any]


def sqlite_path(settings: Settings) -> Path:
    """The database file IPBOT_DATABASE_URL names; BackupError for PostgreSQL or an in-memory database."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_HINT)
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database).resolve()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---- backup ---------------------------------------------------------------------------------------------

def backup(settings: Settings, folder: Path, environ: dict[str, str] | None = None,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """Write a backup into `folder` (new, or empty); returns the manifest."""
    source = sqlite_path(settings)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    target = folder / DATABASE
    _snapshot(source, target)
    media = _copy_media(settings.media_folder, folder / MEDIA)
    _private_write(folder / SETTINGS, settings_text(environ if environ is not None else dict(os.environ)))
    files = [DATABASE, SETTINGS, *media]
    manifest = {"format": FORMAT, "created_at": (now or dt.datetime.now(dt.UTC)).isoformat(),
                "database": str(source), "media_folder": str(settings.media_folder),
                **_describe(target),
                "files": [{"path": name, "size": (folder / name).stat().st_size, "sha256": sha256(folder / name)}
                          for name in files]}
    _private_write(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def _snapshot(source: Path, target: Path) -> None:
    """The whole database in one step of the online backup API: one read transaction, so one consistent
    state (a stepwise copy would restart whenever the bot writes). The copy is a single file (no WAL)."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        with contextlib.suppress(OSError):
            target.chmod(0o600)
        reader.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy does not check out: {check}")
    finally:
        copy.close()
        reader.close()
    target.chmod(0o600)


def _describe(database: Path) -> dict[str, Any]:
    """Schema version and the key tables' counts, read from the copy (the snapshot's own figures)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = (connection.execute("SELECT version_num FROM alembic_version").fetchone()
                   if "alembic_version" in tables else None)
        counts = {name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
                  for name in KEY_TABLES if name in tables}
    finally:
        connection.close()
    return {"schema_version": version[0] if version else None, "counts": counts}


def _copy_media(media: Path, target: Path) -> list[str]:
    """Every file under the media folder (photos are written before the row naming them commits, so all the
    snapshot names are there); names relative to the backup folder."""
    copied: list[str] = []
    if not media.is_dir():
        return copied
    for path in sorted(media.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name.endswith(".part"):
            continue
        relative = path.relative_to(media)
        destination = target / relative
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            shutil.copyfile(path, destination)
        except FileNotFoundError:  # purged (retention) since it was listed: no longer the bot's to keep
            continue
        destination.chmod(0o600)
        copied.append(str(PurePosixPath(MEDIA, *relative.parts)))
    return copied


def is_secret(name: str) -> bool:
    return any(part in name.upper() for part in SECRET_PARTS)


def settings_text(environ: dict[str, str], env_file: Path = Path(".env")) -> str:
    """The IPBOT_* settings (.env first, the environment over it, as Settings reads them): secrets named but
    left out, the database URL's password masked. Test-only variables (IPBOT_TEST_*) are not settings."""
    values: dict[str, str] = {}
    if env_file.is_file():
        from dotenv import dotenv_values

        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(environ)
    lines = ["# ipbot settings at backup time (IPBOT_* from the environment and .env).",
             "# Secrets are left out: set them again from where you keep them.", ""]
    for name in sorted(values):
        upper = name.upper()
        if not upper.startswith("IPBOT_") or upper.startswith("IPBOT_TEST_"):
            continue
        value = values[name]
        if is_secret(upper):
            lines.append(f"# {name}=  (a secret: left out)")
        elif upper == "IPBOT_DATABASE_URL":
            lines.append(f"{name}={make_url(value).render_as_string(hide_password=True)}")
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def _private_write(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    path.chmod(0o600)


# ---- restore --------------------------------------------------------------------------------------------

def verify(folder: Path) -> dict[str, Any]:
    """The manifest, once every file it lists is there with its size and sha256; BackupError otherwise."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} holds no {MANIFEST}: not an ipbot backup") from exc
    except ValueError as exc:
        raise BackupError(f"{folder / MANIFEST} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"),
                                                                                             list):
        raise BackupError(f"{folder / MANIFEST}: not a backup manifest this version reads")
    names = []
    for entry in manifest["files"]:
        name = str(entry.get("path", ""))
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or ".." in parts:
            raise BackupError(f"manifest names a file outside the backup: {name!r}")
        path = folder / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if path.stat().st_size != entry.get("size") or sha256(path) != entry.get("sha256"):
            raise BackupError(f"{name} does not match the manifest (changed or damaged): not restoring")
        names.append(name)
    if DATABASE not in names:
        raise BackupError(f"the manifest lists no {DATABASE}")
    return manifest


def restore(settings: Settings, folder: Path, force: bool = False) -> Restored:
    """Put the backup's database and photos where the settings say (the bot stopped: refused while an
    `ipbot run` holds the database's lock). Refuses to overwrite an existing database unless `force`."""
    target = sqlite_path(settings)
    lock = InstanceLock(target)
    try:
        lock.acquire()  # held until done: no `ipbot run` starts on a half-restored database either
    except DatabaseInUse as exc:
        raise BackupError(f"{exc}. Nothing was restored") from exc
    try:
        return _restore(settings, target, folder, force)
    finally:
        lock.release()


def _restore(settings: Settings, target: Path, folder: Path, force: bool) -> Restored:
    manifest = verify(folder)
    from bot.core.db import SCHEMA_HEAD

    version = manifest.get("schema_version")
    if isinstance(version, str) and version > SCHEMA_HEAD:
        raise BackupError(f"the backup's schema ({version}) is newer than this version's ({SCHEMA_HEAD}): "
                          f"install the version that took it")
    if target.exists() and target.stat().st_size > 0 and not force:
        raise BackupError(f"a database exists at {target}: stop the bot and give --force to replace it")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # the new file goes in beside the old one, then takes its name in one step; a stale WAL would be
    # replayed into it, so the old one's go first
    descriptor, temporary = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
    os.close(descriptor)
    try:
        shutil.copyfile(folder / DATABASE, temporary)
        os.chmod(temporary, 0o600)
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{target}{suffix}").unlink()
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    media = settings.media_folder
    restored = 0
    for entry in manifest["files"]:
        parts = PurePosixPath(entry["path"]).parts
        if parts[0] != MEDIA:
            continue
        destination = media.joinpath(*parts[1:])
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(folder / entry["path"], destination)
        destination.chmod(0o600)
        restored += 1
    return Restored(target, media, restored, manifest)
