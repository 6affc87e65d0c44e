"""Repairs for the words of a question the knowledge base does not know: homophone typos (专力, 商表, 池名),
typed pinyin (shangbiao, or a syllable at a time: duo jiu), read as the known terms they sound like."""

from __future__ import annotations

from knowledge import pinyin
from knowledge.analysis import CJK, LATIN, READABLE, Analyzer
from knowledge.index import Index
from knowledge.tuning import MEMO_LIMIT, Tuning


class Repairer:
    def __init__(self, index: Index, analyzer: Analyzer, tuning: Tuning) -> None:
        self.index = index
        self.analyzer = analyzer
        self.tuning = tuning
        self._pinyin_index: dict[tuple[str, ...], str] | None = None
        self._joined_pinyin: dict[str, str] | None = None
        self._stopword_pinyin: frozenset[str] = frozenset()
        self._unknown_memo: dict[str, tuple[str, float] | None] = {}
        self._run_memo: dict[tuple[str, tuple[bool, ...]], tuple[tuple[int, int, str], ...]] = {}

    def pinyin_indexes(self) -> tuple[dict[tuple[str, ...], str], dict[str, str]]:
        """Reading → term, for terms people type in questions (not words only found in answers)."""
        if self._pinyin_index is None or self._joined_pinyin is None:
            postings, synonyms = self.index.postings, self.analyzer.synonyms
            strong = frozenset().union(*self.index.strong)
            spellings = [(term, term) for term in sorted(strong)]  # sorted: of two alike, the same one wins
            spellings += [(variant, term) for variant, term in synonyms.items() if term in strong]
            index: dict[tuple[str, ...], str] = {}
            for written, term in spellings:
                if 2 <= len(written) <= 6 and all(CJK.match(c) for c in written):
                    key = pinyin.primary_key(written)
                    if key is not None and (key not in index or len(postings[term]) > len(postings[index[key]])):
                        index[key] = term
            self._pinyin_index = index
            self._joined_pinyin = {"".join(key): term for key, term in index.items()}
            # question words and particles typed in pinyin (yao, zenme) are dropped like the words themselves
            spoken = (pinyin.primary_key(word) for word in self.analyzer.stopwords
                      if all(CJK.match(c) for c in word))
            self._stopword_pinyin = frozenset("".join(key) for key in spoken if key is not None)
        return self._pinyin_index, self._joined_pinyin

    def read_unknown(self, term: str) -> tuple[str, float] | None:
        """How to read one word the knowledge base does not know: (term, weight), or None to skip it.

        A single Chinese character comes back as itself with weight 0: it waits for the homophone repair.
        Remembered per word, like Segmenter.parts.
        """
        memo = self._unknown_memo
        if term in memo:
            return memo[term]
        reading: tuple[str, float] | None = (term, 1.0)
        size = len(term)
        if not READABLE.match(term):
            reading = None
        elif size == 1 and CJK.match(term):
            reading = (term, 0.0)
        else:
            guess = None
            if LATIN.match(term):
                guess = self.pinyin_indexes()[1].get(term)
            elif 2 <= size <= 4:
                guess = self._repair_rare_word(term)
            if guess is not None:
                reading = (guess, self.tuning.pinyin_factor)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[term] = reading
        return reading

    def add_unknown(self, norm: str, main: list[str], canonical: list[str], unknown: set[str],
                    weights: dict[str, float]) -> None:
        """Words the knowledge base does not know: repaired when they look like typos, else kept as they are."""
        t = self.tuning
        singles: dict[int, str] = {}  # offset -> lone character the knowledge base does not know
        lone_known: dict[int, str] = {}  # offset -> lone character it does know (年 in 年废)
        syllables: list[list[str]] = [[]]  # runs of unknown Latin words read as they are (duo jiu)
        offset = 0
        for word, term in zip(main, canonical, strict=True):
            start, offset = offset, offset + len(word)
            if term not in unknown:
                if len(word) == 1 and term in weights and CJK.match(term):
                    lone_known[start] = term
                if not word.isspace() and syllables[-1]:
                    syllables.append([])
                continue
            reading = self.read_unknown(term)
            if reading is None:
                continue
            if reading == (term, 1.0) and LATIN.match(term):
                syllables[-1].append(term)
            elif syllables[-1]:
                syllables.append([])
            term, weight = reading
            if weight == 0.0:
                singles[start] = term
                weight = 1.0
            if weights.get(term, 0.0) < weight:
                weights[term] = weight
        for run in syllables:
            if run:
                self._join_syllables(run, weights)
        if not singles or len(singles) + len(lone_known) < 2:
            return
        repaired, consumed = self._repair_homophones(norm, {**lone_known, **singles}, set(singles))
        lone = {**lone_known, **singles}
        kept = {char for o, char in lone.items() if o not in consumed}
        for o in consumed:
            if lone[o] not in kept:
                weights.pop(lone[o], None)
        for term in repaired:
            if weights.get(term, 0.0) < t.pinyin_factor:
                weights[term] = t.pinyin_factor

    def _join_syllables(self, run: list[str], weights: dict[str, float]) -> None:
        """Pinyin typed a syllable at a time (duo jiu): neighbouring words joined, read as one known term;
        what is left and reads as a question word or particle (yao, ma) is dropped like the word itself."""
        joined = self.pinyin_indexes()[1]
        i = 0
        while i < len(run):
            for size in (4, 3, 2):
                term = joined.get("".join(run[i:i + size])) if i + size <= len(run) else None
                if term is not None:
                    for part in run[i:i + size]:
                        weights.pop(part, None)
                    if weights.get(term, 0.0) < self.tuning.pinyin_factor:
                        weights[term] = self.tuning.pinyin_factor
                    i += size
                    break
            else:
                if run[i] in self._stopword_pinyin:
                    weights.pop(run[i], None)
                i += 1

    def _repair_homophones(self, norm: str, lone: dict[int, str], unknown: set[int]) -> tuple[list[str], set[int]]:
        """Runs of lone characters (at least one of them unknown): try them as mistyped known terms."""
        repaired: list[str] = []
        consumed: set[int] = set()
        start = None
        for i in range(min(lone), max(lone) + 2):
            if i in lone:
                if start is None:
                    start = i
                continue
            if start is not None and i - start > 1:
                mask = tuple(j in unknown for j in range(start, i))
                if any(mask):
                    for offset, size, term in self._repair_run(norm[start:i], mask):
                        repaired.append(term)
                        consumed.update(range(start + offset, start + offset + size))
            start = None
        return repaired, consumed

    def _repair_run(self, run: str, unknown: tuple[bool, ...]) -> tuple[tuple[int, int, str], ...]:
        """Known terms hidden in a run of lone characters, by sound: (offset, length, term). Each window
        repaired holds at least one character the knowledge base does not know. Remembered."""
        memo = self._run_memo
        found = memo.get((run, unknown))
        if found is not None:
            return found
        index = self.pinyin_indexes()[0]
        result: list[tuple[int, int, str]] = []
        i = 0
        while i < len(run) - 1:
            for size in (4, 3, 2):
                if i + size > len(run) or not any(unknown[i:i + size]):
                    continue
                key = pinyin.primary_key(run[i:i + size])
                term = index.get(key) if key is not None else None
                if term is not None:
                    result.append((i, size, term))
                    i += size
                    break
            else:
                i += 1
        found = tuple(result)
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[(run, unknown)] = found
        return found

    def _repair_rare_word(self, word: str) -> str | None:
        """A rare word the knowledge base does not know, read as the known term that sounds the same."""
        analyzer = self.analyzer
        if word in self.index.postings or word in analyzer.synonyms or word in analyzer.stopwords:
            return None
        if not all(CJK.match(c) for c in word) or analyzer.segmenter.frequency(word) >= self.tuning.rare_word_freq:
            return None
        key = pinyin.primary_key(word)
        return self.pinyin_indexes()[0].get(key) if key is not None else None
