"""Centre lines and control limits, one small specification per chart type.

Each chart differs from the others only in the entries of :data:`CHARTS`: how a subgroup's value
is formed from the raw rows (``value``), whether a denominator is needed, and a limits function
that turns the subgroup values into a centre line and limits. Everything here is numpy on the subgroups
of one or more parts (``Part.segs``): :func:`qikit.spc` hands every part of every facet to one call, and
each statistic is taken within each part, exactly as if the parts came one at a time.

The calculations follow qicharts2 0.8.1 (Anhøj, R package), which itself follows Montgomery,
*Introduction to Statistical Quality Control* (6th ed., 2009) and Provost & Murray, *The Health Care
Data Guide* (2011); each function cites the equations it implements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import lgamma

import numpy as np

from ._xmr import mean_moving_range as xmr_mean_moving_range
from ._xmr import moving_ranges
from .runs import Segments

#: d2 for moving ranges of two (Montgomery, Appendix Table VI): sigma = mean moving range / 1.128.
D2 = 1.128
#: D4 for moving ranges of two: the upper limit of a moving range chart is 3.267 x the mean moving range.
#: Also the screening limit for moving ranges (Nelson 1982, J Qual Technol 14:172; qicharts2).
D4 = 3.267
#: Exponent of the t chart's transformation to near-normality (Nelson 1994, J Qual Technol 26:239).
T_POWER = 3.6
#: Ratio of the median to the mean of a geometric distribution, used for a g chart whose mean is fixed
#: by the user (Provost & Murray 2011, p. 228).
G_MEDIAN_RATIO = 0.693


@dataclass
class Part:
    """The subgroups handed to a limits function: one part (phase), or many parts at once.

    ``y`` is the plotted subgroup value; ``base`` marks the subgroups that may form the centre line
    and limits (baseline, not excluded; may include missing values, which each function skips as
    qicharts2 does so that missing points are not bridged when taking moving ranges). ``segs`` says
    which part each subgroup belongs to when several parts (of several facets) are computed in one
    vectorised pass; every statistic is then taken within each part, exactly as if the parts were
    handed over one at a time. Without ``segs`` all the subgroups form one part.
    """

    y: np.ndarray
    n: np.ndarray  # denominator (NaN where none)
    y_sum: np.ndarray
    y_len: np.ndarray  # number of non-missing raw values in the subgroup
    y_sd: np.ndarray  # standard deviation of the raw values in the subgroup
    base: np.ndarray
    cl: float | None  # a centre line fixed by the user
    categorical: bool  # x is a set of labels (units), not time
    screen_mr: bool
    segs: Segments | None = None

    @property
    def parts(self) -> Segments:
        return self.segs if self.segs is not None else Segments.one(self.y.shape[0])

    def per_part(self, fixed: float | None, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """One value per part: the user's fixed value, or ``compute()``."""
        if fixed is not None:
            return np.full(self.parts.n, float(fixed))
        return compute()

    def mean_of(self, values: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Per part, the mean of the non-missing ``values`` where ``where`` is True (NaN if none)."""
        keep = where & ~np.isnan(values)
        return self.parts.subset(keep).mean(values[keep])

    def at(self, per_part: np.ndarray) -> np.ndarray:
        """A per-part value spread to every subgroup."""
        return self.parts.spread(per_part)


@dataclass
class Limits:
    """What a limits function returns (arrays are per subgroup)."""

    y: np.ndarray  # the plotted value (differs from Part.y for the mr chart)
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_2s: np.ndarray
    ucl_2s: np.ndarray
    #: The chart's one-sigma width per point, for the zone rules (NaN on a run chart). For a t chart it is
    #: on the transformed scale given by ``transform``.
    sigma: np.ndarray
    #: Maps y, centre line and limits to the scale on which ``sigma`` applies (the t chart's y^(1/3.6)).
    transform: Callable[[np.ndarray], np.ndarray] | None = None


def _full(value: float, like: np.ndarray) -> np.ndarray:
    return np.full(like.shape, value, dtype=float)


def mean_moving_range(values: np.ndarray, screen: bool) -> float:
    """Mean moving range of consecutive ``values`` (missing values give missing ranges, dropped).

    With ``screen``, moving ranges at or above D4 x their mean (3.267 x MR-bar, the upper limit of the
    moving range chart) are dropped and the mean recomputed once (Nelson LS, J Qual Technol
    1982;14(3):172-173; qicharts2's default).

    >>> round(mean_moving_range(np.array([1.0, 3.0, 2.0, 2.0]), screen=False), 4)
    1.0
    """
    values = np.asarray(values, dtype=float)
    return float(_mean_moving_range(values, Segments.one(values.shape[0]), screen)[0])


def _mean_moving_range(values: np.ndarray, segs: Segments, screen: bool) -> np.ndarray:
    """:func:`mean_moving_range` of each part at once (no range spans two parts): the XmR arithmetic
    shared with Making Data Count (:mod:`qikit.stats._xmr`), with qicharts2's rule for a flat baseline."""
    mr = moving_ranges(values, segs.first)
    return xmr_mean_moving_range(mr, ~np.isnan(mr), segs, D4 if screen else None, keep_flat=False)[0]


def _symmetric(y, centre, sigma, cl_plot=None, lower=-np.inf, upper=np.inf) -> Limits:
    """centre +/- 3 sigma and 2 sigma, clipped to [lower, upper] (limits outside the data's range)."""
    centre = np.broadcast_to(np.asarray(centre, dtype=float), y.shape)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), y.shape)

    def line(k: float) -> np.ndarray:
        out = centre + k * sigma
        if lower > -np.inf:
            np.maximum(out, lower, out=out)
        if upper < np.inf:
            np.minimum(out, upper, out=out)
        return out

    plotted = centre if cl_plot is None else np.broadcast_to(np.asarray(cl_plot, dtype=float), y.shape)
    return Limits(y=y, cl=plotted, lcl=line(-3), ucl=line(3), lcl_2s=line(-2), ucl_2s=line(2), sigma=sigma)


