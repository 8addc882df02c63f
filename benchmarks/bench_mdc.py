"""Benchmark qikit.mdc() against a bare numpy pass doing the same arithmetic.

The bare pass starts from plain numpy arrays (facet codes, x, y) and does only the statistics:
sort by facet then x, group means, moving ranges with screening, limits, the four Making Data Count
rules and the point types. mdc() additionally checks the input (columns, text, missing and
repeated x values), builds the result table and the per-segment summary.

Run:  .venv/bin/python benchmarks/bench_mdc.py
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np
import pandas as pd

import qikit
from qikit.errors import ProvisionalLimitsWarning


def _runs(v, first):
    start = np.ones(len(v), dtype=bool)
    start[1:] = (v[1:] != v[:-1]) | first[1:]
    rid = np.cumsum(start) - 1
    return np.bincount(rid)[rid]


def bare_numpy(fcode: np.ndarray, x: np.ndarray, y: np.ndarray, improvement: int = 1):
    """The same arithmetic as mdc() (no rebase, no fix_after), on numpy arrays, without checks."""
    order = np.lexsort((x, fcode))
    f, y = fcode[order], y[order]
    n = len(y)
    first = np.ones(n, dtype=bool)
    first[1:] = f[1:] != f[:-1]
    g = np.cumsum(first) - 1
    ng = g[-1] + 1
    ok = ~np.isnan(y)
    mean = np.bincount(g, np.where(ok, y, 0), ng) / np.bincount(g, ok, ng)
    mr = np.abs(np.diff(y, prepend=np.nan))
    mr[first] = np.nan
    use = ~np.isnan(mr)
    amr = np.bincount(g, np.where(use, mr, 0), ng) / np.bincount(g, use, ng)
    use &= mr < 3.267 * amr[g]
    amr = np.bincount(g, np.where(use, mr, 0), ng) / np.bincount(g, use, ng)
    m, a = mean[g], amr[g]
    upl, lpl, upl2, lpl2 = m + 2.66 * a, m - 2.66 * a, m + 1.7733 * a, m - 1.7733 * a
    # 1 beyond limits
    r1 = (y > upl).astype(np.int8) - (y < lpl)
    # 2 trend
    d = np.diff(y, prepend=np.nan)
    step = ((d > 0).astype(np.int8) - (d < 0)).astype(np.int8)
    step[first] = 0
    end = np.where((step != 0) & (_runs(step, first) >= 6), step, 0)
    beg = np.zeros(n, dtype=np.int8)
    beg[:-1] = end[1:]
    r2 = np.where(end != 0, end, beg)
    # 3 two in three
    side = ((y > m).astype(np.int8) - (y < m)).astype(np.int8)
    close = ~((y > upl) | (y < lpl)) & ((y > upl2) | (y < lpl2))
    c, s = close.astype(np.int8), side.astype(np.int16)
    w = ((c[:-2] + c[1:-1] + c[2:]) >= 2) & (np.abs(s[:-2] + s[1:-1] + s[2:]) == 3) & ~first[1:-1] & ~first[2:]
    inw = np.zeros(n, dtype=bool)
    inw[:-2] |= w
    inw[1:-1] |= w
    inw[2:] |= w
    r3 = np.where(inw & close, side, 0)
    # 4 shift
    r4 = np.where((side != 0) & (_runs(side, first) >= 7), side, 0)
    direction = np.select([r1 != 0, r2 != 0, r3 != 0, r4 != 0], [r1, r2, r3, r4], 0)
    rule = np.select([r1 != 0, r2 != 0, r3 != 0, r4 != 0], [1, 2, 3, 4], 0)
    point_type = np.where(direction * improvement > 0, 1, np.where(direction * improvement < 0, 2, 0))
    return mean, amr, rule, point_type


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(2024)
    cases = []
    for n in (10_000, 100_000, 1_000_000):
        df = pd.DataFrame({"t": np.arange(n), "y": rng.normal(100, 10, n)})
        cases.append((f"1 series x {n:,}", df, None))
    n_f, n_m = 5_000, 36
    df = pd.DataFrame({
        "unit": np.repeat([f"unit{i:04d}" for i in range(n_f)], n_m),
        "t": np.tile(pd.date_range("2021-01-01", periods=n_m, freq="MS"), n_f),
        "y": rng.normal(100, 10, n_f * n_m),
    })
    cases.append((f"{n_f:,} facets x {n_m}", df, "unit"))
    # mdc() skips the sort when rows already come sorted by facet then x (the usual case); the
    # bare pass always sorts. Shuffled rows make mdc() sort too.
    cases.append((f"{n_f:,} x {n_m}, rows shuffled", df.sample(frac=1, random_state=1), "unit"))
    big = cases[2][1]
    cases.append(("1 series x 1,000,000, shuffled", big.sample(frac=1, random_state=1), None))

    print(f"{'case':<32}{'points':>10}{'mdc() s':>11}{'bare numpy s':>14}{'ratio':>8}")
    for label, df, facet in cases:
        repeat = 5 if len(df) >= 1_000_000 else 15
        fcode = pd.factorize(df[facet])[0] if facet else np.zeros(len(df), dtype=np.intp)
        x = df["t"].to_numpy()
        x = x.view("i8") if x.dtype.kind == "M" else x
        y = df["y"].to_numpy()

        def run_mdc(df=df, facet=facet):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ProvisionalLimitsWarning)
                qikit.mdc(df, x="t", y="y", facet=facet)

        run_mdc()  # warm up (imports, first-touch memory)
        bare_numpy(fcode, x, y)
        t_mdc = timed(run_mdc, repeat)
        t_bare = timed(lambda fcode=fcode, x=x, y=y: bare_numpy(fcode, x, y), repeat)
        print(f"{label:<32}{len(df):>10,}{t_mdc:>11.4f}{t_bare:>14.4f}{t_mdc / t_bare:>8.2f}")


if __name__ == "__main__":
    main()
