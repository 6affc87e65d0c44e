"""Word segmentation: jieba's dictionary and algorithm, run by jieba-rs (the `rjieba` binding).

jieba-rs implements jieba's DAG + dynamic-programming segmentation over the same default dictionary in
Rust; it cuts exactly as the Python package does (checked in tests/test_segment.py) about ten times
faster, starts in a fifth of the time and holds its dictionary in less memory. Each search engine (one per
loaded knowledge base) has a Segmenter of its own with that knowledge base's words added.
"""

from __future__ import annotations

from collections.abc import Iterable

import rjieba

PARTS_MEMO_LIMIT = 100_000


class Segmenter:
    """jieba's default dictionary plus one knowledge base's words. Each loaded knowledge base has its own, so
    a reload that drops a word from userdict.txt really drops it."""

    def __init__(self, words: Iterable[tuple[str, int | None]] = ()) -> None:
        self._jieba = rjieba.Jieba()
        self._parts_memo: dict[str, tuple[tuple[str, ...], bool]] = {}
        self.add_words(words)

    def add_words(self, words: Iterable[tuple[str, int | None]]) -> None:
        self._parts_memo.clear()
        for word, freq in words:
            self._jieba.add_word(word, freq, None)

    def words(self, text: str) -> list[str]:
        """The words of a text, as jieba cuts them with HMM off (unknown strings fall apart into characters)."""
        result: list[str] = self._jieba.cut(text, hmm=False)
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
