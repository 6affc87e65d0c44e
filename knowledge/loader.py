"""Load and validate the knowledge-base files.

Every problem is reported with the file and line it comes from, so that someone at the bureau who edits
an entry sees exactly where the mistake is. Loading collects all problems before failing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.datafile import Collector as _Collector
from bot.core.datafile import Loader as _Loader
from bot.core.datafile import Problem
from bot.core.datafile import compose as _compose
from bot.core.datafile import line_of as _line
from knowledge import office as _office
from knowledge.errors import KnowledgeBaseError

DATA_DIR = Path(__file__).parent / "data"
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REQUIRED = ("id", "topic", "question", "answer", "sources", "updated")
LISTS = ("alternates", "keywords", "sources", "related")
KNOWN_FIELDS = frozenset((*REQUIRED, *LISTS))
MAX_ANSWER_CHARS = 1200
DECLINED_FILE = "declined.txt"  # optional: one phrasing per line that is declined as not about IP


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

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def _by_id(self) -> dict[str, Entry]:
        cache: dict[str, Entry] | None = self.__dict__.get("_by_id_cache")
        if cache is None:
            cache = {e.id: e for e in self.entries}
            object.__setattr__(self, "_by_id_cache", cache)
        return cache


def _field_nodes(node: yaml.Node) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): value for key, value in node.value}


def _texts(value: Any, node: yaml.Node | None) -> list[str] | None:
    """A list field as texts; numbers such as 12315 keep the digits exactly as written."""
    if value is None:
        return []
    if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
        return None
    texts = []
    for item, item_node in zip(value, node.value, strict=True):
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            text = str(item_node.value).strip()
            if text:
                texts.append(text)
                continue
        return None
    return texts


def _field_lines(node: yaml.Node) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            lines[str(key.value)] = _line(key)
    return lines


def load_topics(path: Path, out: _Collector) -> tuple[dict[str, str], dict[str, int]]:
    """Topics file: category -> {topic id: description}. Returns topic->category and topic->line."""
    data, node = _compose(path, out)
    topics: dict[str, str] = {}
    lines: dict[str, int] = {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        if data is not None or node is not None:
            out.add(path, _line(node), "expected a mapping of category -> topics")
        return topics, lines
    for key_node, value_node in node.value:
        category = str(key_node.value)
        if not isinstance(value_node, yaml.MappingNode):
            out.add(path, _line(value_node), f"category {category!r} must map topic ids to descriptions")
            continue
        for topic_node, _desc in value_node.value:
            topic = str(topic_node.value)
            if topic in topics:
                out.add(path, _line(topic_node), f"topic {topic!r} listed twice")
            topics[topic] = category
            lines[topic] = _line(topic_node)
    return topics, lines


def _entry_problems(raw: Any, node: yaml.Node, path: Path, topics: dict[str, str], out: _Collector) -> Entry | None:
    line = _line(node)
    if not isinstance(raw, dict):
        out.add(path, line, "an entry must be a mapping with id, topic, question, answer, sources, updated")
        return None
    flines = _field_lines(node)
    ok = True
    unknown = [name for name in raw if name not in KNOWN_FIELDS]
    for name in unknown:
        out.add(path, flines.get(str(name), line), f"unknown field {name!r}")
    for name in REQUIRED:
        if name not in raw or raw[name] in (None, "", []):
            out.add(path, flines.get(name, line), f"entry {raw.get('id', '?')!r}: missing or empty {name!r}")
            ok = False
    for name in ("id", "topic", "question", "answer"):
        if name in raw and raw[name] is not None and not isinstance(raw[name], str):
            out.add(path, flines.get(name, line), f"{name!r} must be text")
            ok = False
    fnodes = _field_nodes(node)
    lists: dict[str, list[str]] = {}
    for name in LISTS:
        texts = _texts(raw.get(name), fnodes.get(name))
        if texts is None:
            out.add(path, flines.get(name, line), f"{name!r} must be a list of non-empty texts")
            ok = False
        else:
            lists[name] = texts
    if not ok:
        return None
    entry_id = str(raw["id"])
    if not ENTRY_ID.match(entry_id):
        out.add(path, flines["id"], f"id {entry_id!r}: use lower-case letters, digits and '-'")
        ok = False
    if raw["topic"] not in topics:
        out.add(path, flines["topic"], f"unknown topic {raw['topic']!r} (not in topics.yaml)")
        ok = False
    answer = str(raw["answer"]).strip()
    if len(answer) > MAX_ANSWER_CHARS:
        out.add(path, flines["answer"], f"answer is {len(answer)} characters; keep it under {MAX_ANSWER_CHARS}")
        ok = False
    updated = raw["updated"]
    if isinstance(updated, str):
        try:
            updated = dt.date.fromisoformat(updated)
        except ValueError:
            updated = None
    if not isinstance(updated, dt.date):
        out.add(path, flines["updated"], "updated must be a date like 2026-11-25")
        ok = False
    if not ok or unknown:
        return None
    return Entry(
        id=entry_id,
        topic=str(raw["topic"]),
        question=str(raw["question"]).strip(),
        answer=answer,
        sources=tuple(lists["sources"]),
        updated=updated,
        alternates=tuple(lists["alternates"]),
        keywords=tuple(lists["keywords"]),
        related=tuple(lists["related"]),
        path=path,
        line=line,
    )


def _entries_in(path: Path, topics: dict[str, str], out: _Collector) -> Iterator[Entry]:
    data, node = _compose(path, out)
    if data is None and node is None:
        return
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        out.add(path, _line(node), "expected a list of entries")
        return
    for raw, item in zip(data, node.value, strict=True):
        entry = _entry_problems(raw, item, path, topics, out)
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
    data, node = _compose(syn_path, out)
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            canonical = str(key_node.value)
            if canonical in seen:
                out.add(syn_path, _line(key_node), f"{canonical!r} is listed twice; merge the two lists")
                continue
            seen.add(canonical)
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else None
            if not items or not all(isinstance(v, yaml.ScalarNode) and str(v.value).strip() for v in items):
                out.add(syn_path, _line(key_node), f"{canonical!r} must map to a list of variants")
                continue
            for vnode in items:
                variant = str(vnode.value).strip()
                if variant in synonyms and synonyms[variant] != canonical:
                    out.add(syn_path, _line(vnode), f"{variant!r} already means {synonyms[variant]!r}")
                elif variant == canonical:
                    out.add(syn_path, _line(vnode), f"{variant!r} is listed as its own synonym")
                else:
                    synonyms[variant] = canonical
    elif data is not None:
        out.add(syn_path, _line(node), "expected a mapping of canonical term -> list of variants")
    for variant, canonical in synonyms.items():
        if canonical in synonyms:
            out.add(syn_path, 0, f"{variant!r} -> {canonical!r}, which is itself a variant of {synonyms[canonical]!r}")

    stop_path = data_dir / "stopwords.txt"
    stopwords = frozenset(w for _n, line in _read_lines(stop_path, out) for w in line.split())
    return Lexicon(tuple(user_words), synonyms, stopwords)


def _words(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def load_scope(path: Path, out: _Collector) -> Scope:
    data, node = _compose(path, out)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        if data is not None or node is not None:
            out.add(path, _line(node), "expected a mapping with 'anchors' and 'referrals'")
        return Scope(frozenset(), ())
    nodes = _field_nodes(node)
    lines = _field_lines(node)
    raw_anchors = data.get("anchors")
    anchors = [str(a) for a in raw_anchors] if isinstance(raw_anchors, list) and _words(raw_anchors) else []
    if not anchors:
        out.add(path, lines.get("anchors", 1), "'anchors' must be a non-empty list of words")
    referrals: list[Referral] = []
    raw = data.get("referrals")
    ref_node = nodes.get("referrals")
    if not isinstance(raw, list) or not isinstance(ref_node, yaml.SequenceNode):
        out.add(path, lines.get("referrals", 1), "'referrals' must be a list")
        raw, ref_items = [], []
    else:
        ref_items = ref_node.value
    for item, item_node in zip(raw, ref_items, strict=True):
        ok = isinstance(item, dict) and _words(item.get("words"))
        ok = ok and all(isinstance(item.get(k), str) and item[k].strip() for k in ("topic", "office"))
        if not ok:
            out.add(path, _line(item_node), "a referral needs 'topic', 'office' and a non-empty list 'words'")
            continue
        referrals.append(Referral(item["topic"], frozenset(item["words"]), item["office"].strip()))
    return Scope(frozenset(anchors), tuple(referrals))


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
    office_path = _office.check(data_dir, entries, out)  # the bureau's contact details (knowledge/office.py)
    files = (topics_path, *entry_files, data_dir / "userdict.txt", data_dir / "synonyms.yaml",
             data_dir / "stopwords.txt", data_dir / "scope.yaml", *([declined_path] if declined else []),
             *([office_path] if office_path else []))
    kb = KnowledgeBase(tuple(entries), topics, lexicon, scope, files, declined)
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
    text = yaml.safe_dump([data], allow_unicode=True, sort_keys=False, default_flow_style=False)
    out = _Collector()
    node = yaml.compose(text, Loader=_Loader)
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        return None, [("", "an entry must be a mapping")]
    item = node.value[0]
    raw = yaml.load(text, Loader=_Loader)[0]
    entry = _entry_problems(raw, item, origin, topics, out)
    starts = sorted((line, name) for name, line in _field_lines(item).items())

    def field_at(line: int) -> str:
        name = ""
        for start, candidate in starts:
            if start <= line:
                name = candidate
        return name

    problems = [(field_at(p.line), p.message) for p in out.problems]
    return (entry if not problems else None), problems
