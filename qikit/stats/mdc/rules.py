"""Making Data Count's four special-cause rules and the point types they give.

Each rule works on points sorted by group (facet + segment) then x, with ``first`` marking the first point
of each group, and returns +1 (high), -1 (low) or 0 per point; :func:`apply_rules` runs them in Making Data
Count's precedence order and :func:`point_type_codes` turns the direction into a point type. Grouped numpy:
no loop per facet or per point.

Sources: NHS England and NHS Improvement (2019), *Making Data Count: getting started*; NHSRplotthedots
0.2.2, ``ptd_calculate_point_type()``.
"""

from __future__ import annotations

import numpy as np

#: A trend is 6 consecutive strict rises or falls, i.e. 7 points (Making Data Count, 2019).
TREND_STEPS = 6
#: A shift is 7 or more consecutive points on one side of the mean (Making Data Count, 2019).
SHIFT_POINTS = 7

#: Rule names in Making Data Count precedence order: a point caught by several rules takes its
#: direction from the first.
RULE_ORDER = ("beyond_limits", "trend", "two_in_three", "shift")
#: The old name of :data:`RULE_ORDER` (``qikit.stats.RULES`` is the SPC rule registry, a dict).
RULES = RULE_ORDER
#: Every point type a point with a value can have.
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
#: Which way is better, as the sign a high special cause is multiplied by.
IMPROVEMENTS = {"increase": 1, "decrease": -1, "neutral": 0}


def _side(y: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """+1 above the mean, -1 below, 0 exactly on it or missing."""
    d = y - mean
    return (d > 0).astype(np.int8) - (d < 0).astype(np.int8)


def _run_lengths(v: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Length of the run of equal consecutive values each element belongs to; runs stop at group starts."""
    start = np.empty(len(v), dtype=bool)
    if len(v):
        start[0] = True
        start[1:] = v[1:] != v[:-1]
    start |= first
    run_id = np.cumsum(start) - 1
    return np.bincount(run_id)[run_id]


def rule_beyond_limits(y: np.ndarray, lpl: np.ndarray, upl: np.ndarray) -> np.ndarray:
    """Rule 1: a single point strictly above the upper or below the lower process limit.

    Source: Making Data Count: getting started (NHS England and NHS Improvement, 2019), "a single
    point outside the process limits"; ptd_spc_standard()'s ``outside_limits`` (y > upl | y < lpl).
    A point exactly on a limit is not beyond it. Direction: +1 above upl, -1 below lpl.
    """
    return (y > upl).astype(np.int8) - (y < lpl).astype(np.int8)


def rule_trend(y: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Rule 2: a trend, 7 points each strictly higher (or each strictly lower) than the one before.

    Source: Making Data Count: getting started (2019), "a run of seven increasing or decreasing
    points"; ptd_calculate_point_type()'s ``ptd_seven_point_trend`` (six steps all of sign +1 or
    all -1). An equal value or a missing value breaks the trend. All points of a run of 6 or more
    strict steps are flagged; the direction is the trend's (a rising trend is high, even below the
    mean). A point that ends one trend and starts the opposite one (the tip of a V) takes the
    direction of the trend it ends, so the bottom of a V is low and the top of a peak is high.
    """
    n = len(y)
    step = np.zeros(n, dtype=np.int8)
    if n > 1:
        d = y[1:] - y[:-1]  # NaN where either point is missing: neither > 0 nor < 0
        step[1:] = (d > 0).astype(np.int8) - (d < 0).astype(np.int8)
    step[first] = 0
    run = _run_lengths(step, first)
    ending = np.where((step != 0) & (run >= TREND_STEPS), step, 0).astype(np.int8)
    starting = np.zeros(n, dtype=np.int8)
    starting[:-1] = ending[1:]
    return np.where(ending != 0, ending, starting)


def rule_two_in_three(y: np.ndarray, first: np.ndarray, mean: np.ndarray, lpl: np.ndarray,
                      upl: np.ndarray, lpl_2s: np.ndarray, upl_2s: np.ndarray) -> np.ndarray:
    """Rule 3: two out of three consecutive points beyond the 2-sigma line, all three on one side.

    Source: Making Data Count: getting started (2019), "two out of three points close to the
    process limits"; ptd_calculate_point_type()'s ``ptd_two_in_three``. Following ptd's
    ``close_to_limits``, a point counts as close when it is beyond a 2-sigma line but not beyond a
    process limit. A window of three consecutive points of one group fires when at least two are
    close and all three lie strictly on the same side of the mean; the close points of a firing
    window are flagged, with the side of the mean as direction. A missing value is neither close
    nor on a side, so it stops a window from firing.
    """
    n = len(y)
    out = np.zeros(n, dtype=np.int8)
    if n < 3:
        return out
    outside = (y > upl) | (y < lpl)
    close = ~outside & ((y > upl_2s) | (y < lpl_2s))
    side = _side(y, mean)
    c = close.astype(np.int8)
    s = side.astype(np.int16)
    fires = ((c[:-2] + c[1:-1] + c[2:]) >= 2) & (np.abs(s[:-2] + s[1:-1] + s[2:]) == 3)
    fires &= ~first[1:-1] & ~first[2:]  # the window must not cross into the next group
    in_window = np.zeros(n, dtype=bool)
    in_window[:-2] |= fires
    in_window[1:-1] |= fires
    in_window[2:] |= fires
    return np.where(in_window & close, side, 0).astype(np.int8)


def rule_shift(y: np.ndarray, first: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Rule 4: a shift, 7 or more consecutive points on one side of the mean.

    Source: Making Data Count: getting started (2019), "a run of seven points above or below the
    mean"; ptd_calculate_point_type()'s ``ptd_seven_point_one_side_mean``. A point exactly on the
    mean or a missing value breaks the run. All points of the run are flagged, with its side as
    direction.
    """
    side = _side(y, mean)
    run = _run_lengths(side, first)
    return np.where((side != 0) & (run >= SHIFT_POINTS), side, 0).astype(np.int8)


def apply_rules(y, first, mean, lpl, upl, lpl_2s, upl_2s):
    """Run the four rules; return (rule code 0 = none / 1..4 in RULES order, direction)."""
    found = (
        rule_beyond_limits(y, lpl, upl),
        rule_trend(y, first),
        rule_two_in_three(y, first, mean, lpl, upl, lpl_2s, upl_2s),
        rule_shift(y, first, mean),
    )
    code = np.zeros(len(y), dtype=np.int8)
    direction = np.zeros(len(y), dtype=np.int8)
    for k, d in enumerate(found, start=1):
        take = (code == 0) & (d != 0)
        code[take] = k
        direction[take] = d[take]
    return code, direction


def point_type_codes(direction: np.ndarray, improvement: int, missing: np.ndarray) -> np.ndarray:
    """Index into POINT_TYPES (-1 for a missing value)."""
    if improvement == 0:
        codes = np.where(direction > 0, 3, np.where(direction < 0, 4, 0))
    else:
        s = direction * improvement
        codes = np.where(s > 0, 1, np.where(s < 0, 2, 0))
    return np.where(missing, -1, codes).astype(np.int8)
