"""Funnel plots (qikit.stats.funnel): limits from Spiegelhalter (Stat Med 2005), units outside named.

Expected values are worked out by hand in the comments; the numbers are chosen so the square roots
come out exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qikit.errors import QIDataError
from qikit.stats.funnel import funnel, funnel_limits

# Proportions. Units A 30/100, B 35/100, C 50/400, D 85/400: pooled p = 200/1000 = 0.2.
# Limits on the arcsine square-root scale (Spiegelhalter 2005; FunnelPlotR): t0 = asin(sqrt(0.2)) = 0.4636476,
# standard error 1 / (2 sqrt(n)): 0.05 at n = 100, 0.025 at n = 400; back with sin(.)^2.
# n = 100, 3 sigma: sin(0.4636476 -/+ 0.15)^2 = 0.0952 to 0.3316; 2 sigma: sin(0.4636476 -/+ 0.10)^2.
# z-scores (asin(sqrt(p)) - t0) x 2 sqrt(n): A (0.5796397 - 0.4636476) x 20 = 2.32,
# B (0.6330518 - 0.4636476) x 20 = 3.39, C (0.3613671 - 0.4636476) x 40 = -4.09, D 0.62.
PROP = pd.DataFrame({"ward": ["A", "B", "C", "D"], "deaths": [30, 35, 50, 85], "patients": [100, 100, 400, 400]})
T0 = math.asin(math.sqrt(0.2))


def _arc_limit(t: float) -> float:
    return math.sin(t) ** 2


def test_proportion_limits_and_units_outside():
    res = funnel(PROP, "ward", "deaths", "patients")
    d = res.data
    assert res.centre == pytest.approx(0.2)
    np.testing.assert_allclose(d["value"], [0.30, 0.35, 0.125, 0.2125])
    s = np.array([0.05, 0.05, 0.025, 0.025])
    np.testing.assert_allclose(d["lcl"], [_arc_limit(T0 - 3 * v) for v in s])
    np.testing.assert_allclose(d["ucl"], [_arc_limit(T0 + 3 * v) for v in s])
    np.testing.assert_allclose(d["lcl_2s"], [_arc_limit(T0 - 2 * v) for v in s])
    np.testing.assert_allclose(d["ucl_2s"], [_arc_limit(T0 + 2 * v) for v in s])
    assert d["lcl"].iloc[0] == pytest.approx(0.0952, abs=1e-4) and d["ucl"].iloc[0] == pytest.approx(0.3316, abs=1e-4)
    np.testing.assert_allclose(d["z"], [2.32, 3.39, -4.09, 0.62], atol=0.005)
    assert d["beyond_3s"].tolist() == [None, "above", "below", None]
    assert d["beyond_2s"].tolist() == ["above", "above", "below", None]
    assert res.outside["unit"].tolist() == ["B", "C"]
    assert res.outside_2s["unit"].tolist() == ["A", "B", "C"]
    assert res.overdispersion is False and res.z == (2.0, 3.0)


def test_units_outside_are_named_in_words():
    res = funnel(PROP, "ward", "deaths", "patients")
    text = res.explain()
    assert "B lies above the 3-sigma plain funnel (chance alone)" in text
    assert "C lies below the 3-sigma plain funnel (chance alone)" in text
    assert "A lies between the 2-sigma and 3-sigma funnels" in text
    assert "B and C" in res.describe()
    assert "for chance alone" in res.describe()


def test_rate_limits_use_poisson_and_floor_at_zero():
    # 5 units of 100 bed-days with 1, 3, 0, 4, 12 falls: r = 20 / 500 = 0.04.
    # se = sqrt(0.04 / 100) = 0.02: 3 sigma 0.04 +/- 0.06 -> 0 (floored) to 0.10; 2 sigma 0 to 0.08.
    # T at 0.12 is above 3 sigma; R at 0 is not below a lower limit of 0.
    res = funnel(None, unit=list("PQRST"), y=[1, 3, 0, 4, 12], n=[100] * 5, kind="rate", multiply=1000)
    d = res.data
    assert res.centre == pytest.approx(40)  # 0.04 per bed-day = 40 per 1,000
    np.testing.assert_allclose(d["ucl"], 100)
    np.testing.assert_allclose(d["lcl"], 0, atol=1e-12)
    np.testing.assert_allclose(d["ucl_2s"], 80)
    assert res.outside["unit"].tolist() == ["T"]
    assert res.outside["beyond_3s"].tolist() == ["above"]


def test_rows_of_the_same_unit_are_added_together():
    # A's two months, 10/50 and 20/50, make 30/100: the same funnel as PROP.
    df = pd.DataFrame({"ward": ["A", "A", "B", "C", "D"], "deaths": [10, 20, 35, 50, 85],
                       "patients": [50, 50, 100, 400, 400]})
    res = funnel(df, "ward", "deaths", "patients")
    assert res.data["unit"].tolist() == ["A", "B", "C", "D"]
    assert res.data["y"].tolist() == [30, 35, 50, 85]
    assert res.data["n"].tolist() == [100, 100, 400, 400]
    assert res.outside["unit"].tolist() == ["B", "C"]


def test_a_given_target_is_the_centre():
    # target 0.25 at n = 100: asin(sqrt(0.25)) = pi / 6 = 0.5235988; + 3 x 0.05 = 0.6735988;
    # sin(0.6735988)^2 = 0.6238^2 = 0.3891, x 100 = 38.91.
    res = funnel(PROP, "ward", "deaths", "patients", target=0.25, multiply=100)
    assert res.centre == pytest.approx(25)
    assert res.data["ucl"].iloc[0] == pytest.approx(100 * math.sin(math.pi / 6 + 0.15) ** 2)
    assert res.data["ucl"].iloc[0] == pytest.approx(38.91, abs=0.01)
    assert "target" in res.explain()


def test_proportion_limits_are_clipped_to_0_and_1():
    # p = 0.02, n = 10: asin(sqrt(0.02)) = 0.1418971, minus 3 / (2 sqrt(10)) = 0.4743416 -> below 0 -> 0
    lo, hi = funnel_limits(0.02, [10], "proportion", 3)
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(math.sin(math.asin(math.sqrt(0.02)) + 3 / (2 * math.sqrt(10))) ** 2)
    lo, hi = funnel_limits(0.98, [10], "proportion", 3)
    assert hi[0] == 1.0
    # the lower limit never turns back up as n shrinks (sin^2 of a negative angle would)
    lo, _ = funnel_limits(0.2, [1, 2, 3, 5, 8], "proportion", 3)
    assert (lo == 0).all()


def test_curve_narrows_as_the_denominator_grows():
    res = funnel(PROP, "ward", "deaths", "patients")
    c = res.curve
    assert len(c) == 200
    assert (np.diff(c["n"]) > 0).all()
    assert (np.diff(c["ucl"]) < 0).all() and (np.diff(c["lcl"]) > 0).all()
    assert c["n"].iloc[0] <= 100 and c["n"].iloc[-1] >= 400
    # the curve is the same formula as the per-unit limits: at n = 100 the 3-sigma upper limit is 0.3316
    assert np.interp(100, c["n"], c["ucl"]) == pytest.approx(0.3316, abs=2e-3)


@pytest.mark.parametrize("column, values, words, rows", [
    ("deaths", [30, 135, 50, 85], "numerators larger than their denominators", [1]),
    ("patients", [100, 0, 400, 400], "0 or negative denominators", [1]),
    ("deaths", [30, "n/a", 50, 85], "must hold numbers", [1]),
    ("deaths", [30, -1, 50, 85], "negative values", [1]),
    ("patients", [100, None, 400, 400], "empty cells", [1]),
])
def test_bad_data_names_column_and_rows(column, values, words, rows):
    df = PROP.copy()
    df[column] = values
    with pytest.raises(QIDataError, match=words) as err:
        funnel(df, "ward", "deaths", "patients")
    assert err.value.column == column
    assert err.value.rows == rows


def test_bad_arguments_are_refused_in_plain_words():
    with pytest.raises(QIDataError, match="kind='percent' is not understood"):
        funnel(PROP, "ward", "deaths", "patients", kind="percent")
    with pytest.raises(QIDataError, match="overdispersion='multiplicative' is not understood"):
        funnel(PROP, "ward", "deaths", "patients", overdispersion="multiplicative")
    with pytest.raises(QIDataError, match="0 < inner < outer"):
        funnel(PROP, "ward", "deaths", "patients", z=(3, 2))
    with pytest.raises(QIDataError, match="must be two numbers"):
        funnel(PROP, "ward", "deaths", "patients", z=3)
    with pytest.raises(QIDataError, match="winsorise"):
        funnel(PROP, "ward", "deaths", "patients", winsorise=0.5)
    with pytest.raises(QIDataError, match="at least 2 units"):
        funnel(PROP.iloc[:1], "ward", "deaths", "patients", overdispersion="additive")
    with pytest.raises(QIDataError, match="kind='percent' is not understood"):
        funnel(PROP, "ward", "deaths", "patients", kind="percent")
    with pytest.raises(QIDataError, match="target=25 must be above 0 and below 1"):
        funnel(PROP, "ward", "deaths", "patients", target=25)
    with pytest.raises(QIDataError, match="is 0 in every row"):
        funnel(PROP.assign(deaths=0), "ward", "deaths", "patients")
    with pytest.raises(QIDataError, match="not a column"):
        funnel(PROP, "hospital", "deaths", "patients")
    with pytest.raises(QIDataError, match="every row needs a unit") as err:
        funnel(PROP.assign(ward=["A", None, "C", "D"]), "ward", "deaths", "patients")
    assert err.value.rows == [1]


# ------------------------------------------------------------------------------------ over-dispersion
# Spiegelhalter, Stat Med 2005;24:1185-1202, and Qual Saf Health Care 2005;14:347-351; worked by hand.
#
# Five trusts, proportion: y = 30/100, 40/200, 100/400, 160/800, 400/1600. Pooled p = 730 / 3100 = 0.2354839;
# t0 = asin(sqrt(p)) = 0.5066683. z_i = (asin(sqrt(y_i / n_i)) - t0) x 2 sqrt(n_i):
#   1.4594292, -1.2168084, 0.6772198, -2.4336167, 1.3544395
# sorted: -2.4336167, -1.2168084, 0.6772198, 1.3544395, 1.4594292. Quantiles by linear interpolation:
#   10%: position 0.4 -> -2.4336167 + 0.4 x (1.2168084) = -1.9468934
#   90%: position 3.6 -> 1.3544395 + 0.6 x (0.1049897) = 1.4174333
# winsorised: 1.4174333, -1.2168084, 0.6772198, -1.9468934, 1.3544395; phi = sum of squares / 5 = 1.9146533
# I phi = 9.573 > I - 1 = 4, so tau2 = (9.573267 - 4) / (sum w - sum w^2 / sum w), w = 1 / s^2 = 4 n:
#   sum w = 12400, sum w^2 = 54,560,000, sum w^2 / sum w = 4400 -> tau2 = 5.573267 / 8000 = 0.00069666
# outer limit at n = 100: sin(t0 -/+ 3 sqrt(0.0025 + 0.00069666))^2 = 0.10937 to 0.39175.
FIVE = pd.DataFrame({"trust": list("VWXYZ"), "y": [30, 40, 100, 160, 400], "n": [100, 200, 400, 800, 1600]})


def _quantile(sorted_values, q):
    """R's default (type 7) quantile, written out: linear between order statistics."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def _by_hand(y, n, t, t0, se, winsorise=0.1):
    """phi and tau2 by the formulas, one unit at a time."""
    z = [(t(a, b) - t0) / se(b) for a, b in zip(y, n, strict=True)]
    zs = sorted(z)
    lo, hi = _quantile(zs, winsorise), _quantile(zs, 1 - winsorise)
    zw = [min(max(v, lo), hi) for v in z]
    units = len(z)
    phi = sum(v * v for v in zw) / units
    if units * phi <= units - 1:
        return z, zw, phi, 0.0
    w = [1 / se(b) ** 2 for b in n]
    tau2 = (units * phi - (units - 1)) / (sum(w) - sum(v * v for v in w) / sum(w))
    return z, zw, phi, tau2


