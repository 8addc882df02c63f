"""Spread: Rogers' adopter categories, the Bass diffusion model and the spread-readiness checklist."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qikit.errors import QIDataError
from qikit.improve import (
    ADOPTER_CATEGORIES,
    SPREAD_FACTORS,
    SpreadReadiness,
    adopter_categories,
    bass,
    classify_adopters,
)


def test_rogers_percentages():
    assert [(c.name, c.percent) for c in ADOPTER_CATEGORIES] == [
        ("innovators", 2.5), ("early adopters", 13.5), ("early majority", 34.0), ("late majority", 34.0),
        ("laggards", 16.0)]


def test_rogers_percentages_are_rounded_normal_areas():
    # Cut points at mean - 2sd, mean - sd, mean, mean + sd: areas 2.3, 13.6, 34.1, 34.1, 15.9 percent.
    phi = [0.5 * (1 + math.erf(z / math.sqrt(2))) for z in (-2, -1, 0, 1)]
    areas = np.diff([0, *phi, 1]) * 100
    assert np.allclose(areas, [c.percent for c in ADOPTER_CATEGORIES], atol=0.25)


def test_expected_counts_for_forty_wards():
    # 40 x (2.5, 13.5, 34, 34, 16)% = 1.0, 5.4, 13.6, 13.6, 6.4 -> floors 1, 5, 13, 13, 6 (38);
    # the two leftover wards go to the largest remainders (0.6, 0.6): early and late majority.
    assert adopter_categories(40)["expected"].tolist() == [1, 5, 14, 14, 6]


@pytest.mark.parametrize("n", [0, 1, 7, 23, 100, 211])
def test_expected_counts_add_up(n):
    assert adopter_categories(n)["expected"].sum() == n


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_expected_counts_always_add_up_and_stay_within_one_of_exact(n):
    table = adopter_categories(n)
    assert table["expected"].sum() == n
    assert (abs(table["expected"] - table["percent"] * n / 100) < 1).all()


@settings(max_examples=60, deadline=None)
@given(p=st.floats(0.001, 1.0), q=st.floats(0.0, 2.0), m=st.floats(1.0, 1e4), periods=st.integers(1, 60))
def test_bass_curve_is_an_s_curve_bounded_by_m(p, q, m, periods):
    curve = bass(p=p, q=q, m=m, periods=periods)
    assert (curve["new"] >= -1e-9 * m).all()  # adoption never reverses
    assert (curve["cumulative"] <= m * (1 + 1e-12)).all()
    assert np.allclose(curve["from_innovation"] + curve["from_imitation"], curve["new"])
    assert (curve["from_innovation"] >= -1e-9 * m).all()


def test_adopter_categories_refuses_a_bad_n():
    with pytest.raises(QIDataError, match="whole number of units"):
        adopter_categories(2.5)


def test_classify_adopters_by_standard_deviations():
    # Months of adoption for ten wards: mean 5.6, sample sd sqrt(40.4 / 9) = 2.1187.
    # Cut points: 1.36, 3.48, 5.6, 7.72. Month 9 is at or beyond mean + sd: laggard.
    months = [1, 4, 5, 5, 6, 6, 6, 7, 7, 9]
    assert classify_adopters(months).tolist() == [
        "innovators", "early majority", "early majority", "early majority", "late majority", "late majority",
        "late majority", "late majority", "late majority", "laggards"]


def test_classify_adopters_keeps_index_dates_and_not_yet_adopted():
    dates = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-15", None, "2024-06-01"]),
                      index=["W1", "W2", "W3", "W4", "W5"])
    result = classify_adopters(dates)
    assert result.index.tolist() == ["W1", "W2", "W3", "W4", "W5"]
    assert result["W4"] is None
    with pytest.raises(QIDataError, match="at least two units"):
        classify_adopters([3])
    with pytest.raises(QIDataError, match="numbers .* or dates"):
        classify_adopters(["soon", "later"])


def test_bass_closed_form_hand_computed():
    # p = 0.1, q = 0.5, t = 1: F = (1 - e^-0.6) / (1 + 5 e^-0.6) = 0.451188 / 3.744058 = 0.120508.
    curve = bass(p=0.1, q=0.5, m=100, periods=3)
    assert math.isclose(curve["fraction"].iloc[0], 0.120508, abs_tol=1e-6)
    assert math.isclose(curve["cumulative"].iloc[0], 12.0508, abs_tol=1e-4)
    assert curve["period"].tolist() == [1, 2, 3]
    assert np.allclose(curve["new"].cumsum(), curve["cumulative"])


def test_bass_share_from_innovation_matches_the_known_total():
    # Over the whole diffusion, the share adopting through innovation is (p/q) ln(1 + q/p):
    # p = 0.03, q = 0.38: (0.03/0.38) x ln(13.667) = 0.078947 x 2.61496 = 0.206444.
    curve = bass(p=0.03, q=0.38, m=100, periods=300)
    assert math.isclose(curve["from_innovation"].sum(), 20.6444, abs_tol=1e-3)
    assert np.allclose(curve["from_innovation"] + curve["from_imitation"], curve["new"])
    assert (curve["from_innovation"] >= 0).all() and (curve["from_imitation"] >= -1e-12).all()


def test_bass_s_curve_peaks_at_the_published_time():
    # t* = ln(q/p) / (p + q) = ln(12.667) / 0.41 = 6.19: the busiest period is (6, 7].
    curve = bass(p=0.03, q=0.38, m=40, periods=20)
    assert curve.loc[curve["new"].idxmax(), "period"] == 7
    assert curve["cumulative"].is_monotonic_increasing and curve["cumulative"].iloc[-1] < 40


def test_bass_without_imitation_is_exponential():
    # q = 0: F(t) = 1 - e^(-p t); p = 0.2, t = 1: 0.181269; every adoption is from innovation.
    curve = bass(p=0.2, q=0, m=1, periods=2)
    assert math.isclose(curve["fraction"].iloc[0], 0.181269, abs_tol=1e-6)
    assert np.allclose(curve["from_imitation"], 0)


@pytest.mark.parametrize("kwargs, words", [
    (dict(p=0, q=0.4, m=10, periods=5), "p=0 must be above 0"),
    (dict(p=1.5, q=0.4, m=10, periods=5), "at most 1"),
    (dict(p=0.03, q=-0.1, m=10, periods=5), "q=-0.1 cannot be negative"),
    (dict(p=0.03, q=0.4, m=0, periods=5), "m=0 must be above 0"),
    (dict(p=0.03, q=0.4, m=10, periods=0), "periods=0 must be a whole number"),
    (dict(p=0.03, q=0.4, m=10, periods=2.5), "periods=2.5"),
    (dict(p="0.03", q=0.4, m=10, periods=5), "p='0.03' must be a number"),
])
def test_bass_refuses_bad_parameters(kwargs, words):
    with pytest.raises(QIDataError, match=words):
        bass(**kwargs)


def test_spread_factors_follow_the_seven_in_the_source():
    assert [f.name for f in SPREAD_FACTORS] == [
        "Leadership support", "Bringing people on the journey", "Sharing the results of pilots",
        "A plan for spread", "Using the organisational structure", "Communications", "Tracking and measuring"]


def test_spread_readiness_lists_the_gaps_in_order():
    ready = SpreadReadiness({"leadership": "yes", "journey": "Partly", "pilot_results": True, "plan": "no",
                             "Using the organisational structure": "yes", "communications": "yes"})
    assert not ready.ready
    assert ready.gaps == ["Bringing people on the journey", "A plan for spread", "Tracking and measuring"]
    summary = ready.summary()
    assert summary["score"].tolist()[:4] == [1.0, 0.5, 1.0, 0.0]
    assert pd.isna(summary["score"].iloc[-1])
    text = ready.explain()
    assert text.splitlines()[0] == "4 of 7 foundations for spread are in place."
    assert "Tracking and measuring (not answered yet)" in text
    everything = SpreadReadiness({f.key: "yes" for f in SPREAD_FACTORS})
    assert everything.ready and everything.explain() == "All seven foundations for spread are in place."


def test_spread_readiness_refuses_unknown_factors_and_answers():
    with pytest.raises(QIDataError, match="'budget' is not one of the seven spread factors"):
        SpreadReadiness({"budget": "yes"})
    with pytest.raises(QIDataError, match="answer 'yes', 'partly' or 'no'") as info:
        SpreadReadiness({"plan": "maybe"})
    assert info.value.column == "plan"
