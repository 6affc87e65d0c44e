"""Text normalisation shared by the index and the queries.

Full-width → half-width and compatibility forms (NFKC), Traditional → Simplified Chinese, lower case,
control and zero-width characters removed, punctuation and symbols (emoji included) turned into spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_NOT_WORD = re.compile(r"[^\w]+|_+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Return the comparable form of a text (never raises on odd input)."""
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).lower()
    text = _t2s().convert(text)
    text = _NOT_WORD.sub(" ", text)
    return " ".join(text.split())


def strip_control(text: str) -> str:
    """Remove control and zero-width characters but keep everything else as typed."""
    return _CONTROL.sub(" ", text)
