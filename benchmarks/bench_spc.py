"""Time qikit.spc() (run, i and p charts), qikit.mdc() and qikit.funnel() against a bare numpy pass doing the
same arithmetic.

Run:  .venv/bin/python benchmarks/bench_spc.py [--sizes 10000 100000 1000000] [--repeat 3] [--units 5000]

The bare pass is the floor: the same arithmetic written directly in numpy (check the points are in time
order, centre line, sigma, limits, signals, runs analysis, and the per-point arrays the result carries), with
no input checking, no subgrouping, no rule registry and no DataFrame.
Target (issue 3): qikit within 3x of the bare pass at 10^6 points, and for mdc over 5,000 facets x 36 months.
Target (issue 17): qikit.funnel() over 5,000 units under 50 ms (plain and widened for over-dispersion).
Target (issue 15): qikit.spc() over 1,000 facets x 36 months within 2x of qikit.mdc() on the same data (spc's
grouped kernel computes every facet and part in one vectorised pass), and the 10^6-point figures no worse.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

# the full Making Data Count bare pass (rules and point types included) lives beside this script
from bench_mdc import bare_numpy as bare_mdc

import qikit


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bare_runs(y, cl):
    """Anhøj runs analysis: longest run, crossings and the points in runs longer than the limit."""
    side = np.sign(y - cl)
    useful = side != 0
    s = side[useful]
    change = np.flatnonzero(np.diff(s)) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [s.size]]))
    limit = round(np.log2(s.size)) + 3
    long_run = np.repeat(lengths > limit, lengths)
    mask = np.zeros(y.size, bool)
    mask[useful] = long_run
    return lengths.max(), change.size, mask


def per_point(k, **values):
    """The per-point columns a chart result carries (centre line, limits, 2-sigma lines, flags, runs)."""
    return {name: np.full(k, v, dtype=float) if np.ndim(v) == 0 else v for name, v in values.items()}


def bare_run(x, y):
    assert np.all(x[1:] > x[:-1])  # the same "already in time order?" check qikit makes
    cl = np.median(y)
    longest, crossings, mask = bare_runs(y, cl)
    nan = np.nan
    return per_point(y.size, cl=cl, lcl=nan, ucl=nan, lcl_2s=nan, ucl_2s=nan, longest=longest,
                     crossings=crossings, shift=mask)


def bare_i(x, y):
    assert np.all(x[1:] > x[:-1])
    cl = y.mean()
    mr = np.abs(np.diff(y))
    amr = mr.mean()
    amr = mr[mr < 3.267 * amr].mean()
    sigma = amr / 1.128
    ucl, lcl = cl + 3 * sigma, cl - 3 * sigma
    signal = (y > ucl) | (y < lcl)
    longest, crossings, mask = bare_runs(y, cl)
    return per_point(y.size, cl=cl, lcl=lcl, ucl=ucl, lcl_2s=cl - 2 * sigma, ucl_2s=cl + 2 * sigma,
                     signal=signal, longest=longest, crossings=crossings, shift=mask)


def bare_p(x, y, n):
    assert np.all(x[1:] > x[:-1])
    p = y / n
    cl = y.sum() / n.sum()
    sigma = np.sqrt(cl * (1 - cl) / n)
    ucl, lcl = np.minimum(cl + 3 * sigma, 1), np.maximum(cl - 3 * sigma, 0)
    signal = (p > ucl) | (p < lcl)
    longest, crossings, mask = bare_runs(p, cl)
    return per_point(y.size, cl=cl, lcl=lcl, ucl=ucl, lcl_2s=np.maximum(cl - 2 * sigma, 0),
                     ucl_2s=np.minimum(cl + 2 * sigma, 1), signal=signal, longest=longest, crossings=crossings,
                     shift=mask)


def bare_funnel(y, n, z=(2.0, 3.0), trim=0.1):
    """A proportion funnel widened for over-dispersion (Spiegelhalter 2005): arcsine z-scores, winsorised
    phi, DerSimonian-Laird tau2, limits at each unit's n and the units beyond them."""
    p = y.sum() / n.sum()
    t0 = np.arcsin(np.sqrt(p))
    s = 0.5 / np.sqrt(n)
    zs = (np.arcsin(np.sqrt(y / n)) - t0) / s
    lo, hi = np.quantile(zs, [trim, 1 - trim])
    phi = np.mean(np.clip(zs, lo, hi) ** 2)
    w = 1 / s**2
    k = zs.size
    tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    value = y / n
    out = {}
    for name, zk in zip(("2s", "3s"), z, strict=True):
        width = zk * np.sqrt(s**2 + tau2)
        lcl = np.sin(np.clip(t0 - width, 0, np.pi / 2)) ** 2
        ucl = np.sin(np.clip(t0 + width, 0, np.pi / 2)) ** 2
        out[name] = (lcl, ucl, (value > ucl) | (value < lcl))
    return phi, tau2, out


