"""Teaching simulations: reproducibility, injected special causes, red beads, funnel rules, PDSA tests."""


import numpy as np
import pandas as pd
import pytest

from qikit import simulate
from qikit.errors import QIDataError


# -- process data ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [simulate.common_cause, simulate.shift, simulate.trend, simulate.outlier])
def test_same_seed_same_data(make):
    pd.testing.assert_frame_equal(make(seed=11), make(seed=11))
    assert not make(seed=11)["value"].equals(make(seed=12)["value"])


def test_common_cause_shape_and_dates():
    df = simulate.common_cause(n=12, mean=50, sd=5, start="2024-04-01", freq="MS", seed=1)
    assert df.columns.tolist() == ["date", "value", "special"]
    assert df["date"].iloc[[0, -1]].tolist() == [pd.Timestamp("2024-04-01"), pd.Timestamp("2025-03-01")]
    assert not df["special"].any()


def test_common_cause_has_the_chosen_mean_and_sd():
    values = simulate.common_cause(n=5000, mean=100, sd=10, seed=3)["value"]
    # Standard error of the mean: 10 / sqrt(5000) = 0.141; allow four of them.
    assert abs(values.mean() - 100) < 4 * 10 / np.sqrt(5000)
    # Standard error of the sd: about 10 / sqrt(2 x 5000) = 0.1; allow five.
    assert abs(values.std() - 10) < 0.5


def test_shift_is_the_common_cause_series_plus_a_step():
    base = simulate.common_cause(n=40, mean=100, sd=10, seed=7)
    moved = simulate.shift(n=40, at=25, size=2, mean=100, sd=10, seed=7)
    added = (moved["value"] - base["value"]).to_numpy()
    assert np.allclose(added[:25], 0) and np.allclose(added[25:], 20)  # 2 sd of 10
    assert moved["special"].tolist() == [False] * 25 + [True] * 15


