"""Build hook: the package as pure Python, with the search engine (knowledge/engine.py, knowledge/overlay.py)
also compiled by mypyc where it can be.

The search engine runs for every question; compiled, it gives the same answers in about four fifths of the
time (bench/run.py). Compiling is optional: without a C compiler, or if mypyc fails, the install goes on and the
pure-Python engine (the same file, interpreted) is used. Set IPBOT_PURE_PYTHON=1 to skip compiling.
knowledge/__init__.py uses the compiled modules only while they were built from the sources as they are (see
knowledge/native.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

STAMP_SUFFIX = ".compiled-from"  # as in knowledge/native.py (not imported: the build must not import the package)
COMPILED = ["knowledge/engine.py", "knowledge/overlay.py"]  # the search engine, plain and with what staff taught


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing (the compiled engine is a speed-up, not a requirement), and
    leaves beside each compiled module the digest of the source it was built from (see knowledge/native.py):
    in the build (for a wheel) and, installed editable, in the source tree too."""

    def run(self) -> None:
        self._built: set[str] = set()
        try:
            super().run()
        except Exception as error:  # any compiler failure leaves the pure-Python engine
            _skip(error)
            return
        folders = [Path(self.build_lib)] + ([Path(".")] if self.inplace else [])
        for name in sorted(self._built):
            source = Path(*name.split(".")).with_suffix(".py")
            if source.as_posix() not in COMPILED:
                continue  # mypyc's shared library of the group has no source of its own
            for folder in folders:
                stamp = folder / source.parent / f"{source.stem}{STAMP_SUFFIX}"
                stamp.parent.mkdir(parents=True, exist_ok=True)
                stamp.write_text(hashlib.sha256(source.read_bytes()).hexdigest() + "\n", encoding="ascii")

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:
            _skip(error)
            return
        self._built.add(ext.name)


def _skip(error: BaseException) -> None:
    print(f"ipbot: not compiling {', '.join(COMPILED)} ({error}); the pure-Python engine will be used",
          file=sys.stderr)


def ext_modules() -> list[Any]:
    if os.environ.get("IPBOT_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as error:
        _skip(error)
        return []
    try:
        # the build environment has none of the dependencies: third-party modules are typed Any for the
        # compile (so a `type: ignore` written for their stubs goes unused)
        options = ["--ignore-missing-imports", "--no-warn-unused-ignores"]
        return list(mypycify([*options, *COMPILED], opt_level="3", group_name="knowledge"))
    except BaseException as error:  # mypyc exits (SystemExit) on a type error: install without it
        _skip(error)
        return []


setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
