"""The bureau's own contact details, kept as data the bureau fills in: knowledge/data/office.yaml.

Every field may be left empty (null) until the bureau fills it; nothing here is ever guessed. Answers that
mention how to reach the bureau carry a placeholder that is filled at answer time:

    {office}          the contact block: the details that are filled, and for the rest where to find them
    {office.phone}    one detail (also .name .address .hours .wechat .website), or where to find it when empty

`check` validates the file (every problem with its file and line, as the other data files) and the
placeholders used in the entries; `for_kb` reads the file beside a loaded knowledge base, re-read when it
changes, so that what the bureau fills in is answered without a restart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Protocol

from bot.core.datafile import Collector, DataFileError, compose

FILE = "office.yaml"
PACKAGED = Path(__file__).parent / "data" / FILE  # the loader's DATA_DIR (not imported: the loader imports this)


class _Entry(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def answer(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def line(self) -> int: ...


class _Loaded(Protocol):
    @property
    def files(self) -> tuple[Path, ...]: ...
DEFAULT_NAME = "自治州市场监督管理局（知识产权局）"
LABELS = {"name": "单位", "address": "地址", "phone": "电话", "hours": "办公时间", "wechat": "微信公众号",
          "website": "网站"}
PLACEHOLDER = re.compile(r"\{office(?:\.([a-z]+))?\}")

# What the bot says while a detail is not filled in: where to find it, never a guessed number or address.
FALLBACK = ("{name}的地址、电话和办公时间，请以该局及博州人民政府在官方网站、政务公开等渠道对外公布的为准；"
            "本助手还没有收到核实过的联系方式，不提供未经核实的号码和地址。")
FALLBACK_REST = "其他联系方式请以{name}对外公布的为准。"
FALLBACK_FIELD = "（以{name}对外公布的为准）"


@dataclass(frozen=True)
class Office:
    """The bureau's details; None where not (yet) filled in."""

    name: str | None = None
    address: str | None = None
    phone: str | None = None
    hours: str | None = None
    wechat: str | None = None
    website: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or DEFAULT_NAME

    def details(self) -> list[tuple[str, str]]:
        """(label, value) of every contact detail that is filled in (the name is not a contact detail)."""
        return [(LABELS[f], value) for f in LABELS if f != "name" and (value := getattr(self, f))]


FIELDS = tuple(f.name for f in fields(Office))


def contact_text(office: Office) -> str:
    """The contact block: the details that are filled in, and for the rest where to find them."""
    details = office.details()
    if not details:
        return FALLBACK.format(name=office.display_name)
    lines = [f"{office.display_name}：", *(f"{label}：{value}" for label, value in details)]
    if len(details) < len(LABELS) - 1:
        lines.append(FALLBACK_REST.format(name=office.display_name))
    return "\n".join(lines)


def render(text: str, office: Office) -> str:
    """`text` with its {office…} placeholders filled from `office`."""
    if "{office" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return contact_text(office)
        if name == "name":
            return office.display_name
        value = getattr(office, name, None) if name in FIELDS else None
        return value or FALLBACK_FIELD.format(name=office.display_name)

    return PLACEHOLDER.sub(one, text)




def read(path: Path, out: Collector) -> Office:
    """The office file, every problem added to `out` (the one data-file validator: bot/core/datafile.py); a
    missing or empty file is an office with nothing filled."""
    if not path.exists():
        return Office()
    data, node = compose(path, out)
    if data is None:
        return Office()
    from bot.core.datafile_models import validate
    from knowledge.schema import OFFICE  # pydantic only when the file is read

    checked = validate(OFFICE, data, node, path, out)
    return Office(**checked.model_dump()) if checked is not None else Office()


def check_placeholders(entries: Iterable[_Entry], out: Collector) -> None:
    for entry in entries:
        for match in PLACEHOLDER.finditer(entry.answer):
            if match.group(1) is not None and match.group(1) not in FIELDS:
                out.add(entry.path, entry.line, f"entry {entry.id!r}: unknown placeholder {match.group(0)!r} "
                        f"(use {{office}} or {{office.<{'|'.join(FIELDS)}>}})")


def check(data_dir: Path, entries: Iterable[_Entry], out: Collector) -> Path | None:
    """Validate the office file in `data_dir` and the placeholders in `entries`; the file's path if it exists.
    What it read is remembered with the file's stamp (and kept with a cached engine: knowledge/cache.py)."""
    path = data_dir / FILE
    before = len(out.problems)
    office = read(path, out)
    if len(out.problems) == before:
        _cache[path] = (_stamp(path), office)
    check_placeholders(entries, out)
    return path if path.exists() else None


def checked() -> dict[Path, tuple[tuple[int, int] | None, Office]]:
    """The office files read so far (by `check` or `at`), with their stamps: pickled beside an engine."""
    return dict(_cache)


def remember(seen: dict[Path, tuple[tuple[int, int] | None, Office]]) -> None:
    """Office files read by an earlier process (an engine from knowledge/cache.py): trusted while unchanged."""
    for path, (stamp, office) in seen.items():
        _cache.setdefault(path, (stamp, office))


def load(path: Path) -> Office:
    """The office file, or DataFileError naming every problem."""
    out = Collector()
    office = read(path, out)
    if out.problems:
        raise DataFileError(out.problems)
    return office


_cache: dict[Path, tuple[tuple[int, int] | None, Office]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def at(path: Path) -> Office:
    """The office file at `path`, re-read when it changes. A file that stopped validating keeps the last good
    details (the knowledge service reports the problem); one never loaded gives nothing filled."""
    stamp = _stamp(path)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        office = load(path) if stamp is not None else Office()
    except DataFileError:
        office = cached[1] if cached is not None else Office()
    _cache[path] = (stamp, office)
    return office


def path_for(kb: _Loaded | None) -> Path:
    """Where the office file of a loaded knowledge base is (beside its topics file)."""
    if kb is not None:
        for file in kb.files:
            if file.name == FILE:
                return file
        if kb.files:
            return kb.files[0].parent / FILE
    return PACKAGED


def for_kb(kb: _Loaded | None) -> Office:
    return at(path_for(kb))
