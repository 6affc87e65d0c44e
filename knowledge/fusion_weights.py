"""The fused decision's weights (knowledge/fusion.py), written by scripts/fit_decision.py:
a logistic regression (C=1) fitted on
set-a, set-b, set-c, set-d, set-e, set-f, set-g, set-h, set-i, set-j, set-k, set-l, set-m, set-n,
set-o, set-p, set-q, set-r.
Fit again after changing the features or the engine."""

INTERCEPT = -5.148411447444135
WEIGHTS = (
    1.0120886546332537,  # engine_confident
    1.0120886546332537,  # reason_ok
    0.1532718009607256,  # reason_ambiguous
    -1.1822882522600044,  # reason_low_coverage
    -0.12163756176213068,  # reason_no_match
    0.9520217831511146,  # chosen_is_engine_top
    0.7542476286057577,  # chosen_is_learned_top
    1.5030754169751201,  # engine_top_is_learned_top
    0.7534645351970889,  # learned_score
    0.7518988174845804,  # learned_margin
    0.8642916848479776,  # log1p_engine_score
    1.1449998591570099,  # engine_coverage
)
THRESHOLD = 0.4