def test_five_trusts_phi_tau2_and_limits_by_hand():
    res = funnel(FIVE, "trust", "y", "n", overdispersion="additive")
    assert res.phi == pytest.approx(1.9146533, abs=1e-6)
    assert res.tau2 == pytest.approx(0.00069666, abs=1e-8)
    np.testing.assert_allclose(res.data["z"], [1.4594292, -1.2168084, 0.6772198, -2.4336167, 1.3544395], atol=1e-6)
    np.testing.assert_allclose(res.data["z_winsorised"],
                               [1.4174333, -1.2168084, 0.6772198, -1.9468934, 1.3544395], atol=1e-6)
    d = res.data
    assert d["lcl"].iloc[0] == pytest.approx(0.10937, abs=1e-5)
    assert d["ucl"].iloc[0] == pytest.approx(0.39175, abs=1e-5)
    p = 730 / 3100
    t0 = math.asin(math.sqrt(p))
    z, zw, phi, tau2 = _by_hand(FIVE["y"], FIVE["n"], lambda a, b: math.asin(math.sqrt(a / b)), t0,
                                lambda b: 1 / (2 * math.sqrt(b)))
    assert res.phi == pytest.approx(phi) and res.tau2 == pytest.approx(tau2)
    for i, n in enumerate(FIVE["n"]):
        wide = math.sqrt(1 / (4 * n) + tau2)
        assert d["ucl"].iloc[i] == pytest.approx(math.sin(t0 + 3 * wide) ** 2)
        assert d["lcl_2s"].iloc[i] == pytest.approx(math.sin(t0 - 2 * wide) ** 2)
        assert d["z_adjusted"].iloc[i] == pytest.approx(z[i] / (2 * math.sqrt(n)) / wide)
    # the plain funnel is computed with the same phi and tau2 reported, but not widened
    plain = funnel(FIVE, "trust", "y", "n")
    assert plain.phi == res.phi and plain.tau2 == res.tau2
    assert plain.data["ucl"].iloc[0] == pytest.approx(math.sin(t0 + 3 * 0.05) ** 2)
    assert "z_adjusted" not in plain.data


