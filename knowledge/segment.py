"""jieba segmentation with the knowledge base's own words.

jieba is initialised once per process (about a second from its cache); the user words are added to the
default tokenizer so the process holds one dictionary, not two.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

import jieba

logging.getLogger("jieba").setLevel(logging.ERROR)
jieba.setLogLevel(logging.ERROR)


@lru_cache(maxsize=1)
def _ready() -> None:
    jieba.initialize()


def add_words(words: Iterable[tuple[str, int | None]]) -> None:
    _ready()
    for word, freq in words:
        jieba.add_word(word, freq)


def tokenize(text: str) -> list[tuple[str, int, bool]]:
    """Words with their start offsets and whether each is a part of a longer word.

    HMM is off, so strings jieba does not know split into single characters (which is what the typo
    repair looks for). A word longer than two characters is followed by the shorter dictionary words
    inside it (as jieba's search mode does), so 惩罚性赔偿 also meets 赔偿.
    """
    _ready()
    freq = jieba.dt.FREQ
    out: list[tuple[str, int, bool]] = []
    offset = 0
    for word in jieba.cut(text, HMM=False):
        out.append((word, offset, False))
        if len(word) > 2:
            for size in (2, 3):
                for i in range(len(word) - size + 1):
                    gram = word[i:i + size]
                    if gram != word and freq.get(gram):
                        out.append((gram, offset + i, True))
        offset += len(word)
    return out


def frequency(word: str) -> int:
    """How often jieba's dictionary has seen a word (0 for unknown words)."""
    _ready()
    value: int = jieba.dt.FREQ.get(word, 0)
    return value


def cut(text: str) -> list[tuple[str, bool]]:
    """Words and sub-words (flagged True) of a text."""
    return [(word, part) for word, _start, part in tokenize(text)]
