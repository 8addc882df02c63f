"""Run-chart analysis: the Anhøj rules and the IHI run-chart rules.

Every public function here works on ONE part (phase) of a chart: a 1-D series of numbers in time
order with no missing values, and its centre line (a single number or one value per point).
:func:`qikit.spc` removes missing and excluded points first and runs the same rules on every part
of every facet at once: :class:`Segments` says where each part starts, runs never continue from one
part into the next, and each part's limits come from its own number of useful points, so the
answers are those of the one-part functions applied part by part.

Two families of rules live here.

* **Anhøj rules** (the qicharts2 default; Anhøj & Olesen 2014): an unusually long run of points
  on one side of the centre line, or unusually few crossings of it. Both limits depend on the
  number of *useful* points (points not on the centre line) and keep the false-signal rate near
  5 % whatever the number of points.
* **IHI run-chart rules** (Provost & Murray 2011, ch. 3; Perla, Provost & Murray 2011): a shift
  of 6 or more points on one side of the median, a trend of 5 or more points going the same way,
  too few or too many runs, and an astronomical data point.

Conventions shared by every rule in this module
------------------------------------------------
* A point is *on the centre line* when it equals it, allowing for floating-point rounding
  (a relative difference of at most 1e-12, so that, say, a mean of identical values computed
  with one unit of rounding error still counts as equal). Points on the centre line are not
  useful: they neither add to nor break a run, and they are never flagged in a run's mask.
* Masks are boolean arrays with one entry per point of the part, ``True`` for the points that
  belong to the pattern.
* Everything is vectorised with numpy run-length tricks; there is no Python loop over points.

References
----------
Anhøj J, Olesen AV. Run charts revisited: a simulation study of run chart rules for detection of
non-random variation in health care processes. PLoS ONE 2014;9(11):e113825.

Schilling MF. The surprising predictability of long runs. Mathematics Magazine 2012;85(2):141-149.

Chen Z. A note on the runs test. Model Assisted Statistics and Applications 2010;5:73-77.

Provost LP, Murray SK. The Health Care Data Guide: Learning from Data for Improvement.
San Francisco: Jossey-Bass; 2011. Chapter 3.

Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning from
variation in healthcare processes. BMJ Quality & Safety 2011;20(1):46-51.

Swed FS, Eisenhart C. Tables for testing randomness of grouping in a sequence of alternatives.
Annals of Mathematical Statistics 1943;14(1):66-87.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import QIDataError, format_rows

__all__ = [
    "RunsResult",
    "IHIRuns",
    "longest_run_limit",
    "crossings_limit",
    "anhoej",
    "ihi_shift",
    "ihi_trend",
    "ihi_runs",
    "ihi_runs_limits",
    "ihi_astronomical",
    "IHI_SHIFT_LENGTH",
    "IHI_TREND_LENGTH",
    "IHI_RUNS_MIN_POINTS",
    "ASTRONOMICAL_GAP_RATIO",
    "ASTRONOMICAL_MIN_POINTS",
]

#: A shift is 6 or more consecutive points on one side of the median (Perla et al. 2011, rule 1;
#: Provost & Murray 2011, ch. 3).
IHI_SHIFT_LENGTH = 6
#: A trend is 5 or more consecutive points all going up or all going down (Perla et al. 2011,
#: rule 2; Provost & Murray 2011, ch. 3).
IHI_TREND_LENGTH = 5
#: The runs rule is applied from 10 useful points, where the published table of Perla et al.
#: (2011) starts.
IHI_RUNS_MIN_POINTS = 10
#: qikit's astronomical-point rule: the gap between the point and all the others must exceed
#: this many times the spread (range) of the others. See :func:`ihi_astronomical`.
ASTRONOMICAL_GAP_RATIO = 2.0
#: qikit's astronomical-point rule is applied from this many points.
ASTRONOMICAL_MIN_POINTS = 10

# Two values closer than this (relative to the larger in size) count as equal: the point is
# "on the centre line". Covers rounding in a computed mean or median; far below any real
# clinical difference.
_TIE_RTOL = 1e-12
# Critical values are computed with exact integer arithmetic up to this many points and with a
# certified floating-point computation above it (falling back to exact integers if the float
# result is too close to call).
_EXACT_MAX = 5000
# Relative margin a floating-point tail probability must keep from the significance level for
# the float answer to be accepted (its own error is about 1e-13; see _quantile_index).
_FLOAT_MARGIN = 1e-6
# A window of +/- 40 standard deviations around the mean holds all but about e^-800 of the mass
# of the binomial and runs distributions used here (Hoeffding's inequality).
_WINDOW_SD = 40.0


# ----------------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------------

def _positions(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _where(values, mask: np.ndarray) -> tuple[list, str]:
    """The rows at fault and how to name them: the labels of a pandas Series' index (the user's own row
    labels), else 0-based positions."""
    if isinstance(values, pd.Series | pd.DataFrame) and len(values.index) == mask.shape[0]:
        rows = list(values.index[mask])
        return rows, f"rows {format_rows(rows)}"
    pos = _positions(mask)
    return pos, f"positions {format_rows(pos)} of this part (counting from 0)"


def _as_values(values, name: str) -> np.ndarray:
    """A 1-D float array of finite numbers, or a QIDataError saying what is wrong (naming the rows by
    the Series' own index labels when ``values`` is a pandas Series)."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise QIDataError(f"{name} must hold numbers only.", column=name) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise QIDataError(f"{name} must be a single series of numbers, not a table of shape {arr.shape}.",
                          column=name)
    bad = ~np.isfinite(arr)
    if bad.any():
        rows, where = _where(values, bad)
        raise QIDataError(
            f"{name} has missing or infinite values at {where}; remove them before the run-chart analysis.",
            column=name, rows=rows)
    return arr


