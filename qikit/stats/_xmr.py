"""XmR arithmetic shared by the I chart (:mod:`qikit.stats.charts`) and Making Data Count (:mod:`qikit.stats.mdc`).

Both charts set their limits from the mean moving range of neighbouring points, screened once for moving
ranges that are too large (Nelson 1982). What differs is only the multiplier of the limits, which each caller
keeps: the I chart uses 3 / d2 = 3 / 1.128 = 2.6596 (Montgomery, Appendix VI; qicharts2), Making Data Count
the rounded 2.66 (NHS England 2019; NHSRplotthedots' ``ptd_spc_standard()``, ``limit <- 2.66``).

The functions work on many series at once: points sorted so that each series (facet, part or segment) is
one contiguous block, described by a :class:`~qikit.stats.runs.Segments` (one series: ``Segments.one(n)``).

Sources
-------
- Wheeler DJ, Chambers DS (1992). *Understanding Statistical Process Control*, 2nd ed., SPC Press, ch. 8:
  moving ranges of two points and the XmR chart.
- Nelson LS (1982). Control charts for individual measurements. *J Qual Technol* 14(3):172-173: leave out
  moving ranges above the moving range chart's upper limit D4 x mean(mR) = 3.267 x mean(mR), then average
  again.
"""

from __future__ import annotations

import numpy as np

from .runs import Segments


def group_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of each contiguous block (blocks start at ``starts`` and are never empty)."""
    return np.add.reduceat(values, starts)


def moving_ranges(y: np.ndarray, first: np.ndarray) -> np.ndarray:
    """|y[i] - y[i-1]| for every point; NaN at the first point of each block and next to a missing value
    (so the points either side of a gap are never joined).

    Examples
    --------
    >>> moving_ranges(np.array([1.0, 3.0, 2.0, 5.0]), np.array([True, False, True, False])).tolist()
    [nan, 2.0, nan, 3.0]
    """
    mr = np.empty(len(y))
    if len(y):
        mr[0] = np.nan
        mr[1:] = np.abs(y[1:] - y[:-1])
    mr[first] = np.nan
    return mr


def mean_moving_range(mr: np.ndarray, used: np.ndarray, segs: Segments, screen_factor: float | None,
                      keep_flat: bool) -> tuple[np.ndarray, np.ndarray]:
    """The mean moving range of each segment, from the moving ranges marked ``used``.

    ``segs`` (:class:`qikit.stats.runs.Segments`) says which segment (facet, part) each point is in; the
    sums are numpy's own, segment by segment. With ``screen_factor`` (3.267 = D4 for both charts), moving
    ranges at or above ``screen_factor`` x the segment's mean moving range are left out and the mean taken
    again, once (Nelson 1982). When a segment's mean moving range is 0 (a flat baseline) screening would
    leave nothing: ``keep_flat=True`` keeps the mean at 0 (qikit's Making Data Count), ``keep_flat=False``
    gives NaN (qicharts2's I chart: no limits). A segment without moving ranges gives NaN.
    Returns (mean moving range per segment, the moving ranges that entered it).

    Examples
    --------
    The 17 moving ranges of 1, 2, 1, 2, 10, 1, 2, ...: fifteen of 1, then 8 and 9 are screened out
    (3.267 x 32/17 = 6.15), leaving a mean of 1:

    >>> y = np.array([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1], dtype=float)
    >>> one = Segments.one(18)
    >>> mr = moving_ranges(y, one.first)
    >>> amr, used = mean_moving_range(mr, ~np.isnan(mr), one, 3.267, keep_flat=True)
    >>> float(amr[0]), int(used.sum())
    (1.0, 15)
    """
    used = used & ~np.isnan(mr)
    amr = segs.subset(used).mean(mr[used])
    if screen_factor is None:
        return amr, used
    cut = screen_factor * amr
    if keep_flat:
        cut[~(amr > 0)] = np.inf
    with np.errstate(invalid="ignore"):
        keep = used & (mr < segs.spread(cut))
    screened = segs.subset(keep).mean(mr[keep])
    if keep_flat:
        screened = np.where(amr > 0, screened, amr)
    return screened, keep
