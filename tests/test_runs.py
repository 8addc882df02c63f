"""Tests for qikit.stats.runs: Anhøj run-chart rules and the IHI run-chart rules.

Expected values are worked out by hand in the comments, taken from published tables, or
computed here by an independent method (math.comb sums, brute-force enumeration); never read
back from the code under test.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qikit import QIDataError
from qikit.stats import runs
from qikit.stats.runs import (
    anhoej,
    crossings_limit,
    ihi_astronomical,
    ihi_runs,
    ihi_runs_limits,
    ihi_shift,
    ihi_trend,
    longest_run_limit,
)


@pytest.fixture
def fresh_caches():
    runs._crossings_limit.cache_clear()
    runs._runs_limits.cache_clear()
    yield
    runs._crossings_limit.cache_clear()
    runs._runs_limits.cache_clear()


def mask(*positions, n):
    out = np.zeros(n, dtype=bool)
    out[list(positions)] = True
    return out


# ---------------------------------------------------------------------------------------------
# critical values
# ---------------------------------------------------------------------------------------------

# Published critical values (Anhøj & Olesen 2014, Table 1; the qicharts2 runs analysis).
PUBLISHED = [(10, 6, 2), (20, 7, 6), (24, 8, 8), (30, 8, 10), (50, 9, 19), (100, 10, 41)]


@pytest.mark.parametrize(("n", "longest", "crossings"), PUBLISHED)
def test_published_critical_values(n, longest, crossings):
    assert longest_run_limit(n) == longest
    assert crossings_limit(n) == crossings


def test_longest_run_limit_by_hand():
    # round(log2 n) + 3: log2 1 = 0 -> 3; log2 2 = 1 -> 4; log2 3 = 1.585 -> 5; log2 11 = 3.459 -> 6;
    # log2 12 = 3.585 -> 7; log2 45 = 5.492 -> 8; log2 46 = 5.524 -> 9
    assert [longest_run_limit(n) for n in (1, 2, 3, 11, 12, 45, 46)] == [3, 4, 5, 6, 7, 8, 9]


def test_crossings_limit_by_hand():
    # X ~ Binomial(n - 1, 0.5), smallest c with P(X <= c) >= 0.05:
    # n=1: Binomial(0): P(X <= 0) = 1 -> 0
    # n=10: P(X <= 1) = 10/512 = 0.0195, P(X <= 2) = 46/512 = 0.0898 -> 2
    # n=20: P(X <= 5) = 16664/524288 = 0.0318, P(X <= 6) = 43796/524288 = 0.0835 -> 6
    # n=24: P(X <= 7) = 390656/8388608 = 0.0466, P(X <= 8) = 880970/8388608 = 0.1050 -> 8
    # n=30: P(X <= 9) = 16489546/2**29 = 0.0307, P(X <= 10) = 36519556/2**29 = 0.0680 -> 10
    assert [crossings_limit(n) for n in (1, 10, 20, 24, 30)] == [0, 2, 6, 8, 10]


def _is_lower_5pct_quantile(c, n):
    """c is the smallest integer with P(X <= c) >= 0.05, X ~ Binomial(n - 1, 1/2), in exact integers."""
    m = n - 1
    # sum C(m, i) for i <= c, from math.comb(m, c) downwards: C(m, i-1) = C(m, i) * i / (m - i + 1)
    term = top = math.comb(m, c)
    at_c = term
    for i in range(c, 0, -1):
        term = term * i // (m - i + 1)
        at_c += term
    assert term == 1                        # reached C(m, 0): the recurrence stayed exact
    below = at_c - top
    return 20 * at_c >= 2**m and 20 * below < 2**m


@pytest.mark.parametrize("n", [2, 3, 7, 15, 37, 61, 200, 1001, 5001, 5002, 7321, 12345])
def test_crossings_limit_matches_exact_binomial_sums(n, fresh_caches):
    # 5001 is the last n done in integers, 5002 the first done in floating point
    assert _is_lower_5pct_quantile(crossings_limit(n), n)


def test_crossings_limit_float_path_agrees_with_integers(monkeypatch, fresh_caches):
    # force the floating-point computation for every n and check it against integer sums
    monkeypatch.setattr(runs, "_EXACT_MAX", 0)
    for n in [2, 5, 11, 64, 129, 997, 2048, 4099]:
        assert _is_lower_5pct_quantile(crossings_limit(n), n), n


def test_crossings_limit_falls_back_to_integers_when_too_close_to_call(monkeypatch, fresh_caches):
    # an absurd margin makes every float answer "too close", so the integer path must decide
    monkeypatch.setattr(runs, "_EXACT_MAX", 0)
    monkeypatch.setattr(runs, "_FLOAT_MARGIN", 1e9)
    assert runs._binom_half_lower_quantile_float(999) is None
    assert crossings_limit(1000) == runs._binom_half_lower_quantile_exact(999)
    assert _is_lower_5pct_quantile(crossings_limit(1000), 1000)


def test_crossings_limit_is_fast_for_a_million_points(fresh_caches):
    start = time.perf_counter()
    c = crossings_limit(10**6)
    assert time.perf_counter() - start < 1.0
    # normal approximation: m/2 - 1.645 * sqrt(m)/2 = 499999.5 - 822.5 = 499177; exact value within 2
    assert abs(c - 499177) <= 2


@pytest.mark.parametrize("bad", [0, -3, 2.5, float("nan"), "10", True, None])
def test_critical_values_refuse_bad_counts(bad):
    with pytest.raises(QIDataError, match="n_useful"):
        crossings_limit(bad)
    with pytest.raises(QIDataError, match="n_useful"):
        longest_run_limit(bad)


def test_critical_values_accept_whole_floats_and_numpy_ints():
    assert crossings_limit(20.0) == 6
    assert longest_run_limit(np.int64(20)) == 7


# ---------------------------------------------------------------------------------------------
# Anhøj runs analysis
# ---------------------------------------------------------------------------------------------

def test_anhoej_shift_and_crossings():
    # 5 points below 5, then 9 above: 14 useful, runs of 5 and 9.
    # longest 9 > round(log2 14 = 3.81) + 3 = 7; crossings 1 < qbinom(.05, 13, .5) = 4
    # (Binomial(13): P(X <= 3) = 378/8192 = 0.046, P(X <= 4) = 1093/8192 = 0.133)
    y = [1, 2, 1, 2, 1, 8, 9, 8, 9, 8, 9, 8, 9, 8]
    res = anhoej(y, 5)
    assert (res.n_obs, res.n_useful, res.longest_run, res.longest_run_max) == (14, 14, 9, 7)
    assert (res.n_crossings, res.n_crossings_min) == (1, 4)
    assert res.shift and res.crossings_signal and res.signal
    np.testing.assert_array_equal(res.shift_mask, mask(*range(5, 14), n=14))


def test_anhoej_points_on_the_centre_line_are_skipped_and_not_flagged():
    # sides + + + 0 + + + + + - -: 10 useful, runs of 8 and 2 (the point on the line neither
    # breaks the run nor counts). Limit for 10 useful: 6 -> shift; crossings 1 < 2 -> signal.
    y = [9, 9, 9, 5, 9, 9, 9, 9, 9, 1, 1]
    res = anhoej(y, 5)
    assert (res.n_obs, res.n_useful, res.longest_run, res.longest_run_max) == (11, 10, 8, 6)
    assert (res.n_crossings, res.n_crossings_min) == (1, 2)
    np.testing.assert_array_equal(res.shift_mask, mask(0, 1, 2, 4, 5, 6, 7, 8, n=11))


def test_anhoej_run_equal_to_the_limit_does_not_signal():
    # 10 useful: runs of 6, 1, 1, 1, 1 -> longest 6 = limit 6 (not longer); 4 crossings >= 2
    y = [9, 9, 9, 9, 9, 9, 1, 9, 1, 9]
    res = anhoej(y, 5)
    assert (res.longest_run, res.longest_run_max, res.n_crossings) == (6, 6, 4)
    assert not res.shift and not res.crossings_signal and not res.signal
    assert not res.shift_mask.any()
    # one more point on the same side makes a run of 7 among 11 useful: limit round(3.46)+3 = 6
    res = anhoej([9] + y, 5)
    assert res.longest_run == 7 and res.longest_run_max == 6 and res.shift
    np.testing.assert_array_equal(res.shift_mask, mask(*range(7), n=11))


def test_anhoej_crossings_at_and_below_the_limit():
    # 20 useful points; limit qbinom(.05, 19, .5) = 6.
    def series(lengths):
        side = np.repeat(np.resize([1, -1], len(lengths)), lengths)
        return 5 + side

    at_limit = anhoej(series([3, 3, 3, 3, 3, 3, 2]), 5)         # 7 runs = 6 crossings
    assert (at_limit.n_useful, at_limit.n_crossings, at_limit.n_crossings_min) == (20, 6, 6)
    assert not at_limit.crossings_signal and not at_limit.signal
    below = anhoej(series([4, 3, 3, 3, 3, 4]), 5)                # 6 runs = 5 crossings
    assert (below.n_crossings, below.longest_run) == (5, 4)
    assert below.crossings_signal and not below.shift and below.signal
    assert not below.shift_mask.any()                          # crossings are part-level


def test_anhoej_two_long_runs_are_both_flagged():
    # 8 above then 8 below: 16 useful, limit round(4)+3 = 7: both runs longer
    res = anhoej([7] * 8 + [3] * 8, 5)
    assert res.longest_run == 8 and res.shift
    assert res.shift_mask.all()


def test_anhoej_per_point_centre_line():
    # a centre line that steps from 5 to 15 halfway: each point compared with its own cl
    y = [6, 4, 6, 4, 6, 14, 16, 14, 16, 14]
    cl = [5] * 5 + [15] * 5
    res = anhoej(y, cl)
    assert (res.n_useful, res.longest_run, res.n_crossings) == (10, 1, 9)
    # against a single centre line of 5 every point from the fifth on is above: a run of 6
    assert anhoej(y, 5).longest_run == 6


def test_anhoej_no_useful_points():
    res = anhoej([5, 5, 5], 5)
    assert (res.n_obs, res.n_useful) == (3, 0)
    assert res.longest_run is None and res.longest_run_max is None
    assert res.n_crossings is None and res.n_crossings_min is None
    assert not (res.shift or res.crossings_signal or res.signal)
    np.testing.assert_array_equal(res.shift_mask, np.zeros(3, dtype=bool))


def test_anhoej_empty_part():
    res = anhoej([], 5)
    assert (res.n_obs, res.n_useful, res.signal) == (0, 0, False)
    assert res.shift_mask.shape == (0,)


def test_anhoej_single_useful_point():
    # longest run 1, limit round(0)+3 = 3; 0 crossings, limit qbinom(.05, 0, .5) = 0
    res = anhoej([7], 5)
    assert (res.longest_run, res.longest_run_max, res.n_crossings, res.n_crossings_min) == (1, 3, 0, 0)
    assert not res.signal


def test_anhoej_rounding_error_in_the_centre_line_counts_as_on_the_line():
    # a centre line one unit of rounding above 0.1 (as a computed mean of 0.1s can be) must not
    # put every point "below" it
    cl = np.nextafter(0.1, 1.0)
    assert anhoej([0.1] * 12, cl).n_useful == 0
    # but a real difference, however small in clinical terms, is kept
    assert anhoej([0.1 + 1e-9] * 12, 0.1).n_useful == 12


def test_anhoej_result_is_frozen_and_mask_read_only():
    res = anhoej([1, 9, 1, 9], 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.shift = True
    with pytest.raises(ValueError):
        res.shift_mask[0] = True


def test_anhoej_refuses_missing_values_naming_positions():
    with pytest.raises(QIDataError, match=r"positions 1 and 3") as err:
        anhoej([1.0, np.nan, 2.0, np.inf], 1.5)
    assert err.value.rows == [1, 3]


def test_anhoej_refuses_misshapen_input():
    with pytest.raises(QIDataError, match="one number per point"):
        anhoej([1, 2, 3], [1, 2])
    with pytest.raises(QIDataError, match="single series"):
        anhoej([[1, 2], [3, 4]], 2)
    with pytest.raises(QIDataError, match="numbers only"):
        anhoej(["a", "b"], 2)
    with pytest.raises(QIDataError, match="centre line"):
        anhoej([1, 2, 3], [1, np.nan, 2])


def _reference_runs(y, cl):
    sides = [1 if v > cl else -1 for v in y if v != cl]
    lengths = [len(list(g)) for _, g in itertools.groupby(sides)]
    return len(sides), lengths


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4), max_size=60))
def test_anhoej_agrees_with_a_plain_python_reference(values):
    res = anhoej(values, 2)
    n_useful, lengths = _reference_runs(values, 2)
    assert res.n_useful == n_useful
    if not lengths:
        assert res.longest_run is None and not res.signal
        return
    limit = round(math.log2(n_useful)) + 3
    assert res.longest_run == max(lengths)
    assert res.n_crossings == len(lengths) - 1
    assert res.signal == (max(lengths) > limit or len(lengths) - 1 < res.n_crossings_min)
    # the mask holds exactly the useful points of the runs longer than the limit
    assert int(res.shift_mask.sum()) == sum(n for n in lengths if n > limit)
    assert not res.shift_mask[np.asarray(values) == 2].any()


# ---------------------------------------------------------------------------------------------
# IHI shift
# ---------------------------------------------------------------------------------------------

def test_ihi_shift_fires_at_six_not_five():
    np.testing.assert_array_equal(ihi_shift([6, 7, 8, 6, 7, 8], 5), np.ones(6, dtype=bool))
    assert not ihi_shift([6, 7, 8, 6, 7], 5).any()
    assert not ihi_shift([4, 6, 7, 8, 6, 7, 4], 5).any()


def test_ihi_shift_below_the_median():
    y = [6, 4, 3, 2, 4, 1, 3, 6]
    np.testing.assert_array_equal(ihi_shift(y, 5), mask(1, 2, 3, 4, 5, 6, n=8))


def test_ihi_shift_skips_points_on_the_median():
    # 6 points above with one on the median among them: still a shift; the median point unflagged
    y = [6, 7, 5, 8, 6, 7, 8]
    np.testing.assert_array_equal(ihi_shift(y, 5), mask(0, 1, 3, 4, 5, 6, n=7))


def test_ihi_shift_broken_by_a_point_on_the_other_side():
    assert not ihi_shift([6, 7, 8, 4, 6, 7, 8, 9, 4], 5).any()


def test_ihi_shift_with_per_point_median():
    y = [6, 6, 6, 6, 6, 6]
    np.testing.assert_array_equal(ihi_shift(y, [5, 5, 5, 5, 5, 5]), np.ones(6, dtype=bool))
    assert not ihi_shift(y, [5, 5, 7, 5, 5, 5]).any()


# ---------------------------------------------------------------------------------------------
# IHI trend
# ---------------------------------------------------------------------------------------------

def test_ihi_trend_fires_at_five_not_four():
    np.testing.assert_array_equal(ihi_trend([1, 2, 3, 4, 5]), np.ones(5, dtype=bool))
    assert not ihi_trend([1, 2, 3, 4]).any()
    assert not ihi_trend([3, 1, 2, 3, 4, 2]).any()


def test_ihi_trend_down():
    np.testing.assert_array_equal(ihi_trend([9, 7, 5, 3, 1, 2]), mask(0, 1, 2, 3, 4, n=6))


def test_ihi_trend_repeated_values_neither_count_nor_break():
    # 1, 2, 2, 3, 4, 5: the second 2 is not counted, leaving 5 counted points: a trend
    np.testing.assert_array_equal(ihi_trend([1, 2, 2, 3, 4, 5]), np.ones(6, dtype=bool))
    # 1, 2, 2, 3, 4: only 4 counted points
    assert not ihi_trend([1, 2, 2, 3, 4]).any()
    # a repeat of the last value after the trend is not part of it; one before it is inside the span
    np.testing.assert_array_equal(ihi_trend([1, 2, 3, 4, 5, 5]), mask(0, 1, 2, 3, 4, n=6))
    np.testing.assert_array_equal(ihi_trend([1, 1, 2, 3, 4, 5]), np.ones(6, dtype=bool))


def test_ihi_trend_up_then_down_share_the_turning_point():
    # 1..5 up and 5..1 down are two trends sharing the peak
    np.testing.assert_array_equal(ihi_trend([1, 2, 3, 4, 5, 4, 3, 2, 1]), np.ones(9, dtype=bool))


# ---------------------------------------------------------------------------------------------
# IHI runs
# ---------------------------------------------------------------------------------------------

def test_ihi_runs_limits_by_hand():
    # N = 10, 5 above and 5 below, C(10, 5) = 252 arrangements:
    # 2 runs: 2 ways, 3 runs: 2 * C(4,1) = 8 ways.  P(R <= 2) = 2/252 = 0.008 <= 0.025,
    # P(R <= 3) = 10/252 = 0.040 > 0.025 -> fewer than 3 runs is too few; by symmetry
    # P(R >= 10) = 0.008, P(R >= 9) = 0.040 -> more than 9 is too many.
    assert ihi_runs_limits(10) == (3, 9)
    # N = 16 (8 and 8, C(16, 8) = 12870): counts for 2, 3, 4, 5 runs are 2, 14, 98, 294, so
    # P(R <= 4) = 114/12870 = 0.009 and P(R <= 5) = 408/12870 = 0.032 -> (5, 13) by symmetry
    assert ihi_runs_limits(16) == (5, 13)
    # N = 20 (10 and 10, C(20, 10) = 184756): counts 2, 18, 162, 648, 2592, 6048 for 2..7 runs:
    # P(R <= 6) = 3422/184756 = 0.019, P(R <= 7) = 9470/184756 = 0.051 -> (7, 15)
    assert ihi_runs_limits(20) == (7, 15)


def _limits_by_enumeration(n):
    """Critical values from every arrangement of n//2 points below and the rest above."""
    n1 = n // 2
    counts = {}
    for below in itertools.combinations(range(n), n1):
        seq = np.ones(n, dtype=int)
        seq[list(below)] = -1
        r = 1 + int(np.count_nonzero(seq[1:] != seq[:-1]))
        counts[r] = counts.get(r, 0) + 1
    total = sum(counts.values())
    rs = sorted(counts)
    lower = rs[0]
    for r in rs:
        if 40 * sum(counts[s] for s in rs if s <= r) <= total:
            lower = r + 1
    upper = rs[-1]
    for r in reversed(rs):
        if 40 * sum(counts[s] for s in rs if s >= r) <= total:
            upper = r - 1
    return lower, upper


