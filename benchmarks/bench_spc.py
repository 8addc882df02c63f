"""Time qikit.spc() (run, i and p charts) and qikit.mdc() against a bare numpy pass doing the same arithmetic.

Run:  .venv/bin/python benchmarks/bench_spc.py [--sizes 10000 100000 1000000] [--repeat 3]

The bare pass is the floor: the centre line, sigma, limits, signals and runs analysis written directly in
numpy on arrays already in time order, with no input checking, no subgrouping and no result object.
Target (issue 3): qikit within 3x of the bare pass at 10^6 points, and for mdc over 5,000 facets x 36 months.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import qikit


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bare_runs(y, cl):
    s = np.sign(y - cl)
    s = s[s != 0]
    change = np.flatnonzero(np.diff(s)) + 1
    lengths = np.diff(np.concatenate([[0], change, [s.size]]))
    return lengths.max(), change.size


def bare_run(y):
    cl = np.median(y)
    return bare_runs(y, cl)


def bare_i(y):
    cl = y.mean()
    mr = np.abs(np.diff(y))
    amr = mr.mean()
    amr = mr[mr < 3.267 * amr].mean()
    sigma = amr / 1.128
    ucl, lcl = cl + 3 * sigma, cl - 3 * sigma
    signal = (y > ucl) | (y < lcl)
    return signal.sum(), bare_runs(y, cl)


def bare_p(y, n):
    p = y / n
    cl = y.sum() / n.sum()
    sigma = np.sqrt(cl * (1 - cl) / n)
    ucl, lcl = np.minimum(cl + 3 * sigma, 1), np.maximum(cl - 3 * sigma, 0)
    signal = (p > ucl) | (p < lcl)
    return signal.sum(), bare_runs(p, cl)


def bare_mdc(y, groups):
    """Per group: mean, screened mean moving range, limits, beyond-limit flags (groups contiguous)."""
    starts = np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))
    counts = np.diff(np.concatenate([starts, [y.size]]))
    mean = np.add.reduceat(y, starts) / counts
    mr = np.abs(np.diff(y))
    same = groups[1:] == groups[:-1]
    g = groups[1:][same]
    mr = mr[same]
    amr = np.bincount(g, mr) / np.bincount(g)
    keep = mr < 3.267 * amr[g]
    amr = np.bincount(g[keep], mr[keep], minlength=amr.size) / np.bincount(g[keep], minlength=amr.size)
    m = np.repeat(mean, counts)
    a = np.repeat(amr, counts)
    upl, lpl = m + 2.66 * a, m - 2.66 * a
    side = np.sign(y - m)
    return ((y > upl) | (y < lpl)).sum(), side.sum()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--facets", type=int, default=5000)
    args = ap.parse_args()
    rng = np.random.default_rng(2024)
    warnings.simplefilter("ignore")
    rows = []
    for size in args.sizes:
        y = rng.normal(50, 5, size)
        n = rng.integers(200, 400, size).astype(float)
        k = rng.binomial(n.astype(int), 0.2).astype(float)
        df = pd.DataFrame({"t": np.arange(size), "y": y, "k": k, "n": n})
        cases = [
            ("spc run", lambda df=df: qikit.spc(df, x="t", y="y"), lambda y=y: bare_run(y)),
            ("spc i", lambda df=df: qikit.spc(df, x="t", y="y", chart="i"), lambda y=y: bare_i(y)),
            ("spc p", lambda df=df: qikit.spc(df, x="t", y="k", n="n", chart="p"), lambda k=k, n=n: bare_p(k, n)),
            ("mdc", lambda df=df: qikit.mdc(df, x="t", y="y"), lambda y=y: bare_mdc(y, np.zeros(y.size, int))),
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
    t_b = best_of(lambda: bare_mdc(y, facet), args.repeat)
    rows.append(("mdc facets", f"{f:,} x {m}", t_q, t_b))

    print(f"{'case':<12} {'points':>14} {'qikit (s)':>11} {'bare numpy (s)':>15} {'ratio':>7}")
    for name, size, tq, tb in rows:
        print(f"{name:<12} {size:>14} {tq:>11.4f} {tb:>15.4f} {tq / tb:>7.1f}")


if __name__ == "__main__":
    main()