def _as_centre(cl, n: int, name: str = "cl") -> np.ndarray:
    """The centre line as one finite value per point (a single number is repeated)."""
    try:
        arr = np.asarray(cl, dtype=float)
    except (TypeError, ValueError):
        raise QIDataError(f"the centre line {name} must be a number or one number per point.",
                          column=name) from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    elif arr.ndim != 1 or arr.shape[0] != n:
        raise QIDataError(
            f"the centre line {name} must be one number or one number per point ({n} points), "
            f"but it has shape {arr.shape}.", column=name)
    bad = ~np.isfinite(arr)
    if bad.any():
        rows, where = _where(cl, bad)
        raise QIDataError(f"the centre line {name} is missing or infinite at {where}.", column=name, rows=rows)
    return arr


def _as_count(n, name: str = "n_useful", minimum: int = 1) -> int:
    """A whole number of points, at least ``minimum``."""
    if isinstance(n, (bool, np.bool_, str, bytes)):
        raise QIDataError(f"{name} must be a whole number of points, not {n!r}.", column=name)
    try:
        value = float(n)
    except (TypeError, ValueError):
        raise QIDataError(f"{name} must be a whole number of points, not {n!r}.", column=name) from None
    if not math.isfinite(value) or value != int(value):
        raise QIDataError(f"{name} must be a whole number of points, not {n!r}.", column=name)
    if value < minimum:
        raise QIDataError(f"{name} must be at least {minimum}, not {int(value)}.", column=name)
    return int(value)


# ----------------------------------------------------------------------------------------------
# run-length helpers (vectorised)
# ----------------------------------------------------------------------------------------------

def side_of_centre(y: np.ndarray, cl: np.ndarray) -> np.ndarray:
    """+1 above the centre line, -1 below, 0 on it (within rounding; see _TIE_RTOL)."""
    diff = y - cl
    side = np.sign(diff).astype(np.int8)
    # Ties within rounding are rare: screen with one scalar bound, then check the few candidates exactly.
    scale = max(np.max(np.abs(y), initial=0.0), np.max(np.abs(cl), initial=0.0))
    near = np.flatnonzero(np.abs(diff) <= _TIE_RTOL * scale)
    if near.size:
        cl_near = cl[near] if np.ndim(cl) else cl
        exact = np.abs(diff[near]) <= _TIE_RTOL * np.maximum(np.abs(y[near]), np.abs(cl_near))
        side[near[exact]] = 0
    return side


