"""qikit.spc(): every chart type against published worked examples and values worked out by hand.

Published sources used:
- Montgomery, Introduction to Statistical Quality Control (6th ed., 2009): piston-ring diameters
  (Table 6.3, Example 6.3, Xbar and S charts), orange-juice cans (Table 7.1, Example 7.1, p chart),
  circuit-board nonconformities (Table 7.7, Example 7.3, c chart). Data as shipped in R's qcc package,
  except sample 21 of the piston rings, which follows the textbook's Table 6.3 (qcc's copy differs there;
  only the textbook's values give its published S-bar = 0.0094 and R-bar = 0.023).
- qcc's dyedcloth data (u chart with unequal inspection units).
- Anhøj & Olesen (2014) critical values for runs analysis.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit import ProvisionalLimitsWarning, QIDataError, QIWarning

PISTON = [
    (74.030, 74.002, 74.019, 73.992, 74.008), (73.995, 73.992, 74.001, 74.011, 74.004),
    (73.988, 74.024, 74.021, 74.005, 74.002), (74.002, 73.996, 73.993, 74.015, 74.009),
    (73.992, 74.007, 74.015, 73.989, 74.014), (74.009, 73.994, 73.997, 73.985, 73.993),
    (73.995, 74.006, 73.994, 74.000, 74.005), (73.985, 74.003, 73.993, 74.015, 73.988),
    (74.008, 73.995, 74.009, 74.005, 74.004), (73.998, 74.000, 73.990, 74.007, 73.995),
    (73.994, 73.998, 73.994, 73.995, 73.990), (74.004, 74.000, 74.007, 74.000, 73.996),
    (73.983, 74.002, 73.998, 73.997, 74.012), (74.006, 73.967, 73.994, 74.000, 73.984),
    (74.012, 74.014, 73.998, 73.999, 74.007), (74.000, 73.984, 74.005, 73.998, 73.996),
    (73.994, 74.012, 73.986, 74.005, 74.007), (74.006, 74.010, 74.018, 74.003, 74.000),
    (73.984, 74.002, 74.003, 74.005, 73.997), (74.000, 74.010, 74.013, 74.020, 74.003),
    (73.982, 74.001, 74.015, 74.005, 73.996), (74.004, 73.999, 73.990, 74.006, 74.009),
    (74.010, 73.989, 73.990, 74.009, 74.014), (74.015, 74.008, 73.993, 74.000, 74.010),
    (73.982, 73.984, 73.995, 74.017, 74.013),
    # Phase II samples 26-40 (Montgomery Table 6.4): the process mean drifts upwards.
    (74.012, 74.015, 74.030, 73.986, 74.000), (73.995, 74.010, 73.990, 74.015, 74.001),
    (73.987, 73.999, 73.985, 74.000, 73.990), (74.008, 74.010, 74.003, 73.991, 74.006),
    (74.003, 74.000, 74.001, 73.986, 73.997), (73.994, 74.003, 74.015, 74.020, 74.004),
    (74.008, 74.002, 74.018, 73.995, 74.005), (74.001, 74.004, 73.990, 73.996, 73.998),
    (74.015, 74.000, 74.016, 74.025, 74.000), (74.030, 74.005, 74.000, 74.016, 74.012),
    (74.001, 73.990, 73.995, 74.010, 74.024), (74.015, 74.020, 74.024, 74.005, 74.019),
    (74.035, 74.010, 74.012, 74.015, 74.026), (74.017, 74.013, 74.036, 74.025, 74.026),
    (74.010, 74.005, 74.029, 74.000, 74.020),
]
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11,
                20, 18, 24, 15, 9, 12, 7, 13, 9, 6]
CIRCUIT = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]
DYED_CLOTH = ([14, 12, 20, 11, 7, 10, 21, 16, 19, 23], [10, 8, 13, 10, 10, 10, 12, 11, 12, 13])


def piston_frame() -> pd.DataFrame:
    return pd.DataFrame([(i + 1, v) for i, sample in enumerate(PISTON) for v in sample], columns=["sample", "d"])


# ------------------------------------------------------------------------------------------ Montgomery

def test_xbar_chart_piston_rings_montgomery_example_6_3():
    # Montgomery Example 6.3: from the first 25 samples, xbarbar = 74.001, sbar = 0.0094, A3 = 1.427 (n = 5):
    # UCL = 74.001 + 1.427 x 0.0094 = 74.014, LCL = 73.988.
    res = qikit.spc(piston_frame(), x="sample", y="d", chart="xbar", freeze=25)
    d = res.data
    assert len(d) == 40
    assert d.cl.iloc[0] == pytest.approx(74.001, abs=5e-4)
    assert d.cl.iloc[0] == pytest.approx(np.mean([np.mean(s) for s in PISTON[:25]]), abs=1e-12)
    # published to 3 decimals from rounded intermediate values, hence the 1e-3 tolerance; with the tabled
    # A3(5) = 1.427 and the unrounded S-bar the agreement is to 1e-5
    assert d.ucl.iloc[0] == pytest.approx(74.014, abs=1e-3)
    assert d.lcl.iloc[0] == pytest.approx(73.988, abs=1e-3)
    sbar = np.mean([np.std(s, ddof=1) for s in PISTON[:25]])
    assert sbar == pytest.approx(0.0094, abs=5e-5)
    assert d.ucl.iloc[0] == pytest.approx(d.cl.iloc[0] + 1.427 * sbar, abs=1e-5)
    # The limits extend over the phase II samples; Montgomery finds samples 37, 38 and 39 above the UCL.
    assert d.ucl.iloc[39] == d.ucl.iloc[0]
    assert d.loc[d.sigma_signal, "x"].tolist() == [37, 38, 39]


def test_s_chart_piston_rings():
    # Montgomery Example 6.3: S chart centre sbar = 0.0094, UCL = B4 sbar = 2.089 x 0.0094 = 0.0196, LCL = 0.
    res = qikit.spc(piston_frame(), x="sample", y="d", chart="s", freeze=25)
    d = res.data
    assert d.cl.iloc[0] == pytest.approx(0.0094, abs=5e-5)
    assert d.ucl.iloc[0] == pytest.approx(0.0196, abs=1e-4)
    assert d.lcl.iloc[0] == 0
    assert d.y.iloc[0] == pytest.approx(np.std(PISTON[0], ddof=1))


def test_xbar_with_unequal_subgroups_uses_pooled_sd_and_exact_c4():
    # Two subgroups of 3 and one of 2; hand computation (Montgomery eq. 6.30-6.31):
    #   A: 1, 2, 3 (mean 2, s 1);  B: 2, 4, 6 (mean 4, s 2);  C: 5, 7 (mean 6, s sqrt 2)
    #   grand mean = (3*2 + 3*4 + 2*6) / 8 = 30 / 8 = 3.75
    #   pooled s = sqrt((2*1 + 2*4 + 1*2) / 5) = sqrt(12 / 5) = 1.549193
    #   c4(3) = 0.886227, c4(2) = 0.797885 -> A3(3) = 3 / (0.886227 sqrt 3) = 1.954410, A3(2) = 2.658681
    df = pd.DataFrame({"g": list("AAABBBCC"), "v": [1, 2, 3, 2, 4, 6, 5, 7]})
    with pytest.warns(ProvisionalLimitsWarning):
        res = qikit.spc(df, x="g", y="v", chart="xbar")
    d = res.data
    assert d.cl.iloc[0] == pytest.approx(3.75)
    sbar = math.sqrt(12 / 5)
    assert d.ucl.tolist() == pytest.approx([3.75 + 1.954410 * sbar, 3.75 + 1.954410 * sbar, 3.75 + 2.658681 * sbar],
                                           abs=1e-5)
    with pytest.warns(ProvisionalLimitsWarning):
        s = qikit.spc(df, x="g", y="v", chart="s").data
    assert s.cl.iloc[0] == pytest.approx(sbar)
    assert s.y.tolist() == pytest.approx([1, 2, math.sqrt(2)])


def test_p_chart_orange_juice_montgomery_example_7_1():
    # 30 samples of n = 50: pbar = 347 / 1500 = 0.2313; limits 0.2313 +/- 3 sqrt(0.2313 x 0.7687 / 50)
    # = 0.4102 and 0.0524. Samples 15 and 23 are above the UCL.
    df = pd.DataFrame({"sample": range(1, 31), "bad": ORANGE_JUICE, "n": 50})
    res = qikit.spc(df, x="sample", y="bad", n="n", chart="p")
    d = res.data
    assert d.cl.iloc[0] == pytest.approx(347 / 1500, abs=1e-12)
    assert d.ucl.iloc[0] == pytest.approx(0.4102, abs=1e-4)
    assert d.lcl.iloc[0] == pytest.approx(0.0524, abs=1e-4)
    assert d.loc[d.sigma_signal, "x"].tolist() == [15, 23]
    pct = qikit.spc(df, x="sample", y="bad", n="n", chart="p", multiply=100).data
    assert pct.ucl.iloc[0] == pytest.approx(41.02, abs=0.01)
    assert pct.y.iloc[14] == pytest.approx(44.0)


def test_c_chart_circuit_boards_montgomery_example_7_3():
    # cbar = 516 / 26 = 19.85; limits 19.85 +/- 3 sqrt(19.85) = 33.22 and 6.48; samples 6 and 20 outside.
    res = qikit.spc(y=CIRCUIT, chart="c")
    d = res.data
    assert d.cl.iloc[0] == pytest.approx(516 / 26)
    assert d.ucl.iloc[0] == pytest.approx(33.21, abs=0.01)
    assert d.lcl.iloc[0] == pytest.approx(6.48, abs=0.01)
    assert d.loc[d.sigma_signal, "x"].tolist() == [6, 20]


def test_u_chart_dyed_cloth():
    # ubar = 153 / 109 = 1.403670; for n = 10: 1.403670 +/- 3 sqrt(0.1403670) = 2.527637 / 0.279703
    y, n = DYED_CLOTH
    with pytest.warns(ProvisionalLimitsWarning):  # 10 points
        d = qikit.spc(y=y, n=n, chart="u").data
    assert d.cl.iloc[0] == pytest.approx(153 / 109)
    assert d.ucl.iloc[0] == pytest.approx(2.527637, abs=1e-6)
    assert d.lcl.iloc[0] == pytest.approx(0.279703, abs=1e-6)
    # n = 8: 1.403670 +/- 3 sqrt(0.175459) = 2.660303 / 0.147036
    assert d.ucl.iloc[1] == pytest.approx(2.660303, abs=1e-6)
    assert d.lcl.iloc[1] == pytest.approx(0.147036, abs=1e-6)
    assert not d.sigma_signal.any()


# ------------------------------------------------------------------------------------------ by hand

I_SERIES = [10, 12, 11, 13, 30, 12, 11, 10, 12, 11, 13, 12]


def test_i_chart_by_hand_screened_and_unscreened():
    # mean = 157 / 12 = 13.083333
    # moving ranges 2,1,2,17,18,1,1,2,1,2,1: mean 48 / 11 = 4.363636
    # screening: 3.267 x 4.363636 = 14.256 -> drop 17 and 18 -> 13 / 9 = 1.444444
    # sigma = 1.444444 / 1.128 = 1.280536; limits 13.083333 -/+ 3.841608 = 9.241725 / 16.924941
    d = qikit.spc(y=I_SERIES, chart="i").data
    assert d.cl.iloc[0] == pytest.approx(13.083333, abs=1e-6)
    assert d.ucl.iloc[0] == pytest.approx(16.924941, abs=1e-6)
    assert d.lcl.iloc[0] == pytest.approx(9.241725, abs=1e-6)
    assert d.ucl_2s.iloc[0] == pytest.approx(13.083333 + 2 * 1.280536, abs=1e-6)
    assert d.loc[d.sigma_signal, "x"].tolist() == [5]
    # unscreened: sigma = 4.363636 / 1.128 = 3.868472; limits 1.477917 / 24.688749
    u = qikit.spc(y=I_SERIES, chart="i", screen_mr=False).data
    assert u.ucl.iloc[0] == pytest.approx(24.688749, abs=1e-6)
    assert u.lcl.iloc[0] == pytest.approx(1.477917, abs=1e-6)


def test_mr_chart_by_hand():
    # moving ranges of I_SERIES: mean 48 / 11 = 4.363636; UCL = 3.267 x 4.363636 = 14.256, LCL 0
    with pytest.warns(ProvisionalLimitsWarning):  # 11 moving ranges
        d = qikit.spc(y=I_SERIES, chart="mr").data
    assert math.isnan(d.y.iloc[0])
    assert d.y.iloc[4] == 17
    assert d.cl.iloc[0] == pytest.approx(48 / 11)
    assert d.ucl.iloc[0] == pytest.approx(3.267 * 48 / 11)
    assert d.lcl.iloc[0] == 0
    assert d.loc[d.sigma_signal, "x"].tolist() == [5, 6]
    assert d.n_useful.isna().all() and not d.runs_signal.any()  # no runs analysis on a moving range chart


def test_g_chart_by_hand():
    # mean 115 / 10 = 11.5; sigma = sqrt(11.5 x 12.5) = 11.989579; UCL = 11.5 + 35.968737 = 47.468737;
    # LCL floored at 0; plotted centre line = median = (9 + 11) / 2 = 10
    y = [5, 12, 3, 20, 8, 15, 2, 30, 9, 11]
    with pytest.warns(ProvisionalLimitsWarning):
        d = qikit.spc(y=y, chart="g").data
    assert d.cl.iloc[0] == 10
    assert d.ucl.iloc[0] == pytest.approx(47.468737, abs=1e-6)
    assert d.lcl.iloc[0] == 0
    # a fixed centre line is taken as the mean; the plotted line is 0.693 of it (Provost & Murray p. 228)
    with pytest.warns(ProvisionalLimitsWarning):
        f = qikit.spc(y=y, chart="g", cl=20).data
    assert f.cl.iloc[0] == pytest.approx(13.86)
    assert f.ucl.iloc[0] == pytest.approx(20 + 3 * math.sqrt(20 * 21))


def test_t_chart_transforms_and_back():
    # t chart = I chart of y^(1/3.6), back-transformed with ^3.6 (Nelson 1994).
    y = np.array([10, 20, 15, 30, 25, 12, 18, 22, 40, 16, 14, 28], dtype=float)
    ty = y ** (1 / 3.6)
    mr = np.abs(np.diff(ty))
    amr = mr.mean()
    amr = mr[mr < 3.267 * amr].mean()
    centre, sigma = ty.mean(), amr / 1.128
    d = qikit.spc(y=y, chart="t").data
    assert d.cl.iloc[0] == pytest.approx(centre**3.6)
    assert d.ucl.iloc[0] == pytest.approx((centre + 3 * sigma) ** 3.6)
    expected_lcl = (centre - 3 * sigma) ** 3.6 if centre - 3 * sigma > 0 else 0.0
    assert d.lcl.iloc[0] == pytest.approx(expected_lcl)
    assert d.y.tolist() == pytest.approx(y.tolist())


def test_laney_p_prime_by_hand():
    # Four hospitals-months with large denominators; Laney (2002): z_i = (p_i - pbar) / sigma_i,
    # sigma_z = mean |z_i - z_(i-1)| / 1.128, limits pbar +/- 3 sigma_i sigma_z.
    y = np.array([120, 150, 90, 160, 130, 110, 140, 100])
    n = np.array([1000, 1100, 900, 1200, 1000, 950, 1050, 1000])
    pbar = y.sum() / n.sum()
    sig = np.sqrt(pbar * (1 - pbar) / n)
    z = (y / n - pbar) / sig
    mr = np.abs(np.diff(z))
    kept = mr[mr < 3.267 * mr.mean()]
    sigma_z = kept.mean() / 1.128
    with pytest.warns(ProvisionalLimitsWarning):
        d = qikit.spc(y=y, n=n, chart="pp").data
    assert d.cl.iloc[0] == pytest.approx(pbar)
    assert d.ucl.tolist() == pytest.approx((pbar + 3 * sig * sigma_z).tolist())
    assert d.lcl.tolist() == pytest.approx((pbar - 3 * sig * sigma_z).tolist())
    with pytest.warns(ProvisionalLimitsWarning):
        u = qikit.spc(y=y, n=n, chart="up").data
    ubar = pbar  # same arithmetic for the centre line
    sig_u = np.sqrt(ubar / n)
    z_u = (y / n - ubar) / sig_u
    mr_u = np.abs(np.diff(z_u))
    sz_u = mr_u[mr_u < 3.267 * mr_u.mean()].mean() / 1.128
    assert u.ucl.tolist() == pytest.approx((ubar + 3 * sig_u * sz_u).tolist())


def test_laney_with_unit_labels_uses_sd_of_z():
    # Categorical x (units, not time): sigma_z = sd(z) (Laney 2002; qicharts2), runs analysis off.
    units = ["Ward A", "Ward B", "Ward C", "Ward D", "Ward E", "Ward F", "Ward G", "Ward H", "Ward I", "Ward J",
             "Ward K", "Ward L"]
    y = np.array([30, 45, 28, 60, 33, 41, 38, 52, 29, 47, 36, 40])
    n = np.array([300, 400, 310, 420, 330, 380, 350, 410, 300, 400, 360, 390])
    pbar = y.sum() / n.sum()
    sig = np.sqrt(pbar * (1 - pbar) / n)
    sigma_z = np.std((y / n - pbar) / sig, ddof=1)
    res = qikit.spc(x=units, y=y, n=n, chart="pp")
    d = res.data
    assert d.x.tolist() == units  # labels keep their order
    assert d.ucl.tolist() == pytest.approx((pbar + 3 * sig * sigma_z).tolist())
    assert d.n_useful.isna().all() and not d.runs_signal.any()
    assert "units" in res.explain()


# ------------------------------------------------------------------------------------------ run charts

def test_run_chart_no_signal_by_hand():
    # median of 2,3,3,4,4,5,5,6,6,7 = 4.5; signs - + - + - + + - + -: 9 runs, 8 crossings, longest run 2
    res = qikit.spc(y=[3, 5, 4, 6, 2, 7, 5, 4, 6, 3])
    d = res.data
    assert d.cl.iloc[0] == 4.5
    assert d.n_useful.iloc[0] == 10
    assert d.longest_run.iloc[0] == 2 and d.longest_run_max.iloc[0] == 6
    assert d.n_crossings.iloc[0] == 8 and d.n_crossings_min.iloc[0] == 2
    assert not d.runs_signal.any() and not d.signal.any()
    assert res.explain().startswith("No signal")
    assert np.isnan(d.ucl).all()


def test_run_chart_shift_by_hand():
    # 10 points around 8 then 10 around 4: median (5 + 7) / 2 = 6; two runs of 10 > 7 (the limit for 20 useful
    # points), 1 crossing < 6.
    y = [8, 9, 7, 8, 9, 8, 7, 9, 8, 8, 5, 4, 5, 3, 4, 5, 4, 3, 5, 4]
    dates = pd.date_range("2023-01-01", periods=20, freq="MS")
    res = qikit.spc(pd.DataFrame({"month": dates, "los": y}), x="month", y="los")
    d = res.data
    assert d.cl.iloc[0] == 6
    assert d.longest_run.iloc[0] == 10 and d.longest_run_max.iloc[0] == 7
    assert d.n_crossings.iloc[0] == 1 and d.n_crossings_min.iloc[0] == 6
    assert d.runs_signal.all()
    text = res.explain()
    assert "Points 11-20 (Nov 2023 to Aug 2024) form a run of 10 points below the centre line" in text
    assert "with 20 useful points a run longer than 7 is unlikely to be chance: this is a shift" in text


def test_points_on_the_median_are_not_useful():
    d = qikit.spc(y=[1, 2, 3, 2, 1, 2, 3, 2, 1, 3, 2]).data
    assert d.cl.iloc[0] == 2
    assert d.n_useful.iloc[0] == 6  # the five 2s sit on the median


@pytest.mark.parametrize("n,longest,crossings", [(10, 6, 2), (20, 7, 6), (24, 8, 8), (30, 8, 10), (50, 9, 19),
                                                  (100, 10, 41)])
def test_anhoej_critical_values_through_spc(n, longest, crossings):
    # alternating values: every point useful, never a signal
    y = np.tile([1.0, 3.0], n // 2)
    d = qikit.spc(y=y).data
    assert (d.longest_run_max.iloc[0], d.n_crossings_min.iloc[0]) == (longest, crossings)


def test_run_chart_with_denominator_and_missing_values():
    # y = sum(y) / sum(n) per subgroup; a missing value is a gap, never 0, and not useful
    df = pd.DataFrame({"m": [1, 1, 2, 3, 4, 5], "y": [1, 2, np.nan, 4, 5, 2], "n": [10, 10, 10, 10, 10, 10]})
    d = qikit.spc(df, x="m", y="y", n="n").data
    assert d.y.tolist()[:1] == [0.15]
    assert math.isnan(d.y.iloc[1])
    # the n of a row whose y is missing is not part of any denominator (issue 17): subgroup 2 has none
    assert d.n.tolist()[:1] + d.n.tolist()[2:] == [20, 10, 10, 10] and math.isnan(d.n.iloc[1])
    assert d.cl.iloc[0] == pytest.approx(np.median([0.15, 0.4, 0.5, 0.2]))


# ------------------------------------------------------------------------------------------ parts, freeze ...

def test_parts_have_their_own_limits():
    y = I_SERIES + [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5]
    res = qikit.spc(y=y, chart="i", part=[12])
    d = res.data
    assert d.part.tolist() == [1] * 12 + [2] * 12
    assert d.cl.iloc[0] == pytest.approx(157 / 12)
    assert d.cl.iloc[12] == pytest.approx(69 / 12)
    s = res.summary()
    assert s.points.tolist() == [12, 12]
    # part 2 by hand: moving ranges 1,1,2,1,1,1,1,2,1,0,1 = 12 / 11; none screened; sigma = 1.090909 / 1.128
    assert d.ucl.iloc[12] == pytest.approx(69 / 12 + 3 * (12 / 11) / 1.128)


def test_part_from_a_label_column():
    df = pd.DataFrame({"wk": range(1, 25), "v": I_SERIES + [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5],
                       "phase": ["before"] * 12 + ["after checklist"] * 12})
    d = qikit.spc(df, x="wk", y="v", chart="i", part="phase").data
    assert d.part_label.iloc[-1] == "after checklist"
    assert d.cl.iloc[-1] == pytest.approx(69 / 12)


def test_freeze_extends_baseline_limits_and_runs_use_the_whole_series():
    y = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5] + [9, 9, 10, 9, 8, 9, 10, 9]
    d = qikit.spc(y=y, chart="i", freeze=12).data
    assert d.cl.iloc[-1] == pytest.approx(69 / 12)
    assert d.ucl.iloc[-1] == pytest.approx(69 / 12 + 3 * (12 / 11) / 1.128)
    assert d.baseline.tolist() == [True] * 12 + [False] * 8
    assert d.n_useful.iloc[0] == 20  # runs analysis over all 20 points
    assert d.runs_signal.all()


def test_freeze_is_ignored_with_part():
    with pytest.warns(QIWarning, match="freeze is ignored"):
        res = qikit.spc(y=I_SERIES * 2, chart="i", part=[12], freeze=6)
    assert res.options["freeze"] is None


def test_exclude_leaves_point_out_of_limits_but_tests_it():
    # excluding x = 5 (the 30): mean of the other 11 = 127 / 11 = 11.545455;
    # moving ranges bridge the excluded point: 2,1,2,1,1,1,2,1,2,1 (13 - 12 = 1 across the gap) = 14 / 10
    with pytest.warns(ProvisionalLimitsWarning):  # 11 points left for the limits
        d = qikit.spc(y=I_SERIES, chart="i", exclude=[5]).data
    assert d.cl.iloc[0] == pytest.approx(127 / 11)
    assert d.ucl.iloc[0] == pytest.approx(127 / 11 + 3 * 1.4 / 1.128)
    assert not d.include.iloc[4] and d.sigma_signal.iloc[4]
    assert d.n_useful.iloc[0] == 11


def test_missing_values_are_not_bridged_in_moving_ranges():
    # 10, 12, NaN, 11, 13, 12, 11, 12, 13, 12, 11, 12, 13: the 12 values sum to 142 (mean 11.833333).
    # Moving ranges skip the pairs touching the gap: 2, 2, 1, 1, 1, 1, 1, 1, 1, 1 = 12 / 10 = 1.2
    # (bridging the gap would add |11 - 12| = 1 and give 13 / 11).
    d = qikit.spc(y=[10, 12, np.nan, 11, 13, 12, 11, 12, 13, 12, 11, 12, 13], chart="i").data
    assert d.cl.iloc[0] == pytest.approx(142 / 12)
    assert d.ucl.iloc[0] == pytest.approx(142 / 12 + 3 * 1.2 / 1.128)
    assert math.isnan(d.y.iloc[2]) and not d.signal.iloc[2]


def test_fixed_centre_line_and_multiply():
    d = qikit.spc(y=ORANGE_JUICE, n=[50] * 30, chart="p", cl=0.2, multiply=100).data
    assert d.cl.iloc[0] == pytest.approx(20)
    assert d.ucl.iloc[0] == pytest.approx(100 * (0.2 + 3 * math.sqrt(0.2 * 0.8 / 50)))


def test_p_limits_clipped_to_0_and_1():
    d = qikit.spc(y=[1, 0, 2, 1, 0, 1, 2, 1, 0, 1, 1, 2], n=[5] * 12, chart="p").data
    assert (d.lcl == 0).all()  # pbar = 11/60, 3 sigma = 0.52 > pbar


def test_dates_are_sorted_and_duplicates_form_subgroups():
    df = pd.DataFrame({"date": ["2024-03-01", "2024-01-01", "2024-02-01", "2024-01-01"], "v": [3, 1, 2, 5]})
    d = qikit.spc(df, x="date", y="v").data
    assert [t.month for t in d.x] == [1, 2, 3]
    assert d.y.tolist() == [3, 2, 3]  # January = mean(1, 5)


def test_summary_signals_and_repr():
    res = qikit.spc(y=CIRCUIT, chart="c")
    s = res.summary()
    assert s.loc[0, "sigma_signals"] == 2 and s.loc[0, "points"] == 26
    sig = res.signals
    assert sig.loc[sig.rule == "beyond_limits", "x"].tolist() == [6, 20]
    assert "c chart" in repr(res) and "<table" in res._repr_html_()
    text = res.explain()
    assert "Point 6 (6) is below the lower control limit (5 against 6.48). Point 20 (20) is above the upper " \
           "control limit (39 against 33.2). These are special cause variation" in text
    assert "c chart" in res.describe() and "2 points marked as signals" in res.describe()


def test_result_is_immutable():
    res = qikit.spc(y=CIRCUIT, chart="c")
    with pytest.raises(AttributeError):
        res.chart = "u"


# ------------------------------------------------------------------------------------------ rule sets

def test_rule_sets_are_selectable():
    y = [10, 11, 10, 11, 10, 11, 10, 11, 12, 12.5, 12.2, 12.4, 12.6, 12.3, 12.5, 12.4, 12.6, 12.2, 10, 11]
    weco = qikit.spc(y=y, chart="i", rules="weco")
    assert weco.options["rules"] == "weco"
    from qikit.stats import rules

    assert set(weco.signals.rule) <= {r.code for r in rules.RULE_SETS["weco"]}
    assert not weco.signals.empty


def test_unknown_rule_set():
    with pytest.raises(QIDataError, match="anhoej"):
        qikit.spc(y=CIRCUIT, chart="c", rules="westgard")


# ------------------------------------------------------------------------------------------ bad input

def test_unknown_chart_lists_the_valid_ones():
    with pytest.raises(QIDataError, match="run, i, mr, xbar, s, t, p, pp, c, u, up, g"):
        qikit.spc(y=[1, 2, 3], chart="np")


def test_text_in_y_names_column_and_rows():
    df = pd.DataFrame({"m": range(5), "falls": ["3", "4", "five", "2", "n/a"]})
    with pytest.raises(QIDataError) as e:
        qikit.spc(df, x="m", y="falls", chart="c")
    assert e.value.column == "falls" and e.value.rows == [2, 4]
    assert "'five'" in str(e.value)


def test_text_in_n():
    df = pd.DataFrame({"y": [1, 2], "n": [10, "ten"]})
    with pytest.raises(QIDataError) as e:
        qikit.spc(df, y="y", n="n", chart="p")
    assert e.value.column == "n" and e.value.rows == [1]


def test_negative_counts():
    with pytest.raises(QIDataError, match="negative") as e:
        qikit.spc(pd.DataFrame({"falls": [3, -1, 2]}), y="falls", chart="c")
    assert e.value.rows == [1] and e.value.column == "falls"


def test_numerator_above_denominator():
    df = pd.DataFrame({"ok": [8, 12, 9], "pts": [10, 10, 10]})
    with pytest.raises(QIDataError, match="larger than their denominators") as e:
        qikit.spc(df, y="ok", n="pts", chart="p")
    assert e.value.column == "ok" and e.value.rows == [1]


def test_zero_denominator():
    df = pd.DataFrame({"y": [1, 2, 0, 3], "n": [10, 0, 10, 0]})
    with pytest.raises(QIDataError, match="0 as a denominator") as e:
        qikit.spc(df, y="y", n="n", chart="u")
    assert e.value.column == "n" and e.value.rows == [1, 3]


def test_missing_denominator():
    df = pd.DataFrame({"y": [1, 2, 3], "n": [10, np.nan, 10]})
    with pytest.raises(QIDataError, match="missing denominator") as e:
        qikit.spc(df, y="y", n="n", chart="p")
    assert e.value.rows == [1]


def test_denominator_required():
    with pytest.raises(QIDataError, match="needs a denominator"):
        qikit.spc(y=[1, 2, 3], chart="p")


def test_too_few_points_for_limits():
    with pytest.raises(QIDataError, match="at least 2"):
        qikit.spc(y=[5.0], chart="i")


def test_fewer_than_12_points_warns_provisional():
    with pytest.warns(ProvisionalLimitsWarning, match="provisional"):
        qikit.spc(y=[1, 2, 3, 2, 1, 2, 3, 2], chart="i")


@pytest.mark.parametrize("part", [[0], [26], [3.5], ["a"]])
def test_part_out_of_range(part):
    with pytest.raises(QIDataError, match="part"):
        qikit.spc(y=CIRCUIT, chart="c", part=part)


@pytest.mark.parametrize("freeze", [1, 27, 2.5])
def test_freeze_out_of_range(freeze):
    with pytest.raises(QIDataError, match="freeze"):
        qikit.spc(y=CIRCUIT, chart="c", freeze=freeze)


def test_exclude_value_not_in_x():
    with pytest.raises(QIDataError, match="exclude=99") as e:
        qikit.spc(y=CIRCUIT, chart="c", exclude=[99])
    assert e.value.column == "x"


def test_missing_column():
    with pytest.raises(QIDataError, match="'fals' is not a column.*'falls'"):
        qikit.spc(pd.DataFrame({"falls": [1, 2]}), y="fals")


def test_bad_dates_named():
    df = pd.DataFrame({"d": ["2024-01-01", "2024-02-01", "2024-13-45", "2024-04-01", "2024-05-01"], "v": range(5)})
    with pytest.raises(QIDataError, match="could not be read as dates") as e:
        qikit.spc(df, x="d", y="v")
    assert e.value.rows == [2]


def test_missing_x():
    df = pd.DataFrame({"d": [1, 2, None, 4], "v": range(4)})
    with pytest.raises(QIDataError, match="every row needs an x") as e:
        qikit.spc(df, x="d", y="v")
    assert e.value.rows == [2]


def test_t_chart_refuses_zero_times():
    with pytest.raises(QIDataError, match="above 0") as e:
        qikit.spc(y=[3, 0, 5], chart="t")
    assert e.value.rows == [1]


def test_multiply_must_be_positive():
    with pytest.raises(QIDataError, match="multiply"):
        qikit.spc(y=CIRCUIT, chart="c", multiply=0)


def test_facets_are_charted_separately():
    # Two wards: each gets its own centre line and limits, as if charted alone.
    df = pd.DataFrame({"ward": ["A"] * 26 + ["B"] * 11, "wk": list(range(26)) + list(range(11)),
                       "falls": CIRCUIT + I_SERIES[:11]})
    with pytest.warns(ProvisionalLimitsWarning, match="part 1 of B"):
        res = qikit.spc(df, x="wk", y="falls", chart="c", facet="ward")
    d = res.data
    assert d.facet.tolist() == ["A"] * 26 + ["B"] * 11
    assert d.cl.iloc[0] == pytest.approx(516 / 26)
    assert d.cl.iloc[-1] == pytest.approx(145 / 11)
    assert res.summary()[["facet", "part"]].values.tolist() == [["A", 1], ["B", 1]]
    sig = res.signals
    assert sig.loc[(sig.facet == "A") & (sig.rule == "beyond_limits"), "x"].tolist() == [5, 19]
    assert "A: Point 6" in res.explain()


def test_a_plain_list_is_y():
    with pytest.warns(ProvisionalLimitsWarning):
        d = qikit.spc([1, 2, 3, 4, 5, 4, 3, 2], chart="i").data
    assert d.y.tolist() == [1, 2, 3, 4, 5, 4, 3, 2] and d.x.tolist() == list(range(1, 9))
    with pytest.raises(QIDataError, match="DataFrame"):
        qikit.spc({"y": [1, 2]}, y="y")


def test_no_signal_sentence_gives_the_numbers():
    text = qikit.spc(y=[3, 5, 4, 6, 2, 7, 5, 4, 6, 3]).explain()
    assert text.startswith("No signal: the variation looks like common cause variation only. The longest run is 2 "
                           "points (more than 6 would signal) and the line crosses the centre line 8 times (fewer "
                           "than 2 would signal).")
    assert "No point lies outside" not in text  # a run chart has no limits


def test_describe_mentions_a_whole_pattern_signal_and_freeze_wording():
    # 20 points alternating in long blocks: too few crossings is a signal of the pattern, not of single points
    y = [1] * 5 + [3] * 5 + [1] * 5 + [3] * 5
    res = qikit.spc(y=[v + 0.01 * i for i, v in enumerate(y)])
    assert res.signals.rule.tolist().count("anhoej_crossings") == 1
    assert "The pattern as a whole signals: too few crossings." in res.describe()
    assert "No signals" not in res.describe()
    frozen = qikit.spc(y=[3, 5, 4, 6, 2, 7, 5, 4, 6, 3, 4, 5], freeze=10)
    assert "The centre line comes from the first 10 points (the baseline)." in frozen.explain()


def test_a_shift_runs_on_across_points_on_the_centre_line():
    # 10 high values, then 10 low values with a 5 as the 12th point: the median of the 21 values is 5, so
    # point 12 sits on it. Useful points: 20; Anhøj limit round(log2 20) + 3 = 7. Points 11-21 are a run of
    # 10 useful points below the line, reported once, not split at the point on the median.
    y = [7, 8, 6, 7, 9, 8, 7, 6, 8, 7, 3, 5, 2, 4, 3, 2, 4, 3, 4, 2, 3]
    res = qikit.spc(y=y)
    assert res.data.cl.iloc[0] == 5
    text = res.explain()
    assert "Points 1-10 (1 to 10) form a run of 10 points above the centre line;" in text
    assert "Points 11-21 (11 to 21) form a run of 10 points below the centre line (not counting 1 on the line); " \
           "with 20 useful points a run longer than 7 is unlikely to be chance: this is a shift." in text
    assert "run of 1 " not in text


def test_x_labels_pick_one_style_for_the_series_and_format_on_demand():
    from qikit.stats.result import XLabels

    def format_x(values, kind):
        return list(XLabels(values, kind))

    months = XLabels(pd.date_range("2020-01-01", periods=14, freq="MS"), "datetime")
    assert (months[0], months[-1], len(months)) == ("Jan 2020", "Feb 2021", 14)
    # one date not on the 1st makes the whole series daily
    days = pd.DatetimeIndex(["2020-03-01", "2020-04-01", "2020-04-07"])
    assert format_x(days, "datetime") == ["1 Mar 2020", "1 Apr 2020", "7 Apr 2020"]
    stamps = pd.Series(pd.to_datetime(["2021-05-02 00:00", "2021-05-02 14:30"]))
    assert format_x(stamps, "datetime") == ["2 May 2021 00:00", "2 May 2021 14:30"]
    assert format_x(np.array([1.5, 2.0]), "number") == ["1.5", "2"]
    assert XLabels(["Ward A", "Ward B"], "categorical")[1] == "Ward B"
