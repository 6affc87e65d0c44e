"""What staff changed on top of the packaged knowledge files: taught phrasings, phrasings marked not about IP,
and edited entries. The knowledge package only applies an overlay; where it is stored (the database) is the
caller's business, given to KnowledgeService as an OverlaySource.

A taught phrasing is answered with its entry whenever the same text comes again (compared in its
comparable form, so punctuation, spaces, width and traditional characters do not matter), and is added to the
entry's alternates, so that questions phrased like it find the entry too. A phrasing marked not about IP is
declined: pointed to the office the scope file names for it (a mortgage question to the bank and the property
registry) when it names one, else with the overlay's referral text. Exported, taught phrasings go into their
entries' alternates and declined ones into declined.txt, so that both can be reviewed and committed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from knowledge.engine import Hit, Result, SearchEngine, Tuning
from knowledge.loader import Entry, KnowledgeBase
from knowledge.normalize import normalize

MAX_KEY = 300
_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is exactly str.isalnum, and the underscore
# said after the out-of-scope line to a phrasing declined by the files alone (the database overlay gives its own)
FILE_DECLINE_REFERRAL = "可以拨打12345政务服务便民热线咨询相应部门。"


def phrasing_key(text: str) -> str:
    """The comparable form of a phrasing: normalized, letters and digits only (what str.isalnum keeps)."""
    return _key(normalize(text))


def _key(norm: str) -> str:
    """phrasing_key of a text already normalized."""
    return _NOT_ALNUM.sub("", norm)[:MAX_KEY]


@dataclass(frozen=True)
class Overlay:
    version: Hashable = None
    taught: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # key -> (entry id, text as asked)
    declined: Mapping[str, str] = field(default_factory=dict)  # key -> text of phrasings marked not about IP
    decline_referral: str = ""  # said (after the out-of-scope line) to a declined phrasing
    entries: Mapping[str, Entry | None] = field(default_factory=dict)  # edited entries by id (None: removed)


class OverlaySource(Protocol):
    def version(self) -> Hashable:
        """Cheap: changes whenever load() would return something else."""

    def load(self, kb: KnowledgeBase) -> Overlay:
        """The overlay for this knowledge base (edited entries are checked against its topics)."""


def apply(kb: KnowledgeBase, overlay: Overlay) -> KnowledgeBase:
    """The knowledge base with the overlay's edited entries swapped in and taught phrasings added to their
    entries' alternates. Phrasings taught to an entry that no longer exists are left out."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for entry in kb.entries:
        seen.add(entry.id)
        edited = overlay.entries.get(entry.id, entry) if entry.id in overlay.entries else entry
        if edited is not None:
            entries.append(edited)
    entries += [e for entry_id, e in overlay.entries.items() if entry_id not in seen and e is not None]
    extra: dict[str, list[str]] = {}
    for entry_id, text in overlay.taught.values():
        extra.setdefault(entry_id, []).append(text)
    if extra:
        entries = [dataclasses.replace(e, alternates=(*e.alternates, *_new(e, extra[e.id])))
                   if e.id in extra else e for e in entries]
    return dataclasses.replace(kb, entries=tuple(entries))


def _new(entry: Entry, texts: list[str]) -> list[str]:
    have = {phrasing_key(t) for t in (entry.question, *entry.alternates)}
    return [t for t in texts if phrasing_key(t) not in have]


class TaughtEngine(SearchEngine):
    """A search engine that first looks a question up among the phrasings staff taught (and those the files
    decline: declined.txt)."""

    def __init__(self, kb: KnowledgeBase, overlay: Overlay, tuning: Tuning | None = None) -> None:
        super().__init__(apply(kb, overlay), tuning)
        self.overlay = overlay
        self._declined = set(overlay.declined) | {phrasing_key(t) for t in kb.declined}
        self._taught = {key: entry for key, (entry_id, _text) in overlay.taught.items()
                        if (entry := self.kb.entry(entry_id)) is not None}

    def search(self, question: str) -> Result:
        norm = normalize(question)
        key = _key(norm)
        if key:
            if key in self._declined:
                found = self._search(question, norm)
                if found.reason == "out_of_scope" and found.referral:  # the office it belongs to, as before
                    return found
                referral = self.overlay.decline_referral or FILE_DECLINE_REFERRAL
                return Result(question, [], False, "out_of_scope", referral=referral)
            entry = self._taught.get(key)
            if entry is not None:
                return Result(question, [Hit(entry, 1.0, 1.0, 1.0, 1.0)], True, "taught")
        return self._search(question, norm)