def test_rate_phi_tau2_by_hand():
    # Falls per bed-day, units of 100, 200, 400, 800 bed-days with 2, 14, 9, 50 falls. r = 75 / 1500 = 0.05.
    # z = (r_i - 0.05) / sqrt(0.05 / n_i): (0.02 - 0.05) / 0.0223607 = -1.3416408; (0.07 - 0.05) / 0.0158114
    # = 1.2649111; (0.0225 - 0.05) / 0.0111803 = -2.4596748; (0.0625 - 0.05) / 0.0079057 = 1.5811388.
    # sorted -2.4596748, -1.3416408, 1.2649111, 1.5811388; 10%: position 0.3 -> -2.1242646;
    # 90%: position 2.7 -> 1.2649111 + 0.7 x 0.3162277 = 1.4862705.
    # phi = (1.3416408^2 + 1.2649111^2 + 2.1242646^2 + 1.4862705^2) / 4 = (1.8 + 1.6 + 4.5124999 + 2.2090000) / 4
    #     = 2.5303750; I phi = 10.12 > 3: w = n / 0.05 = 2000, 4000, 8000, 16000; sum 30000; sum w^2 / sum w =
    #     340,000,000 / 30000 = 11333.33; tau2 = (10.1215 - 3) / 18666.67 = 0.00038151.
    df = pd.DataFrame({"ward": list("PQRS"), "falls": [2, 14, 9, 50], "bed_days": [100, 200, 400, 800]})
    res = funnel(df, "ward", "falls", "bed_days", kind="rate", overdispersion="additive")
    assert res.phi == pytest.approx(2.530375, abs=1e-5)
    assert res.tau2 == pytest.approx(0.00038151, abs=1e-8)
    z, zw, phi, tau2 = _by_hand(df["falls"], df["bed_days"], lambda a, b: a / b, 0.05, lambda b: math.sqrt(0.05 / b))
    assert res.phi == pytest.approx(phi) and res.tau2 == pytest.approx(tau2)
    wide = math.sqrt(0.05 / 100 + tau2)
    assert res.data["ucl"].iloc[0] == pytest.approx(0.05 + 3 * wide)
    assert res.data["lcl"].iloc[0] == 0.0  # 0.05 - 3 x 0.0297 < 0: floored


