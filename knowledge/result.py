"""What a search gives: the entries found (hits), whether the best one is trusted, and why not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from knowledge.loader import Entry


class Hit(NamedTuple):
    entry: Entry
    score: float
    coverage: float  # share of the question's meaning this entry explains
    similarity: float  # resemblance to the entry's closest phrasing
    matched: float  # the question's meaning this entry explains, in idf units


@dataclass(frozen=True)
class Result:
    question: str
    hits: list[Hit]
    confident: bool
    reason: str  # ok | taught | empty | too_long | no_match | out_of_scope | low_coverage | ambiguous
    terms: list[str] = field(default_factory=list)
    referral: str | None = None  # where to ask instead, for an everyday non-IP question

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def alternatives(self) -> list[Hit]:
        return self.hits[1:]


class QueryTerm(NamedTuple):
    term: str
    weight: float  # how sure we are the user meant it: 1, less for a repaired typo or a word part
    mass: float  # its share of the question's meaning: idf, less for single characters
