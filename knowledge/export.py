"""Write the knowledge base as it stands — the packaged files with what staff taught and edited — into a
folder, so that it can be reviewed (a diff against the packaged files) and committed.

Entry files are rewritten round-trip (ruamel.yaml): comments, order and layout of what did not change stay as
they were, so the diff shows only the changes. Taught phrasings are appended to their entries' alternates;
phrasings marked not about IP go into declined.txt; edited entries replace their fields in place, and entries
added in the console are appended to the file of their topic's group.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from knowledge.loader import DECLINED_FILE, Entry, KnowledgeBase
from knowledge.overlay import Overlay, phrasing_key


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096  # never fold long Chinese lines
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _fields(entry: Entry) -> dict[str, Any]:
    answer = entry.answer if "\n" not in entry.answer else LiteralScalarString(entry.answer)
    return {"id": entry.id, "topic": entry.topic, "question": entry.question,
            "alternates": CommentedSeq(entry.alternates), "keywords": _flow(entry.keywords), "answer": answer,
            "sources": CommentedSeq(entry.sources), "related": _flow(entry.related), "updated": entry.updated}


def _flow(words: tuple[str, ...]) -> CommentedSeq:
    """Short word lists on one line, [a, b], as the files write them."""
    seq = CommentedSeq(words)
    seq.fa.set_flow_style()
    return seq


def _set_fields(item: CommentedMap, entry: Entry) -> None:
    for name, value in _fields(entry).items():
        if name in ("keywords", "related") and not value and name not in item:
            continue
        item[name] = value


def export(kb: KnowledgeBase, data_dir: Path, out_dir: Path, overlay: Overlay) -> list[Path]:
    """Copy `data_dir` to `out_dir` with the overlay written in; returns the files that differ."""
    if out_dir.exists() and any(out_dir.iterdir()):
        shutil.rmtree(out_dir)
    shutil.copytree(data_dir, out_dir, dirs_exist_ok=True)
    changed: list[Path] = []
    taught: dict[str, list[str]] = {}
    for entry_id, text in overlay.taught.values():
        taught.setdefault(entry_id, []).append(text)
    edited = {entry_id: e for entry_id, e in overlay.entries.items()}
    placed: set[str] = set()
    yaml = _yaml()
    files = sorted((out_dir / "entries").glob("*.yaml"))
    for path in files:
        items = yaml.load(path.read_text(encoding="utf-8")) or CommentedSeq()
        dirty = False
        removed = []
        for index, item in enumerate(items):
            entry_id = str(item.get("id", ""))
            placed.add(entry_id)
            if entry_id in edited:
                replacement = edited[entry_id]
                if replacement is None:
                    dirty = True
                    removed.append(index)
                    continue
                _set_fields(item, replacement)
                dirty = True
            new = _new_alternates(item, taught.get(entry_id, []))
            if new:
                alternates = item.get("alternates")
                if alternates is None:
                    item["alternates"] = alternates = CommentedSeq()
                alternates.extend(new)
                dirty = True
        for index in reversed(removed):
            del items[index]
        if dirty:
            _write(yaml, items, path)
            changed.append(path)
    added = [e for entry_id, e in edited.items() if e is not None and entry_id not in placed]
    if added:
        target = out_dir / "entries" / "added.yaml"
        items = yaml.load(target.read_text(encoding="utf-8")) if target.exists() else CommentedSeq()
        for entry in added:
            item = CommentedMap(_fields(entry))
            extra = _new_alternates(item, taught.get(entry.id, []))
            item["alternates"].extend(extra)
            items.append(item)
        _write(yaml, items, target)
        changed.append(target)
    declined = _declined(kb, overlay)
    if declined:
        path = out_dir / DECLINED_FILE
        existing = path.read_text(encoding="utf-8") if path.exists() else (
            "# Phrasings staff marked not about IP: declined politely (one per line; compared without punctuation).\n")
        with path.open("w", encoding="utf-8") as handle:
            handle.write(existing.rstrip("\n") + "\n" + "\n".join(declined) + "\n")
        changed.append(path)
    return changed


def _write(yaml: YAML, items: Any, path: Path) -> None:
    """Dump a list of entries laid out as the packaged files are: `- id:` at the margin, nested lists
    indented by four. ruamel indents every sequence alike, so the top level comes out two columns in; those
    two columns are taken off every line (block scalars included: they are indented relative to their key)."""
    buffer = io.StringIO()
    yaml.dump(items, buffer)
    lines = [line[2:] if line.startswith("  ") else line for line in buffer.getvalue().splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _new_alternates(item: Any, texts: list[str]) -> list[str]:
    have = {phrasing_key(str(t)) for t in [item.get("question", ""), *(item.get("alternates") or [])]}
    out = []
    for text in texts:
        key = phrasing_key(text)
        if key not in have:
            have.add(key)
            out.append(text)
    return out


def _declined(kb: KnowledgeBase, overlay: Overlay) -> list[str]:
    """Declined phrasings not yet in the files, as they were asked."""
    have = {phrasing_key(t) for t in kb.declined}
    return [text for key, text in sorted(overlay.declined.items()) if key not in have]