def test_ratio_uses_the_log_scale_for_the_adjustment_and_exact_poisson_limits_otherwise():
    # Observed against expected deaths: 5/8, 12/10, 30/25, 0/3, 60/40. Centre 1.
    # z = sqrt(E) log(O / E), a zero count taken as 0.5: sqrt(3) log(0.5 / 3) = -3.1033.
    df = pd.DataFrame({"trust": list("ABCDE"), "observed": [5, 12, 30, 0, 60], "expected": [8, 10, 25, 3, 40]})
    res = funnel(df, "trust", "observed", "expected", kind="ratio", overdispersion="additive")
    assert res.centre == 1
    z, zw, phi, tau2 = _by_hand([5, 12, 30, 0.5, 60], df["expected"], lambda a, b: math.log(a / b), 0.0,
                                lambda b: 1 / math.sqrt(b))
    np.testing.assert_allclose(res.data["z"], z)
    assert res.data["z"].iloc[3] == pytest.approx(math.sqrt(3) * math.log(0.5 / 3))
    assert res.phi == pytest.approx(phi) and res.tau2 == pytest.approx(tau2)
    assert res.tau2 > 0
    e = 40
    assert res.data["ucl"].iloc[4] == pytest.approx(math.exp(3 * math.sqrt(1 / e + tau2)))
    assert res.data["lcl_2s"].iloc[4] == pytest.approx(math.exp(-2 * math.sqrt(1 / e + tau2)))
    assert res.data["value"].tolist() == pytest.approx([5 / 8, 1.2, 1.2, 0, 1.5])
    assert res.describe().startswith("Funnel plot of observed / expected (observed / expected) against expected for 5 "
                                     "units of trust, expected from 3 to 40. Centre line 1,")
    # Unadjusted: exact Poisson limits. For 10 expected events the published 95% limits are 4.795 and 18.390
    # events (Garwood 1936; any table of exact Poisson confidence limits); for 1 expected, 0.0253 and 5.572.
    exact = funnel(pd.DataFrame({"u": ["a", "b"], "o": [9, 1], "e": [10, 1]}), "u", "o", "e", kind="ratio",
                   z=(1.959964, 3.090232))
    assert exact.data["lcl_2s"].tolist() == pytest.approx([0.47954, 0.025318], abs=1e-5)
    assert exact.data["ucl_2s"].tolist() == pytest.approx([1.83904, 5.57164], abs=1e-5)
    assert exact.inner_name == "95%" and exact.outer_name == "99.8%"


