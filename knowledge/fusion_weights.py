"""The fused decision's weights (knowledge/fusion.py), written by scripts/fit_decision.py:
a logistic regression (C=1) fitted on
set-a, set-b, set-c, set-d, set-e, set-f, set-g, set-h, set-i, set-j, set-k, set-l, set-m, set-n,
set-o, set-p, set-q, set-r.
Fit again after changing the features or the engine."""

INTERCEPT = -5.322858840515037
WEIGHTS = (
    1.0662125734055747,  # engine_confident
    1.0662125734055747,  # reason_ok
    0.25325625635515236,  # reason_ambiguous
    -1.2988841442647607,  # reason_low_coverage
    -0.0928509919913279,  # reason_no_match
    1.2942302319901993,  # chosen_is_engine_top
    0.817459248850782,  # chosen_is_learned_top
    1.4924743703180543,  # engine_top_is_learned_top
    0.9551706133521638,  # learned_score
    0.6668700320263223,  # learned_margin
    0.8423936989142857,  # log1p_engine_score
    0.933711488881163,  # engine_coverage
)
THRESHOLD = 0.4