@pytest.mark.parametrize("n", [10, 11, 12, 13, 14, 15, 16])
def test_ihi_runs_limits_match_brute_force_enumeration(n):
    assert ihi_runs_limits(n) == _limits_by_enumeration(n)


def _runs_pmf(n1, n2):
    """Swed & Eisenhart (1943) distribution of the number of runs, as exact fractions."""
    total = math.comb(n1 + n2, n1)
    pmf = {}
    for r in range(2, n1 + n2 + 1):
        k, odd = divmod(r, 2)
        if odd:
            ways = math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1) + math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k)
        else:
            ways = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        if ways:
            pmf[r] = Fraction(ways, total)
    return pmf


@pytest.mark.parametrize("n", [*range(17, 61), 101, 333])
def test_ihi_runs_limits_are_the_swed_eisenhart_2_5_percent_points(n):
    lower, upper = ihi_runs_limits(n)
    pmf = _runs_pmf(n // 2, n - n // 2)
    alpha = Fraction(1, 40)
    # fewer than `lower` runs has probability at most 2.5 %, and `lower` itself would exceed it
    assert sum(p for r, p in pmf.items() if r < lower) <= alpha
    assert sum(p for r, p in pmf.items() if r <= lower) > alpha
    assert sum(p for r, p in pmf.items() if r > upper) <= alpha
    assert sum(p for r, p in pmf.items() if r >= upper) > alpha


def test_ihi_runs_limits_float_path_agrees(monkeypatch, fresh_caches):
    exact = {n: ihi_runs_limits(n) for n in (10, 25, 60, 301, 1200)}
    runs._runs_limits.cache_clear()
    monkeypatch.setattr(runs, "_EXACT_MAX", 0)
    assert {n: ihi_runs_limits(n) for n in exact} == exact
    # and with every float answer "too close to call", the integers decide
    runs._runs_limits.cache_clear()
    monkeypatch.setattr(runs, "_FLOAT_MARGIN", 1e9)
    assert runs._runs_limits_float(150, 151) is None
    assert ihi_runs_limits(301) == exact[301]


def test_ihi_runs_limits_below_ten_points():
    assert ihi_runs_limits(9) == (None, None)
    assert ihi_runs_limits(0) == (None, None)


def test_ihi_runs_too_few_and_too_many():
    # 10 useful points, expected 3 to 9 runs
    assert ihi_runs([1] * 5 + [9] * 5, 5) == (2, 3, 9, True)            # 2 runs: too few
    assert ihi_runs([1, 9] * 5, 5) == (10, 3, 9, True)                  # 10 runs: too many
    assert ihi_runs([1] * 4 + [9] * 4 + [1] * 2, 5) == (3, 3, 9, False)  # 3 runs: at the limit
    assert ihi_runs([1, 9] * 4 + [1, 1], 5) == (9, 3, 9, False)          # 9 runs: at the limit


def test_ihi_runs_skips_points_on_the_median():
    # 11 points, one on the median: 10 useful in 2 runs (the median point does not split a run)
    res = ihi_runs([1, 1, 1, 5, 1, 1, 9, 9, 9, 9, 9], 5)
    assert res == (2, 3, 9, True)
    assert res.n_runs == 2 and res.signal


def test_ihi_runs_not_applied_below_ten_useful_points():
    assert ihi_runs([1] * 4 + [9] * 5, 5) == (2, None, None, False)
    assert ihi_runs([5, 5], 5) == (0, None, None, False)


# ---------------------------------------------------------------------------------------------
# IHI astronomical point (qikit's operationalisation)
# ---------------------------------------------------------------------------------------------

OTHERS = [10, 11, 12, 13, 10, 11, 12, 13, 10]   # range 13 - 10 = 3


def test_astronomical_high_point():
    # gap 19.5 - 13 = 6.5 > 2 * 3 = 6
    np.testing.assert_array_equal(ihi_astronomical(OTHERS + [19.5]), mask(9, n=10))


def test_astronomical_gap_exactly_twice_the_range_is_not_flagged():
    # gap 19 - 13 = 6 = 2 * 3: not strictly more
    assert not ihi_astronomical(OTHERS + [19]).any()


def test_astronomical_low_point():
    # gap 10 - 3.9 = 6.1 > 6
    np.testing.assert_array_equal(ihi_astronomical([3.9] + OTHERS), mask(0, n=10))


def test_astronomical_needs_ten_points():
    assert not ihi_astronomical(OTHERS[:8] + [100]).any()   # 9 points


def test_astronomical_conservative_cases():
    # two equal extreme points are not "different from the rest"
    assert not ihi_astronomical(OTHERS + [50, 50]).any()
    # two far-out points at different heights mask each other (range of the others includes 40)
    assert not ihi_astronomical(OTHERS + [40, 50]).any()
    # all other points identical: no spread to judge by
    assert not ihi_astronomical([0] * 10 + [15]).any()
    # the highest point of ordinary data is not astronomical
    assert not ihi_astronomical(OTHERS + [14]).any()


def test_ihi_functions_refuse_missing_values():
    for func in (ihi_trend, ihi_astronomical):
        with pytest.raises(QIDataError, match="position"):
            func([1.0, np.nan] * 6)
    for func in (ihi_shift, ihi_runs):
        with pytest.raises(QIDataError, match="median"):
            func([1.0, 2.0], [np.nan, 1.0])