def test_exact_poisson_limits_match_funnelplotr_published_values():
    # FunnelPlotR's own test suite (tests/testthat/test-poisson_limits.R) pins its exact Poisson limits for a
    # standardised ratio at 15, 20 and 30 expected events, target 1, 95% and 99.8%:
    #   95%:   0.5596924, 0.6108260, 0.6746958  to  1.649348, 1.544419, 1.427562
    #   99.8%: 0.3862650, 0.4479107, 0.5289724  to  2.082907, 1.902094, 1.702771
    # (FunnelPlotR takes alpha = 0.001 exactly; z = 3.090232 gives alpha = 0.00100000 to 7 digits.)
    df = pd.DataFrame({"trust": ["A", "B", "C"], "observed": [15, 20, 30], "expected": [15, 20, 30]})
    res = funnel(df, "trust", "observed", "expected", kind="ratio", z=(1.959964, 3.090232))
    d = res.data
    np.testing.assert_allclose(d["lcl_2s"], [0.5596924, 0.6108260, 0.6746958], atol=2e-7)
    np.testing.assert_allclose(d["ucl_2s"], [1.649348, 1.544419, 1.427562], atol=2e-6)
    np.testing.assert_allclose(d["lcl"], [0.3862650, 0.4479107, 0.5289724], atol=2e-7)
    np.testing.assert_allclose(d["ucl"], [2.082907, 1.902094, 1.702771], atol=2e-6)


def test_spiegelhalter_z_values_name_the_funnels_in_percent():
    res = funnel(PROP, "ward", "deaths", "patients", z=(1.959964, 3.090232))
    s = 0.05
    assert res.data["ucl"].iloc[0] == pytest.approx(math.sin(T0 + 3.090232 * s) ** 2)
    assert res.data["ucl_2s"].iloc[0] == pytest.approx(math.sin(T0 + 1.959964 * s) ** 2)
    assert "99.8% plain funnel" in res.explain() and "95% and 99.8% funnels" in res.describe()


def test_no_overdispersion_means_tau2_zero_and_the_same_funnel():
    # Four units all at the centre: every z is 0, phi = 0 <= (I - 1) / I, tau2 = 0.
    df = pd.DataFrame({"u": list("ABCD"), "y": [20, 40, 80, 10], "n": [100, 200, 400, 50]})
    plain = funnel(df, "u", "y", "n")
    wide = funnel(df, "u", "y", "n", overdispersion="additive")
    assert wide.phi == 0 and wide.tau2 == 0
    pd.testing.assert_frame_equal(plain.data[["lcl", "ucl", "lcl_2s", "ucl_2s"]],
                                  wide.data[["lcl", "ucl", "lcl_2s", "ucl_2s"]])
    assert "vary no more than chance allows" in wide.explain()
    assert "not above the 0.75 that chance allows for 4 units" in wide.explain()  # (I - 1) / I = 3 / 4
    assert "The adjusted funnel is the plain one." in wide.explain()
    assert "funnels not widened (phi 0.00: no over-dispersion)" in wide.describe()


