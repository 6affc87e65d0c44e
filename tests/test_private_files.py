"""What the bot keeps is its user's alone: the database and its WAL 0600, the media folder 0700, each photo 0600,
whatever the umask it was started with; and a survey salt of its own per install, kept across restarts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.core.db import open_database
from bot.core.kept_secrets import SURVEY_SALT, kept_secret
from bot.core.models import ConsoleSetting
from handlers.tips import photos as tip_photos


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ipbot_chat_started_with_a_lax_umask_keeps_its_database_private(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPBOT_")}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "chat"], input="商标怎么续展\n退出\n", text=True,
                          capture_output=True, cwd=tmp_path, env=env, timeout=120,
                          preexec_fn=lambda: os.umask(0o022))
    assert done.returncode == 0, done.stderr
    files = [p for p in tmp_path.iterdir() if p.name.startswith("ipbot.db")]
    assert files and all(_mode(p) == 0o600 for p in files), {p.name: oct(_mode(p)) for p in files}


def test_an_existing_world_readable_database_is_tightened_when_opened(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    engine, _sessions = open_database(f"sqlite:///{database}")
    engine.dispose()
    database.chmod(0o644)
    engine, _sessions = open_database(f"sqlite:///{database}")
    engine.dispose()
    assert _mode(database) == 0o600


def test_report_photos_and_their_folder_are_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = tip_photos.write(tmp_path / "media", "tip1-1-abc.jpg", b"\xff\xd8\xff photo")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "media") == 0o700 and _mode(path) == 0o600


def test_each_install_has_its_own_survey_salt_kept_across_restarts(tmp_path: Path, database_url: str) -> None:
    _engine, sessions = open_database(database_url)
    with sessions.begin() as session:
        salt = kept_secret(session, SURVEY_SALT)
    with sessions.begin() as session:
        assert kept_secret(session, SURVEY_SALT) == salt  # the same after a restart: exports stay comparable
        assert session.scalars(select(ConsoleSetting.value).where(ConsoleSetting.name == SURVEY_SALT)).one() == salt
    assert len(salt) >= 32 and salt != "ipbot-survey"
    _other, other_sessions = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    with other_sessions.begin() as session:
        assert kept_secret(session, SURVEY_SALT) != salt
        assert kept_secret(session, SURVEY_SALT, configured="set-by-the-office") == "set-by-the-office"
