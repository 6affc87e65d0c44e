"""The `ipbot` command line as scripts and people use it."""

from __future__ import annotations

import getpass
import json
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.cli import main
from bot.core.db import SCHEMA_HEAD, open_database
from tests.cli_runner import ipbot, smoke


def test_ask_json_gives_the_contract_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "商标到期了怎么续展", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["question"] == "商标到期了怎么续展"
    assert row["topic"] == "tm-renewal" and row["entry_id"] == "tm-renewal-rules"
    assert row["confident"] is True and row["score"] > 0
    assert row["title"] and "10年" in row["answer"]
    assert all(set(a) == {"entry_id", "topic", "title", "score"} for a in row["alternatives"])


def test_ask_json_when_not_confident_has_no_topic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "推荐一部好看的电影", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["topic"] is None and row["confident"] is False and row["entry_id"] is None


def test_ask_plain_text_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "专利年费忘了交怎么办"]) == 0
    out = capsys.readouterr().out
    assert "滞纳金" in out and "依据：" in out


def test_batch_keeps_order_one_line_per_question() -> None:
    questions = ["商标到期了怎么续展", "", "专利年费忘了交怎么办", "今天中午吃什么好"]
    proc = ipbot("ask", "--json", stdin="\n".join(questions) + "\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["question"] for r in rows] == questions
    assert [r["topic"] for r in rows] == ["tm-renewal", None, "patent-annual-fee", None]


def test_ask_json_is_byte_identical_under_any_hash_seed(tmp_path: Path) -> None:
    """The documented contract: the same input gives byte-identical output in every process. String hashing
    differs from one process to the next (PYTHONHASHSEED), so nothing may depend on a set's order: neither the
    order of the sums over a question's terms (the last bits of every score) nor which of two tied entries
    comes first."""
    holdout = Path(__file__).resolve().parents[1] / "scripts" / "holdout"
    questions = [json.loads(line)["q"] for path in sorted(holdout.glob("set-*.jsonl"))
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(questions) > 1000
    stdin = "\n".join(questions) + "\n"
    outputs = []
    for seed in ("1", "2"):
        proc = ipbot("ask", "--json", stdin=stdin, cwd=tmp_path, env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert len(outputs[0].splitlines()) == len(questions)
    differ = [q for q, one, two in zip(questions, outputs[0].splitlines(), outputs[1].splitlines(), strict=True)
              if one != two]
    assert differ == []
    assert outputs[0] == outputs[1]


def test_kb_check_reports_a_broken_base_with_exit_1(kb_copy: Path) -> None:
    path = kb_copy / "entries" / "gi.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("topic: gi-overview", "topic: gi-nope"),
                    encoding="utf-8")
    proc = ipbot("kb", "check", env={"IPBOT_KNOWLEDGE_DIR": str(kb_copy)})
    assert proc.returncode == 1
    assert f"{path}:3: unknown topic 'gi-nope'" in proc.stdout


def test_a_broken_base_stops_chat_with_the_problems_not_a_traceback(kb_copy: Path, tmp_path: Path) -> None:
    (kb_copy / "entries" / "gi.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    proc = ipbot("chat", stdin="你好\n", cwd=tmp_path, env={"IPBOT_KNOWLEDGE_DIR": str(kb_copy)})
    assert proc.returncode == 2
    assert "gi.yaml:" in proc.stderr and "Traceback" not in proc.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    proc = ipbot("db", "upgrade", env={"IPBOT_DATABASE_URL": url})
    assert proc.returncode == 0, proc.stderr
    assert {"question_log", "handoff_request"} <= set(inspect(create_engine(url)).get_table_names())
    assert ipbot("db", "upgrade", env={"IPBOT_DATABASE_URL": url}).returncode == 0  # idempotent


def test_chat_on_a_fresh_folder_creates_the_database_and_answers(tmp_path: Path) -> None:
    # the `chat` group's run of the installed entry point, in a process of its own
    proc = smoke("chat", stdin="商标到期了怎么续展\n有用\n2\n退出\n", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "宽展期" in proc.stdout  # the answer
    assert re.search(r"\[\d\] 有用", proc.stdout) and "很高兴能帮上忙" in proc.stdout  # label typed
    assert "没有编号为2的选项" in proc.stdout  # the thanks has no buttons
    assert (tmp_path / "ipbot.db").exists()


def test_outbox_status_json_on_a_fresh_database(tmp_path: Path) -> None:
    proc = ipbot("outbox", "status", "--json", env={"IPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"pending": 0, "sending": 0, "sent": 0, "failed": 0, "dead": 0}


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("IPBOT_TELEGRAM_CONCURRENT_UPDATES", "0", "greater than or equal to 1"),
    ("IPBOT_TELEGRAM_CONCURRENT_UPDATES", "四", "valid integer"),
    ("IPBOT_TIMEZONE", "Mars/Olympus", "unknown time zone"),
    ("IPBOT_LOG_LEVEL", "LOUD", "not a log level: use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
])
def test_a_wrong_setting_is_named_without_a_traceback(tmp_path: Path, variable: str, value: str, says: str) -> None:
    result = ipbot("run", cwd=tmp_path, env={variable: value, "IPBOT_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    # (in this process: a wrong setting stops `run` before it serves anything)
    assert result.returncode == 2
    assert variable in result.stderr and says in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()  # nothing was started


def test_kb_eval_scores_a_labelled_file_and_lists_the_misses(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    labelled = tmp_path / "mine.jsonl"
    rows = [{"q": "商标到期了怎么续展", "topic": "tm-renewal"},  # right
            {"q": "商标到期了怎么续展", "topic": "patent-annual-fee"},  # labelled wrong on purpose: a miss
            {"q": "明天博乐下雨吗", "topic": None}]  # declined, as it should be
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert main(["kb", "eval", str(labelled), "--misses"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("in-scope 2, out-of-scope 1: top-1 50.0%, out-of-scope declined 100.0%")
    assert out[:-1] == ["商标到期了怎么续展\twanted patent-annual-fee\tgot tm-renewal (tm-renewal-rules)"]


def test_kb_eval_breaks_the_figures_down_by_style_when_lines_carry_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = tmp_path / "styled.jsonl"
    rows = [{"q": "商标到期了怎么续展", "topic": "tm-renewal", "style": "formal"},
            {"q": "那个就是说商标到期了咋续展啊", "topic": "tm-renewal", "style": "voice"},
            {"q": "明天博乐下雨吗", "topic": None, "style": "voice"},
            {"q": "商标续展", "topic": "tm-renewal"}]  # no style: in the whole only
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert main(["kb", "eval", str(labelled)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("in-scope 3, out-of-scope 1:")
    assert out[1].startswith("  formal: in-scope 1, out-of-scope 0: top-1 100.0%")
    assert out[2].startswith("  voice: in-scope 1, out-of-scope 1:") and len(out) == 3


def test_kb_eval_names_each_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "商标怎么注册", "topic": "tm-register"}\nnot json\n{"q": "x", "topic": "no-such"}\n'
                   '{"topic": null}\n', encoding="utf-8")
    assert main(["kb", "eval", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: not JSON" in err and f"{bad}:3: unknown topic 'no-such'" in err and f"{bad}:4: expected" in err
    assert main(["kb", "eval", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read file" in capsys.readouterr().err


@pytest.mark.parametrize(("level", "scheduler_info", "bot_info"), [
    (None, False, True), ("info", True, True), ("ERROR", False, False)])
def test_the_log_level_setting_decides_what_run_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     level: str | None, scheduler_info: bool, bot_info: bool) -> None:
    """IPBOT_LOG_LEVEL: WARNING by default (the bot's own notices at INFO); INFO shows the scheduler's leader
    line; ERROR quiets the bot's notices too."""
    import logging

    from bot.cli import chat

    seen: dict[str, bool] = {}

    def serving(_settings: object) -> int:  # what `ipbot run` would log while it serves
        seen["scheduler"] = logging.getLogger("scheduler.runner").isEnabledFor(logging.INFO)
        seen["bot"] = logging.getLogger("bot.app").isEnabledFor(logging.INFO)
        return 0

    monkeypatch.setattr(chat, "_serve", serving)
    env = {"IPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **({"IPBOT_LOG_LEVEL": level} if level else {})}
    assert ipbot("run", env=env, cwd=tmp_path).returncode == 0
    assert seen == {"scheduler": scheduler_info, "bot": bot_info}


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    proc = ipbot("--version")
    assert proc.returncode == 0 and proc.stdout == f"ipbot {version('ipbot')}\n"


def test_an_unreadable_env_file_is_named_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A root-owned .env (mode 0600) that the bot's user cannot read: one plain line, not a traceback."""
    env_file = tmp_path / ".env"
    env_file.write_text(f"IPBOT_DATABASE_URL=sqlite:///{tmp_path / 'x.db'}\n", encoding="utf-8")
    env_file.chmod(0)
    if os.access(env_file, os.R_OK):  # root reads it anyway: the read is refused as it is for another user
        import builtins

        real_open = builtins.open

        def refusing_open(file: object, *args: object, **kwargs: object) -> object:
            if isinstance(file, (str, os.PathLike)) and Path(file).name == ".env":
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(builtins, "open", refusing_open)
    for command in (("staff", "list"), ("run",)):
        proc = ipbot(*command, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert f"cannot read {env_file}" in proc.stderr and f"chown {getpass.getuser()}: {env_file}" in proc.stderr
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "ipbot.db").exists()


def test_a_database_newer_than_this_version_is_said_plainly(database_url: str) -> None:
    """An older version started after an upgrade (its schema a revision this code does not know): what to do,
    exit 2, the database left as it is."""
    engine, _sessions = open_database(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    try:
        for command in (("db", "upgrade"), ("staff", "list"), ("run",)):
            proc = ipbot(*command, env={"IPBOT_DATABASE_URL": database_url})
            assert proc.returncode == 2, proc.stderr
            assert "Traceback" not in proc.stderr and "Can't locate revision" not in proc.stderr
            assert (f"the database is newer than this version of ipbot (schema 0099, this version knows up to "
                    f"{SCHEMA_HEAD}): install the newer version again or restore the backup taken before the "
                    f"upgrade") in proc.stderr
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0099"
    finally:
        engine.dispose()


@pytest.mark.parametrize(("args", "code", "says"), [
    (("ask", "--json", "商标到期了怎么续展"), 0, '"entry_id": "tm-renewal-rules"'),
    (("kb", "check"), 0, "OK: "),
    (("survey", "report"), 1, "ipbot survey open NAME"),
    (("remind", "list", "--json"), 0, "[]"),
    (("outbox", "status"), 0, "pending 0"),
    (("indicators", "list", "--json"), 0, '"id": "high-value-patents"'),
    (("staff", "list", "--json"), 0, "[]"),
    (("db", "upgrade"), 0, "Database is up to date: sqlite:///"),
])
def test_the_installed_ipbot_runs_each_command_group(tmp_path: Path, args: tuple[str, ...], code: int,
                                                     says: str) -> None:
    """One real process a group (the others run in this process: tests/cli_runner.py); `chat` and `run` have
    theirs in test_chat_on_a_fresh_folder… and test_console_accounts.py."""
    proc = smoke(*args, cwd=tmp_path, env={"IPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'smoke.db'}"})
    assert proc.returncode == code, proc.stderr
    assert says in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


def test_ask_without_a_database_imports_no_database_layer(tmp_path: Path) -> None:
    """`ipbot ask` in a folder with no database: answered from the files, without SQLAlchemy or the settings (the
    database layer costs about half its start), and no database is created. (pydantic is loaded: the data files
    are validated with it.)"""
    import subprocess
    import sys

    code = ("import sys; from bot.cli import main; assert main(['ask', '专利保护期多久']) == 0; "
            "assert main(['ask', '质押融资完成得怎么样']) == 0; "  # an answer carrying the plan's figures
            "loaded = [m for m in ('sqlalchemy', 'bot.settings', 'bot.core.models') if m in sys.modules]; "
            "assert not loaded, loaded")
    env = {key: value for key, value in os.environ.items() if not key.startswith("IPBOT_")}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "还没有登记公布的数据" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_ask_never_migrates_an_older_database_and_answers_from_the_files(tmp_path: Path) -> None:
    from bot.core import db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine, "0001")
    engine.dispose()
    before = (tmp_path / "old.db").read_bytes()
    asked = ipbot("ask", "--json", "质押融资完成得怎么样", env={"IPBOT_DATABASE_URL": url})
    assert asked.returncode == 0, asked.stderr
    assert "还没有登记公布的数据" in json.loads(asked.stdout)["answer"]
    assert (tmp_path / "old.db").read_bytes() == before  # not migrated, not written at all
    assert "indicator_value" not in inspect(create_engine(url)).get_table_names()


def test_ask_reads_the_default_database_url_without_the_settings(tmp_path: Path) -> None:
    from bot.cli.ask import DEFAULT_DATABASE_URL, database_url
    from bot.settings import DEFAULT_DATABASE_URL as SETTINGS_DEFAULT

    assert DEFAULT_DATABASE_URL == SETTINGS_DEFAULT
    (tmp_path / ".env").write_text(f"IPBOT_DATABASE_URL=sqlite:///{tmp_path / 'from-dotenv.db'}\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("IPBOT_DATABASE_URL", raising=False)
        patch.chdir(tmp_path)
        assert database_url() == f"sqlite:///{tmp_path / 'from-dotenv.db'}"  # a .env file is read as before
        patch.setenv("IPBOT_DATABASE_URL", "sqlite:///given.db")
        assert database_url() == "sqlite:///given.db"


@pytest.mark.parametrize("url", ["sqlite:///a%20b.db", "sqlite:////tmp/x.db?timeout=3", "sqlite://",
                                 "sqlite:///:memory:", "sqlite+pysqlite:///rel.db", "sqlite:///ipbot.db"])
def test_ask_finds_the_sqlite_file_as_sqlalchemy_does(url: str) -> None:
    from sqlalchemy.engine import make_url

    from bot.cli.ask import sqlite_path

    assert sqlite_path(url) == (make_url(url).database or "")