def funnel_cases(units: int, repeat: int, rng) -> list[tuple[str, str, float, float]]:
    """qikit.funnel() over ``units`` units (one row each), beside the bare pass for the widened proportion."""
    n = rng.integers(500, 200_000, units).astype(float)
    logit = np.log(0.8 / 0.2) + rng.normal(0, 0.3, units)  # real variation between units
    y = rng.binomial(n.astype(int), 1 / (1 + np.exp(-logit))).astype(float)
    expected = n / 1000  # a ratio's expected counts, 0.5 to 200
    observed = rng.poisson(expected * rng.gamma(20, 1 / 20, units)).astype(float)
    df = pd.DataFrame({"unit": [f"U{i}" for i in range(units)], "y": y, "n": n, "o": observed, "e": expected})
    bare = best_of(lambda: bare_funnel(y, n), repeat)
    rows = []
    for name, kw in [("proportion", dict(y="y", n="n")),
                     ("proportion+od", dict(y="y", n="n", overdispersion="additive")),
                     ("rate+od", dict(y="y", n="n", kind="rate", overdispersion="additive")),
                     ("ratio", dict(y="o", n="e", kind="ratio")),
                     ("ratio+od", dict(y="o", n="e", kind="ratio", overdispersion="additive"))]:
        t_q = best_of(lambda kw=kw: qikit.funnel(df, unit="unit", **kw), repeat)
        rows.append((f"funnel {name}", f"{units:,}", t_q, bare))
    return rows


def spc_facet_cases(facets: int, repeat: int, rng) -> list[tuple[str, str, float, float]]:
    """qikit.spc() over ``facets`` wards x 36 months (every facet charted on its own), beside qikit.mdc() on
    the same table (mdc's XmR chart is the I chart's counterpart)."""
    m = 36
    ward = np.repeat([f"ward {i:04d}" for i in range(facets)], m)
    month = np.tile(pd.date_range("2021-04-01", periods=m, freq="MS").to_numpy(), facets)
    n = rng.integers(80, 200, facets * m).astype(float)
    df = pd.DataFrame({"ward": ward, "month": month, "pct": rng.normal(90, 3, facets * m),
                       "k": rng.binomial(n.astype(int), 0.1).astype(float), "n": n})
    t_m = best_of(lambda: qikit.mdc(df, x="month", y="pct", facet="ward"), repeat)
    rows = []
    for name, kw in [("i", dict(y="pct", chart="i")), ("run", dict(y="pct")),
                     ("p", dict(y="k", n="n", chart="p")), ("i, 2 parts", dict(y="pct", chart="i", part=[18]))]:
        t_q = best_of(lambda kw=kw: qikit.spc(df, x="month", facet="ward", **kw), repeat)
        rows.append((f"spc facets {name}", f"{facets:,} x {m}", t_q, t_m))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--facets", type=int, default=5000)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--spc-facets", type=int, default=1000)
    args = ap.parse_args()
    rng = np.random.default_rng(2024)
    warnings.simplefilter("ignore")
    rows = []
    for size in args.sizes:
        y = rng.normal(50, 5, size)
        n = rng.integers(200, 400, size).astype(float)
        k = rng.binomial(n.astype(int), 0.2).astype(float)
        t = np.arange(size)
        df = pd.DataFrame({"t": t, "y": y, "k": k, "n": n})
        cases = [
            ("spc run", lambda df=df: qikit.spc(df, x="t", y="y"), lambda t=t, y=y: bare_run(t, y)),
            ("spc i", lambda df=df: qikit.spc(df, x="t", y="y", chart="i"), lambda t=t, y=y: bare_i(t, y)),
            ("spc p", lambda df=df: qikit.spc(df, x="t", y="k", n="n", chart="p"),
             lambda t=t, k=k, n=n: bare_p(t, k, n)),
            ("mdc", lambda df=df: qikit.mdc(df, x="t", y="y"),
             lambda t=t, y=y: bare_mdc(np.zeros(y.size, np.int64), t, y)),
        ]
        for name, fn, bare in cases:
            t_q, t_b = best_of(fn, args.repeat), best_of(bare, args.repeat)
            rows.append((name, f"{size:,}", t_q, t_b))
    # many facets: 5,000 trusts x 36 months
    f, m = args.facets, 36
    facet = np.repeat(np.arange(f), m)
    month = np.tile(pd.date_range("2016-04-01", periods=m, freq="MS").to_numpy(), f)
    y = rng.normal(90, 3, f * m)
    df = pd.DataFrame({"trust": facet, "month": month, "pct": y})
    t_q = best_of(lambda: qikit.mdc(df, x="month", y="pct", facet="trust", improvement="increase", target=95),
                  args.repeat)
    t_b = best_of(lambda: bare_mdc(facet, month, y), args.repeat)
    rows.append(("mdc facets", f"{f:,} x {m}", t_q, t_b))
    funnels = funnel_cases(args.units, args.repeat, rng)
    grouped = spc_facet_cases(args.spc_facets, args.repeat, rng)

    print(f"{'case':<12} {'points':>14} {'qikit (s)':>11} {'bare numpy (s)':>15} {'ratio':>7}")
    for name, size, tq, tb in rows:
        print(f"{name:<12} {size:>14} {tq:>11.4f} {tb:>15.4f} {tq / tb:>7.1f}")
    print(f"\n{'case':<24} {'units':>7} {'qikit (ms)':>11} {'bare widened proportion (ms)':>29} {'< 50 ms':>8}")
    for name, size, tq, tb in funnels:
        print(f"{name:<24} {size:>7} {1000 * tq:>11.1f} {1000 * tb:>29.1f} {'yes' if tq < 0.05 else 'NO':>8}")
    print(f"\n{'case':<24} {'points':>12} {'qikit (ms)':>11} {'mdc() (ms)':>11} {'ratio':>7} {'<= 2x':>6}")
    for name, size, tq, tm in grouped:
        print(f"{name:<24} {size:>12} {1000 * tq:>11.1f} {1000 * tm:>11.1f} {tq / tm:>7.2f} "
              f"{'yes' if tq <= 2 * tm else 'NO':>6}")


if __name__ == "__main__":
    main()
