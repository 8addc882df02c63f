"""Centre lines and control limits, one small specification per chart type.

Each chart differs from the others only in the entries of :data:`CHARTS`: how a subgroup's value
is formed from the raw rows (``value``), whether a denominator is needed, and a limits function
that turns one part's subgroup values into a centre line and limits. Everything here is numpy on
the subgroups of ONE part; :func:`qikit.spc` splits the series into parts and calls these.

The calculations follow qicharts2 0.8.1 (Anhøj, R package), which itself follows Montgomery,
*Introduction to Statistical Quality Control* (6th ed., 2009) and Provost & Murray, *The Health Care
Data Guide* (2011); each function cites the equations it implements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import lgamma

import numpy as np

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
    """The subgroups of one part (phase) handed to a limits function.

    ``y`` is the plotted subgroup value; ``base`` marks the subgroups that may form the centre line
    and limits (baseline, not excluded; may include missing values, which each function skips as
    qicharts2 does so that missing points are not bridged when taking moving ranges).
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


@dataclass
class Limits:
    """What a limits function returns for one part (arrays are per subgroup)."""

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


def _nanmean(a: np.ndarray) -> float:
    a = a[~np.isnan(a)]
    return float(a.mean()) if a.size else np.nan


def mean_moving_range(values: np.ndarray, screen: bool) -> float:
    """Mean moving range of consecutive ``values`` (missing values give missing ranges, dropped).

    With ``screen``, moving ranges at or above D4 x their mean (3.267 x MR-bar, the upper limit of the
    moving range chart) are dropped and the mean recomputed once (Nelson 1982; qicharts2's default).
    """
    mr = np.abs(np.diff(values))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return np.nan
    amr = mr.mean()
    if screen:
        kept = mr[mr < D4 * amr]
        amr = kept.mean() if kept.size else np.nan
    return float(amr)


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


def run_limits(p: Part) -> Limits:
    """Run chart: the centre line is the median of the baseline; no limits (Anhøj & Olesen 2014)."""
    cl = p.cl if p.cl is not None else float(np.nanmedian(p.y[p.base])) if np.any(~np.isnan(p.y[p.base])) else np.nan
    nan = _full(np.nan, p.y)
    return Limits(y=p.y, cl=_full(cl, p.y), lcl=nan, ucl=nan.copy(), lcl_2s=nan.copy(), ucl_2s=nan.copy(),
                  sigma=nan.copy())


def i_limits(p: Part) -> Limits:
    """Individuals chart: mean +/- 3 x MR-bar / d2 (Montgomery eq. 6.33; Provost & Murray ch. 7).

    Moving ranges are taken over the baseline's included points in order, bridging excluded points
    but not missing ones, and screened as in :func:`mean_moving_range`.
    """
    cl = p.cl if p.cl is not None else _nanmean(p.y[p.base])
    sigma = mean_moving_range(p.y[p.base], p.screen_mr) / D2
    return _symmetric(p.y, cl, sigma)


def mr_limits(p: Part) -> Limits:
    """Moving range chart: centre MR-bar, upper limit D4 x MR-bar = 3.267 MR-bar, lower limit 0
    (Montgomery eq. 6.34). The first point of each part has no moving range."""
    y = np.concatenate([[np.nan], np.abs(np.diff(p.y))])
    cl = p.cl if p.cl is not None else _nanmean(y[p.base])
    sigma = (D4 - 1) * cl / 3  # MR chart zones: (UCL - CL) / 3
    return Limits(y=y, cl=_full(cl, y), lcl=_full(0.0, y), ucl=_full(D4 * cl, y),
                  lcl_2s=_full(0.0, y), ucl_2s=_full(D4 / 3 * 2 * cl, y), sigma=_full(sigma, y))


def c4(n: np.ndarray) -> np.ndarray:
    """Bias-correction constant c4(n) = sqrt(2/(n-1)) Gamma(n/2) / Gamma((n-1)/2) (Montgomery
    Appendix VI), exact for any subgroup size; NaN for n <= 1."""
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n > 1
    lg = np.vectorize(lgamma, otypes=[float])
    if ok.any():
        m = n[ok]
        out[ok] = np.sqrt(2 / (m - 1)) * np.exp(lg(m / 2) - lg((m - 1) / 2))
    return out


