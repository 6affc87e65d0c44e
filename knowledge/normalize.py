"""Text normalisation shared by the index and the queries.

Full-width → half-width and compatibility forms (NFKC), Traditional → Simplified Chinese, lower case,
control and zero-width characters turned into spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


_CJK_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional → Simplified, character by character, from OpenCC's t2s conversion.

    Built once (about 15 ms): every CJK character is converted on a line of its own, so no phrase rule
    reaches across characters; a lookup table is then far faster than converting each question.
    """
    chars = [chr(code) for start, end in _CJK_BLOCKS for code in range(start, end)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - would mean OpenCC merged lines
        raise RuntimeError("OpenCC t2s changed the number of lines")
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b}


@lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    """Any character the t2s table converts. Most questions have none, and `str.translate` with a dict pays
    for a failed lookup on every character it leaves alone, so the table is applied only when this matches."""
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_t2s_table())) + "]")


# Full-width ASCII (！ to ～) and the ideographic space: what keeps most chat questions from being NFKC already.
# NFKC turns each into its one ASCII character, so replacing them first gives NFKC the same decomposition to
# start from; when the rest is then NFKC already, the full normalisation (the slow part) is not needed.
_WIDE = re.compile("[\uff01-\uff5e\u3000]")


def _narrow(match: re.Match[str]) -> str:
    char = match.group()
    return " " if char == "\u3000" else chr(ord(char) - 0xFEE0)


def normalize(text: str) -> str:
    """Return the comparable form of a text (never raises on odd input).

    Punctuation is left in place: segmentation splits on it, and the analyzers drop it.
    """
    text = _CONTROL.sub(" ", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = _WIDE.sub(_narrow, text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    return text.translate(_t2s_table()) if _traditional().search(text) else text


def strip_control(text: str) -> str:
    """Remove control and zero-width characters but keep everything else as typed."""
    return _CONTROL.sub(" ", text)
