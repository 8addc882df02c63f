"""qikit.spc(): missing numerators inside subgroups, equal values (zero spread), and the order of labels.

Issue 17. Every expected value is worked out here from the chart's formula (Montgomery, *Introduction to
Statistical Quality Control*, 6th ed., 2009; Laney 2002 for p' and u'), with the arithmetic written out,
never read back from qikit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qikit
from qikit.stats import api as spc_module

NAN = float("nan")


def _spc(*args, **kwargs):
    with warnings.catch_warnings():  # these small hand-worked charts have provisional limits
        warnings.simplefilter("ignore", qikit.QIWarning)
        return qikit.spc(*args, **kwargs)


def _close(got, expected):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=1e-9,
                               atol=1e-12, equal_nan=True)


# ------------------------------------------------------------------------------- the issue's pinned values

def test_issue_p_chart_missing_numerator_does_not_keep_its_denominator():
    df = pd.DataFrame({"x": [1, 2, 3, 4, 4], "y": [5, 6, 7, None, 9], "n": [50, 60, 70, 80, 90]})
    d = _spc(df, x="x", y="y", n="n", chart="p").data
    # subgroup 4 is 9 / 90 = 0.1 (the 80 of the missing row is left out); centre 27 / 270 = 0.1
    assert d["y"].iloc[3] == pytest.approx(0.1)
    assert d["n"].iloc[3] == 90
    _close(d["cl"], [0.1] * 4)
    # limits at n = 90: 0.1 +/- 3 sqrt(0.1 x 0.9 / 90) = 0.1 +/- 3 x 0.0316228 = 0.0051317 to 0.1948683
    assert d["lcl"].iloc[3] == pytest.approx(0.1 - 3 * math.sqrt(0.09 / 90))
    assert d["ucl"].iloc[3] == pytest.approx(0.1948683, abs=1e-7)


def test_issue_pp_chart_has_no_limits_where_the_numerator_is_missing():
    df = pd.DataFrame({"x": [1, 2, 3], "y": [4, 7, None], "n": [175, 261, 153]})
    d = _spc(df, x="x", y="y", n="n", chart="pp").data
    assert np.isnan(d["y"].iloc[2])
    assert np.isnan(d["lcl"].iloc[2]) and np.isnan(d["ucl"].iloc[2])
    assert np.isnan(d["lcl_2s"].iloc[2]) and np.isnan(d["ucl_2s"].iloc[2])
    assert np.isnan(d["n"].iloc[2])
    # the complete subgroups keep their limits; centre 11 / 436
    assert d["cl"].iloc[0] == pytest.approx(11 / 436)
    assert not np.isnan(d["ucl"].iloc[:2]).any()


def test_issue_eleven_equal_values_flag_nothing():
    # numpy's mean of eleven 13.64 is 13.640000000000002: the limits collapse onto that centre line and
    # every point lies one rounding step below it.
    assert np.mean([13.64] * 11) != 13.64
    res = _spc(pd.DataFrame({"x": range(11), "y": [13.64] * 11}), x="x", y="y", chart="i",
               screen_mr=False)
    assert not res.data["sigma_signal"].any()
    assert not res.data["signal"].any()
    assert res.signals.empty


# ------------------------------------------- hand-worked missing numerators in multi-row subgroups, per chart

# Four subgroups of two rows. Subgroup 1 has one missing numerator, subgroup 3 has none at all.
#   x:  1     1     2    2    3     3     4    4
#   y:  3     -     4    6    -     -     5    2
#   n:  20    30    40   60   50    50    35   35
# Complete pairs only: subgroup 1 = 3 / 20 = 0.15; 2 = 10 / 100 = 0.1; 3 = missing (no denominator);
# 4 = 7 / 70 = 0.1. Centre sum(y) / sum(n) = 20 / 190.
RATIO = pd.DataFrame({"x": [1, 1, 2, 2, 3, 3, 4, 4], "y": [3, None, 4, 6, None, None, 5, 2],
                      "n": [20, 30, 40, 60, 50, 50, 35, 35]})
RATIO_Y = [0.15, 0.1, NAN, 0.1]
RATIO_N = [20, 100, NAN, 70]
CL = 20 / 190


def test_p_chart_missing_numerators_by_hand():
    d = _spc(RATIO, x="x", y="y", n="n", chart="p").data
    _close(d["y"], RATIO_Y)
    _close(d["n"], RATIO_N)
    _close(d["cl"], [CL] * 4)
    se = [math.sqrt(CL * (1 - CL) / n) if n == n else NAN for n in RATIO_N]
    _close(d["ucl"], [CL + 3 * s for s in se])
    _close(d["lcl"], [max(CL - 3 * s, 0) if s == s else NAN for s in se])
    _close(d["ucl_2s"], [CL + 2 * s for s in se])


def test_pp_chart_missing_numerators_by_hand():
    d = _spc(RATIO, x="x", y="y", n="n", chart="pp").data
    se = [math.sqrt(CL * (1 - CL) / n) for n in (20, 100, 70)]
    z1, z2 = (0.15 - CL) / se[0], (0.1 - CL) / se[1]
    # the only moving range of z not broken by the gap is |z2 - z1|; sigma-z = MR / 1.128
    sigma_z = abs(z2 - z1) / 1.128
    _close(d["y"], RATIO_Y)
    _close(d["ucl"], [CL + 3 * se[0] * sigma_z, CL + 3 * se[1] * sigma_z, NAN, CL + 3 * se[2] * sigma_z])
    _close(d["lcl"], [max(0, CL - 3 * se[0] * sigma_z), CL - 3 * se[1] * sigma_z, NAN,
                      CL - 3 * se[2] * sigma_z])


def test_u_chart_missing_numerators_by_hand():
    d = _spc(RATIO, x="x", y="y", n="n", chart="u").data
    _close(d["y"], RATIO_Y)
    _close(d["n"], RATIO_N)
    _close(d["cl"], [CL] * 4)
    _close(d["ucl"], [CL + 3 * math.sqrt(CL / n) if n == n else NAN for n in RATIO_N])
    _close(d["lcl"], [max(0.0, CL - 3 * math.sqrt(CL / n)) if n == n else NAN for n in RATIO_N])


def test_up_chart_missing_numerators_by_hand():
    d = _spc(RATIO, x="x", y="y", n="n", chart="up").data
    se = [math.sqrt(CL / n) for n in (20, 100, 70)]
    sigma_z = abs((0.1 - CL) / se[1] - (0.15 - CL) / se[0]) / 1.128
    _close(d["ucl"], [CL + 3 * se[0] * sigma_z, CL + 3 * se[1] * sigma_z, NAN, CL + 3 * se[2] * sigma_z])


def test_i_and_run_charts_with_a_denominator_use_complete_pairs():
    d = _spc(RATIO, x="x", y="y", n="n", chart="i").data
    _close(d["y"], RATIO_Y)
    cl = (0.15 + 0.1 + 0.1) / 3
    sigma = 0.05 / 1.128  # one moving range, |0.1 - 0.15|; the gap breaks the others
    _close(d["cl"], [cl] * 4)
    # an I chart's limits do not depend on n, so they continue across the gap (as in qicharts2)
    _close(d["ucl"], [cl + 3 * sigma] * 4)
    run = _spc(RATIO, x="x", y="y", n="n", chart="run").data
    _close(run["y"], RATIO_Y)
    _close(run["cl"], [0.1] * 4)  # median of 0.15, 0.1, 0.1


def test_c_chart_sums_the_counts_that_are_there():
    d = _spc(RATIO, x="x", y="y", chart="c").data
    _close(d["y"], [3, 10, NAN, 7])  # a subgroup with no count is a gap, never 0
    cl = (3 + 10 + 7) / 3
    _close(d["cl"], [cl] * 4)
    _close(d["ucl"], [cl + 3 * math.sqrt(cl)] * 4)


# Xbar and S: three rows per subgroup.
#   subgroup 1: 10, 12, -   -> mean 11, SD sqrt(2), size 2
#   subgroup 2: 11, 13, 15  -> mean 13, SD 2, size 3
#   subgroup 3: -, -, -     -> missing
#   subgroup 4: 9, -, 13    -> mean 11, SD sqrt(8), size 2
# Sizes differ, so S-bar is pooled: sqrt((1 x 2 + 2 x 4 + 1 x 8) / (1 + 2 + 1)) = sqrt(4.5).
# Grand mean weighted by size: (2 x 11 + 3 x 13 + 2 x 11) / 7 = 83 / 7.
# c4(2) = sqrt(2 / 1) G(1) / G(1/2) = sqrt(2 / pi) = 0.7978846; c4(3) = sqrt(2 / 2) G(1.5) / G(1) = sqrt(pi) / 2.
MEANS = pd.DataFrame({"x": np.repeat([1, 2, 3, 4], 3),
                      "y": [10, 12, None, 11, 13, 15, None, None, None, 9, None, 13]})


def test_xbar_chart_missing_values_by_hand():
    d = _spc(MEANS, x="x", y="y", chart="xbar").data
    s_bar = math.sqrt(4.5)
    c4 = {2: math.sqrt(2 / math.pi), 3: math.sqrt(math.pi) / 2}
    cl = 83 / 7
    _close(d["y"], [11, 13, NAN, 11])
    _close(d["cl"], [cl] * 4)
    _close(d["ucl"], [cl + 3 * s_bar / (c4[2] * math.sqrt(2)), cl + 3 * s_bar / (c4[3] * math.sqrt(3)), NAN,
                      cl + 3 * s_bar / (c4[2] * math.sqrt(2))])


def test_s_chart_missing_values_by_hand():
    d = _spc(MEANS, x="x", y="y", chart="s").data
    s_bar = math.sqrt(4.5)
    c4 = {2: math.sqrt(2 / math.pi), 3: math.sqrt(math.pi) / 2}

    def b4(n):
        return 1 + 3 * math.sqrt(1 - c4[n] ** 2) / c4[n]

    _close(d["y"], [math.sqrt(2), 2, NAN, math.sqrt(8)])
    _close(d["cl"], [s_bar] * 4)
    _close(d["ucl"], [s_bar * b4(2), s_bar * b4(3), NAN, s_bar * b4(2)])
    _close(d["lcl"], [0, 0, NAN, 0])  # B3 = 1 - 3 sqrt(1 - c4^2) / c4 is negative for n = 2 and 3: floored


def test_a_missing_numerator_with_no_denominator_is_accepted():
    df = RATIO.assign(n=[20, None, 40, 60, None, None, 35, 35])
    d = _spc(df, x="x", y="y", n="n", chart="p").data
    _close(d["y"], RATIO_Y)
    _close(d["n"], RATIO_N)


# ------------------------------------------------------------------------------------ zero spread

@pytest.mark.parametrize("value", [13.64, 0.1, 7.3, 1e-7, 123456.789, 0.7])
@pytest.mark.parametrize("chart", ["i", "t", "xbar", "s", "run"])
def test_equal_values_never_signal(value, chart):
    # the t chart's limits go through y^(1/3.6) and back (^3.6), which is off by a rounding step too
    rows = 2 if chart in ("xbar", "s") else 1
    df = pd.DataFrame({"x": np.repeat(np.arange(15), rows), "y": [value] * (15 * rows)})
    for rules in ("anhoej", "ihi") if chart == "run" else ("anhoej", "weco", "nelson", "ihi"):
        res = _spc(df, x="x", y="y", chart=chart, rules=rules)
        assert not res.data["sigma_signal"].any(), (chart, rules)
        fired = {f.rule.code for f in res.findings}
        # Nelson 7 (15 points in a row within 1 sigma: "hugging the centre line") does describe a series
        # with no variation at all; no other rule may fire.
        assert fired <= ({"nelson7"} if rules == "nelson" else set()), (chart, rules, fired)


def test_the_tolerance_is_rounding_only():
    # A point above a collapsed limit by a real amount still signals: ten equal values and one 13.65.
    y = [13.64] * 10 + [13.65]
    res = _spc(pd.DataFrame({"x": range(11), "y": y}), x="x", y="y", chart="i", cl=13.64)
    assert res.data["sigma_signal"].tolist() == [False] * 10 + [True]
    from qikit.stats.rules import beyond_limits

    assert beyond_limits([10 + 1e-9], lcl=0, ucl=10).tolist() == [True]
    assert beyond_limits([10 * (1 + 1e-13)], lcl=0, ucl=10).tolist() == [False]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(min_value=1e-6, max_value=1e6, allow_nan=False), st.integers(min_value=3, max_value=60),
       st.sampled_from(["i", "t", "c", "g"]))
def test_any_constant_series_has_no_sigma_signal(value, length, chart):
    if chart in ("c", "g"):
        value = float(round(value))
    df = pd.DataFrame({"x": range(length), "y": [value] * length})
    res = _spc(df, x="x", y="y", chart=chart)
    assert not res.data["sigma_signal"].any()


# ------------------------------------------------------------------------------------ label order

def test_labels_keep_their_order_of_first_appearance_and_the_docstring_says_so():
    wards = ["Ward C", "Ward A", "Ward D", "Ward B"] * 2
    df = pd.DataFrame({"ward": wards, "y": [5, 7, 6, 8, 6, 6, 7, 7]})
    d = _spc(df, x="ward", y="y", chart="xbar").data
    assert d["x"].tolist() == ["Ward C", "Ward A", "Ward D", "Ward B"]  # qicharts2 would sort them A, B, C, D
    doc = " ".join(spc_module.spc.__doc__.split())
    assert "labels keep the order in which they first appear" in doc
    assert "qicharts2 sorts labels" in doc
