"""Load and validate the knowledge-base files.

Every problem is reported with the file and line it comes from, so that someone at the bureau who edits
an entry sees exactly where the mistake is. Loading collects all problems before failing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.datafile import Collector as _Collector
from bot.core.datafile import Problem
from bot.core.datafile import compose as _compose
from bot.core.datafile import line_at as _line_at
from bot.core.datafile import line_of as _line
from knowledge import office as _office
from knowledge.errors import KnowledgeBaseError

DATA_DIR = Path(__file__).parent / "data"
_Map = yaml.MappingNode
DECLINED_FILE = "declined.txt"  # optional: one phrasing per line that is declined as not about IP
TOPIC_NAMES_FILE = "topic_names.yaml"  # optional: each topic's Chinese name, as staff read it


@dataclass(frozen=True)
class Entry:
    """One curated question and its answer."""

    id: str
    topic: str
    question: str
    answer: str
    sources: tuple[str, ...]
    updated: dt.date
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    path: Path = field(default=Path("?"), compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Lexicon:
    """Words that shape segmentation and matching."""

    user_words: tuple[tuple[str, int | None], ...]
    synonyms: dict[str, str]  # variant -> canonical term
    stopwords: frozenset[str]


@dataclass(frozen=True)
class Referral:
    """An everyday topic that belongs to another office."""

    topic: str
    words: frozenset[str]
    office: str


@dataclass(frozen=True)
class Scope:
    anchors: frozenset[str]
    referrals: tuple[Referral, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    topics: dict[str, str]  # topic id -> category
    lexicon: Lexicon
    scope: Scope
    files: tuple[Path, ...]
    declined: tuple[str, ...] = ()  # exact phrasings staff marked not about IP (declined.txt)
    topic_names: dict[str, str] = field(default_factory=dict)  # topic id -> its Chinese name (topic_names.yaml)

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def topic_name(self, topic: str) -> str:
        """A topic as people read it: its Chinese name (the id only where the files give none)."""
        return self.topic_names.get(topic, topic)

    @property
    def _by_id(self) -> dict[str, Entry]:
        cache: dict[str, Entry] | None = self.__dict__.get("_by_id_cache")
        if cache is None:
            cache = {e.id: e for e in self.entries}
            object.__setattr__(self, "_by_id_cache", cache)
        return cache


def _validate(model: str, data: Any, node: yaml.Node | None, path: Path, out: _Collector, context: str = "") -> Any:
    """Checked against knowledge/schema.py's model of that name (pydantic is loaded only when files are read:
    an engine kept in knowledge/cache.py needs none of it)."""
    from bot.core.datafile_models import validate
    from knowledge import schema

    return validate(getattr(schema, model), data, node, path, out, context)


def _parse(path: Path, out: _Collector) -> tuple[Any, yaml.Node | None] | None:
    """A file's data and nodes; None when it does not parse (the problem is already reported)."""
    before = len(out.problems)
    data, node = _compose(path, out)
    return None if len(out.problems) > before else (data, node)


def load_topics(path: Path, out: _Collector) -> tuple[dict[str, str], dict[str, int]]:
    """Topics file: category -> {topic id: description}. Returns topic->category and topic->line."""
    topics: dict[str, str] = {}
    lines: dict[str, int] = {}
    parsed = _parse(path, out)
    if parsed is None or _validate("TOPICS", *parsed, path, out) is None or not isinstance(parsed[1], _Map):
        return topics, lines
    for key_node, value_node in parsed[1].value:  # the nodes, not the data: a topic listed twice shows
        for topic_node, _desc in value_node.value if isinstance(value_node, _Map) else ():
            topic = str(topic_node.value).strip()
            if topic in topics:
                out.add(path, _line(topic_node), f"topic {topic!r} listed twice")
            topics[topic] = str(key_node.value).strip()
            lines[topic] = _line(topic_node)
    return topics, lines


