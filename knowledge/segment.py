"""Word segmentation: jieba's dictionary and algorithm, run by jieba-rs (the `rjieba` binding).

jieba-rs implements jieba's DAG + dynamic-programming segmentation over the same default dictionary in
Rust; it cuts exactly as the Python package does (checked in tests/test_segment.py) about ten times
faster, starts in a fifth of the time and holds its dictionary in less memory. Each search engine (one per
loaded knowledge base) has a Segmenter of its own with that knowledge base's words added.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PARTS_MEMO_LIMIT = 100_000


def _jieba_class() -> Any:
    """rjieba.Jieba, loaded without running the `rjieba` package's __init__ where possible.

    That __init__ builds a module-level default Jieba for rjieba's module functions (rjieba.cut...): a second
    copy of the whole dictionary, about 25 MB resident and a tenth of a second at start-up, which nothing here
    uses since every Segmenter has its own. So the compiled module is loaded on its own under its usual name
    (rjieba.rjieba); a later `import rjieba` finds it there and reuses it. The plain import is the fallback
    when the compiled module is not where expected.
    """
    loaded = sys.modules.get("rjieba.rjieba")
    if loaded is None:
        path = _compiled_module()
        spec = importlib.util.spec_from_file_location("rjieba.rjieba", path) if path else None
        if spec is None or spec.loader is None:
            import rjieba

            return rjieba.Jieba
        loaded = importlib.util.module_from_spec(spec)
        sys.modules["rjieba.rjieba"] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules["rjieba.rjieba"]
            raise
    return loaded.Jieba


def _compiled_module() -> Path | None:
    """Where rjieba's compiled module is, found without importing the package."""
    package = importlib.util.find_spec("rjieba")
    folders = (package.submodule_search_locations or []) if package else []
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"rjieba{suffix}"
            if path.exists():
                return path
    return None


_Jieba = _jieba_class()


class Segmenter:
    """jieba's default dictionary plus one knowledge base's words. Each loaded knowledge base has its own, so
    a reload that drops a word from userdict.txt really drops it."""

    def __init__(self, words: Iterable[tuple[str, int | None]] = ()) -> None:
        self._jieba = _Jieba()
        self._parts_memo: dict[str, tuple[tuple[str, ...], bool]] = {}
        self._added: list[tuple[str, int | None]] = []
        self.add_words(words)

    def add_words(self, words: Iterable[tuple[str, int | None]]) -> None:
        self._parts_memo.clear()
        for word, freq in words:
            self._jieba.add_word(word, freq, None)
            self._added.append((word, freq))

    def __getstate__(self) -> list[tuple[str, int | None]]:
        """Pickled as the words added (knowledge/cache.py): jieba's dictionary is loaded again, not copied."""
        return self._added

    def __setstate__(self, added: list[tuple[str, int | None]]) -> None:
        self.__init__(added)  # type: ignore[misc]

    def words(self, text: str) -> list[str]:
        """The words of a text, as jieba cuts them with HMM off (unknown strings fall apart into characters)."""
        result: list[str] = self._jieba.cut(text, False)  # hmm=False (positional: keyword parsing costs)
        return result

    def parts(self, word: str) -> tuple[tuple[str, ...], bool]:
        """The shorter dictionary words (two to four characters) that a longer word is made of, read left
        to right taking the longest at each step, and whether they spell it out in full
        (商标注册 = 商标 + 注册; not 标注, which only straddles the two).

        Remembered per word (the same words come back in question after question); the memo is emptied
        when it grows past PARTS_MEMO_LIMIT words, and whenever words are added to the dictionary.
        """
        found = self._parts_memo.get(word)
        if found is None:
            has_word = self._jieba.has_word
            size = len(word)
            grams: list[str] = []
            spelled_out = True
            i = 0
            while i < size:
                step = next((n for n in (4, 3, 2) if n < size and i + n <= size and has_word(word[i:i + n])), 0)
                if step:
                    grams.append(word[i:i + step])
                    i += step
                else:
                    spelled_out = False
                    i += 1
            found = (tuple(grams), spelled_out)
            if len(self._parts_memo) >= PARTS_MEMO_LIMIT:
                self._parts_memo.clear()
            self._parts_memo[word] = found
        return found

    def frequency(self, word: str) -> int:
        """How often jieba's dictionary has seen a word (0 for words it does not know)."""
        if not self._jieba.has_word(word):
            return 0
        return max(int(self._jieba.suggest_freq(word)) - 1, 0)
