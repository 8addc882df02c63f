"""Property tests for qikit.mdc() (hypothesis).

A slow reference written point by point, following the windows of NHSRplotthedots 0.2.2
(ptd_seven_point_trend, ptd_two_in_three, ptd_seven_point_one_side_mean) and the precedence and
direction rules of qikit's brief, is compared with the vectorised engine on random series with
ties, gaps, facets and rebase segments. Other properties: limits do not depend on row order,
scaling y scales mean and limits, and every point flagged beyond the limits is strictly beyond.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qikit import ProvisionalLimitsWarning
from qikit.stats.mdc import mdc

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def quiet_mdc(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalLimitsWarning)
        return mdc(*args, **kw)


# ---------------------------------------------------------------------------------------------
# Reference, one point at a time
# ---------------------------------------------------------------------------------------------


def reference_segment(y: list[float], fix_after: int | None, screen: bool):
    """(mean, amr, rules, directions) for one segment, by plain loops."""
    base = y if fix_after is None else y[:fix_after]
    vals = [v for v in base if not math.isnan(v)]
    mean = sum(vals) / len(vals)
    mrs = [abs(base[i] - base[i - 1]) for i in range(1, len(base))
           if not (math.isnan(base[i]) or math.isnan(base[i - 1]))]
    amr = sum(mrs) / len(mrs)
    if screen and amr > 0:
        kept = [m for m in mrs if m < 3.267 * amr]
        amr = sum(kept) / len(kept)
    lpl, upl = mean - 2.66 * amr, mean + 2.66 * amr
    lpl2, upl2 = mean - 2 * 2.66 / 3 * amr, mean + 2 * 2.66 / 3 * amr
    n = len(y)

    def ok(v):
        return not math.isnan(v)

    side = [0 if not ok(v) or v == mean else (1 if v > mean else -1) for v in y]
    beyond = [1 if ok(v) and v > upl else (-1 if ok(v) and v < lpl else 0) for v in y]
    close = [ok(v) and beyond[i] == 0 and (v > upl2 or v < lpl2) for i, v in enumerate(y)]
    trend = [0] * n
    for end in range(6, n):  # earlier trends first: the tip of a V keeps the trend it ends
        w = y[end - 6:end + 1]
        if not all(ok(v) for v in w):
            continue
        if all(w[k + 1] > w[k] for k in range(6)):
            d = 1
        elif all(w[k + 1] < w[k] for k in range(6)):
            d = -1
        else:
            continue
        for k in range(end - 6, end + 1):
            if trend[k] == 0:
                trend[k] = d
    two = [0] * n
    for s in range(n - 2):
        idx = (s, s + 1, s + 2)
        if sum(close[i] for i in idx) >= 2 and abs(sum(side[i] for i in idx)) == 3:
            for i in idx:
                if close[i]:
                    two[i] = side[i]
    shift = [0] * n
    for end in range(6, n):
        w = side[end - 6:end + 1]
        if w[0] != 0 and all(v == w[0] for v in w):
            for k in range(end - 6, end + 1):
                shift[k] = w[0]
    rules, dirs = [], []
    for i in range(n):
        for name, found in (("beyond_limits", beyond), ("trend", trend), ("two_in_three", two), ("shift", shift)):
            if found[i] != 0:
                rules.append(name)
                dirs.append(found[i])
                break
        else:
            rules.append(None)
            dirs.append(0)
    return mean, amr, rules, dirs


value = st.one_of(st.integers(0, 6).map(float), st.just(float("nan")))


@st.composite
def segmented_series(draw):
    """Facets, each a list of segments, each a list of values with two neighbouring values first."""
    n_facets = draw(st.integers(1, 3))
    facets = []
    for _ in range(n_facets):
        segs = []
        for _ in range(draw(st.integers(1, 3))):
            head = draw(st.lists(st.integers(0, 6).map(float), min_size=2, max_size=2))
            tail = draw(st.lists(value, min_size=0, max_size=20))
            segs.append(head + tail)
        facets.append(segs)
    return facets


def build(facets):
    rows, rebase = [], {}
    for f, segs in enumerate(facets):
        t = 0
        for k, seg in enumerate(segs):
            if k > 0:
                rebase.setdefault(f"F{f}", []).append(t)
            for v in seg:
                rows.append((f"F{f}", t, v))
                t += 1
    df = pd.DataFrame(rows, columns=["facet", "t", "y"])
    return df, rebase


@SETTINGS
@given(segmented_series(), st.booleans(), st.sampled_from(["increase", "decrease", "neutral"]))
def test_engine_matches_point_by_point_reference(facets, screen, improvement):
    df, rebase = build(facets)
    res = quiet_mdc(df, x="t", y="y", facet="facet", rebase=rebase or None, screen_mr=screen,
                    improvement=improvement)
    d = res.data
    pos = 0
    for segs in facets:
        for seg in segs:
            mean, amr, rules, dirs = reference_segment(seg, None, screen)
            part = d.iloc[pos:pos + len(seg)]
            np.testing.assert_allclose(part["mean"], mean, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(part["upl"], mean + 2.66 * amr, rtol=1e-12, atol=1e-12)
            assert [None if pd.isna(r) else r for r in part["rule"]] == rules
            assert part["direction"].tolist() == dirs
            pos += len(seg)
    # point types follow the direction and the improvement
    flagged = d["rule"].notna()
    sign = {"increase": 1, "decrease": -1, "neutral": 0}[improvement]
    expect = np.where(~flagged, "common_cause",
                      np.where(d["direction"] > 0, "special_cause_neutral_high", "special_cause_neutral_low")
                      if sign == 0 else
                      np.where(d["direction"] * sign > 0, "special_cause_improvement", "special_cause_concern"))
    has_value = d["y"].notna()
    assert (d.loc[has_value, "point_type"].astype(str) == expect[has_value.to_numpy()]).all()
    assert d.loc[~has_value, "point_type"].isna().all()


@SETTINGS
@given(st.lists(st.integers(0, 9).map(float), min_size=4, max_size=40), st.integers(2, 10))
def test_fix_after_matches_reference(y, fix_after):
    assume(fix_after <= len(y))
    res = quiet_mdc(None, x=list(range(len(y))), y=y, fix_after=fix_after)
    mean, amr, rules, _ = reference_segment(y, fix_after, True)
    assert res.data["mean"].iloc[0] == pytest.approx(mean, abs=1e-12)
    assert res.data["upl"].iloc[0] == pytest.approx(mean + 2.66 * amr, abs=1e-12)
    assert [None if pd.isna(r) else r for r in res.data["rule"]] == rules


@SETTINGS
@given(segmented_series(), st.randoms(use_true_random=False))
def test_limits_do_not_depend_on_row_order(facets, rnd):
    df, rebase = build(facets)
    a = quiet_mdc(df, x="t", y="y", facet="facet", rebase=rebase or None)
    order = list(range(len(df)))
    rnd.shuffle(order)
    b = quiet_mdc(df.iloc[order], x="t", y="y", facet="facet", rebase=rebase or None)
    for col in ["mean", "lpl", "upl", "lpl_2s", "upl_2s", "mr"]:
        np.testing.assert_allclose(a.data[col], b.data[col], rtol=1e-12, atol=1e-12)
    assert a.data["point_type"].astype(str).tolist() == b.data["point_type"].astype(str).tolist()
    assert b.data["row"].tolist() == list(range(len(df)))


@SETTINGS
@given(segmented_series(), st.integers(-6, 6))
def test_scaling_by_a_power_of_two_scales_exactly(facets, k):
    # multiplying by 2**k is exact in floating point, so every comparison keeps its outcome
    c = 2.0 ** k
    df, rebase = build(facets)
    a = quiet_mdc(df, x="t", y="y", facet="facet", rebase=rebase or None)
    b = quiet_mdc(df.assign(y=df["y"] * c), x="t", y="y", facet="facet", rebase=rebase or None)
    for col in ["mean", "lpl", "upl"]:
        np.testing.assert_array_equal(b.data[col], a.data[col] * c)
    assert a.data["point_type"].astype(str).tolist() == b.data["point_type"].astype(str).tolist()


@SETTINGS
@given(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=40), st.floats(0.01, 100))
def test_scaling_by_any_positive_number_scales_mean_and_limits(y, c):
    assume(len(set(y)) > 1)
    a = quiet_mdc(None, x=list(range(len(y))), y=y, screen_mr=False)
    b = quiet_mdc(None, x=list(range(len(y))), y=[v * c for v in y], screen_mr=False)
    for col in ["mean", "lpl", "upl"]:
        np.testing.assert_allclose(b.data[col], a.data[col] * c, rtol=1e-9, atol=1e-9 * c)


@SETTINGS
@given(segmented_series())
def test_beyond_limits_means_strictly_beyond(facets):
    df, rebase = build(facets)
    d = quiet_mdc(df, x="t", y="y", facet="facet", rebase=rebase or None).data
    flagged = (d["rule"] == "beyond_limits").to_numpy()
    strictly = ((d["y"] > d["upl"]) | (d["y"] < d["lpl"])).to_numpy()
    assert (flagged == strictly).all()
