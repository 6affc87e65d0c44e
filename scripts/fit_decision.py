"""Fit the fused decision's logistic model (knowledge/fusion.py) on labelled sets and write its weights into
knowledge/fusion_weights.py: python scripts/fit_decision.py [PATH ...] [--exclude NAME ...] [--dry-run].

For every question the engine does not turn away before ranking (empty, too long, out of scope), the fused
topic is chosen as the engine would choose it, and the example is labelled 1 when that topic is the question's
own (0 for a wrong topic or an out-of-scope question). LogisticRegression(C=1), deterministic (lbfgs). The
threshold is kept at THRESHOLD (0.4: on the sets, the best balance of right answers and declined out-of-scope
questions). With --exclude the named sets are left out of the fit and scored after it, unseen.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from knowledge import fusion, loader
from knowledge.engine import SearchEngine
from knowledge.evaluate import load_questions

HOLDOUT = Path(__file__).resolve().parent / "holdout"
OUT = Path(__file__).resolve().parent.parent / "knowledge" / "fusion_weights.py"
THRESHOLD = 0.4


def examples(engine: SearchEngine, rows: list[tuple[str, str | None]]) -> tuple[np.ndarray, np.ndarray]:
    x, y = [], []
    for question, topic in rows:
        result, ranking = engine.signals(question)
        if not ranking:
            continue
        chosen = fusion.choose(result, ranking)
        x.append(fusion.features(result, ranking, chosen))
        y.append(int(chosen == topic))
    return np.array(x), np.array(y)


def write(model: LogisticRegression, sets: list[str]) -> None:
    weights = "\n".join(f"    {float(w)!r},  # {name}" for w, name in zip(model.coef_[0], fusion.FEATURES,
                                                                          strict=True))
    fitted_on = textwrap.fill(", ".join(sets), 100)
    OUT.write_text(f'''"""The fused decision's weights (knowledge/fusion.py), written by scripts/fit_decision.py:
a logistic regression (C=1) fitted on
{fitted_on}.
Fit again after changing the features or the engine."""

INTERCEPT = {float(model.intercept_[0])!r}
WEIGHTS = (
{weights}
)
THRESHOLD = {THRESHOLD!r}
''', encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--exclude", nargs="*", default=[], help="set files (names) left out of the fit")
    parser.add_argument("--dry-run", action="store_true", help="print the weights, write nothing")
    args = parser.parse_args(argv)
    files = sorted(p for path in (args.paths or [HOLDOUT])
                   for p in (sorted(path.glob("set-*.jsonl")) if path.is_dir() else [path]))
    engine = SearchEngine(loader.load())
    fit = [p for p in files if p.name not in args.exclude]
    x, y = examples(engine, [row for p in fit for row in load_questions(p)])
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    for name, w in zip(fusion.FEATURES, model.coef_[0], strict=True):
        print(f"{name:28} {w:+.3f}")
    print(f"{'intercept':28} {model.intercept_[0]:+.3f}  ({len(y)} examples from {len(fit)} sets)")
    for p in files:
        if p.name in args.exclude:
            xs, ys = examples(engine, load_questions(p))
            kept = model.predict_proba(xs)[:, 1] >= THRESHOLD
            print(f"{p.name} (unseen): answered {kept.mean():.1%}, of them right {ys[kept].mean():.1%}")
    if not args.dry_run:
        write(model, [p.stem for p in fit])
    return 0


if __name__ == "__main__":
    sys.exit(main())