def load_topic_names(path: Path, topics: dict[str, str], topic_lines: dict[str, int], topics_path: Path,
                     out: _Collector) -> dict[str, str]:
    """topic_names.yaml: topic id -> Chinese name, one for every topic and none for a topic not listed."""
    parsed = _parse(path, out)
    if parsed is None or _validate("TOPIC_NAMES", *parsed, path, out) is None or not isinstance(parsed[1], _Map):
        return {}
    names: dict[str, str] = {}
    for key_node, value_node in parsed[1].value:
        topic, name = str(key_node.value).strip(), str(value_node.value).strip()
        if topic not in topics:
            out.add(path, _line(key_node), f"{topic!r} is not a topic in topics.yaml")
        elif topic in names:
            out.add(path, _line(key_node), f"topic {topic!r} named twice")
        else:
            names[topic] = name
    for topic in topics:
        if topic not in names:
            out.add(topics_path, topic_lines.get(topic, 0), f"topic {topic!r} has no Chinese name in {path.name}")
    return names


def _entry(raw: Any, node: yaml.Node | None, path: Path, topics: dict[str, str], out: _Collector) -> Entry | None:
    """One entry checked against the model, and its topic against the topics."""
    named = isinstance(raw, dict) and isinstance(raw.get("id"), str)
    model = _validate("ENTRY", raw, node, path, out, f"entry {raw['id']!r}: " if named else "")
    if model is None:
        return None
    if model.topic not in topics:
        out.add(path, _line_at(node, "topic"), f"unknown topic {model.topic!r} (not in topics.yaml)", "topic")
        return None
    return Entry(model.id, model.topic, model.question, model.answer, tuple(model.sources), model.updated,
                 tuple(model.alternates), tuple(model.keywords), tuple(model.related), path, _line(node))


def _entries_in(path: Path, topics: dict[str, str], out: _Collector) -> Iterator[Entry]:
    parsed = _parse(path, out)
    if parsed is None:
        return
    data, node = parsed
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        out.add(path, _line(node), "expected a list of entries")
        return
    for raw, item in zip(data, node.value, strict=True):
        entry = _entry(raw, item, path, topics, out)
        if entry is not None:
            yield entry


def _read_lines(path: Path, out: _Collector) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.add(path, 0, f"cannot read file: {exc}")
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#"):
            yield number, line


def load_lexicon(data_dir: Path, out: _Collector) -> Lexicon:
    user_words: list[tuple[str, int | None]] = []
    userdict = data_dir / "userdict.txt"
    for number, line in _read_lines(userdict, out):
        parts = line.split()
        freq: int | None = None
        if len(parts) > 1:
            if not parts[1].isdigit():
                out.add(userdict, number, f"frequency {parts[1]!r} must be a whole number")
                continue
            freq = int(parts[1])
        user_words.append((parts[0], freq))

    synonyms: dict[str, str] = {}
    syn_path = data_dir / "synonyms.yaml"
    parsed = _parse(syn_path, out)
    valid = parsed is not None and _validate("SYNONYMS", *parsed, syn_path, out) is not None
    if parsed is not None and valid and isinstance(parsed[1], _Map):
        seen: set[str] = set()
        for key_node, value_node in parsed[1].value:  # the nodes: a term listed twice shows, with its lines
            canonical = str(key_node.value).strip()
            if canonical in seen or not isinstance(value_node, yaml.SequenceNode):
                out.add(syn_path, _line(key_node), f"{canonical!r} is listed twice; merge the two lists")
                continue
            seen.add(canonical)
            for vnode in value_node.value:
                variant = str(vnode.value).strip()
                if variant in synonyms and synonyms[variant] != canonical:
                    out.add(syn_path, _line(vnode), f"{variant!r} already means {synonyms[variant]!r}")
                elif variant == canonical:
                    out.add(syn_path, _line(vnode), f"{variant!r} is listed as its own synonym")
                else:
                    synonyms[variant] = canonical
    for variant, canonical in synonyms.items():
        if canonical in synonyms:
            out.add(syn_path, 0, f"{variant!r} -> {canonical!r}, which is itself a variant of {synonyms[canonical]!r}")

    stop_path = data_dir / "stopwords.txt"
    stopwords = frozenset(w for _n, line in _read_lines(stop_path, out) for w in line.split())
    return Lexicon(tuple(user_words), synonyms, stopwords)