def test_zero_events_and_proportions_of_one_stay_finite():
    # asin(sqrt(0)) = 0 and asin(sqrt(1)) = pi / 2: z-scores exist, unlike on a log or logit scale.
    df = pd.DataFrame({"u": list("ABCDEF"), "y": [0, 20, 25, 30, 50, 50], "n": [40, 100, 100, 100, 200, 50]})
    res = funnel(df, "u", "y", "n", overdispersion="additive")
    p = 175 / 590
    t0 = math.asin(math.sqrt(p))
    assert res.data["z"].iloc[0] == pytest.approx((0 - t0) * 2 * math.sqrt(40))
    assert res.data["z"].iloc[5] == pytest.approx((math.pi / 2 - t0) * 2 * math.sqrt(50))
    assert np.isfinite(res.phi) and np.isfinite(res.tau2)
    d = res.data
    assert ((d["lcl"] >= 0) & (d["ucl"] <= 1)).all()
    assert d.loc[0, "beyond_3s"] == "below" or d.loc[0, "lcl"] == 0
    assert d.loc[5, "beyond_3s"] == "above"  # 50 of 50 against an overall 30%


def test_tiny_denominators_give_the_whole_range():
    # n = 1: standard error 1 / 2 on the arcsine scale; t0 -/+ 3 x 0.5 passes 0 and pi / 2: limits 0 and 1.
    df = pd.DataFrame({"u": ["tiny", "B", "C"], "y": [1, 30, 60], "n": [1, 100, 200]})
    res = funnel(df, "u", "y", "n")
    assert res.data.loc[0, "lcl"] == 0 and res.data.loc[0, "ucl"] == 1
    assert res.data.loc[0, "beyond_3s"] is None
    rate = funnel(df, "u", "y", "n", kind="rate")
    assert rate.data.loc[0, "lcl"] == 0


def test_winsorising_keeps_one_extreme_unit_from_deciding_phi():
    # Ten units of 1000 patients: nine at exactly 20%, one at 60%. pooled p = (1800 + 600) / 10000 = 0.24.
    # z for a 20% unit: (asin(sqrt(0.2)) - asin(sqrt(0.24))) x 2 sqrt(1000) = -3.00..; for the 60% unit +24.
    # sorted: nine equal values then the extreme one; the 90% quantile is at position 8.1, between the ninth
    # (a 20% unit) and the tenth: z_9 + 0.1 (z_10 - z_9). The extreme z is pulled in to that.
    y = [200] * 9 + [600]
    res = funnel(None, unit=[f"U{i}" for i in range(10)], y=y, n=[1000] * 10, overdispersion="additive")
    t0 = math.asin(math.sqrt(0.24))
    z_low = (math.asin(math.sqrt(0.2)) - t0) * 2 * math.sqrt(1000)
    z_high = (math.asin(math.sqrt(0.6)) - t0) * 2 * math.sqrt(1000)
    q90 = z_low + 0.1 * (z_high - z_low)
    assert res.data["z_winsorised"].iloc[9] == pytest.approx(q90)
    phi = (9 * z_low**2 + q90**2) / 10
    assert res.phi == pytest.approx(phi)
    raw = funnel(None, unit=[f"U{i}" for i in range(10)], y=y, n=[1000] * 10, winsorise=0)
    assert raw.phi == pytest.approx((9 * z_low**2 + z_high**2) / 10)
    assert raw.phi > 5 * res.phi
    assert res.outside["unit"].tolist()[-1] == "U9"  # still outside the widened funnel


def test_explain_says_units_vary_more_than_chance_and_how_the_funnel_was_widened():
    plain = funnel(FIVE, "trust", "y", "n", multiply=100)
    wide = funnel(FIVE, "trust", "y", "n", multiply=100, overdispersion="additive")
    assert "vary more than chance allows (phi = 1.91, above the 0.80 that chance allows for 5 units" in plain.explain()
    assert 'overdispersion="additive" widens it' in plain.explain()
    assert "The funnel was widened for it" in wide.explain()
    assert "widened for over-dispersion (phi 1.91, tau² 0.000697)" in wide.describe()
    # between-unit spread at the centre, 2 sqrt(p (1 - p)) tau x 100 percentage points
    p = 730 / 3100
    assert wide.between_sd == pytest.approx(100 * 2 * math.sqrt(p * (1 - p)) * math.sqrt(wide.tau2))
    assert f"about {wide.between_sd:.3g} percentage points either way" in wide.explain()