class Segments:
    """Consecutive stretches (parts, or the parts of every facet) of one long series, so that every rule
    runs on all of them in one vectorised pass: ``ids`` gives each point's segment (0, 1, ...,
    never decreasing) and ``n`` the number of segments (some may be empty).

    ``sum`` reproduces ``numpy.sum`` of each segment bit for bit: numpy adds an array pairwise
    (``sum(a) == pairwise(a)``) while ``np.add.reduceat`` adds ``a[0] + pairwise(a[1:])``, so each segment
    is given a leading 0.0 before ``reduceat``. A grouped chart is therefore identical to the same
    parts charted one at a time, not just close to it.
    """

    def __init__(self, ids: np.ndarray | None, n: int, counts: np.ndarray | None = None):
        self.n = int(n)
        self._ids = None if ids is None else np.asarray(ids, dtype=np.intp)
        if counts is None:
            assert self._ids is not None
            counts = np.bincount(self._ids, minlength=self.n) if self.n > 1 else np.array([self._ids.shape[0]])
        self.counts = np.asarray(counts)
        self._first: np.ndarray | None = None

    @classmethod
    def one(cls, length: int) -> Segments:
        return cls(None, 1, np.array([length]))

    @property
    def ids(self) -> np.ndarray:
        """Each point's segment (made on first use: one segment needs none)."""
        if self._ids is None:
            self._ids = np.repeat(np.arange(self.n, dtype=np.intp), self.counts)
        return self._ids

    @property
    def first(self) -> np.ndarray:
        """True at the first point of each segment."""
        if self._first is None:
            first = np.zeros(int(self.counts.sum()), dtype=bool)
            starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))[self.counts > 0]
            first[starts] = True
            self._first = first
        return self._first

    @property
    def breaks(self) -> np.ndarray | None:
        """``first`` when there are several segments, else None (nothing to break a run at)."""
        return self.first if self.n > 1 else None

    def subset(self, keep: np.ndarray) -> Segments:
        """The same segments over the points where ``keep`` is True (a mask or sorted positions)."""
        if self.n == 1:
            size = int(np.count_nonzero(keep)) if keep.dtype == bool else int(keep.shape[0])
            return Segments(None, 1, np.array([size]))
        return Segments(self.ids[keep], self.n)

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Points where ``mask`` is True, per segment."""
        return self.subset(mask).counts

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-segment sums, each equal to ``np.sum`` of that segment (0.0 for an empty one)."""
        if self.n == 1:
            return np.array([np.sum(values)], dtype=float)
        padded = np.zeros(values.shape[0] + self.n)
        padded[np.arange(values.shape[0]) + self.ids + 1] = values
        starts = np.concatenate(([0], np.cumsum(self.counts + 1)[:-1]))
        return np.add.reduceat(padded, starts)

    def mean(self, values: np.ndarray) -> np.ndarray:
        """Per-segment means as ``np.mean`` gives them; NaN for an empty segment."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sum(values) / self.counts

    def std(self, values: np.ndarray, ddof: int = 1) -> np.ndarray:
        """Per-segment standard deviations as ``np.std(ddof=ddof)`` gives them; NaN with too few points."""
        dev = values - self.spread(self.mean(values))
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.sqrt(self.sum(dev * dev) / np.maximum(self.counts - ddof, 0))
        out[self.counts <= ddof] = np.nan
        return out

    def median(self, values: np.ndarray) -> np.ndarray:
        """Per-segment medians as ``np.median`` gives them ((a + b) / 2 of the middle two for an even
        count); NaN for an empty segment."""
        if self.n == 1:
            return np.array([np.median(values) if values.size else np.nan])
        order = np.lexsort((values, self.ids))
        s = values[order]
        start = np.concatenate(([0], np.cumsum(self.counts)[:-1]))
        c = self.counts
        out = np.full(self.n, np.nan)
        ok = c > 0
        lo = s[(start + (c - 1) // 2)[ok]]
        hi = s[(start + c // 2)[ok]]
        out[ok] = np.where(c[ok] % 2 == 1, lo, (lo + hi) / 2)
        return out

    def spread(self, per_segment: np.ndarray) -> np.ndarray:
        """A value per segment repeated for each of its points (``per_segment[ids]``, faster; a read-only
        view when there is one segment)."""
        if self.n == 1:
            return np.broadcast_to(per_segment, (int(self.counts[0]),))
        return np.repeat(per_segment, self.counts)

    def repeat(self, per_segment: np.ndarray) -> np.ndarray:
        """Like :meth:`spread`, but always a new array of its own (for a table's column)."""
        if self.n == 1:
            return np.full(int(self.counts[0]), per_segment[0], dtype=per_segment.dtype)
        return np.repeat(per_segment, self.counts)

    def max(self, values: np.ndarray) -> np.ndarray:
        """Per-segment maxima; NaN for an empty segment."""
        return self._reduce(np.maximum, values)

    def min(self, values: np.ndarray) -> np.ndarray:
        """Per-segment minima; NaN for an empty segment."""
        return self._reduce(np.minimum, values)

    def _reduce(self, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        out = np.full(self.n, np.nan)
        ok = self.counts > 0
        if ok.any():
            out[ok] = ufunc.reduceat(values, np.concatenate(([0], np.cumsum(self.counts)[:-1]))[ok])
        return out


def _run_bounds(labels: np.ndarray, first: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Starts and (exclusive) ends of the runs of equal consecutive values in ``labels``; a run also
    ends where a new segment starts (``first`` True)."""
    n = labels.shape[0]
    if n == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    differs = labels[1:] != labels[:-1]
    if first is not None:
        differs = differs | first[1:]
    change = np.flatnonzero(differs) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n]))
    return starts, ends


def _cover(n: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Boolean mask of length n, True inside any interval [start, end)."""
    delta = np.bincount(starts, minlength=n + 1)[: n + 1] - np.bincount(ends, minlength=n + 1)[: n + 1]
    return np.cumsum(delta[:n]) > 0


def _side_runs(side: np.ndarray, segs: Segments | None = None):
    """Runs among the useful points (side != 0): their positions, run starts/ends among them, and
    the segments of the useful points."""
    useful = np.flatnonzero(side != 0)
    useful_segs = segs.subset(useful) if segs is not None else None
    starts, ends = _run_bounds(side[useful], useful_segs.breaks if useful_segs is not None else None)
    return useful, starts, ends, useful_segs


def _long_side_run_mask(side: np.ndarray, min_length: int, segs: Segments | None = None) -> np.ndarray:
    """Mask of the useful points that lie in a run of at least ``min_length`` useful points."""
    useful, starts, ends, _ = _side_runs(side, segs)
    keep = (ends - starts) >= min_length
    mask = np.zeros(side.shape[0], dtype=bool)
    mask[useful] = _cover(useful.shape[0], starts[keep], ends[keep])
    return mask


# ----------------------------------------------------------------------------------------------
# critical values
# ----------------------------------------------------------------------------------------------

def longest_run_limit(n_useful: int) -> int:
    """Longest run of points on one side of the centre line that is still expected by chance.

    A run longer than this signals a shift (Anhøj rule 1). The limit is
    ``round(log2(n_useful)) + 3``, the upper prediction limit for the longest run in a random
    sequence of ``n_useful`` coin tosses (Schilling 2012), as used by Anhøj & Olesen (2014) and
    qicharts2. ``log2(n)`` is never exactly halfway between two integers for a whole number n, so
    the rounding convention does not matter.

    Parameters
    ----------
    n_useful : int
        Number of useful points (points not on the centre line), at least 1.

    Returns
    -------
    int

    References
    ----------
    Schilling MF. The surprising predictability of long runs. Math Mag 2012;85(2):141-149.
    Anhøj J, Olesen AV. Run charts revisited. PLoS ONE 2014;9(11):e113825.

    Examples
    --------
    >>> longest_run_limit(24)   # round(4.585) + 3
    8
    """
    n = _as_count(n_useful)
    return int(round(math.log2(n))) + 3


def crossings_limit(n_useful: int) -> int:
    """Fewest crossings of the centre line still expected by chance.

    Fewer crossings than this signal a shift (Anhøj rule 2). The limit is the 5th percentile of
    the Binomial(n_useful - 1, 0.5) distribution: the smallest ``c`` with ``P(X <= c) >= 0.05``
    (Chen 2010; Anhøj & Olesen 2014), i.e. R's ``qbinom(0.05, n_useful - 1, 0.5)``.

    It is computed exactly: with integer arithmetic up to 5,000 points, and above that with a
    floating-point tail sum whose answer is accepted only when the tail probability is clear of
    5 % by a margin far larger than its rounding error (otherwise integer arithmetic decides).
    ``P(X <= c)`` is a fraction with denominator ``2**(n-1)`` and so never equals 0.05 exactly.
    Results are cached. ``n_useful`` is as for :func:`longest_run_limit`; the result is an int.

    References
    ----------
    Chen Z. A note on the runs test. Model Assisted Statistics and Applications 2010;5:73-77.
    Anhøj J, Olesen AV. Run charts revisited. PLoS ONE 2014;9(11):e113825.

    Examples
    --------
    >>> crossings_limit(20)   # P(X <= 5) = 0.032, P(X <= 6) = 0.084 for X ~ Binomial(19, 0.5)
    6
    """
    return _crossings_limit(_as_count(n_useful))


@lru_cache(maxsize=4096)
def _crossings_limit(n: int) -> int:
    m = n - 1
    if m <= _EXACT_MAX:
        return _binom_half_lower_quantile_exact(m)
    c = _binom_half_lower_quantile_float(m)
    return c if c is not None else _binom_half_lower_quantile_exact(m)


def _binom_half_lower_quantile_exact(m: int) -> int:
    """Smallest c with sum_{i<=c} C(m, i) / 2**m >= 1/20, in exact integers."""
    total = 1 << m
    c, term, cum = 0, 1, 1
    while 20 * cum < total:
        term = term * (m - c) // (c + 1)
        c += 1
        cum += term
    return c


def _normalised(log_w: np.ndarray) -> np.ndarray:
    w = np.exp(log_w - log_w.max())
    return w / w.sum()


def _quantile_index(cdf: np.ndarray, alpha: float, side: str) -> int | None:
    """Index of the first cdf value >= alpha (side="left") or the last <= alpha (side="right").

    Returns None when a cdf value next to the answer lies within _FLOAT_MARGIN (relative) of
    alpha, or the answer is at the edge of the window: the caller then decides with integers.
    The float cdf comes from a cumulative sum of log-probability steps over a window of +/- 40
    standard deviations (tens of thousands of terms at a million points), normalised over the
    window, which holds all but e^-800 of the mass. Its relative error grows roughly with the
    window's length: measured against exact integers it is about 3e-13 at 100,000 points, so a
    margin of 1e-6 leaves a wide safety factor even at 10**6 points.
    """
    if side == "left":
        idx = int(np.searchsorted(cdf, alpha, side="left"))
        neighbours = (idx - 1, idx)
    else:
        idx = int(np.searchsorted(cdf, alpha, side="right")) - 1
        neighbours = (idx, idx + 1)
    if idx < 0 or idx >= cdf.shape[0] or neighbours[1] >= cdf.shape[0]:
        return None
    for j in neighbours:
        if j >= 0 and abs(cdf[j] - alpha) <= _FLOAT_MARGIN * alpha:
            return None
    return idx


def _log_comb_steps(a: int, j: np.ndarray) -> np.ndarray:
    """log C(a, j) for consecutive integers j, up to a constant (the same for every j)."""
    with np.errstate(divide="ignore", invalid="ignore"):   # j past a: C(a, j) = 0, masked by callers
        steps = np.log((a - j[:-1]) / (j[:-1] + 1.0))
    return np.concatenate(([0.0], np.cumsum(steps)))


def _binom_half_lower_quantile_float(m: int) -> int | None:
    half_width = _WINDOW_SD * math.sqrt(m) / 2
    lo = max(0, math.floor(m / 2 - half_width))
    hi = min(m, math.ceil(m / 2 + half_width))
    k = np.arange(lo, hi + 1, dtype=float)
    cdf = np.cumsum(_normalised(_log_comb_steps(m, k)))
    idx = _quantile_index(cdf, 0.05, "left")
    return None if idx is None else lo + idx


def ihi_runs_limits(n_useful: int) -> tuple[int | None, int | None]:
    """Critical numbers of runs for the IHI runs rule: too few below ``lower``, too many above ``upper``.

    qikit COMPUTES these values exactly from the distribution of the number of runs (Swed &
    Eisenhart 1943) rather than embedding the printed table of Perla et al. (2011), which was
    derived from the same source. The convention, stated so it can be checked:

    * the median splits the useful points in half, so the distribution is that of the number of
      runs in a random arrangement of ``n_useful // 2`` points below and the rest above (the
      table, like this function, is indexed by the number of useful points alone);
    * a two-sided 5 % test, 2.5 % in each tail, as in Swed & Eisenhart's tables:
      ``lower - 1`` is the largest ``r`` with ``P(R <= r) <= 0.025`` and ``upper + 1`` the
      smallest ``r`` with ``P(R >= r) <= 0.025``.

    A run chart has *too few* runs when its number of runs is below ``lower`` and *too many* when
    it is above ``upper``, matching how the IHI table is read. Below 10 useful points (where the
    published table starts) the rule is not applied and ``(None, None)`` is returned.

    Integer arithmetic is used up to 5,000 points; above that a certified floating-point
    computation (see :func:`crossings_limit`). Results are cached.

    Parameters
    ----------
    n_useful : int
        Number of points not on the median.

    Returns
    -------
    (lower, upper) : tuple of int, or (None, None) below 10 points

    References
    ----------
    Swed FS, Eisenhart C. Tables for testing randomness of grouping in a sequence of alternatives.
    Ann Math Stat 1943;14(1):66-87.
    Perla RJ, Provost LP, Murray SK. The run chart. BMJ Qual Saf 2011;20(1):46-51 (Table 1).

    Examples
    --------
    >>> ihi_runs_limits(16)   # 8 above, 8 below: P(R <= 4) = 0.009, P(R <= 5) = 0.032
    (5, 13)
    """
    n = _as_count(n_useful, minimum=0)
    if n < IHI_RUNS_MIN_POINTS:
        return None, None
    return _runs_limits(n)


@lru_cache(maxsize=4096)
def _runs_limits(n: int) -> tuple[int, int]:
    n1 = n // 2
    n2 = n - n1
    if n <= _EXACT_MAX:
        return _runs_limits_exact(n1, n2)
    limits = _runs_limits_float(n1, n2)
    return limits if limits is not None else _runs_limits_exact(n1, n2)


def _binomials(a: int) -> list[int]:
    """C(a, j) for j = 0..a."""
    out = [1]
    c = 1
    for j in range(a):
        c = c * (a - j) // (j + 1)
        out.append(c)
    return out


def _runs_counts(n1: int, n2: int) -> list[int]:
    """Number of arrangements of n1 and n2 points with exactly r runs, r = 0..n1+n2 (Swed &
    Eisenhart 1943): r = 2k has 2 C(n1-1, k-1) C(n2-1, k-1); r = 2k+1 has
    C(n1-1, k) C(n2-1, k-1) + C(n1-1, k-1) C(n2-1, k)."""
    a = _binomials(n1 - 1) + [0]
    b = _binomials(n2 - 1) + [0]
    n = n1 + n2
    counts = [0] * (n + 2)
    for k in range(1, min(n1, n2) + 1):
        counts[2 * k] = 2 * a[k - 1] * b[k - 1]
        counts[2 * k + 1] = a[k] * b[k - 1] + a[k - 1] * b[k]
    return counts[: n + 1]


def _runs_limits_exact(n1: int, n2: int) -> tuple[int, int]:
    counts = _runs_counts(n1, n2)
    total = sum(counts)
    support = [r for r, c in enumerate(counts) if c]
    # lower: 1 + largest r with P(R <= r) <= 1/40; the smallest possible count if none
    lower, cum = support[0], 0
    for r in support:
        cum += counts[r]
        if 40 * cum > total:
            break
        lower = r + 1
    upper, cum = support[-1], 0
    for r in reversed(support):
        cum += counts[r]
        if 40 * cum > total:
            break
        upper = r - 1
    return lower, upper


def _runs_limits_float(n1: int, n2: int) -> tuple[int, int] | None:
    n = n1 + n2
    mean = 1 + 2 * n1 * n2 / n
    half_width = _WINDOW_SD * math.sqrt(n) / 2
    k_lo = max(1, math.floor((mean - half_width) / 2))
    k_hi = min(min(n1, n2), math.ceil((mean + half_width) / 2))
    j = np.arange(k_lo - 1, k_hi + 1, dtype=float)           # j = k-1 .. k, for every k in the window
    la = _log_comb_steps(n1 - 1, j)                           # log C(n1-1, j) + const_a
    lb = _log_comb_steps(n2 - 1, j)                           # log C(n2-1, j) + const_b
    # j can pass n1-1 or n2-1 at the top of the window; C is 0 there
    la = np.where(j <= n1 - 1, la, -np.inf)
    lb = np.where(j <= n2 - 1, lb, -np.inf)
    even = math.log(2.0) + la[:-1] + lb[:-1]                  # r = 2k
    odd = np.logaddexp(la[1:] + lb[:-1], la[:-1] + lb[1:])    # r = 2k + 1
    log_w = np.empty(2 * even.shape[0])
    log_w[0::2] = even
    log_w[1::2] = odd
    r = np.arange(2 * k_lo, 2 * k_hi + 2)
    keep = r <= n
    log_w, r = log_w[keep], r[keep]
    p = _normalised(log_w)
    lo_idx = _quantile_index(np.cumsum(p), 0.025, "right")
    hi_idx = _quantile_index(np.cumsum(p[::-1]), 0.025, "right")
    if lo_idx is None or hi_idx is None:
        return None
    return int(r[lo_idx]) + 1, int(r[::-1][hi_idx]) - 1


# ----------------------------------------------------------------------------------------------
# Anhøj rules
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class RunsResult:
    """Result of the Anhøj runs analysis of one part of a chart.

    Attributes
    ----------
    n_obs : int
        Number of points in the part.
    n_useful : int
        Points not on the centre line.
    longest_run : int or None
        Length of the longest run of useful points on one side of the centre line
        (None when there are no useful points).
    longest_run_max : int or None
        Longest run expected by chance, :func:`longest_run_limit` (None without useful points).
    n_crossings : int or None
        Number of times the series crosses the centre line (None without useful points).
    n_crossings_min : int or None
        Fewest crossings expected by chance, :func:`crossings_limit` (None without useful points).
    shift : bool
        ``longest_run > longest_run_max``.
    crossings_signal : bool
        ``n_crossings < n_crossings_min``.
    signal : bool
        Either of the two (the qicharts2 ``runs.signal``).
    shift_mask : numpy.ndarray of bool
        One entry per point: True for the points in a run longer than the limit (points on the
        centre line inside such a run are not counted and are False). Read-only.
    """

    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    shift: bool
    crossings_signal: bool
    signal: bool
    shift_mask: np.ndarray


def anhoej(y, cl) -> RunsResult:
    """Anhøj runs analysis of one part: an unusually long run, or unusually few crossings.

    Points on the centre line are dropped (they are not useful). A *run* is a sequence of
    consecutive useful points on the same side of the centre line; a *crossing* is a change of
    side between consecutive useful points, so crossings = runs - 1. The part signals a shift
    when its longest run is longer than :func:`longest_run_limit` or it has fewer crossings than
    :func:`crossings_limit` (Anhøj & Olesen 2014; the qicharts2 runs analysis).

    Parameters
    ----------
    y : array-like of float
        The part's values in time order, no missing values.
    cl : float or array-like of float
        The centre line: one value, or one per point.

    Returns
    -------
    RunsResult

    References
    ----------
    Anhøj J, Olesen AV. Run charts revisited: a simulation study of run chart rules for detection
    of non-random variation in health care processes. PLoS ONE 2014;9(11):e113825.

    Examples
    --------
    >>> res = anhoej([1, 2, 1, 2, 1, 8, 9, 8, 9, 8, 9, 8, 9, 8], cl=5)
    >>> res.longest_run, res.longest_run_max, res.n_crossings, res.n_crossings_min
    (9, 7, 1, 4)
    >>> res.signal
    True
    """
    values = _as_values(y, "y")
    centre = _as_centre(cl, values.shape[0])
    res = _anhoej(values, centre, Segments.one(values.shape[0]))
    mask = res.shift_mask
    mask.setflags(write=False)
    if res.n_useful[0] == 0:
        return RunsResult(n_obs=int(res.n_obs[0]), n_useful=0, longest_run=None, longest_run_max=None,
                          n_crossings=None, n_crossings_min=None, shift=False,
                          crossings_signal=False, signal=False, shift_mask=mask)
    return RunsResult(n_obs=int(res.n_obs[0]), n_useful=int(res.n_useful[0]), longest_run=int(res.longest_run[0]),
                      longest_run_max=int(res.longest_run_max[0]), n_crossings=int(res.n_crossings[0]),
                      n_crossings_min=int(res.n_crossings_min[0]), shift=bool(res.shift[0]),
                      crossings_signal=bool(res.crossings_signal[0]), signal=bool(res.signal[0]), shift_mask=mask)


class SegmentRuns(NamedTuple):
    """The Anhøj analysis of every segment at once: one entry per segment (NaN where a segment has no
    useful points), and ``shift_mask`` over all the points."""

    n_obs: np.ndarray
    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    n_crossings: np.ndarray
    n_crossings_min: np.ndarray
    shift: np.ndarray
    crossings_signal: np.ndarray
    signal: np.ndarray
    shift_mask: np.ndarray


def _limits_for(n_useful: np.ndarray, limit) -> np.ndarray:
    """``limit(n)`` for each segment's number of useful points (NaN for none), computed once per
    distinct count."""
    out = np.full(n_useful.shape[0], np.nan)
    ok = n_useful > 0
    if ok.any():
        values, inverse = np.unique(n_useful[ok], return_inverse=True)
        out[ok] = np.array([limit(int(v)) for v in values], dtype=float)[inverse]
    return out


def _anhoej(values: np.ndarray, centre: np.ndarray, segs: Segments) -> SegmentRuns:
    """The Anhøj rules (see :func:`anhoej`) on every segment in one pass: runs of useful points are cut
    where a segment ends, and each segment's limits come from its own number of useful points."""
    side = side_of_centre(values, centre)
    useful, starts, ends, useful_segs = _side_runs(side, segs)
    n_useful = useful_segs.counts
    lengths = ends - starts
    run_segs = useful_segs.subset(starts)
    longest = run_segs.max(lengths.astype(float))
    longest_max = np.full(segs.n, np.nan)
    ok = n_useful > 0
    # round(log2(n)) + 3 (Schilling 2012); log2 of a whole number is never halfway between integers
    longest_max[ok] = np.rint(np.log2(n_useful[ok])) + 3
    crossings = np.where(ok, run_segs.counts - 1.0, np.nan)
    crossings_min = _limits_for(n_useful, _crossings_limit)
    with np.errstate(invalid="ignore"):
        shift = longest > longest_max
        few = crossings < crossings_min
    keep = lengths > run_segs.spread(longest_max)
    mask = np.zeros(values.shape[0], dtype=bool)
    mask[useful] = _cover(useful.shape[0], starts[keep], ends[keep])
    return SegmentRuns(n_obs=segs.counts, n_useful=n_useful, longest_run=longest, longest_run_max=longest_max,
                       n_crossings=crossings, n_crossings_min=crossings_min, shift=shift, crossings_signal=few,
                       signal=shift | few, shift_mask=mask)


# ----------------------------------------------------------------------------------------------
# IHI run-chart rules
# ----------------------------------------------------------------------------------------------

class IHIRuns(NamedTuple):
    """The IHI runs rule for one part: the number of runs and the range expected by chance."""

    n_runs: int
    lower: int | None
    upper: int | None
    signal: bool


def ihi_shift(y, median) -> np.ndarray:
    """IHI rule 1, a shift: 6 or more consecutive points all above, or all below, the median.

    Points on the median are skipped: they neither break a shift nor count towards it, and they
    are not flagged.

    Parameters
    ----------
    y : array-like of float
        The part's values in time order.
    median : float or array-like of float
        The run chart's centre line (one value, or one per point).

    Returns
    -------
    numpy.ndarray of bool
        True for the points in a shift.

    References
    ----------
    Perla RJ, Provost LP, Murray SK. The run chart: a simple analytical tool for learning from
    variation in healthcare processes. BMJ Qual Saf 2011;20(1):46-51.
    Provost LP, Murray SK. The Health Care Data Guide. Jossey-Bass; 2011, ch. 3.

    Examples
    --------
    >>> ihi_shift([1, 9, 9, 5, 9, 9, 9, 9, 1], median=5).astype(int)
    array([0, 1, 1, 0, 1, 1, 1, 1, 0])
    """
    values = _as_values(y, "y")
    centre = _as_centre(median, values.shape[0], "median")
    return _long_side_run_mask(side_of_centre(values, centre), IHI_SHIFT_LENGTH)


def _ihi_trend(values: np.ndarray, segs: Segments | None = None) -> np.ndarray:
    """:func:`ihi_trend` on every segment at once (a trend never runs from one segment into the next)."""
    n = values.shape[0]
    if n < IHI_TREND_LENGTH:
        return np.zeros(n, dtype=bool)
    # first point of each group of equal consecutive values (and of each segment)
    new = np.concatenate(([True], values[1:] != values[:-1]))
    if segs is not None and segs.n > 1:
        new |= segs.first
    counted = np.flatnonzero(new)
    direction = np.sign(np.diff(values[counted]))          # never 0 after dropping repeats
    if segs is not None and segs.n > 1:
        direction[segs.first[counted[1:]]] = 0               # no step from one segment into the next
    starts, ends = _run_bounds(direction)
    keep = (direction[starts] != 0) & ((ends - starts) >= IHI_TREND_LENGTH - 1)   # 4 steps join 5 points
    # a run of steps [s, e) joins counted points s .. e; flag the span between them in y
    return _cover(n, counted[starts[keep]], counted[ends[keep]] + 1)


def _ihi_runs(values: np.ndarray, centre: np.ndarray, segs: Segments) -> tuple[np.ndarray, ...]:
    """:func:`ihi_runs` on every segment: (number of runs, useful points, lower, upper, signal) arrays."""
    useful, starts, _, useful_segs = _side_runs(side_of_centre(values, centre), segs)
    n_runs = useful_segs.subset(starts).counts
    n_useful = useful_segs.counts
    big = n_useful >= IHI_RUNS_MIN_POINTS
    lower = _limits_for(np.where(big, n_useful, 0), lambda k: _runs_limits(k)[0])
    upper = _limits_for(np.where(big, n_useful, 0), lambda k: _runs_limits(k)[1])
    with np.errstate(invalid="ignore"):
        signal = big & ((n_runs < lower) | (n_runs > upper))
    return n_runs, n_useful, lower, upper, signal


def _ihi_astronomical(values: np.ndarray, segs: Segments) -> np.ndarray:
    """:func:`ihi_astronomical` on every segment at once."""
    c = segs.counts
    order = np.lexsort((values, segs.ids))
    s = values[order]
    start = np.concatenate(([0], np.cumsum(c)[:-1]))
    ok = c >= max(ASTRONOMICAL_MIN_POINTS, 2)
    mask = np.zeros(values.shape[0], dtype=bool)
    if not ok.any():
        return mask
    lo, hi = start[ok], start[ok] + c[ok] - 1
    s0, s1, s_2, s_1 = s[lo], s[lo + 1], s[hi - 1], s[hi]
    seg_ok = np.flatnonzero(ok)
    top = np.full(segs.n, np.nan)
    bottom = np.full(segs.n, np.nan)
    # highest point: gap to the second highest against the range of all but the highest
    top_spread = s_2 - s0
    hit = (top_spread > 0) & (s_1 - s_2 > ASTRONOMICAL_GAP_RATIO * top_spread)
    top[seg_ok[hit]] = s_1[hit]
    bottom_spread = s_1 - s1
    hit = (bottom_spread > 0) & (s1 - s0 > ASTRONOMICAL_GAP_RATIO * bottom_spread)
    bottom[seg_ok[hit]] = s0[hit]
    mask |= values == segs.spread(top)
    mask |= values == segs.spread(bottom)
    return mask


def ihi_trend(y) -> np.ndarray:
    """IHI rule 2, a trend: 5 or more consecutive points all going up, or all going down.

    Like consecutive values are not counted (only the first of a group of equal values counts)
    and do not break a trend. The mask flags the trend from its first to its last counted point,
    including repeated values inside it (they lie on the trend's line); a repeat of the trend's
    last value after it is not flagged.

    Parameters
    ----------
    y : array-like of float
        The part's values in time order.

    Returns
    -------
    numpy.ndarray of bool
        True for the points in a trend.

    References
    ----------
    Perla RJ, Provost LP, Murray SK. The run chart. BMJ Qual Saf 2011;20(1):46-51.
    Provost LP, Murray SK. The Health Care Data Guide. Jossey-Bass; 2011, ch. 3.

    Examples
    --------
    >>> ihi_trend([5, 1, 2, 2, 3, 4, 5, 5, 0]).astype(int)   # 1, 2, 3, 4, 5 counted
    array([0, 1, 1, 1, 1, 1, 1, 0, 0])
    """
    return _ihi_trend(_as_values(y, "y"))


def ihi_runs(y, median) -> IHIRuns:
    """IHI rule 3: too few or too many runs.

    A run is one or more consecutive points on the same side of the median; points on the median
    are skipped. The number of runs is compared with the range expected by chance for this many
    useful points, :func:`ihi_runs_limits` (computed exactly from Swed & Eisenhart's distribution;
    see there for the convention). Below 10 useful points the rule is not applied.

    Parameters
    ----------
    y : array-like of float
        The part's values in time order.
    median : float or array-like of float
        The run chart's centre line.

    Returns
    -------
    IHIRuns
        ``(n_runs, lower, upper, signal)``: signal is ``n_runs < lower or n_runs > upper``;
        lower and upper are None below 10 useful points.

    References
    ----------
    Perla RJ, Provost LP, Murray SK. The run chart. BMJ Qual Saf 2011;20(1):46-51 (Table 1).
    Swed FS, Eisenhart C. Ann Math Stat 1943;14(1):66-87.

    Examples
    --------
    >>> ihi_runs([1, 1, 1, 1, 1, 9, 9, 9, 9, 9], median=5)   # 2 runs; 10 points expect 3 to 9
    IHIRuns(n_runs=2, lower=3, upper=9, signal=True)
    """
    values = _as_values(y, "y")
    centre = _as_centre(median, values.shape[0], "median")
    n_runs, n_useful, lower, upper, signal = _ihi_runs(values, centre, Segments.one(values.shape[0]))
    if n_useful[0] < IHI_RUNS_MIN_POINTS:
        return IHIRuns(n_runs=int(n_runs[0]), lower=None, upper=None, signal=False)
    return IHIRuns(n_runs=int(n_runs[0]), lower=int(lower[0]), upper=int(upper[0]), signal=bool(signal[0]))


def ihi_astronomical(y) -> np.ndarray:
    """IHI rule 4, an astronomical data point, as operationalised by qikit.

    In the IHI teaching an astronomical point is "obviously, blatantly different" from the rest,
    a judgement everyone looking at the chart would share; the highest or lowest point is not
    astronomical just for being the highest or lowest (Perla et al. 2011; Provost & Murray 2011,
    ch. 3). There is no published formula, so **this rule is qikit's operationalisation**,
    chosen to be conservative (to flag only what everyone would agree on):

        The highest (or lowest) point is astronomical when the gap between it and the nearest
        other point is more than twice the range covered by all the other points, in a part of
        at least 10 points.

    In words: the point sits further from the rest than twice the whole height of the rest. This
    is a gap-to-range ratio in the spirit of Dixon's test for a single outlier (Dean & Dixon
    1951); it is invariant to the units of the measure. Further choices, all conservative:

    * only the single most extreme value on each side can be astronomical; if that value occurs
      twice, neither is flagged (two equal points are not "different from the rest");
    * when all the other points are identical there is no spread to judge against, and nothing is
      flagged;
    * two far-out points on the same side mask each other (neither is flagged).

    With independent normal data of 10 points this flags a point in about 1 chart in 1,000, and
    fewer as the chart gets longer; skewed data (e.g. lengths of stay) are flagged more often,
    as their long tail also looks "obviously different" on a chart.

    ``y`` holds the part's values in time order; the boolean mask returned is True for an
    astronomical point.

    References
    ----------
    Perla RJ, Provost LP, Murray SK. The run chart. BMJ Qual Saf 2011;20(1):46-51.
    Provost LP, Murray SK. The Health Care Data Guide. Jossey-Bass; 2011, ch. 3.
    Dean RB, Dixon WJ. Simplified statistics for small numbers of observations. Analytical
    Chemistry 1951;23(4):636-638.

    Examples
    --------
    >>> ihi_astronomical([10, 12, 11, 13, 12, 11, 10, 12, 13, 11, 40]).astype(int)
    array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    """
    values = _as_values(y, "y")
    return _ihi_astronomical(values, Segments.one(values.shape[0]))
