"""qikit.spc()'s grouped kernel: every facet and part computed in one vectorised pass.

Two kinds of evidence:

* hand-computed cases: two wards whose runs or zone patterns would join across the boundary if the
  parts leaked into each other, with every centre line, limit and run length worked out below;
* an equivalence test against the per-part path qikit used before the grouped kernel (kept here, and
  only here, as ``_per_part_reference``): the same subgroups charted one facet and one part at a time
  through the single-part functions (``ChartSpec.limits`` on one ``Part``, ``runs.anhoej``,
  ``rules.evaluate``), on random data with many facets, parts, missing values, ties, repeated x values
  and zero denominators. Limits, runs columns and findings must be identical, bit for bit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.stats import api, runs
from qikit.stats import rules as rules_mod
from qikit.stats.charts import CHARTS, Part
from qikit.stats.runs import Segments


def _spc(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qikit.QIWarning)
        return qikit.spc(*args, **kwargs)


# ------------------------------------------------------------------------------------------------
# hand-computed cases

def test_runs_do_not_join_across_facets():
    # Each ward: six values below 10 (1-6) and six above (14-19), so its median is (6 + 14) / 2 = 10 and
    # all 12 points are useful. Sides: ward A - + - + - - - - + + + +, ward B + + + + - + - + - - - -:
    # runs of 1, 1, 1, 1, 4, 4 and 4, 1, 1, 1, 1, 4, so the longest run is 4 and there are 5 crossings in
    # each. Limits for 12 useful points: longest run round(log2 12) + 3 = round(3.585) + 3 = 7; fewest
    # crossings qbinom(0.05, 11, 0.5) = 3 (P(X <= 2) = 67/2048 = 0.033, P(X <= 3) = 232/2048 = 0.113).
    # Joined across the boundary, A's last four and B's first four would make one run of 8.
    a = [1, 14, 2, 15, 3, 4, 5, 6, 16, 17, 18, 19]
    b = [16, 17, 18, 19, 1, 14, 2, 15, 3, 4, 5, 6]
    df = pd.DataFrame({"ward": ["A"] * 12 + ["B"] * 12, "t": list(range(12)) * 2, "y": a + b})
    res = _spc(df, x="t", y="y", facet="ward")
    d = res.data
    assert d.cl.tolist() == [10.0] * 24
    assert d.n_useful.tolist() == [12.0] * 24
    assert d.longest_run.tolist() == [4.0] * 24
    assert d.n_crossings.tolist() == [5.0] * 24
    assert d.longest_run_max.tolist() == [7.0] * 24 and d.n_crossings_min.tolist() == [3.0] * 24
    assert not d.runs_signal.any()
    assert res.findings == ()


def test_shift_found_in_one_facet_only_and_points_are_rows_of_data():
    # Ward A: 2, 4 alternating for 12 points (median 3, 11 crossings: nothing). Ward B: 20 points, ten at
    # 9 and ten at 11 (median 10): sides + - + - then nine - then eight +, runs 1, 1, 1, 9, 8. With 20
    # useful points a run longer than round(log2 20) + 3 = round(4.32) + 3 = 7 is a shift, so both the run
    # of 9 (ward B's points 4-12) and the run of 8 (13-20) are flagged; 4 crossings < crossings_limit(20)
    # = 6 (the worked example in runs.crossings_limit) is too few.
    a = [2, 4] * 6
    b = [11, 9, 11, 9] + [9] * 8 + [11] * 8
    df = pd.DataFrame({"ward": ["A"] * 12 + ["B"] * 20, "t": list(range(12)) + list(range(20)), "y": a + b})
    res = _spc(df, x="t", y="y", facet="ward")
    codes = [(f.facet, f.part, f.rule.code) for f in res.findings]
    assert codes == [("B", 1, "anhoej_shift"), ("B", 1, "anhoej_crossings")]
    shift = res.findings[0]
    assert list(shift.points) == list(range(12 + 3, 12 + 20))  # rows of .data: ward B starts at row 12
    assert shift.detail.startswith("The longest run has 9 points")
    assert res.findings[1].part_level and len(res.findings[1].points) == 0
    assert set(res.signals.facet) == {"B"}
    assert res.data.loc[res.data.facet == "A", "rule"].isna().all()


def test_zone_window_does_not_span_two_facets():
    # Two I charts with the same fixed centre line 0 and moving ranges such that sigma = 1.
    # Ward A ends with one point beyond 2 sigma (z = 2.5) and ward B starts with one (z = 2.5):
    # Western Electric rule 2 (2 of 3 beyond 2 sigma, same side) must not see them as one window.
    a = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 2.5]
    b = [2.5, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
    df = pd.DataFrame({"ward": ["A"] * 12 + ["B"] * 12, "t": list(range(12)) * 2, "y": a + b})
    res = _spc(df, x="t", y="y", facet="ward", chart="i", rules="weco", cl=0.0, screen_mr=False)
    assert not any(f.rule.code == "weco2" for f in res.findings)
    # but the same two points inside one ward do fire
    one = _spc(pd.DataFrame({"t": range(24), "y": a + b}), x="t", y="y", chart="i", rules="weco", cl=0.0,
               screen_mr=False)
    assert any(f.rule.code == "weco2" for f in one.findings)


def test_parts_of_each_facet_have_their_own_limits():
    # I chart, two wards, part=[3]: each ward's parts are (10, 12, 14) and (20, 22, 24) -> means 12 and
    # 22, moving ranges 2, 2 -> sigma 2 / 1.128; ward B is ward A + 100.
    a = [10, 12, 14, 20, 22, 24]
    df = pd.DataFrame({"ward": ["A"] * 6 + ["B"] * 6, "t": list(range(6)) * 2, "y": a + [v + 100 for v in a]})
    d = _spc(df, x="t", y="y", facet="ward", chart="i", part=[3]).data
    assert d.part.tolist() == [1, 1, 1, 2, 2, 2] * 2
    assert d.cl.tolist() == [12.0] * 3 + [22.0] * 3 + [112.0] * 3 + [122.0] * 3
    np.testing.assert_allclose(d.ucl - d.cl, 3 * 2 / 1.128, rtol=1e-12)


def test_a_subgroup_with_every_value_missing_is_a_gap_whatever_agg():
    # x = 2 has two rows, both missing: sum, mean, median and SD all give a gap, never 0 (before the
    # grouped kernel agg="sum" gave 0 when another x repeated in the same facet, a gap otherwise).
    df = pd.DataFrame({"t": [1, 2, 2, 3, 3, 4], "y": [5.0, np.nan, np.nan, 7.0, 9.0, 6.0]})
    for agg in ["sum", "mean", "median", "sd"]:
        d = _spc(df, x="t", y="y", agg=agg).data
        assert np.isnan(d.y.iloc[1]), agg
    assert _spc(df, x="t", y="y", agg="sum").data.y.tolist()[2] == 16.0
    assert _spc(df, x="t", y="y", agg="median").data.y.tolist()[2] == 8.0


def test_segment_sums_are_numpys_own_sums_bit_for_bit():
    rng = np.random.default_rng(7)
    sizes = rng.integers(0, 300, 40)
    values = rng.normal(50, 7, int(sizes.sum())) * 1e3
    segs = Segments(np.repeat(np.arange(40), sizes), 40)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    expected = [np.sum(values[a:b]) for a, b in zip(starts[:-1], starts[1:], strict=True)]
    assert segs.sum(values).tolist() == expected
    means = segs.mean(values)
    for i, (a, b) in enumerate(zip(starts[:-1], starts[1:], strict=True)):
        if b > a:
            assert means[i] == np.mean(values[a:b])
            assert segs.median(values)[i] == np.median(values[a:b])
        if b - a > 1:
            assert segs.std(values)[i] == np.std(values[a:b], ddof=1)


# ------------------------------------------------------------------------------------------------
# the per-part path, as qikit computed charts before the grouped kernel: one facet, then one part,
# at a time, through the single-part functions

def _per_part_reference(df, kw):
    spec = CHARTS[kw.get("chart", "run")]
    facet = kw.get("facet")
    keys = list(pd.unique(df[facet])) if facet else [None]
    frames, findings, offset = [], [], 0
    for key in keys:
        sub = df[df[facet] == key] if facet else df
        rows = api._read_rows(sub, kw["x"], kw["y"], kw.get("n"), kw.get("part"), spec)
        zero = np.zeros(len(rows), dtype=np.intp)
        groups, _ = api._subgroups(rows, zero, spec, kw.get("agg", "mean"))
        k = len(groups)
        gf = np.zeros(k, dtype=np.intp)
        part_no, _ = api._parts(groups, kw.get("part"), gf, np.array([k]), np.arange(k))
        include = api._include(groups, kw.get("exclude"), rows.attrs["x_label"], gf, 1)
        freeze = None if kw.get("part") is not None else kw.get("freeze")
        baseline = np.arange(k) < (freeze if freeze is not None else k)
        categorical = rows.attrs["x_kind"] == "categorical"
        do_runs = spec.runs_analysis and not categorical
        cols = {c: np.full(k, np.nan) for c in ["y", "cl", "lcl", "ucl", "n_useful", "longest_run",
                                                 "longest_run_max", "n_crossings", "n_crossings_min"]}
        signal = np.zeros(k, dtype=bool)
        edges = np.concatenate([[0], np.flatnonzero(np.diff(part_no)) + 1, [k]])
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            idx = slice(int(a), int(b))
            base = baseline[idx] & include[idx]
            part = Part(y=groups["value"].to_numpy(float)[idx], n=groups["n"].to_numpy(float)[idx],
                        y_sum=groups["y_sum"].to_numpy(float)[idx], y_len=groups["y_len"].to_numpy(float)[idx],
                        y_sd=groups["y_sd"].to_numpy(float)[idx], base=base, cl=kw.get("cl"),
                        categorical=categorical, screen_mr=kw.get("screen_mr", True))
            lim = spec.limits(part)
            if spec.has_limits and np.sum(base & ~np.isnan(lim.y)) < 2:
                raise qikit.QIDataError("too few points for limits")
            for name in ["y", "cl", "lcl", "ucl"]:
                cols[name][idx] = getattr(lim, name)
            useful = include[idx] & ~np.isnan(lim.y)
            pos = a + np.flatnonzero(useful)
            ra = None
            if do_runs:
                ra = runs.anhoej(lim.y[useful], lim.cl[useful])
                cols["n_useful"][idx] = ra.n_useful
                for name in ["longest_run", "longest_run_max", "n_crossings", "n_crossings_min"]:
                    v = getattr(ra, name)
                    cols[name][idx] = np.nan if v is None else v
            if spec.has_limits:
                tr = lim.transform or (lambda v: v)
                found = rules_mod.evaluate(kw.get("rules", "anhoej"), tr(lim.y[useful]), tr(lim.cl[useful]),
                                           lcl=tr(lim.lcl[useful]), ucl=tr(lim.ucl[useful]),
                                           sigma=lim.sigma[useful], anhoej=ra)
            else:
                found = rules_mod.evaluate(kw.get("rules", "anhoej"), lim.y[useful], lim.cl[useful], anhoej=ra)
            if not do_runs:
                found = [f for f in found if f.rule.code in api.SINGLE_POINT_RULES]
            for f in found:
                signal[pos[f.mask]] = True
                findings.append((key, int(part_no[a]), f.rule.code, [int(p) + offset for p in pos[f.mask]],
                                 f.part_level, f.detail))
        m = kw.get("multiply", 1)
        for name in ["y", "cl", "lcl", "ucl"]:
            cols[name] = cols[name] * m if m != 1 else cols[name]
        cols["signal"] = signal
        frames.append(pd.DataFrame(cols))
        offset += k
    return pd.concat(frames, ignore_index=True), findings


CHART_NAMES = list(CHARTS)


def _random_case(seed: int):
    """Many facets of different lengths; repeated x values (subgroups of several rows); missing values;
    ties with the centre line; zero denominators on rows whose numerator is missing; parts, a frozen
    baseline, an excluded x; every chart type, rule set and x kind."""
    rng = np.random.default_rng(seed)
    chart = CHART_NAMES[seed % len(CHART_NAMES)]
    frames = []
    for f in range(int(rng.integers(2, 25))):
        k = int(rng.integers(8, 30))
        reps = rng.integers(2, 5, k) if chart in ("xbar", "s") else \
            (rng.integers(1, 4, k) if rng.random() < 0.3 else np.ones(k, int))
        xs = np.repeat(np.arange(k), reps)
        m = len(xs)
        n = None
        if chart in ("p", "pp"):
            n = rng.integers(1, 60, m).astype(float)
            y = rng.binomial(n.astype(int), rng.uniform(0.05, 0.6)).astype(float)
        elif chart in ("u", "up"):
            n = rng.uniform(0.5, 30, m).round(1)
            y = rng.poisson(3, m).astype(float)
        elif chart in ("c", "g"):
            y = rng.poisson(rng.uniform(1, 8), m).astype(float)
        elif chart == "t":
            y = np.round(rng.exponential(10, m)) + 1
        else:
            y = rng.integers(0, 5, m).astype(float) if rng.random() < 0.5 else rng.normal(20, 4, m)
        miss = rng.random(m) < 0.06
        miss[:2] = False
        y[miss] = np.nan
        if n is not None:
            n[miss & (rng.random(m) < 0.5)] = 0.0  # allowed: that row has no numerator
        frames.append(pd.DataFrame({"ward": f"W{f}", "x": xs, "y": y, **({"n": n} if n is not None else {})}))
    df = pd.concat(frames, ignore_index=True)
    if rng.random() < 0.4:
        df = df.sample(frac=1, random_state=int(rng.integers(0, 1000)))
    df.index = [f"r{i}" for i in range(len(df))]
    kind = rng.choice(["number", "datetime", "label"])
    if kind == "datetime":
        df["x"] = pd.Timestamp("2022-04-01") + pd.to_timedelta(df["x"] * 7, unit="D")
    elif kind == "label":
        df["x"] = np.array([f"unit {j:02d}" for j in rng.permutation(40)])[df["x"].to_numpy()]
    kw = dict(chart=chart, x="x", y="y", facet="ward", rules=str(rng.choice(["anhoej", "ihi", "weco", "nelson"])))
    if chart in ("run",) and kw["rules"] in ("weco", "nelson"):
        kw["rules"] = "ihi"
    if "n" in df:
        kw["n"] = "n"
    r = rng.random()
    if r < 0.3:
        kw["part"] = [int(rng.integers(2, 5))]
    elif r < 0.45:
        df["phase"] = np.where(df.groupby("ward")["x"].rank(method="dense") > 4, "after", "before")
        kw["part"] = "phase"
    elif r < 0.6:
        kw["freeze"] = int(rng.integers(4, 8))
    if rng.random() < 0.2:
        kw["exclude"] = [df.loc[df.ward == "W0", "x"].sort_values().iloc[-1]]
        df = df[df.groupby("ward")["x"].transform(lambda s: (s == kw["exclude"][0]).any())]
    if "n" not in kw and chart not in ("xbar", "s") and rng.random() < 0.3:
        kw["agg"] = str(rng.choice(["mean", "median", "sum"]))
    if rng.random() < 0.2:
        kw["multiply"] = 100
    return df, kw


@pytest.mark.parametrize("seed", range(48))
def test_grouped_kernel_equals_the_per_part_path(seed):
    df, kw = _random_case(seed)
    try:
        expected, expected_findings = _per_part_reference(df, kw)
    except qikit.QIDataError:
        with pytest.raises(qikit.QIDataError):
            _spc(df, **kw)
        return
    res = _spc(df, **kw)
    d = res.data
    for name in expected.columns:
        np.testing.assert_array_equal(d[name].to_numpy(), expected[name].to_numpy(), err_msg=name)
    got = [(f.facet, f.part, f.rule.code, [int(p) for p in f.points], f.part_level, f.detail) for f in res.findings]
    assert got == expected_findings
    # the point's rule is the first rule of the set (in the set's order) that flagged it
    for f in reversed(res.findings):
        assert d["signal"].to_numpy()[f.points].all()
    assert d["rule"].notna().tolist() == d["signal"].tolist()


def test_random_cases_cover_what_they_claim():
    """The equivalence test above is only as good as its data: check the cases exercise every chart,
    many facets, parts, repeated x, missing values and zero denominators, and mostly chart cleanly."""
    seen = {"charts": set(), "facets>10": 0, "parts": 0, "repeats": 0, "missing": 0, "zero_n": 0, "ok": 0}
    for seed in range(48):
        df, kw = _random_case(seed)
        seen["charts"].add(kw["chart"])
        seen["facets>10"] += df.ward.nunique() > 10
        seen["parts"] += kw.get("part") is not None
        seen["repeats"] += bool(df.duplicated(["ward", "x"]).any())
        seen["missing"] += bool(df.y.isna().any())
        seen["zero_n"] += bool("n" in df and (df.n == 0).any())
        try:
            _per_part_reference(df, kw)
            seen["ok"] += 1
        except qikit.QIDataError:
            pass
    assert seen["charts"] == set(CHARTS)
    assert min(seen["facets>10"], seen["parts"], seen["repeats"], seen["missing"], seen["zero_n"]) >= 10
    assert seen["ok"] >= 40
