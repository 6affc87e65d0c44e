"""Toneless pinyin readings, for tolerating homophone typos (专力 → 专利, 商表 → 商标).

Only pypinyin's single-character table is loaded (phrases are skipped: they cost about 50 MB of memory
and buy nothing for readings of single characters). Loaded on first use.
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, str] = pinyin_dict
    return table


def _strip_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def readings(char: str) -> tuple[str, ...]:
    """All toneless readings of one character; empty for characters without one."""
    raw = _table().get(ord(char))
    if not raw:
        return ()
    return tuple(dict.fromkeys(_strip_tone(s) for s in raw.split(",")))


def primary_key(word: str) -> tuple[str, ...] | None:
    """The most common reading of each character: what a typist most likely meant to type."""
    per_char = [readings(c) for c in word]
    if not all(per_char):
        return None
    return tuple(r[0] for r in per_char)
