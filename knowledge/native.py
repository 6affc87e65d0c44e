"""Which search engine modules run: their compiled builds or their sources.

setup.py compiles some modules of this package with mypyc where it can (see COMPILED there); a compiled
module sits beside its source and Python imports it in preference to the source. So that an edit takes
effect before the next compile (`pip install -e .`), the compiled modules are used only while each one's
stamp (written by setup.py beside it: the SHA-256 of the source it was built from) matches its source;
else all of them are loaded from their sources, with a warning. They are compiled together and refer to each
other's compiled classes, so they are used or set aside together.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

STAMP_SUFFIX = ".compiled-from"


def digest(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def stamp_path(folder: Path, name: str) -> Path:
    return folder / f"{name}{STAMP_SUFFIX}"


def running_compiled(*modules: ModuleType) -> bool:
    """Whether these imported modules run as their compiled builds (not from their .py sources)."""
    return not any((module.__file__ or "").endswith(".py") for module in modules)


def is_compiled(folder: Path, name: str) -> bool:
    """Whether a compiled build of module `name` is in the folder (engine.cpython-311-x86_64-linux-gnu.so …)."""
    return any((folder / f"{name}{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def is_current(folder: Path, name: str) -> bool:
    """Whether module `name`'s compiled build was made from its source as it is now."""
    stamp, source = stamp_path(folder, name), folder / f"{name}.py"
    try:
        return stamp.read_text(encoding="ascii").strip() == digest(source)
    except (OSError, UnicodeDecodeError):
        return False


def sources_if_stale(package: str, folder: Path, names: Sequence[str]) -> list[ModuleType]:
    """Load the modules `names` of a package (in that order) from their .py files when any compiled build of
    them is out of date; nothing when they are current, not compiled, or already imported."""
    compiled = [name for name in names if is_compiled(folder, name)]
    if not compiled or all(is_current(folder, name) for name in compiled):
        return []
    if any(f"{package}.{name}" in sys.modules for name in names):
        return []
    modules = [_load_source(f"{package}.{name}", folder / f"{name}.py") for name in names]
    warnings.warn(f"{', '.join(names)} in {folder} changed after they were compiled: running them as Python "
                  "(slower) until `pip install -e .` compiles them again", stacklevel=2)
    return modules


def _load_source(qualified: str, source: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(qualified, source)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise ImportError(f"cannot load {source}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[qualified]
        raise
    return module
