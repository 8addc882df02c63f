"""Making Data Count's process limits for every facet and segment at once.

The limits are those of an XmR chart, set as NHS England's Making Data Count (2019) and NHSRplotthedots'
``ptd_spc_standard()`` set them: the mean of the baseline, the mean moving range screened once (Nelson 1982),
process limits at the mean +/- 2.66 x the mean moving range and "2-sigma" lines two thirds of the way out.
The moving ranges and their screening are shared with the I chart of :func:`qikit.spc`
(:mod:`qikit.stats._xmr`).

Where the constants differ from :func:`qikit.spc`'s I chart, and why
--------------------------------------------------------------------
- The limit factor: Making Data Count uses 2.66 (``ptd_spc_standard()``: ``limit <- 2.66``), the value
  printed in its guidance; the I chart uses 3 / d2 = 3 / 1.128 = 2.6596 unrounded, as qicharts2 does
  (Montgomery 2009, Appendix VI). On the same points the limits differ by 0.0004 x the mean moving range:
  on the 18 points of :func:`qikit.mdc`'s example the upper limit is 4.60444 here and 4.60402 on the I chart.
- The 2-sigma lines: 2/3 x 2.66 = 1.7733 here (``limitclose <- 2 * (limit / 3)``), 2 / 1.128 = 1.7730 there.
- The screening cut-off is the same on both sides, D4 = 3.267 x the mean moving range (``ptd_spc_standard()``
  keeps ``mr < 3.267 * amr``; qicharts2 the same). Only a flat baseline (every moving range 0) is treated
  differently: qikit's Making Data Count keeps its mean moving range of 0 (NHSRplotthedots would screen
  every range out and draw no limits), the I chart has no limits, as qicharts2.
"""

from __future__ import annotations

import numpy as np

from .._xmr import mean_moving_range, moving_ranges
from ..charts import D4
from ..runs import Segments

#: Process limits are mean +/- 2.66 x mean moving range: 3 / d2 with d2 = 1.128, the bias
#: constant of the range of two points, rounded as Making Data Count prints it (Wheeler & Chambers 1992,
#: ch. 8; NHSRplotthedots ptd_spc_standard(): ``limit <- 2.66``). The I chart of qikit.spc uses 3 / 1.128.
LIMIT_FACTOR = 2.66
#: The "2-sigma" lines used by the two-in-three rule: two thirds of the way to the process limit
#: (Making Data Count: getting started, 2019; ptd_spc_standard()'s ``limitclose``).
NEAR_FACTOR = 2 * LIMIT_FACTOR / 3
#: Moving ranges at or above D4 x mean(mR) = 3.267 x mean(mR) are screened out before the limits
#: are set (Nelson 1982; ptd_spc_standard()'s ``screen_outliers``, which keeps mR < 3.267 x amr). The
#: same constant as the I chart's (:data:`qikit.stats.charts.D4`).
SCREEN_FACTOR = D4
#: Limits resting on fewer points than this are provisional (the brief's threshold; ptd 0.2.2's
#: ptd_add_short_group_warnings() flags groups of fewer than 12 points).
MIN_POINTS = 13


def lengths_of(starts: np.ndarray, n: int) -> np.ndarray:
    """How many points each contiguous group has, from where the groups start."""
    return np.diff(np.append(starts, n))


def xmr_limits(y: np.ndarray, seg: np.ndarray, first: np.ndarray, starts: np.ndarray, baseline: np.ndarray,
               screen: bool):
    """Mean, mean moving range and the moving ranges for every group (facet + segment).

    Points are sorted so that each group is contiguous, starting at ``starts``; ``seg`` is each point's group.
    ``baseline`` marks
    the points the limits rest on (the first ``fix_after`` of each group). Returns
    (mean, amr, mr, mr_used, n_values, n_mr), with mean, amr and the counts per group.
    """
    segs = Segments(seg, len(starts), lengths_of(starts, len(y)))
    have = baseline & ~np.isnan(y)
    n_values = segs.count(have)
    mean = segs.subset(have).mean(y[have])
    mr = moving_ranges(y, first)
    used = baseline & ~np.isnan(mr)
    n_mr = segs.count(used)
    # Nelson (1982): drop moving ranges at or above 3.267 x amr, then average again. When amr is 0
    # (a flat baseline) nothing can be screened, so it stays 0.
    amr, used = mean_moving_range(mr, used, segs, SCREEN_FACTOR if screen else None, keep_flat=True)
    return mean, amr, mr, used, n_values, n_mr


def process_limits(mean: np.ndarray, amr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper process limit, lower, upper 2-sigma line) per group: mean -/+ 2.66 amr, -/+ 1.7733 amr.

    Examples
    --------
    >>> lpl, upl, lpl2, upl2 = process_limits(np.array([35 / 18]), np.array([1.0]))
    >>> round(float(upl[0]), 5), round(float(lpl[0]), 5), round(float(upl2[0]), 5)
    (4.60444, -0.71556, 3.71778)
    """
    return mean - LIMIT_FACTOR * amr, mean + LIMIT_FACTOR * amr, mean - NEAR_FACTOR * amr, mean + NEAR_FACTOR * amr
