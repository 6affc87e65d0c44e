"""Finding an entry as staff know it — by its Chinese title (its question) and other phrasings, never by its id —
and the topics as staff read them (their Chinese names, under their category's)."""

from __future__ import annotations

from knowledge.engine import SearchEngine
from knowledge.loader import Entry, KnowledgeBase
from knowledge.normalize import normalize

SUGGESTED = 5
FOUND = 20
MAX_QUERY = 50


def suggested(engine: SearchEngine, question: str, limit: int = SUGGESTED) -> list[Entry]:
    """The entries the answering engine finds closest to the question, the closest first."""
    return [hit.entry for hit in engine.search(question).hits if hit.score > 0][:limit]


def _words(query: str) -> list[str]:
    return [normalize(word) for word in query.split() if normalize(word)]


def by_title(engine: SearchEngine, query: str, limit: int = FOUND) -> list[Entry]:
    """Entries whose title holds every word of the query first, then those whose other phrasings or keywords
    do, then the ones the answering engine finds for the query as a question; of each kind, the engine's
    closest first."""
    words = _words(query[:MAX_QUERY])
    if not words:
        return []
    hits = [hit for hit in engine.search(query[:MAX_QUERY]).hits if hit.score > 0]  # a hit with no score: no match
    ranked = {hit.entry.id: place for place, hit in enumerate(hits)}

    def holds(texts: tuple[str, ...]) -> bool:
        joined = normalize(" ".join(texts))
        return all(word in joined for word in words)

    in_title = [e for e in engine.kb.entries if holds((e.question,))]
    elsewhere = [e for e in engine.kb.entries if e not in in_title and holds((*e.alternates, *e.keywords))]
    order = len(ranked)
    found = sorted(in_title, key=lambda e: ranked.get(e.id, order)) + \
        sorted(elsewhere, key=lambda e: ranked.get(e.id, order))
    seen = {e.id for e in found}
    found += [hit.entry for hit in hits if hit.entry.id not in seen]
    return found[:limit]


def topic_groups(kb: KnowledgeBase, categories: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(category's Chinese name, [(topic id, topic's Chinese name)]) in the topics file's order: a topic list
    to choose from."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for topic, category in kb.topics.items():
        groups.setdefault(category, []).append((topic, kb.topic_name(topic)))
    return [(categories.get(category, category), topics) for category, topics in groups.items()]


def entry_groups(kb: KnowledgeBase, leave_out: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """(topic's Chinese name, [(entry id, entry's title)]) for every entry but `leave_out`, in the files' order:
    an entry list to pick related entries from by their titles."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for entry in kb.entries:
        if entry.id != leave_out:
            groups.setdefault(entry.topic, []).append((entry.id, entry.question))
    return [(kb.topic_name(topic), entries) for topic, entries in groups.items()]
