"""Tests for qikit.mdc(): Making Data Count XmR limits, rules, point types, assurance and words.

Every expected number is worked out by hand in a comment next to it (from the method in
NHSRplotthedots 0.2.2 / Making Data Count), never copied from the code's output.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit import ProvisionalLimitsWarning, QIDataError
from qikit.stats.mdc import MDCResult, mdc, rule_beyond_limits, rule_shift, rule_trend, rule_two_in_three

# The NHSRplotthedots vignette series (18 points).
VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
# Hand working for VIGNETTE:
#   sum = nine 1s + eight 2s + 10 = 9 + 16 + 10 = 35, mean = 35 / 18 = 1.9444
#   moving ranges (17): 1, 1, 1, 8, 9, then twelve 1s -> sum 32, amr = 32 / 17 = 1.88235
#   unscreened limits: 1.9444 -/+ 2.66 x 1.88235 = 1.9444 -/+ 5.00706 -> -3.0626 and 6.9515
#   screening: 3.267 x 1.88235 = 6.1496, so the 8 and the 9 are dropped; fifteen 1s -> amr = 1
#   screened limits: 1.9444 -/+ 2.66 -> -0.7156 and 4.6044; 10 > 4.6044, so May is beyond the limit.
V_MEAN = 35 / 18
V_LPL, V_UPL = 35 / 18 - 2.66, 35 / 18 + 2.66


def months(n: int, start: str = "2020-01-01") -> pd.DatetimeIndex:
    return pd.date_range(start, periods=n, freq="MS")


def frame(y, start: str = "2020-01-01") -> pd.DataFrame:
    return pd.DataFrame({"month": months(len(y), start), "y": y})


def run(y, **kw) -> MDCResult:
    return mdc(frame(y), x="month", y="y", **kw)


def rule_of(res: MDCResult) -> list:
    return [None if pd.isna(r) else r for r in res.data["rule"]]


def types_of(res: MDCResult) -> list:
    return [None if pd.isna(t) else t for t in res.data["point_type"]]


def first_of(n: int) -> np.ndarray:
    f = np.zeros(n, dtype=bool)
    f[0] = True
    return f


# ---------------------------------------------------------------------------------------------
# Limits: the vignette, screening, missing values, fix_after, rebase
# ---------------------------------------------------------------------------------------------


def test_vignette_screened_limits_and_signal():
    res = run(VIGNETTE)
    s = res.summary()
    assert len(s) == 1
    assert s.loc[0, "mean"] == pytest.approx(1.9444, abs=5e-5)
    assert s.loc[0, "lpl"] == pytest.approx(-0.7156, abs=5e-5)
    assert s.loc[0, "upl"] == pytest.approx(4.6044, abs=5e-5)
    # 2-sigma lines: 1.9444 -/+ (2/3) x 2.66 x 1 = 1.9444 -/+ 1.77333 -> 0.1711 and 3.7178
    assert res.data["lpl_2s"].iloc[0] == pytest.approx(0.1711, abs=5e-5)
    assert res.data["upl_2s"].iloc[0] == pytest.approx(3.7178, abs=5e-5)
    assert rule_of(res) == [None] * 4 + ["beyond_limits"] + [None] * 13
    # higher is better by default: a high special cause is an improvement
    assert types_of(res)[4] == "special_cause_improvement"
    assert s.loc[0, "special_cause_improvement"] == 1 and s.loc[0, "common_cause"] == 17


def test_vignette_unscreened_limits():
    res = run(VIGNETTE, screen_mr=False)
    s = res.summary()
    assert s.loc[0, "lpl"] == pytest.approx(-3.0626, abs=5e-5)
    assert s.loc[0, "upl"] == pytest.approx(6.9515, abs=5e-5)
    # 10 > 6.9515 still, so May is still beyond the limit
    assert rule_of(res)[4] == "beyond_limits"


def test_screening_drops_a_range_exactly_at_the_cut():
    # ranges 3267, 733, 0, 0 -> amr 4000 / 4 = 1000; the cut 3.267 x 1000 = 3267 (exact in floating
    # point), and a range AT the cut is dropped (ptd keeps only mr < 3.267 x amr) -> amr 733 / 3
    assert 3.267 * 1000.0 == 3267.0
    with pytest.warns(ProvisionalLimitsWarning):
        res = run([0, 3267, 2534, 2534, 2534])
    s = res.summary()
    assert s.loc[0, "mean"] == pytest.approx(10869 / 5)
    assert (s.loc[0, "upl"] - s.loc[0, "mean"]) / 2.66 == pytest.approx(733 / 3)
    assert res.data["mr_used"].tolist() == [False, False, True, True, True]


def test_moving_ranges_and_which_entered_the_limits():
    d = run(VIGNETTE).data
    assert np.isnan(d["mr"].iloc[0])
    assert d["mr"].iloc[4] == 8 and d["mr"].iloc[5] == 9
    # screened out (>= 6.1496) are the 8 and the 9; the first point has no moving range
    assert d["mr_used"].tolist() == [False] + [True] * 3 + [False, False] + [True] * 12
    assert d["baseline"].all()


def test_missing_value_is_a_gap_not_bridged_and_not_zero():
    y = list(map(float, VIGNETTE))
    y[2] = np.nan
    # values: 17 values summing 35 - 1 = 34 -> mean 2.0
    # moving ranges: |2-1| = 1; none into or out of the gap; then 8, 9 and twelve 1s:
    #   15 ranges summing 1 + 8 + 9 + 12 = 30, amr = 2; screening at 3.267 x 2 = 6.534 drops 8 and 9
    #   -> thirteen 1s, amr = 1; limits 2 -/+ 2.66 = -0.66 and 4.66
    res = run(y)
    s = res.summary()
    assert s.loc[0, "mean"] == pytest.approx(2.0)
    assert s.loc[0, "lpl"] == pytest.approx(-0.66)
    assert s.loc[0, "upl"] == pytest.approx(4.66)
    d = res.data
    assert np.isnan(d["y"].iloc[2]) and np.isnan(d["mr"].iloc[2]) and np.isnan(d["mr"].iloc[3])
    assert pd.isna(d["point_type"].iloc[2]) and pd.isna(d["rule"].iloc[2])
    assert s.loc[0, "n"] == 18 and s.loc[0, "n_values"] == 17


def test_fix_after_uses_only_the_first_points_but_limits_cover_all():
    # first 6 points 1, 2, 1, 2, 10, 1: mean 17 / 6 = 2.8333; ranges 1, 1, 1, 8, 9 -> amr 20 / 5 = 4;
    # screening at 3.267 x 4 = 13.07 keeps all; limits 2.8333 -/+ 10.64 = -7.8067 and 13.4733
    with pytest.warns(ProvisionalLimitsWarning):
        res = run(VIGNETTE, fix_after=6)
    d = res.data
    assert d["mean"].nunique() == 1 and len(d) == 18
    assert d["mean"].iloc[-1] == pytest.approx(17 / 6)
    assert d["lpl"].iloc[-1] == pytest.approx(-7.8067, abs=5e-5)
    assert d["upl"].iloc[-1] == pytest.approx(13.4733, abs=5e-5)
    assert d["baseline"].tolist() == [True] * 6 + [False] * 12
    assert res.summary().loc[0, "n_values"] == 6
    assert "6 values" in res.summary().loc[0, "warning"]


def test_fix_after_13():
    # first 13 points: 1,2,1,2,10,1,2,1,2,1,2,1,2 -> sum 28, mean 2.1538; 12 ranges 1,1,1,8,9 + seven 1s
    #   = 27, amr 2.25; screening at 7.35 drops 8 and 9 -> ten 1s, amr 1; limits 2.1538 -/+ 2.66
    res = run(VIGNETTE, fix_after=13)
    s = res.summary()
    assert s.loc[0, "mean"] == pytest.approx(28 / 13)
    assert s.loc[0, "lpl"] == pytest.approx(-0.5062, abs=5e-5)
    assert s.loc[0, "upl"] == pytest.approx(4.8138, abs=5e-5)
    assert s.loc[0, "warning"] is None


def test_rebase_splits_into_segments_with_their_own_limits():
    # rebase at the 10th month (Oct 2020):
    # segment 1: 1,2,1,2,10,1,2,1,2 -> mean 22/9 = 2.4444; ranges 1,1,1,8,9,1,1,1 = 23, amr 2.875;
    #   screening at 3.267 x 2.875 = 9.3926 keeps the 9 and the 8; upl = 2.4444 + 7.6475 = 10.0919,
    #   so the 10 is NOT beyond the limit in this segment.
    # segment 2: 1,2,1,2,1,2,1,2,1 -> mean 13/9 = 1.4444; eight ranges of 1, amr 1;
    #   limits 1.4444 -/+ 2.66 = -1.2156 and 4.1044
    with pytest.warns(ProvisionalLimitsWarning, match="2 of 2 segment"):
        res = run(VIGNETTE, rebase=["2020-10-01"])
    s = res.summary()
    assert s["segment"].tolist() == [1, 2]
    assert s["n"].tolist() == [9, 9]
    assert s["start"].tolist() == [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-10-01")]
    assert s["end"].tolist() == [pd.Timestamp("2020-09-01"), pd.Timestamp("2021-06-01")]
    assert s["mean"].tolist() == pytest.approx([22 / 9, 13 / 9])
    assert s["upl"].tolist() == pytest.approx([10.0919, 4.1044], abs=5e-5)
    assert s["lpl"].tolist() == pytest.approx([-5.2031, -1.2156], abs=5e-5)
    assert rule_of(res)[4] is None
    # the moving range does not cross the rebase point
    assert np.isnan(res.data["mr"].iloc[9])
    assert res.data["segment"].tolist() == [1] * 9 + [2] * 9


def test_rebase_with_a_datetime_and_with_numbers():
    with pytest.warns(ProvisionalLimitsWarning):
        a = run(VIGNETTE, rebase=pd.Timestamp("2020-10-01"))
    assert a.summary()["n"].tolist() == [9, 9]
    with pytest.warns(ProvisionalLimitsWarning):
        b = mdc(None, x=list(range(1, 19)), y=VIGNETTE, rebase=[10])
    assert b.summary()["n"].tolist() == [9, 9]


def test_date_strings_are_read_as_dates():
    df = pd.DataFrame({"when": [d.strftime("%Y-%m-%d") for d in months(18)], "y": VIGNETTE})
    res = mdc(df, x="when", y="y")
    assert res.data["x"].iloc[4] == pd.Timestamp("2020-05-01")
    assert "May 2020" in res.explain()


def test_text_labels_keep_the_row_order():
    labels = [f"wk-{c}" for c in "pnmlkjihgfedcbazyx"]  # not alphabetical on purpose
    res = mdc(pd.DataFrame({"w": labels, "y": VIGNETTE}), x="w", y="y")
    assert res.data["x"].tolist() == labels
    assert rule_of(res)[4] == "beyond_limits"
    assert "in wk-k" in res.explain()


def test_rows_are_sorted_by_facet_then_x():
    df = frame(VIGNETTE).iloc[::-1]
    res = mdc(df, x="month", y="y")
    assert res.data["x"].is_monotonic_increasing
    assert res.data["row"].tolist() == list(range(18))
    assert res.summary().loc[0, "upl"] == pytest.approx(V_UPL)


# ---------------------------------------------------------------------------------------------
# Rules, hand-worked on small series with fixed limits (mean 0, 2-sigma lines -/+2, limits -/+3)
# ---------------------------------------------------------------------------------------------


def test_rule_beyond_limits_is_strict():
    y = np.array([3.0, 3.01, -3.0, -3.01, np.nan, 0.0])
    assert rule_beyond_limits(y, -3.0, 3.0).tolist() == [0, 1, 0, -1, 0, 0]


def test_rule_trend_seven_points_rising_fire():
    y = np.array([5.0, 1, 2, 3, 4, 5, 6, 7, 3])
    # 6 strict rises from 1 to 7: the 7 points 1..7 are flagged high
    assert rule_trend(y, first_of(9)).tolist() == [0, 1, 1, 1, 1, 1, 1, 1, 0]


def test_rule_trend_falling_is_low():
    y = np.array([9.0, 8, 7, 6, 5, 4, 3])
    assert rule_trend(y, first_of(7)).tolist() == [-1] * 7


def test_rule_trend_six_points_do_not_fire():
    y = np.array([5.0, 1, 2, 3, 4, 5, 6, 3])  # 5 rises only
    assert rule_trend(y, first_of(8)).tolist() == [0] * 8


def test_rule_trend_equal_value_breaks_it():
    y = np.array([1.0, 2, 3, 4, 4, 5, 6, 7, 8])  # rises 3, then equal, then 4 rises
    assert rule_trend(y, first_of(9)).tolist() == [0] * 9


def test_rule_trend_missing_value_breaks_it():
    y = np.array([1.0, 2, 3, np.nan, 4, 5, 6, 7])
    assert rule_trend(y, first_of(8)).tolist() == [0] * 8


def test_rule_trend_does_not_cross_a_segment_start():
    y = np.arange(1.0, 11.0)  # ten rising points, but a new segment starts at the 5th
    first = first_of(10)
    first[4] = True
    # segment 1 has 4 points (3 rises), segment 2 has 6 points (5 rises): no trend in either
    assert rule_trend(y, first).tolist() == [0] * 10


def test_rule_trend_tip_of_a_v_takes_the_trend_it_ends():
    y = np.array([7.0, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7])
    out = rule_trend(y, first_of(13)).tolist()
    assert out == [-1] * 7 + [1] * 6  # the bottom point (1) ends the fall: low


def test_rule_two_in_three_fires_on_the_close_points():
    # close = beyond a 2-sigma line (|y| > 2) but not beyond a limit (|y| <= 3)
    y = np.array([0.5, 2.5, 0.5, 2.5, -0.5])
    # window (2.5, 0.5, 2.5): all above the mean, two close -> the two 2.5s are flagged high
    assert rule_two_in_three(y, first_of(5), 0.0, -3.0, 3.0, -2.0, 2.0).tolist() == [0, 1, 0, 1, 0]


def test_rule_two_in_three_low_side():
    y = np.array([-2.5, -2.5, -1.0, 1.0])
    assert rule_two_in_three(y, first_of(4), 0.0, -3.0, 3.0, -2.0, 2.0).tolist() == [-1, -1, 0, 0]


def test_rule_two_in_three_not_when_one_point_is_on_the_other_side():
    y = np.array([-0.5, 2.5, -0.5, 2.5, -0.5])
    # every window of three has a point below the mean: no signal
    assert rule_two_in_three(y, first_of(5), 0.0, -3.0, 3.0, -2.0, 2.0).tolist() == [0] * 5


def test_rule_two_in_three_a_point_beyond_the_limit_is_not_close():
    y = np.array([-0.5, 2.5, 3.5, 0.5, -0.5])
    # (2.5, 3.5, 0.5): only one close point (3.5 is beyond the limit, rule 1's business)
    assert rule_two_in_three(y, first_of(5), 0.0, -3.0, 3.0, -2.0, 2.0).tolist() == [0] * 5


def test_rule_two_in_three_window_does_not_cross_segments():
    y = np.array([0.5, 2.5, 2.5, 0.5])
    first = np.array([True, False, True, False])
    assert rule_two_in_three(y, first, 0.0, -3.0, 3.0, -2.0, 2.0).tolist() == [0] * 4


def test_rule_shift_seven_fire_six_do_not():
    seven = np.array([-1.0, 1, 1, 1, 1, 1, 1, 1, -1])
    six = np.array([-1.0, 1, 1, 1, 1, 1, 1, -1])
    assert rule_shift(seven, first_of(9), 0.0).tolist() == [0] + [1] * 7 + [0]
    assert rule_shift(six, first_of(8), 0.0).tolist() == [0] * 8
    assert rule_shift(-seven, first_of(9), 0.0).tolist() == [0] + [-1] * 7 + [0]


def test_rule_shift_point_on_the_mean_breaks_it():
    y = np.array([1.0, 1, 1, 0, 1, 1, 1, 1])  # 3 above, one exactly on the mean, 4 above
    assert rule_shift(y, first_of(8), 0.0).tolist() == [0] * 8


def test_rule_shift_missing_value_breaks_it():
    y = np.array([1.0, 1, 1, np.nan, 1, 1, 1, 1])
    assert rule_shift(y, first_of(8), 0.0).tolist() == [0] * 8


# ---------------------------------------------------------------------------------------------
# Rules through mdc(): a trend, two-in-three, precedence, point types
# ---------------------------------------------------------------------------------------------

# A 7-point rise inside the limits, partly below the mean.
TREND = [10, 14, 10, 14, 10, 14, 9, 10, 11, 12, 13, 14, 15, 10, 14, 10]
# sum 72 + 84 + 34 = 190, mean 11.875; ranges: five 4s, 5, six 1s, 5, 4, 4 = 44 over 15 -> amr 2.9333
# (screen at 9.58 keeps all); limits 11.875 -/+ 7.8027 = 4.072 / 19.678; 2-sigma 6.673 / 17.077:
# nothing beyond either line. Sides never run 7. So only the trend fires, on points 7..13 (9..15).


def test_trend_through_mdc_direction_follows_the_trend():
    res = run(TREND)
    s = res.summary()
    assert s.loc[0, "mean"] == pytest.approx(11.875)
    assert s.loc[0, "upl"] == pytest.approx(19.6777, abs=5e-5)
    assert rule_of(res) == [None] * 6 + ["trend"] * 7 + [None] * 3
    # 9, 10 and 11 lie below the mean but belong to a rising trend: improvement when higher is
    # better (NHSRplotthedots would call them concern, from their side of the mean)
    assert types_of(res)[6:13] == ["special_cause_improvement"] * 7


@pytest.mark.parametrize("improvement, expected", [
    ("increase", "special_cause_improvement"),
    ("decrease", "special_cause_concern"),
    ("neutral", "special_cause_neutral_high"),
])
def test_point_types_by_improvement(improvement, expected):
    res = run(TREND, improvement=improvement)
    assert types_of(res)[6:13] == [expected] * 7
    assert types_of(res)[:6] == ["common_cause"] * 6


TWO_IN_THREE = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 8.8, 6, 8.8, 5, 6, 5]
# sum 55 + 23.6 + 16 = 94.6, mean 5.9125; ranges: nine 1s, 2.8, 2.8, 2.8, 3.8, 1, 1 = 23.2 over 15
# -> amr 1.54667 (screen at 5.05 keeps all); upper 2-sigma 5.9125 + 1.77333 x 1.54667 = 8.6553,
# upl 10.0266: each 8.8 is close but not beyond. Window (8.8, 6, 8.8) is all above the mean
# (6 > 5.9125) with two close points -> the two 8.8s (points 11 and 13) flag high; the 6 does not.


def test_two_in_three_through_mdc():
    res = run(TWO_IN_THREE)
    assert res.data["upl_2s"].iloc[0] == pytest.approx(8.6553, abs=5e-5)
    assert rule_of(res) == [None] * 10 + ["two_in_three", None, "two_in_three"] + [None] * 3
    assert types_of(res)[10] == "special_cause_improvement"


PRECEDENCE = [0, 10, 0, 10, 0, 10, 0, 10, 13, 12, 11, 10, 9, 8, 7]
# sum 40 + 70 = 110, mean 7.3333; ranges seven 10s, 3, six 1s = 79 over 14 -> amr 5.6429;
# limits 7.3333 -/+ 15.01 (-7.68 / 22.34), 2-sigma up 17.34: nothing beyond.
# shift: the 10 at point 8 and 13..8 (points 9-14) are above the mean -> 7 points, high.
# trend: 13, 12, ..., 7 (points 9-15) fall 6 times -> 7 points, low.
# precedence: trend before shift, so points 9-14 are low (trend); point 8 is high (shift only).


def test_precedence_trend_before_shift_sets_direction():
    res = run(PRECEDENCE)
    assert res.summary().loc[0, "mean"] == pytest.approx(110 / 15)
    assert rule_of(res) == [None] * 7 + ["shift"] + ["trend"] * 7
    assert types_of(res) == ["common_cause"] * 7 + ["special_cause_improvement"] + ["special_cause_concern"] * 7


def test_neutral_low_is_low():
    # NHSRplotthedots 0.2.2 labels every neutral special cause "high" (ifelse(-1, ...) is TRUE);
    # here a falling trend is low.
    res = run(PRECEDENCE, improvement="neutral")
    assert types_of(res) == ["common_cause"] * 7 + ["special_cause_neutral_high"] + ["special_cause_neutral_low"] * 7
    s = res.summary()
    assert s.loc[0, "special_cause_neutral_high"] == 1 and s.loc[0, "special_cause_neutral_low"] == 7
    assert s.loc[0, "variation"] == "special_cause_neutral_low"


def test_neutral_low_beyond_the_lower_limit():
    y = [-v for v in VIGNETTE]  # mirror image: -10 lies below the lower limit
    res = run(y, improvement="neutral")
    assert types_of(res)[4] == "special_cause_neutral_low"


BEYOND_IN_SHIFT = [0, 10, 0, 10, 0, 10, 0, 10, 8, 8, 8, 31, 8, 8, 8]
# sum 40 + 48 + 31 = 119, mean 7.9333; ranges seven 10s, 2, 0, 0, 23, 23, 0, 0 = 118 over 14 -> amr
# 8.4286 (screen at 27.54 keeps the 23s); upl 7.9333 + 22.42 = 30.3533 < 31. Points 8-15 are all
# above the mean (8 > 7.9333): a shift of 8; the 31 is beyond the limit, which comes first.


def test_precedence_beyond_limits_before_shift():
    res = run(BEYOND_IN_SHIFT)
    assert res.summary().loc[0, "upl"] == pytest.approx(30.3533, abs=5e-5)
    assert rule_of(res) == [None] * 7 + ["shift"] * 4 + ["beyond_limits"] + ["shift"] * 3


def test_signals_table():
    sig = run(PRECEDENCE).signals
    # issue 15: one .signals schema, SPC's columns first (no facet column without a facet), MDC's own after,
    # and "segment" kept as the former name of "part"
    assert list(sig.columns) == ["part", "x", "y", "rule", "rule_name", "detail", "point_type", "row", "segment"]
    assert sig["rule_name"].iloc[0] == "Shift of 7 points" and (sig["part"] == sig["segment"]).all()
    assert len(sig) == 8
    assert sig["x"].iloc[0] == pd.Timestamp("2020-08-01")
    assert sig["y"].tolist() == [10, 13, 12, 11, 10, 9, 8, 7]


# ---------------------------------------------------------------------------------------------
# Variation and assurance
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target, improvement, expected", [
    (5, "increase", "consistent_fail"),   # 5 > upl 4.6044: higher is better, never reached
    (5, "decrease", "consistent_pass"),   # lower is better: always below 5
    (-1, "increase", "consistent_pass"),  # -1 < lpl -0.7156: always above
    (-1, "decrease", "consistent_fail"),
    (3, "increase", "inconsistent"),      # between the limits
    (3, "decrease", "inconsistent"),
    (3, "neutral", None),
])
def test_assurance(target, improvement, expected):
    s = run(VIGNETTE, target=target, improvement=improvement).summary()
    assert s.loc[0, "assurance"] == expected
    assert s.loc[0, "target"] == target


def test_no_target_no_assurance():
    res = run(VIGNETTE)
    assert res.summary().loc[0, "assurance"] is None
    assert res.data["target"].isna().all()


def test_variation_is_the_latest_point():
    assert run(VIGNETTE).summary().loc[0, "variation"] == "common_cause"
    assert run(TREND[:13]).summary().loc[0, "variation"] == "special_cause_improvement"


# ---------------------------------------------------------------------------------------------
# Facets: dict target, dict rebase, vectorised across facets
# ---------------------------------------------------------------------------------------------


def facet_frame() -> pd.DataFrame:
    a = frame(VIGNETTE).assign(ward="A")
    b = frame([v + 100 for v in VIGNETTE]).assign(ward="B")
    return pd.concat([b, a], ignore_index=True)  # B first: the result is sorted by facet


def test_facets_with_dict_target_and_dict_rebase():
    with pytest.warns(ProvisionalLimitsWarning, match="2 of 3 segment"):
        res = mdc(facet_frame(), x="month", y="y", facet="ward", target={"A": 5, "B": 100},
                  rebase={"B": ["2020-10-01"]})
    s = res.summary()
    assert s["facet"].tolist() == ["A", "B", "B"]
    assert s["segment"].tolist() == [1, 1, 2]
    # A: the vignette limits; B: the rebase example shifted by 100
    assert s["mean"].tolist() == pytest.approx([35 / 18, 100 + 22 / 9, 100 + 13 / 9])
    assert s["upl"].tolist() == pytest.approx([4.6044, 110.0919, 104.1044], abs=5e-5)
    # A: target 5 above upl 4.6044 with higher better -> fail; B segment 1: 100 inside -> inconsistent;
    # B segment 2: 100 inside (-1.2156 + 100 = 98.78 to 104.10) -> inconsistent
    assert s["assurance"].tolist() == ["consistent_fail", "inconsistent", "inconsistent"]
    d = res.data
    assert d["facet"].tolist() == ["A"] * 18 + ["B"] * 18
    assert d["target"].tolist() == [5.0] * 18 + [100.0] * 18
    assert rule_of(res)[4] == "beyond_limits" and rule_of(res)[22] is None
    assert s["warning"].notna().tolist() == [False, True, True]


def test_facets_are_computed_as_if_alone():
    both = mdc(facet_frame(), x="month", y="y", facet="ward")
    alone = run([v + 100 for v in VIGNETTE])
    b = both.data[both.data["facet"] == "B"].reset_index(drop=True)
    for col in ["mean", "lpl", "upl", "mr"]:
        np.testing.assert_allclose(b[col], alone.data[col])
    assert types_of(alone) == [None if pd.isna(t) else t for t in b["point_type"]]


def test_facet_target_left_out_means_no_assurance():
    s = mdc(facet_frame(), x="month", y="y", facet="ward", target={"A": 5}).summary()
    assert s["assurance"].tolist() == ["consistent_fail", None]


def test_list_rebase_applies_to_every_facet():
    with pytest.warns(ProvisionalLimitsWarning):
        res = mdc(facet_frame(), x="month", y="y", facet="ward", rebase=["2020-10-01"])
    assert res.summary()["n"].tolist() == [9, 9, 9, 9]


# ---------------------------------------------------------------------------------------------
# Bad input: each error names the column (or argument) and the rows
# ---------------------------------------------------------------------------------------------


def test_missing_x_column():
    with pytest.raises(QIDataError, match="'date' is not a column") as e:
        mdc(frame(VIGNETTE), x="date", y="y")
    assert e.value.column == "date"


def test_missing_y_column():
    with pytest.raises(QIDataError, match="'count' is not a column") as e:
        mdc(frame(VIGNETTE), x="month", y="count")
    assert e.value.column == "count"


def test_text_in_y():
    df = frame(VIGNETTE).astype({"y": object})
    df.loc[3, "y"] = "n/a"
    with pytest.raises(QIDataError, match=r"text in row 3 \('n/a'\)") as e:
        mdc(df, x="month", y="y")
    assert e.value.column == "y" and e.value.rows == [3]


def test_duplicate_x_within_a_facet():
    df = frame(VIGNETTE)
    df.loc[7, "month"] = pd.Timestamp("2020-03-01")
    with pytest.raises(QIDataError, match="2020-03-01 more than once.*rows 2 and 7") as e:
        mdc(df, x="month", y="y")
    assert e.value.column == "month" and e.value.rows == [2, 7]


def test_duplicate_x_names_the_facet():
    df = facet_frame()
    df.loc[20, "month"] = pd.Timestamp("2020-01-01")  # row 20 is ward A's 3rd month
    with pytest.raises(QIDataError, match="for ward 'A'") as e:
        mdc(df, x="month", y="y", facet="ward")
    assert e.value.rows == [18, 20]


def test_same_x_in_different_facets_is_fine():
    res = mdc(facet_frame(), x="month", y="y", facet="ward")
    assert len(res.summary()) == 2


def test_missing_x_value():
    df = frame(VIGNETTE)
    df.loc[5, "month"] = pd.NaT
    with pytest.raises(QIDataError, match="empty cell.*row 5") as e:
        mdc(df, x="month", y="y")
    assert e.value.column == "month" and e.value.rows == [5]


def test_missing_facet_value():
    df = facet_frame()
    df.loc[4, "ward"] = None
    with pytest.raises(QIDataError, match="row 4") as e:
        mdc(df, x="month", y="y", facet="ward")
    assert e.value.column == "ward" and e.value.rows == [4]


def test_unknown_improvement():
    with pytest.raises(QIDataError, match="'better' is not understood") as e:
        run(VIGNETTE, improvement="better")
    assert e.value.column == "improvement"


def test_rebase_x_not_present():
    with pytest.raises(QIDataError, match="'2019-01-01' is not an x value in column 'month'") as e:
        run(VIGNETTE, rebase=["2019-01-01"])
    assert e.value.column == "rebase"


def test_rebase_dict_unknown_facet_and_missing_x():
    with pytest.raises(QIDataError, match="'C'") as e:
        mdc(facet_frame(), x="month", y="y", facet="ward", rebase={"C": ["2020-10-01"]})
    assert e.value.column == "rebase"
    with pytest.raises(QIDataError, match="rebase for ward 'A'") as e:
        mdc(facet_frame(), x="month", y="y", facet="ward", rebase={"A": ["2030-10-01"]})
    assert e.value.column == "rebase"


def test_rebase_dict_needs_a_facet():
    with pytest.raises(QIDataError, match="no facet column") as e:
        run(VIGNETTE, rebase={"A": ["2020-10-01"]})
    assert e.value.column == "rebase"


@pytest.mark.parametrize("bad", [1, 0, -3, 2.5, True, "6"])
def test_fix_after_below_two_or_not_whole(bad):
    with pytest.raises(QIDataError, match="fix_after") as e:
        run(VIGNETTE, fix_after=bad)
    assert e.value.column == "fix_after"


def test_fix_after_larger_than_a_segment():
    # rebase at Oct 2020 leaves 9 points in each segment; fix_after=10 cannot be met
    with pytest.raises(QIDataError, match="fix_after=10 is more than the 9 points of the segment starting at "
                                          "2020-01-01") as e:
        run(VIGNETTE, fix_after=10, rebase=["2020-10-01"])
    assert e.value.column == "fix_after" and e.value.rows == list(range(9))


def test_segment_of_one_point():
    with pytest.raises(QIDataError, match="only 1 point.*row 17") as e:
        run(VIGNETTE, rebase=["2021-06-01"])
    assert e.value.column == "rebase" and e.value.rows == [17]


def test_facet_of_one_point():
    df = pd.concat([frame(VIGNETTE).assign(ward="A"), frame([4]).assign(ward="B")], ignore_index=True)
    with pytest.raises(QIDataError, match="ward 'B' has only 1 point.*row 18") as e:
        mdc(df, x="month", y="y", facet="ward")
    assert e.value.column == "ward" and e.value.rows == [18]


def test_arrays_without_a_table_leave_the_callers_series_alone():
    x = pd.Series(list(range(1, 19)), index=list("abcdefghijklmnopqr"))
    y = pd.Series(VIGNETTE)
    res = mdc(None, x=x, y=y)
    assert list(x.index) == list("abcdefghijklmnopqr")
    assert res.summary().loc[0, "upl"] == pytest.approx(V_UPL)


def test_too_few_values_to_set_limits():
    y = [1.0, np.nan, 2.0, np.nan, 3.0] + [1.0] * 13
    # with fix_after=5 the baseline 1, -, 2, -, 3 has no two neighbouring values
    with pytest.raises(QIDataError, match="too few values") as e:
        run(y, fix_after=5)
    assert e.value.column == "y" and e.value.rows == list(range(18))


def test_target_must_be_a_number_and_dict_keys_facets():
    with pytest.raises(QIDataError, match="target must be a number") as e:
        run(VIGNETTE, target="95%")
    assert e.value.column == "target"
    with pytest.raises(QIDataError, match="'Z'") as e:
        mdc(facet_frame(), x="month", y="y", facet="ward", target={"Z": 3})
    assert e.value.column == "target"


def test_infinite_y():
    y = list(map(float, VIGNETTE))
    y[6] = np.inf
    with pytest.raises(QIDataError, match="row 6") as e:
        run(y)
    assert e.value.column == "y" and e.value.rows == [6]


# ---------------------------------------------------------------------------------------------
# Short segments warn
# ---------------------------------------------------------------------------------------------


def test_short_segment_warns_once_and_fills_warning():
    with pytest.warns(ProvisionalLimitsWarning) as rec:
        res = run(VIGNETTE[:12])
    assert len([w for w in rec if issubclass(w.category, ProvisionalLimitsWarning)]) == 1
    assert "only 12 values (fewer than 13)" in res.summary().loc[0, "warning"]
    assert "provisional" in res.explain()


def test_thirteen_points_do_not_warn():
    # the test configuration turns an unexpected qikit warning into an error
    res = run(VIGNETTE[:13])
    assert res.summary().loc[0, "warning"] is None


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def test_explain_vignette():
    text = run(VIGNETTE, improvement="decrease", target=3).explain()
    assert "From Jan 2020 to Jun 2021 (18 points) the mean is 1.94 and the process limits are -0.72 to 4.60." in text
    assert ("Special cause variation of a concerning nature in May 2020: the value 10 is above the upper "
            "process limit.") in text
    assert "The latest point, Jun 2021, shows common cause variation." in text
    assert "the target will be met only some of the time" in text


def test_explain_improving_trend_and_assurance_words():
    text = run(TREND, target=30).explain()
    assert ("Special cause variation of an improving nature from Jul 2020 to Jan 2021 (7 points): a trend: 7 or "
            "more points in a row each higher than the one before.") in text
    assert "will not be met consistently without a change to the process" in text
    text = run(TREND, target=0).explain()
    assert "the target will consistently be met" in text


def test_explain_no_signal():
    text = run([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6]).explain()
    assert "There is no signal" in text
    assert "Special cause" not in text


def test_explain_names_facets_and_segments():
    with pytest.warns(ProvisionalLimitsWarning):
        text = mdc(facet_frame(), x="month", y="y", facet="ward", rebase={"B": ["2020-10-01"]}).explain()
    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("ward A: from Jan 2020")
    assert lines[2].startswith("ward B, segment 2: from Oct 2020 to Jun 2021 (9 points)")


def test_explain_neutral_and_numbers_as_x():
    res = mdc(None, x=list(range(1, 16)), y=PRECEDENCE, improvement="neutral")
    text = res.explain()
    assert "Special cause variation of a neutral nature (lower than expected) from 9 to 15" in text
    assert "From 1 to 15 (15 points)" in text


def test_explain_daily_dates_keep_the_day():
    df = pd.DataFrame({"day": pd.date_range("2024-03-01", periods=18, freq="D"), "y": VIGNETTE})
    assert "in 5 Mar 2024" in mdc(df, x="day", y="y").explain()


def test_describe_is_a_short_alt_text():
    text = run(VIGNETTE).describe()
    assert text.startswith("Making Data Count XmR chart of y against month: 18 points from Jan 2020 to Jun 2021.")
    assert "Mean 1.94, process limits -0.72 to 4.60." in text
    assert "1 point shows special cause variation: May 2020" in text
    assert "No point shows" in run(VIGNETTE[:4] + VIGNETTE[5:]).describe()


def test_describe_facets():
    text = mdc(facet_frame(), x="month", y="y", facet="ward").describe()
    assert "one for each of 2 values of ward (A and B)" in text
    assert "2 of them show special cause variation: A (1 point) and B (1 point)." in text


def test_repr_and_html():
    res = run(VIGNETTE, target=3)
    r = repr(res)
    assert r.startswith("MDCResult: Making Data Count XmR of 'y' by 'month' (improvement: increase, target: 3)")
    assert "inconsistent" in r
    html = res._repr_html_()
    assert "<table" in html and "MDCResult" in html
    assert not re.search(r"<img|matplotlib", html)


def test_result_keeps_arguments_and_is_frozen():
    res = run(VIGNETTE, improvement="decrease", target=3, screen_mr=False)
    assert (res.improvement, res.target, res.screen_mr, res.fix_after, res.rebase) == ("decrease", 3, False, None, None)
    with pytest.raises(AttributeError):
        res.improvement = "increase"
    table = res.summary()
    table.loc[0, "mean"] = -1  # a copy: the result is unchanged
    assert res.summary().loc[0, "mean"] == pytest.approx(V_MEAN)


def test_top_level_names():
    assert qikit.mdc is mdc and qikit.MDCResult is MDCResult


def test_no_plotting_imported():
    code = "import sys, qikit.stats.mdc; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