def _median_of_base(p: Part) -> np.ndarray:
    keep = p.base & ~np.isnan(p.y)
    return p.parts.subset(keep).median(p.y[keep])


def run_limits(p: Part) -> Limits:
    """Run chart: the centre line is the median of the baseline; no limits (Anhøj & Olesen 2014)."""
    cl = p.at(p.per_part(p.cl, lambda: _median_of_base(p)))
    nan = _full(np.nan, p.y)
    return Limits(y=p.y, cl=cl, lcl=nan, ucl=nan.copy(), lcl_2s=nan.copy(), ucl_2s=nan.copy(), sigma=nan.copy())


def i_limits(p: Part) -> Limits:
    """Individuals chart: mean +/- 3 x MR-bar / d2 (Montgomery eq. 6.33; Provost & Murray ch. 7).

    Moving ranges are taken over the baseline's included points in order, bridging excluded points
    but not missing ones, and screened as in :func:`mean_moving_range`.
    """
    cl = p.per_part(p.cl, lambda: p.mean_of(p.y, p.base))
    sigma = _mean_moving_range(p.y[p.base], p.parts.subset(p.base), p.screen_mr) / D2
    return _symmetric(p.y, p.at(cl), p.at(sigma))


def mr_limits(p: Part) -> Limits:
    """Moving range chart: centre MR-bar, upper limit D4 x MR-bar = 3.267 MR-bar, lower limit 0
    (Montgomery eq. 6.34). The first point of each part has no moving range."""
    y = np.empty(p.y.shape[0])
    y[1:] = np.abs(np.diff(p.y))
    y[p.parts.first] = np.nan  # the first point of each part has no moving range
    cl = p.at(p.per_part(p.cl, lambda: p.mean_of(y, p.base)))
    sigma = (D4 - 1) * cl / 3  # MR chart zones: (UCL - CL) / 3
    return Limits(y=y, cl=cl, lcl=_full(0.0, y), ucl=D4 * cl, lcl_2s=_full(0.0, y), ucl_2s=D4 / 3 * 2 * cl,
                  sigma=sigma)


def c4(n: np.ndarray) -> np.ndarray:
    """Bias-correction constant c4(n) = sqrt(2/(n-1)) Gamma(n/2) / Gamma((n-1)/2) (Montgomery
    Appendix VI), exact for any subgroup size; NaN for n <= 1."""
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n > 1
    lg = np.vectorize(lgamma, otypes=[float])
    if ok.any():
        m, inverse = np.unique(n[ok], return_inverse=True)  # few distinct sizes: one Gamma each
        out[ok] = (np.sqrt(2 / (m - 1)) * np.exp(lg(m / 2) - lg((m - 1) / 2)))[inverse]
    return out