def test_trend_adds_a_growing_drift():
    base = simulate.common_cause(n=10, sd=2, seed=3)
    drift = simulate.trend(n=10, at=6, slope=0.5, sd=2, seed=3)
    # slope 0.5 sd = 1.0 per point from position 6: 1, 2, 3, 4.
    assert np.allclose(drift["value"] - base["value"], [0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
    assert drift["special"].sum() == 4


def test_outlier_moves_one_point():
    base = simulate.common_cause(n=20, seed=2)
    odd = simulate.outlier(n=20, at=12, size=-5, seed=2)
    added = odd["value"] - base["value"]
    assert np.isclose(added[12], -50) and np.allclose(added.drop(12), 0)
    assert odd.index[odd["special"]].tolist() == [12]


@pytest.mark.parametrize("kwargs, words", [
    (dict(n=0), "n=0 must be a whole number, 1 or more"),
    (dict(sd=0), "sd=0 must be above 0"),
    (dict(sd=float("nan")), "sd=nan must be a number"),
    (dict(seed=-1), "seed=-1"),
    (dict(freq="fortnightly"), "cannot make dates"),
])
def test_common_cause_refuses_bad_arguments(kwargs, words):
    with pytest.raises(QIDataError, match=words):
        simulate.common_cause(**kwargs)


def test_special_cause_position_must_be_inside_the_series():
    with pytest.raises(QIDataError, match="at=52 is beyond the series"):
        simulate.shift(n=52, at=52)
    with pytest.raises(QIDataError, match="at=-1"):
        simulate.outlier(at=-1)


# -- PDSA test --------------------------------------------------------------------------------------
def test_pdsa_test_measurement_levels():
    df = simulate.pdsa_test(baseline=240, effect=-30, noise=20, before=2000, after=2000, seed=5)
    means = df.groupby("phase")["value"].mean()
    se = 20 / np.sqrt(2000)  # 0.45 minutes
    assert abs(means["before"] - 240) < 4 * se and abs(means["after"] - 210) < 4 * se
    assert df["phase"].tolist()[1999:2001] == ["before", "after"]


def test_pdsa_test_proportion_counts():
    df = simulate.pdsa_test(baseline=0.18, effect=0.12, n=25, before=26, after=26, seed=4)
    assert df.columns.tolist() == ["date", "phase", "events", "n", "value"]
    assert ((df["events"] >= 0) & (df["events"] <= 25)).all()
    assert np.allclose(df["value"], df["events"] / 25)
    pd.testing.assert_frame_equal(df, simulate.pdsa_test(baseline=0.18, effect=0.12, n=25, before=26,
                                                         after=26, seed=4))
    big = simulate.pdsa_test(baseline=0.18, effect=0.12, n=1000, before=200, after=200, seed=6)
    rates = big.groupby("phase")["events"].sum() / (200 * 1000)
    # Standard error of each pooled proportion: sqrt(0.3 x 0.7 / 200000) = 0.001.
    assert abs(rates["before"] - 0.18) < 0.005 and abs(rates["after"] - 0.30) < 0.005


def test_pdsa_test_refuses_bad_choices():
    with pytest.raises(QIDataError, match="exactly one of noise= .* or n="):
        simulate.pdsa_test(baseline=0.2, effect=0.1)
    with pytest.raises(QIDataError, match="exactly one"):
        simulate.pdsa_test(baseline=0.2, effect=0.1, noise=1, n=20)
    with pytest.raises(QIDataError, match=r"baseline \+ effect = 1.1, but a proportion must lie between 0 and 1"):
        simulate.pdsa_test(baseline=0.9, effect=0.2, n=20)
    with pytest.raises(QIDataError, match="after=0"):
        simulate.pdsa_test(baseline=10, effect=1, noise=1, after=0)


# -- red beads ---------------------------------------------------------------------------------------
def test_red_beads_default_is_demings_set_up():
    beads = simulate.red_beads(seed=2024)
    assert beads.columns.tolist() == ["draw", "day", "worker", "red", "paddle", "proportion"]
    assert len(beads) == 24 and beads["worker"].nunique() == 6 and beads["day"].max() == 4
    assert beads.loc[:5, "worker"].tolist() == [f"Worker {i}" for i in range(1, 7)]
    assert (beads["paddle"] == 50).all() and np.allclose(beads["proportion"], beads["red"] / 50)
    pd.testing.assert_frame_equal(beads, simulate.red_beads(seed=2024))


def test_red_bead_proportions_centre_on_the_true_proportion():
    beads = simulate.red_beads(workers=10, days=500, seed=1)
    # Hypergeometric: mean 50 x 800/4000 = 10; variance 50 x 0.2 x 0.8 x (4000 - 50)/(4000 - 1) = 7.902.
    assert abs(beads["red"].mean() - 10) < 4 * np.sqrt(7.902 / 5000)  # 4 standard errors = 0.16
    assert abs(beads["red"].var() - 7.902) < 0.8
    assert abs(beads["proportion"].mean() - 0.2) < 0.004


def test_red_bead_variation_belongs_to_the_system_not_the_worker():
    beads = simulate.red_beads(workers=["Ann", "Bo", "Cy", "Di", "Ed", "Flo"], days=500, seed=9)
    # Every worker's long-run mean is the system's mean: within 4 standard errors, sqrt(7.902/500) = 0.126.
    by_worker = beads.groupby("worker")["red"].mean()
    assert (abs(by_worker - 10) < 4 * 0.126).all()
    # p chart limits 0.2 +/- 3 sqrt(0.2 x 0.8 / 50) = 0.030 to 0.370: almost every draw falls inside.
    half_width = 3 * np.sqrt(0.2 * 0.8 / 50)
    outside = (beads["proportion"] - 0.2).abs() > half_width
    assert outside.mean() < 0.01


def test_red_beads_refuses_impossible_set_ups():
    with pytest.raises(QIDataError, match="paddle holds 60 beads but the bowl has only 50"):
        simulate.red_beads(paddle=60, red=10, white=40)
    with pytest.raises(QIDataError, match="different names"):
        simulate.red_beads(workers=["Ann", "Ann"])
    with pytest.raises(QIDataError, match="workers=0"):
        simulate.red_beads(workers=0)


# -- funnel ------------------------------------------------------------------------------------------
def test_funnel_rules_move_the_funnel_as_deming_defined_them():
    target = (5.0, -2.0)
    runs = {rule: simulate.funnel_experiment(rule=rule, drops=30, target=target, seed=8) for rule in (1, 2, 3, 4)}
    for run in runs.values():  # the first drop is always made with the funnel over the target
        assert (run["funnel_x"].iloc[0], run["funnel_y"].iloc[0]) == target
    fx = {r: run["funnel_x"].to_numpy() for r, run in runs.items()}
    zx = {r: run["x"].to_numpy() - target[0] for r, run in runs.items()}  # landing relative to target
    assert np.allclose(fx[1], target[0])                                       # rule 1: never moved
    assert np.allclose(fx[2][1:] - target[0], (fx[2][:-1] - target[0]) - zx[2][:-1])  # f = f - z
    assert np.allclose(fx[3][1:] - target[0], -zx[3][:-1])                     # f = -z
    assert np.allclose(fx[4][1:], runs[4]["x"].to_numpy()[:-1])                # f = last landing
    # The same seed gives the same random errors under every rule.
    errors = [run["x"] - run["funnel_x"] for run in runs.values()]
    assert all(np.allclose(errors[0], e) for e in errors[1:])


def test_funnel_rule_one_has_the_smallest_variance():
    spread = {rule: (simulate.funnel_experiment(rule=rule, drops=2000, seed=21)["distance"] ** 2).mean()
              for rule in (1, 2, 3, 4)}
    assert min(spread, key=spread.get) == 1
    # Rule 1: E[d^2] = 2 sd^2 = 2; rule 2 doubles it to 4 (each landing is the difference of two errors).
    assert abs(spread[1] - 2) < 0.2
    assert 1.8 < spread[2] / spread[1] < 2.2


def test_funnel_rules_three_and_four_grow_without_limit():
    # Var(z_k) = k sd^2 under rules 3 and 4: at drop 100, E[x^2] = 100, and at drop 10 it is 10.
    for rule in (3, 4):
        at_10 = np.array([simulate.funnel_experiment(rule=rule, drops=100, seed=s)["x"].iloc[[9, 99]].to_numpy()
                          for s in range(300)])
        second_moment = (at_10 ** 2).mean(axis=0)
        assert abs(second_moment[0] - 10) < 3 and abs(second_moment[1] - 100) < 30


def test_funnel_refuses_bad_arguments():
    with pytest.raises(QIDataError, match="rules 1, 2, 3 and 4"):
        simulate.funnel_experiment(rule=5)
    with pytest.raises(QIDataError, match="drops=0"):
        simulate.funnel_experiment(drops=0)
    with pytest.raises(QIDataError, match="pair of numbers"):
        simulate.funnel_experiment(target=3)
