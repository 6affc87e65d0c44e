"""`ipbot backup DIR` while the bot serves, and `ipbot restore DIR`: what was recorded comes back; a tampered
backup and PostgreSQL are refused plainly."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.db import open_database
from bot.core.messages import Incoming
from bot.core.models import InboxMessage, QuestionLog, Reminder, StaffAccount, Tip, TipPhoto
from bot.settings import Settings
from knowledge.service import KnowledgeService
from scheduler import reminders
from tests.cli_runner import ipbot
from tests.helpers import Reporter, RunningConsole, fill_in, store_photos, utc_now


def _ask(app: RunningConsole, start: int, count: int) -> None:
    items = [(f"m{n}", Incoming("terminal", f"user{n % 5}", f"user{n % 5}", text="商标注册需要多久"))
             for n in range(start, start + count)]
    app.call(app.app.pipeline.take("terminal", items))


def _counts(url: str) -> dict[str, int]:
    """Rows of the tables the test checks."""
    engine, sessions = open_database(url)
    try:
        with sessions() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                    for model in (QuestionLog, Tip, TipPhoto, Reminder, StaffAccount)}
    finally:
        engine.dispose()


def test_backup_while_serving_then_restore_brings_everything_back(tmp_path: Path,
                                                                   knowledge: KnowledgeService) -> None:
    work = tmp_path / "work"
    work.mkdir()
    url = f"sqlite:///{work / 'ipbot.db'}"
    env = {"IPBOT_DATABASE_URL": url, "IPBOT_WECOM_SECRET": "very-secret", "IPBOT_TIMEZONE": "Asia/Shanghai"}
    media = Settings(database_url=url).media_folder
    running = RunningConsole(url, knowledge)
    try:
        running.add_account("zhang")
        with running.sessions.begin() as session:
            reminders.add(session, "商标续展", ["terminal:shop"], utc_now() + dt.timedelta(days=30), None,
                          now=utc_now())
        number = fill_in(Reporter(running.app.router, "reporter"))
        store_photos(running.sessions, media)
        photo = next(media.rglob("*.jpg"))
        _ask(running, 0, 20)
        running.settle()

        # messages keep coming while the backup is taken
        stop = threading.Event()

        def keep_asking() -> None:
            n = 1000
            while not stop.is_set():
                _ask(running, n, 3)
                n += 3

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            done = ipbot("backup", str(tmp_path / "backup"), env=env, cwd=work)
        finally:
            stop.set()
            asker.join(timeout=30)
        assert done.returncode == 0, done.stderr
        _ask(running, 5000, 5)  # and after it
        running.settle()
        with running.sessions() as session:
            assert session.scalar(select(func.count()).select_from(InboxMessage)
                                  .where(InboxMessage.status == "pending")) == 0
            assert session.scalar(select(func.count()).select_from(InboxMessage)
                                  .where(InboxMessage.key == "m5004")) == 1
    finally:
        running.stop()

    folder = tmp_path / "backup"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] and manifest["counts"]["tip"] == 1 and manifest["counts"]["reminder"] >= 1
    assert manifest["counts"]["question_log"] >= 20 and manifest["counts"]["staff_account"] == 1
    names = {entry["path"] for entry in manifest["files"]}
    assert {"ipbot.db", "settings.txt", f"media/{photo.relative_to(media).as_posix()}"} <= names
    for path in [folder, *folder.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    settings_txt = (folder / "settings.txt").read_text()
    assert "very-secret" not in settings_txt and "# IPBOT_WECOM_SECRET=" in settings_txt
    assert "IPBOT_TIMEZONE=Asia/Shanghai" in settings_txt

    # the database and the photos lost
    before = {name: manifest["counts"][name] for name in ("question_log", "tip", "tip_photo", "reminder",
                                                          "staff_account")}
    photo_bytes = photo.read_bytes()
    for name in ("ipbot.db", "ipbot.db-wal", "ipbot.db-shm"):
        (work / name).unlink(missing_ok=True)
    shutil.rmtree(media)

    restored = ipbot("restore", str(folder), env=env, cwd=work)
    assert restored.returncode == 0, restored.stderr
    assert "restart" in restored.stdout.lower() or "start" in restored.stdout.lower()
    assert photo.read_bytes() == photo_bytes
    after = _counts(url)
    assert after == before and after["tip"] == 1 and after["tip_photo"] == 1
    assert after["reminder"] >= 1 and after["staff_account"] == 1 and after["question_log"] >= 20
    engine, sessions = open_database(url)
    try:
        with sessions() as session:
            tip = session.scalars(select(Tip)).one()
            assert tip.number == number
            assert session.scalars(select(StaffAccount.name)).all() == ["zhang"]
            assert "商标续展" in session.scalars(select(Reminder.text)).all()
    finally:
        engine.dispose()

    # a database exists now: not replaced without --force
    again = ipbot("restore", str(folder), env=env, cwd=work)
    assert again.returncode == 1 and "--force" in again.stderr
    assert ipbot("restore", str(folder), "--force", env=env, cwd=work).returncode == 0


def test_a_tampered_backup_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ipbot.db'}"
    open_database(url)[0].dispose()
    media = tmp_path / "media"
    media.mkdir()
    (media / "1-1.jpg").write_bytes(b"photo")
    env = {"IPBOT_DATABASE_URL": url}
    assert ipbot("backup", str(tmp_path / "b"), env=env).returncode == 0
    assert ipbot("backup", str(tmp_path / "b"), env=env).returncode == 1  # not into a folder already used
    (tmp_path / "b" / "media" / "1-1.jpg").write_bytes(b"other")
    (tmp_path / "ipbot.db").unlink()
    refused = ipbot("restore", str(tmp_path / "b"), env=env)
    assert refused.returncode == 1 and "media/1-1.jpg does not match the manifest" in refused.stderr
    assert not (tmp_path / "ipbot.db").exists()
    (tmp_path / "b" / "media" / "1-1.jpg").write_bytes(b"photo")
    copy = tmp_path / "b" / "ipbot.db"
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF  # one byte flipped
    copy.write_bytes(bytes(data))
    refused = ipbot("restore", str(tmp_path / "b"), env=env)
    assert refused.returncode == 1 and "ipbot.db does not match" in refused.stderr


def test_postgresql_is_refused_with_pg_dump_named(tmp_path: Path) -> None:
    env = {"IPBOT_DATABASE_URL": "postgresql+psycopg://ipbot:pw@db.example:5432/ipbot"}
    for command in (["backup", str(tmp_path / "b")], ["restore", str(tmp_path / "b")]):
        refused = ipbot(*command, env=env)
        assert refused.returncode == 1 and "pg_dump" in refused.stderr, refused.stderr
    assert not (tmp_path / "b").exists()


def test_restore_is_refused_while_ipbot_run_uses_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ipbot run` holds the SQLite database's lock while it serves: a restore then would replace the file under
    it (what the bot wrote afterwards: lost) and is refused, as is a second `ipbot run`; once it stops, the
    restore goes ahead."""
    from bot.cli import chat

    database = tmp_path / "ipbot.db"
    url = f"sqlite:///{database}"
    open_database(url)[0].dispose()
    env = {"IPBOT_DATABASE_URL": url}
    assert ipbot("backup", str(tmp_path / "b"), env=env).returncode == 0
    with sqlite3.connect(database) as connection:  # written after the backup: a restore would lose it
        connection.execute("CREATE TABLE written_since (x)")
    seen: dict[str, subprocess.CompletedProcess[str]] = {}

    def serving(_settings: Settings) -> int:  # while `ipbot run` serves, someone tries these
        seen["restore"] = ipbot("restore", str(tmp_path / "b"), "--force", env=env, cwd=tmp_path)
        seen["second run"] = ipbot("run", env=env, cwd=tmp_path)
        return 0

    monkeypatch.setattr(chat, "_serve", serving)
    assert ipbot("run", env=env, cwd=tmp_path).returncode == 0
    refused = seen["restore"]
    assert refused.returncode == 1 and "in use by a running `ipbot run`" in refused.stderr
    assert "stop it first" in refused.stderr.lower() and "Nothing was restored" in refused.stderr
    assert seen["second run"].returncode == 2 and "in use by a running `ipbot run`" in seen["second run"].stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'written_since'").fetchall()
    assert stat.S_IMODE((tmp_path / "ipbot.db.lock").stat().st_mode) == 0o600

    # the bot stopped: the lock is free again
    assert ipbot("restore", str(tmp_path / "b"), "--force", env=env, cwd=tmp_path).returncode == 0
    with sqlite3.connect(database) as connection:
        assert not connection.execute("SELECT name FROM sqlite_master WHERE name = 'written_since'").fetchall()