def _pooled_sd(p: Part) -> np.ndarray:
    """S-bar of each part for the xbar and s charts: the mean subgroup SD when all subgroups have the
    same size (Montgomery eq. 6.29), the pooled SD sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1)) when sizes
    differ (Montgomery eq. 6.31)."""
    parts = p.parts
    sized = p.y_len > 0
    by_size = parts.subset(sized)
    varying = by_size.min(p.y_len[sized]) != by_size.max(p.y_len[sized])
    b = p.base & ~np.isnan(p.y_sd)
    w = p.y_len[b] - 1
    in_b = parts.subset(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.sqrt(in_b.sum(w * p.y_sd[b] ** 2) / in_b.sum(w))
    return np.where(varying, pooled, in_b.mean(p.y_sd[b]))


def xbar_limits(p: Part) -> Limits:
    """Xbar chart with S: centre the grand mean weighted by subgroup size (Montgomery eq. 6.30),
    limits centre +/- A3(n_i) S-bar with A3 = 3 / (c4(n) sqrt(n)) for each subgroup's own size."""
    b = p.base & ~np.isnan(p.y)
    in_b = p.parts.subset(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        cl = p.per_part(p.cl, lambda: in_b.sum(p.y_len[b] * p.y[b]) / in_b.sum(p.y_len[b]))
    sigma = p.at(_pooled_sd(p)) / (c4(p.y_len) * np.sqrt(p.y_len))
    return _symmetric(p.y, p.at(cl), sigma)


def s_limits(p: Part) -> Limits:
    """S chart: centre S-bar (see :func:`_pooled_sd`), limits B3 S-bar and B4 S-bar with
    B3/B4 = 1 -/+ 3 sqrt(1 - c4^2) / c4 for each subgroup's size, B3 floored at 0 (Montgomery eq. 6.27-6.31)."""
    cl = p.at(p.per_part(p.cl, lambda: _pooled_sd(p)))
    cc = c4(p.y_len)
    k = np.sqrt(1 - cc**2) / cc  # sigma of s in units of S-bar
    return _symmetric(p.y_sd, cl, cl * k, lower=0.0)


def t_limits(p: Part) -> Limits:
    """t chart (time between rare events): an I chart of y^(1/3.6), back-transformed; a negative
    transformed lower limit becomes 0 (Nelson 1994; Provost & Murray 2011 ch. 9; qicharts2)."""
    ty = p.y ** (1 / T_POWER)
    tp = Part(ty, p.n, p.y_sum, p.y_len, p.y_sd, p.base,
              None if p.cl is None else p.cl ** (1 / T_POWER), p.categorical, p.screen_mr, p.segs)
    lim = i_limits(tp)
    back = lambda a: np.where(a < 0, 0.0, np.abs(a) ** T_POWER)  # noqa: E731
    return Limits(y=p.y, cl=back(lim.cl), lcl=back(lim.lcl), ucl=back(lim.ucl),
                  lcl_2s=back(lim.lcl_2s), ucl_2s=back(lim.ucl_2s), sigma=lim.sigma, transform=_t_scale)


def _t_scale(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=float) ** (1 / T_POWER)


def _ratio_cl(p: Part) -> np.ndarray:
    """sum(numerators) / sum(denominators) of each part's baseline."""
    b = p.base & ~np.isnan(p.y)
    in_b = p.parts.subset(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        return p.at(p.per_part(p.cl, lambda: in_b.sum(p.y_sum[b]) / in_b.sum(p.n[b])))


def _laney_sigma_z(p: Part, cl: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Laney's sigma-z of each part: the spread of the standardised values z_i = (y_i - cl) / sigma_i,
    from their moving ranges (screened as for an I chart) over time, or their SD when x is a set of
    units (Laney DB, Qual Eng 2002;14(4):531-537; qicharts2)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (p.y[p.base] - cl[p.base]) / sigma[p.base]
    in_base = p.parts.subset(p.base)
    if p.categorical:
        keep = ~np.isnan(z)
        return p.at(in_base.subset(keep).std(z[keep], ddof=1))
    return p.at(_mean_moving_range(z, in_base, p.screen_mr) / D2)


def p_limits(p: Part) -> Limits:
    """p chart: centre sum(numerators) / sum(denominators), limits p +/- 3 sqrt(p (1 - p) / n_i),
    clipped to [0, 1] (Montgomery eq. 7.8; Provost & Murray ch. 8)."""
    cl = _ratio_cl(p)
    return _symmetric(p.y, cl, np.sqrt(cl * (1 - cl) / p.n), lower=0.0, upper=1.0)


def pp_limits(p: Part) -> Limits:
    """Laney p' chart: the p chart's sigma multiplied by sigma-z, for very large denominators where the
    p chart's limits are too narrow (Laney 2002)."""
    cl = _ratio_cl(p)
    sigma = np.sqrt(cl * (1 - cl) / p.n)
    return _symmetric(p.y, cl, sigma * _laney_sigma_z(p, cl, sigma), lower=0.0, upper=1.0)


def c_limits(p: Part) -> Limits:
    """c chart: centre the mean count, limits c +/- 3 sqrt(c), lower limit floored at 0 (Montgomery eq. 7.17)."""
    cl = p.at(p.per_part(p.cl, lambda: p.mean_of(p.y, p.base)))
    return _symmetric(p.y, cl, np.sqrt(cl), lower=0.0)


def u_limits(p: Part) -> Limits:
    """u chart: centre sum(counts) / sum(exposure), limits u +/- 3 sqrt(u / n_i), lower limit floored at 0
    (Montgomery eq. 7.19)."""
    cl = _ratio_cl(p)
    return _symmetric(p.y, cl, np.sqrt(cl / p.n), lower=0.0)


def up_limits(p: Part) -> Limits:
    """Laney u' chart: the u chart's sigma multiplied by sigma-z (Laney 2002)."""
    cl = _ratio_cl(p)
    sigma = np.sqrt(cl / p.n)
    return _symmetric(p.y, cl, sigma * _laney_sigma_z(p, cl, sigma), lower=0.0)


def g_limits(p: Part) -> Limits:
    """g chart (cases between rare events): limits from the mean, mean +/- 3 sqrt(mean (mean + 1))
    with the lower limit floored at 0 (Montgomery p. 319; Benneyan 2001); the plotted centre line is
    the baseline median, or 0.693 x a fixed mean (Provost & Murray 2011 p. 228), because the geometric
    distribution is skewed."""
    mean = p.at(p.per_part(p.cl, lambda: p.mean_of(p.y, p.base)))
    if p.cl is None:
        plotted = p.at(_median_of_base(p))
    else:
        plotted = _full(G_MEDIAN_RATIO * p.cl, p.y)
    with np.errstate(invalid="ignore"):
        sigma = np.sqrt(mean * (mean + 1))
    return _symmetric(p.y, mean, sigma, cl_plot=plotted, lower=0.0)


@dataclass(frozen=True)
class ChartSpec:
    """How one chart type is built. ``value`` says how a subgroup's plotted value is formed:
    ``"agg"`` (the ``agg`` function of the rows, or sum(y)/sum(n) when n is given),
    ``"ratio"`` (sum(y)/sum(n)), ``"sum"``, ``"mean"`` (with the SD kept for S-bar), ``"sd"``."""

    name: str
    title: str
    value: str
    denominator: str  # "required", "optional" or "none"
    limits: Callable[[Part], Limits]
    counts: bool = False  # y are counts: negative values are refused
    positive: bool = False  # y must be above 0 (t chart)
    proportion: bool = False  # numerator may not exceed denominator
    has_limits: bool = True
    runs_analysis: bool = True
    # What the centre line is called in legends, alt text and explain() ("median" or "mean").
    centre_name: str = "mean"
    # Default axis wording; "{label}" is the measure's own name (y, or "y / n" with a denominator).
    y_label: str = "{label}"


CHARTS: dict[str, ChartSpec] = {s.name: s for s in [
    ChartSpec("run", "Run chart", "agg", "optional", run_limits, has_limits=False, centre_name="median"),
    ChartSpec("i", "I chart (individual values)", "agg", "optional", i_limits),
    ChartSpec("mr", "Moving range chart", "agg", "optional", mr_limits, runs_analysis=False,
              y_label="moving range of {label}"),
    ChartSpec("xbar", "Xbar chart (subgroup averages)", "mean", "none", xbar_limits),
    ChartSpec("s", "S chart (subgroup standard deviations)", "sd", "none", s_limits, y_label="SD of {label}"),
    ChartSpec("t", "t chart (time between rare events)", "agg", "none", t_limits, positive=True),
    ChartSpec("p", "p chart (proportions)", "ratio", "required", p_limits, counts=True, proportion=True),
    ChartSpec("pp", "Laney p' chart (proportions, large denominators)", "ratio", "required", pp_limits,
              counts=True, proportion=True),
    ChartSpec("c", "c chart (counts)", "sum", "none", c_limits, counts=True),
    ChartSpec("u", "u chart (rates)", "ratio", "required", u_limits, counts=True),
    ChartSpec("up", "Laney u' chart (rates, large denominators)", "ratio", "required", up_limits, counts=True),
    ChartSpec("g", "g chart (cases between rare events)", "agg", "none", g_limits, counts=True,
              centre_name="median"),
]}