def load_scope(path: Path, out: _Collector) -> Scope:
    parsed = _parse(path, out)
    model = _validate("SCOPE", *parsed, path, out) if parsed is not None else None
    if model is None:
        return Scope(frozenset(), ())
    return Scope(frozenset(model.anchors), tuple(Referral(r.topic, frozenset(r.words), r.office)
                                                 for r in model.referrals))


def _cross_checks(entries: list[Entry], topics: dict[str, str], topic_lines: dict[str, int],
                  topics_path: Path, out: _Collector) -> None:
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            out.add(entry.path, entry.line, f"duplicate id {entry.id!r} (first at {first.path.name}:{first.line})")
        else:
            seen[entry.id] = entry
    for entry in entries:
        for rel in entry.related:
            if rel == entry.id:
                out.add(entry.path, entry.line, f"entry {entry.id!r} lists itself as related")
            elif rel not in seen:
                out.add(entry.path, entry.line, f"entry {entry.id!r}: related id {rel!r} does not exist")
    covered = {e.topic for e in entries}
    for topic in topics:
        if topic not in covered:
            out.add(topics_path, topic_lines.get(topic, 0), f"topic {topic!r} has no entry")


def collect(data_dir: Path = DATA_DIR) -> tuple[KnowledgeBase, list[Problem]]:
    """Load everything that loads and return it with every problem found."""
    out = _Collector()
    topics_path = data_dir / "topics.yaml"
    topics, topic_lines = load_topics(topics_path, out)
    entry_files = sorted((data_dir / "entries").glob("*.yaml"))
    if not entry_files:
        out.add(data_dir / "entries", 0, "no entry files (*.yaml) found")
    entries = [e for path in entry_files for e in _entries_in(path, topics, out)]
    _cross_checks(entries, topics, topic_lines, topics_path, out)
    lexicon = load_lexicon(data_dir, out)
    scope = load_scope(data_dir / "scope.yaml", out)
    declined_path = data_dir / DECLINED_FILE
    declined = tuple(text for _line, text in _read_lines(declined_path, out)) if declined_path.exists() else ()
    names_path = data_dir / TOPIC_NAMES_FILE
    topic_names = load_topic_names(names_path, topics, topic_lines, topics_path, out) if names_path.exists() else {}
    office_path = _office.check(data_dir, entries, out)  # the bureau's contact details (knowledge/office.py)
    files = (topics_path, *entry_files, data_dir / "userdict.txt", data_dir / "synonyms.yaml",
             data_dir / "stopwords.txt", data_dir / "scope.yaml", *([declined_path] if declined else []),
             *([office_path] if office_path else []), *([names_path] if topic_names else []))
    kb = KnowledgeBase(tuple(entries), topics, lexicon, scope, files, declined, topic_names)
    return kb, out.problems


def load(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Load the knowledge base or raise KnowledgeBaseError listing every problem."""
    kb, problems = collect(data_dir)
    if problems:
        raise KnowledgeBaseError(problems)
    return kb


def entry_from_data(data: dict[str, Any], topics: dict[str, str],
                    origin: Path = Path("console")) -> tuple[Entry | None, list[tuple[str, str]]]:
    """An entry given as a mapping (an edit in the console), checked exactly as an entry file is. Returns the
    entry, or None with (field, message) for each problem (field '' when it concerns the whole entry)."""
    out = _Collector()
    entry = _entry(data, None, origin, topics, out)
    return (entry if not out.problems else None), [(p.field, p.message) for p in out.problems]
