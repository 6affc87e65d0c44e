"""Long texts cut into pieces a platform accepts: at most `limit` by the platform's own measure (characters
for Telegram, UTF-8 bytes for WeCom), cut at a line end where one falls inside the limit."""

from __future__ import annotations

from collections.abc import Callable


def utf8_size(text: str) -> int:
    return len(text.encode())


def _fitting(text: str, limit: int, size: Callable[[str], int]) -> int:
    """How many leading characters fit in `limit`."""
    if size is len:
        return limit
    total = 0
    for index, char in enumerate(text):
        total += size(char)
        if total > limit:
            return index
    return len(text)


def split_text(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    pieces: list[str] = []
    while size(text) > limit:
        cut = _fitting(text, limit, size)
        line_end = text.rfind("\n", 0, cut)
        if line_end > 0:
            cut = line_end
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text or not pieces:
        pieces.append(text)
    return pieces
