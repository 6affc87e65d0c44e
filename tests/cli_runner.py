"""`ipbot` run in this process: `bot.cli.main` with its own standard input, output and error, environment and
working folder, giving what `subprocess.run` gives. Starting a process costs about a second (imports, the
knowledge base); this costs the command alone. `smoke()` runs the installed entry point for real, once a group.

Nothing leaks into the next call or test: the IPBOT_ variables are the given ones only, as a subprocess run with
its own environment (but the tests' cache folder is kept: never the user's); the working folder is a fresh
temporary one unless given; the streams, the `bot` loggers and the root logger's handlers are put back; and the
command's database engines are closed by `main` itself.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Literal, overload

import pytest

from bot.cli import main

__all__ = ["ipbot", "smoke"]


@overload
def ipbot(*args: str, stdin: str | bytes = "", env: dict[str, str] | None = None, cwd: Path | None = None,
          binary: Literal[False] = False) -> subprocess.CompletedProcess[str]: ...


@overload
def ipbot(*args: str, stdin: str | bytes = "", env: dict[str, str] | None = None, cwd: Path | None = None,
          binary: Literal[True]) -> subprocess.CompletedProcess[bytes]: ...


def ipbot(*args: str, stdin: str | bytes = "", env: dict[str, str] | None = None, cwd: Path | None = None,
          binary: bool = False) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """`ipbot ARGS…` with `stdin` as standard input, only the IPBOT_ variables of `env` set, in `cwd` (default: a
    new empty folder). Its exit code, and its output and error as text (as bytes with binary=True)."""
    out, err = io.BytesIO(), io.BytesIO()
    given = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    folder = None if cwd is not None else tempfile.mkdtemp(prefix="ipbot-cli-")
    root = logging.getLogger()
    handlers, levels = list(root.handlers), {name: logging.getLogger(name).level for name in ("", "bot")}
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key in list(os.environ):
                if key.upper().startswith("IPBOT_") and not key.upper().startswith("IPBOT_TEST_") \
                        and key.upper() != "IPBOT_CACHE_DIR":  # the tests' own cache folder, never the user's
                    patch.delenv(key)
            for key, value in (env or {}).items():
                patch.setenv(key, value)
            patch.chdir(cwd if cwd is not None else folder)
            patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(given), encoding="utf-8"))
            stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
            stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
            patch.setattr(sys, "stdout", stdout)
            patch.setattr(sys, "stderr", stderr)
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors; a message given to SystemExit
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    stderr.write(f"{exc.code}\n")
                    code = 1
            stdout.flush()
            stderr.flush()
    finally:
        root.handlers[:] = handlers
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if binary:
        return subprocess.CompletedProcess(["ipbot", *args], code, out.getvalue(), err.getvalue())
    return subprocess.CompletedProcess(["ipbot", *args], code, out.getvalue().decode("utf-8"),
                                       err.getvalue().decode("utf-8"))


def smoke(*args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The installed `ipbot` entry point in a real process (the interpreter's own, so this tree's code), with
    this environment's variables but for the IPBOT_ ones: only those of `env`."""
    command = shutil.which("ipbot", path=str(Path(sys.executable).parent))
    assert command is not None, "the ipbot entry point is not installed beside this interpreter"
    environment = {key: value for key, value in os.environ.items()
                   if not key.upper().startswith("IPBOT_") or key.upper().startswith("IPBOT_TEST_")}
    return subprocess.run([command, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env={**environment, **(env or {})})