def _pooled_sd(p: Part) -> float:
    """S-bar for the xbar and s charts: the mean subgroup SD when all subgroups have the same size
    (Montgomery eq. 6.29), the pooled SD sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1)) when sizes differ
    (Montgomery eq. 6.31)."""
    sizes = p.y_len[p.y_len > 0]
    b = p.base & ~np.isnan(p.y_sd)
    if np.unique(sizes).size > 1:
        w = p.y_len[b] - 1
        return float(np.sqrt(np.sum(w * p.y_sd[b] ** 2) / np.sum(w)))
    return _nanmean(p.y_sd[b])


def xbar_limits(p: Part) -> Limits:
    """Xbar chart with S: centre the grand mean weighted by subgroup size (Montgomery eq. 6.30),
    limits centre +/- A3(n_i) S-bar with A3 = 3 / (c4(n) sqrt(n)) for each subgroup's own size."""
    b = p.base & ~np.isnan(p.y)
    cl = p.cl if p.cl is not None else float(np.sum(p.y_len[b] * p.y[b]) / np.sum(p.y_len[b]))
    sigma = _pooled_sd(p) / (c4(p.y_len) * np.sqrt(p.y_len))
    return _symmetric(p.y, cl, sigma)


def s_limits(p: Part) -> Limits:
    """S chart: centre S-bar (see :func:`_pooled_sd`), limits B3 S-bar and B4 S-bar with
    B3/B4 = 1 -/+ 3 sqrt(1 - c4^2) / c4 for each subgroup's size, B3 floored at 0 (Montgomery eq. 6.27-6.31)."""
    y = p.y_sd
    cl = p.cl if p.cl is not None else _pooled_sd(p)
    cc = c4(p.y_len)
    k = np.sqrt(1 - cc**2) / cc  # sigma of s in units of S-bar
    out = _symmetric(y, cl, cl * k, lower=0.0)
    return out


def t_limits(p: Part) -> Limits:
    """t chart (time between rare events): an I chart of y^(1/3.6), back-transformed; a negative
    transformed lower limit becomes 0 (Nelson 1994; Provost & Murray 2011 ch. 9; qicharts2)."""
    ty = p.y ** (1 / T_POWER)
    tp = Part(ty, p.n, p.y_sum, p.y_len, p.y_sd, p.base,
              None if p.cl is None else p.cl ** (1 / T_POWER), p.categorical, p.screen_mr)
    lim = i_limits(tp)
    back = lambda a: np.where(a < 0, 0.0, np.abs(a) ** T_POWER)  # noqa: E731
    return Limits(y=p.y, cl=back(lim.cl), lcl=back(lim.lcl), ucl=back(lim.ucl),
                  lcl_2s=back(lim.lcl_2s), ucl_2s=back(lim.ucl_2s), sigma=lim.sigma, transform=_t_scale)


def _t_scale(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=float) ** (1 / T_POWER)


def _ratio_cl(p: Part) -> float:
    b = p.base & ~np.isnan(p.y)
    return p.cl if p.cl is not None else float(np.sum(p.y_sum[b]) / np.sum(p.n[b]))


def _laney_sigma_z(p: Part, cl: float, sigma: np.ndarray) -> float:
    """Laney's sigma-z: the spread of the standardised values z_i = (y_i - cl) / sigma_i, from their
    moving ranges (screened as for an I chart) over time, or their SD when x is a set of units
    (Laney 2002, Qual Eng 14:531; qicharts2)."""
    z = (p.y[p.base] - cl) / sigma[p.base]
    if p.categorical:
        z = z[~np.isnan(z)]
        return float(np.std(z, ddof=1)) if z.size > 1 else np.nan
    return mean_moving_range(z, p.screen_mr) / D2


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
    cl = p.cl if p.cl is not None else _nanmean(p.y[p.base])
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
    mean = p.cl if p.cl is not None else _nanmean(p.y[p.base])
    if p.cl is None:
        b = p.y[p.base]
        plotted = float(np.median(b[~np.isnan(b)])) if np.any(~np.isnan(b)) else np.nan
    else:
        plotted = G_MEDIAN_RATIO * p.cl
    return _symmetric(p.y, mean, np.sqrt(mean * (mean + 1)), cl_plot=plotted, lower=0.0)


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
