"""Making Data Count: NHS England's XmR charts with special-cause rules, variation and assurance.

This package holds the computation only (no plotting), cut like the SPC side (``api -> charts ->
runs/rules -> result``):

- :mod:`.api`: the front door :func:`mdc`, which checks the data and returns an :class:`MDCResult`;
- :mod:`.layout`: the arguments' checks, and the points sorted by facet then x and cut into facets and
  rebase segments;
- :mod:`.limits`: the XmR process limits of every group at once (the moving ranges and their screening
  are shared with the I chart, :mod:`qikit.stats._xmr`; where the constants differ, and why, is said there);
- :mod:`.rules`: the four Making Data Count special-cause rules and the point types;
- :mod:`.result`: :class:`MDCResult`, its tables and its prose (``explain()``, ``describe()``).

Everything is grouped numpy: no loop per facet or per point.

Sources
-------
- NHS England and NHS Improvement (2019). *Making Data Count: getting started* and *Making Data
  Count: strengthening your decisions*. The rules, the icons' vocabulary ("special cause variation
  of an improving / concerning nature", "common cause variation") and the assurance reading of a
  target against the process limits.
- NHSRplotthedots 0.2.2 (NHS-R Community), ``ptd_spc_standard()``, ``ptd_calculate_point_type()``,
  ``ptd_calculate_assurance_type()``: the reference implementation whose arithmetic this follows
  (differences are listed in :func:`mdc`'s Notes).
- Wheeler DJ, Chambers DS (1992). *Understanding Statistical Process Control*, 2nd ed., SPC Press:
  the XmR chart, 2.66 = 3 / d2 with d2 = 1.128 for moving ranges of two points.
- Nelson LS (1982). Control charts for individual measurements. *Journal of Quality Technology*
  14(3):172-173: screening moving ranges above the upper range limit D4 x mean(mR) = 3.267 x mean(mR).
"""

from __future__ import annotations

from .api import mdc
from .limits import LIMIT_FACTOR, MIN_POINTS, NEAR_FACTOR, SCREEN_FACTOR
from .result import MDCResult
from .rules import (
    POINT_TYPES,
    RULE_ORDER,
    RULES,
    SHIFT_POINTS,
    TREND_STEPS,
    rule_beyond_limits,
    rule_shift,
    rule_trend,
    rule_two_in_three,
)

__all__ = ["mdc", "MDCResult", "RULE_ORDER", "RULES", "POINT_TYPES", "rule_beyond_limits", "rule_trend", "rule_two_in_three",
           "rule_shift", "LIMIT_FACTOR", "NEAR_FACTOR", "SCREEN_FACTOR", "MIN_POINTS", "TREND_STEPS", "SHIFT_POINTS"]
