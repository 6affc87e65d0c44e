"""The learned signal: a linear topic classifier over every phrasing of the knowledge base (each entry's question
and alternates, taught phrasings included, since overlay.apply adds them to the alternates).

Features of a text: its normalized form's character 1-, 2- and 3-grams and its jieba words, counted
sublinearly (1 + log tf), times idf, L2-normalised. The classifier is a linear SVM (one against the rest per
topic), fitted by scikit-learn; what is kept is only the vocabulary, the idf and the weights, as plain arrays of
floats: answering needs neither numpy nor scikit-learn (importing numpy alone would double `ipbot ask`'s start),
and the classifier pickles with the engine (knowledge/cache.py): `ipbot ask` does not fit it again. A question
has a few dozen known terms, so its score per topic is a short sum over a few weights of that topic's array.

Fitting takes about a second over the real knowledge base. It is remembered in-process by a digest of the
phrasings and their labels, so the many engines built over the same knowledge base fit it once. Without
scikit-learn (or with fewer than two topics) there is no classifier: the engine answers with its keyword signal
alone (see SearchEngine.learned_status).

Deterministic: the vocabulary is sorted, the solver's random_state fixed, and a question's features are summed
in the question's own order, so the same question gives the same scores to the last bit in every process.
"""

from __future__ import annotations

import hashlib
import logging
import math
import operator
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from knowledge import cache

log = logging.getLogger(__name__)
C = 1.0  # the SVM's regularisation (1 did best on the project's sets; 0.5 and 2 within half a point)
MEMO_SIZE = 8  # classifiers remembered in-process (tests build many engines over a few knowledge bases)
KEEP_ON_DISK = 3  # classifiers kept in the cache folder: the current phrasings and the last few taught states
_CODE = Path(__file__).read_bytes()
_memo: dict[str, Classifier] = {}

Words = Callable[[str], Sequence[str]]  # normalized text -> its words (the engine's segmenter)


def features(norm: str, words: Sequence[str]) -> dict[str, int]:
    """Term counts of a normalized text: c+character n-grams (1 to 3) and w+words, blanks left out, in the
    text's order."""
    counts: dict[str, int] = {}
    size = len(norm)
    for n in (1, 2, 3):
        for i in range(size - n + 1):
            gram = norm[i:i + n]
            if gram.strip():
                key = "c" + gram
                counts[key] = counts.get(key, 0) + 1
    for word in words:
        if word.strip():
            key = "w" + word
            counts[key] = counts.get(key, 0) + 1
    return counts


@dataclass(frozen=True, eq=False)
class Classifier:
    topics: tuple[str, ...]
    vocab: dict[str, int]
    idf: array[float]  # per term
    weights: tuple[array[float], ...]  # per topic: a weight per term
    intercepts: tuple[float, ...]  # per topic

    def vector(self, counts: dict[str, int]) -> tuple[list[int], list[float]]:
        """The known terms' indices and their tf-idf values, L2-normalised."""
        vocab, idf = self.vocab, self.idf
        index = [vocab[term] for term in counts if term in vocab]
        if not index:
            return [], []
        tf = [counts[term] for term in counts if term in vocab]
        values = [(1.0 + math.log(n)) * idf[i] for n, i in zip(tf, index, strict=True)]
        length = math.sqrt(sum(v * v for v in values))
        return index, [v / length for v in values]

    def scores(self, norm: str, words: Sequence[str]) -> list[float]:
        """Decision value per topic (in self.topics' order) for a normalized question."""
        index, values = self.vector(features(norm, words))
        mul = operator.mul
        return [sum(map(mul, values, map(column.__getitem__, index))) + intercept
                for column, intercept in zip(self.weights, self.intercepts, strict=True)]

    def ranking(self, norm: str, words: Sequence[str]) -> list[tuple[str, float]]:
        """(topic, score), the best first; of equal scores, the topic first in self.topics."""
        scores = self.scores(norm, words)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable: ties keep self.topics' order
        return [(self.topics[i], scores[i]) for i in order]


def digest(phrasings: Sequence[str], labels: Sequence[str], cut: Sequence[Sequence[str]]) -> str:
    """What a classifier is fitted from: the phrasings, their words and topics, and this module's code."""
    h = hashlib.sha256(_CODE)
    for text, label, words in zip(phrasings, labels, cut, strict=True):
        h.update(text.encode() + b"\0" + label.encode() + b"\0" + "\2".join(words).encode() + b"\1")
    return h.hexdigest()


def train(phrasings: Sequence[str], labels: Sequence[str], words: Words) -> Classifier:
    """The classifier for these normalized phrasings and their topics: remembered in-process and kept on disk
    by digest (knowledge/cache.py), else fitted.

    Raises ImportError without scikit-learn, ValueError with fewer than two topics."""
    cut = [words(text) for text in phrasings]
    key = digest(phrasings, labels, cut)
    found = _memo.get(key)
    if found is None:
        kept = cache.load(key[:32], kind="learned")
        found = kept if isinstance(kept, Classifier) else None
    if found is None:
        found = _fit(phrasings, labels, cut)
        cache.store(key[:32], found, kind="learned", keep=KEEP_ON_DISK)
    if len(_memo) >= MEMO_SIZE:
        _memo.pop(next(iter(_memo)))
    _memo[key] = found
    return found


def _fit(phrasings: Sequence[str], labels: Sequence[str], cut: Sequence[Sequence[str]]) -> Classifier:
    topics = tuple(sorted(set(labels)))
    if len(topics) < 2:
        raise ValueError("a classifier needs at least two topics")
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    counted = [features(text, words) for text, words in zip(phrasings, cut, strict=True)]
    df: dict[str, int] = {}
    for counts in counted:
        for term in counts:
            df[term] = df.get(term, 0) + 1
    terms = sorted(df)
    vocab = {term: i for i, term in enumerate(terms)}
    total = len(counted)
    idf = array("d", [math.log((1 + total) / (1 + df[term])) + 1 for term in terms])
    shell = Classifier(topics, vocab, idf, (), ())
    rows, columns, values = [], [], []
    for row, counts in enumerate(counted):
        cols, vals = shell.vector(counts)
        rows += [row] * len(cols)
        columns += cols
        values += vals
    matrix = csr_matrix((values, (rows, columns)), shape=(total, len(terms)))
    index = {topic: i for i, topic in enumerate(topics)}
    y = np.array([index[label] for label in labels])
    model = LinearSVC(C=C, random_state=0).fit(matrix, y)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(topics) == 2:  # one decision value, for the second topic: the first's is its opposite
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return Classifier(topics, vocab, idf, tuple(array("d", row.tolist()) for row in coef),
                      tuple(float(b) for b in intercept))


def available() -> str | None:
    """Why the learned signal cannot be fitted here (None when it can)."""
    try:
        import sklearn.svm  # noqa: F401
    except ImportError as exc:
        return f"scikit-learn is not installed ({exc})"
    return None
