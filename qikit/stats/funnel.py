"""Funnel plots: comparing units (wards, trusts, surgeons) whose denominators differ.

Computation only (numpy and pandas); :meth:`FunnelResult.plot` draws it with :mod:`qikit.plot.funnel`.

A league table ranks units by their rate and invites the reader to blame the bottom of it, though
small units scatter more by chance alone. A funnel plot puts each unit's proportion (or rate, or
ratio of observed to expected) against its denominator, with limits around the target that narrow
as the denominator grows: a unit outside the funnel differs by more than chance would explain.

Sources
-------
Spiegelhalter DJ. Funnel plots for comparing institutional performance. *Statistics in Medicine*
2005;24(8):1185-1202 (the funnel: target +/- z standard errors at each denominator; exact Poisson
limits for a standardised ratio; the additive random-effects adjustment for over-dispersion).

Spiegelhalter DJ. Handling over-dispersion of performance indicators. *Quality and Safety in Health
Care* 2005;14:347-351 (z-scores on a scale where they are near normal; winsorising them; the
dispersion ratio phi; the between-unit variance tau^2 of DerSimonian and Laird; limits widened by
tau^2 and transformed back).

The NHS-R Community's R package FunnelPlotR computes the same quantities; qikit's code is its own,
written from the papers, and agrees with FunnelPlotR's method (arcsine square-root scale for
proportions, log scale for standardised ratios, winsorising at 10% and 90%).

The three kinds
---------------
``"proportion"``: y patients with the outcome out of n. Limits on the arcsine square-root scale,
``asin(sqrt(p))``, whose standard error is ``1 / (2 sqrt(n))`` whatever p is, transformed back with
``sin(.)^2``; they stay inside 0 to 1 and are asymmetric near either end.

``"rate"``: y events per n of exposure (bed-days). Poisson limits ``r +/- z sqrt(r / n)`` on the rate
itself, the lower limit floored at 0.

``"ratio"``: an indirectly standardised ratio, y observed events against n expected from a risk model
(SHMI-style). Centre 1. Unadjusted limits are exact Poisson limits for the observed count given the
expected one; the over-dispersion adjustment works on the log scale, ``log(O / E)`` with standard
error ``1 / sqrt(E)``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks
from ..display import Text, fmt_list, fmt_number, fmt_ratio
from ..errors import QIDataError, rows_phrase

__all__ = ["funnel", "FunnelResult", "funnel_limits", "dispersion", "poisson_ratio_limits", "KINDS",
           "OVERDISPERSION"]

#: What the funnel compares: a proportion (y out of n), a rate (y events per n of exposure) or a ratio
#: (y observed events against n expected).
KINDS = ("proportion", "rate", "ratio")
#: How the funnel allows for over-dispersion: not at all (``False``, the plain funnel of chance alone) or
#: Spiegelhalter's additive random-effects widening (``"additive"``).
OVERDISPERSION = (False, "additive")
#: The multiples of the standard error drawn as the inner and outer funnels by default (2 and 3 sigma as
#: on a Shewhart chart; Spiegelhalter's 95% and 99.8% limits are ``z=(1.959964, 3.090232)``).
Z_INNER, Z_OUTER = 2.0, 3.0
#: The share of z-scores pulled in at each end before phi is estimated (Spiegelhalter 2005, QSHC: 10%).
WINSORISE = 0.1
#: A zero observed count has no logarithm: on the log scale of ``kind="ratio"`` it counts as half an event
#: (the usual continuity correction).
ZERO_COUNT = 0.5
#: Points on the smooth funnel curves stored in :attr:`FunnelResult.curve`.
CURVE_POINTS = 200


# ------------------------------------------------------------------------------------ the scales

def _transform(kind: str, value: np.ndarray) -> np.ndarray:
    """The scale on which z-scores are formed: asin(sqrt(p)), the rate itself, or log(ratio)."""
    if kind == "proportion":
        return np.arcsin(np.sqrt(np.clip(value, 0.0, 1.0)))
    if kind == "ratio":
        return np.log(value)
    return value


def _back(kind: str, t: np.ndarray) -> np.ndarray:
    """From the z-score scale back to the value scale (proportions clipped to 0-1, rates at 0)."""
    if kind == "proportion":
        return np.sin(np.clip(t, 0.0, np.pi / 2)) ** 2
    if kind == "ratio":
        return np.exp(t)
    return np.maximum(t, 0.0)


def _se(kind: str, centre: float, n: np.ndarray) -> np.ndarray:
    """Standard error on the z-score scale at denominator n: 1 / (2 sqrt(n)) for asin(sqrt(p)) (binomial),
    sqrt(r / n) for a rate (Poisson), 1 / sqrt(centre x E) for log(O / E) (Poisson count, delta method)."""
    n = np.asarray(n, dtype=float)
    if kind == "proportion":
        return 0.5 / np.sqrt(n)
    if kind == "ratio":
        return 1.0 / np.sqrt(centre * n)
    return np.sqrt(centre / n)


def funnel_limits(centre: float, n, kind: str, z: float, tau2: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits at denominators ``n`` (on the 0-1 / per-unit / ratio scale).

    On the z-score scale of ``kind`` the limits are ``t0 +/- z sqrt(s^2 + tau2)``, with ``t0`` the
    transformed centre and ``s`` the standard error at n (see :func:`_se`); they are then transformed
    back. ``tau2 = 0`` gives the plain funnel of chance alone (Spiegelhalter, Stat Med 2005, section 3);
    ``tau2 > 0`` widens it for the real variation between units (additive random effects; Spiegelhalter,
    Qual Saf Health Care 2005). For ``kind="ratio"`` with ``tau2 = 0`` see :func:`poisson_ratio_limits`,
    which :func:`funnel` uses instead: the plain funnel of a ratio is exact.

    Examples
    --------
    Proportion 0.2 at n = 100: asin(sqrt(0.2)) = 0.46365, +/- 3 x 0.05, back with sin^2:

    >>> lo, hi = funnel_limits(0.2, [100], "proportion", 3)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0952, 0.3316)
    >>> lo, hi = funnel_limits(0.04, [100], "rate", 3)   # 0.04 +/- 3 sqrt(0.04 / 100), floored at 0
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.0, 0.1)
    """
    n = np.asarray(n, dtype=float)
    t0 = float(_transform(kind, np.asarray(centre, dtype=float)))
    width = z * np.sqrt(_se(kind, centre, n) ** 2 + tau2)
    return _back(kind, t0 - width), _back(kind, t0 + width)


def _normal_tail(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)


def _lgamma(a: np.ndarray) -> np.ndarray:
    return _LGAMMA(a).astype(float)


def _gamma_p(a: np.ndarray, x: np.ndarray, lg: np.ndarray | None = None) -> np.ndarray:
    """Regularised lower incomplete gamma function P(a, x), vectorised: its power series where
    x < a + 1 and a continued fraction for 1 - P elsewhere (Abramowitz & Stegun 6.5.29 and 6.5.31),
    each element iterated until its own terms stop changing the sum (the arrays are compacted as
    elements finish). ``lg`` is log Gamma(a), if known."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(x, dtype=float))
    out = np.zeros(a.shape)
    pos = x > 0
    log_front = np.full(a.shape, -np.inf)
    lg_pos = _lgamma(a[pos]) if lg is None else np.broadcast_to(lg, a.shape)[pos]
    log_front[pos] = -x[pos] + a[pos] * np.log(x[pos]) - lg_pos
    idx = np.flatnonzero(pos & (x < a + 1))
    if idx.size:  # series: P = front x sum_k x^k / (a (a + 1) ... (a + k))
        aa, xx = a[idx], x[idx]
        term = 1.0 / aa
        total = term.copy()
        denom = aa.copy()
        k = 0
        while idx.size and k < 100_000:
            k += 1
            denom += 1.0
            term *= xx / denom
            total += term
            if k % 4 == 0:
                done = term <= total * 1e-17
                if done.any():
                    out[idx[done]] = total[done]
                    keep = ~done
                    idx, aa, xx, term, total, denom = idx[keep], aa[keep], xx[keep], term[keep], total[keep], \
                        denom[keep]
        out[idx] = total
        series = pos & (x < a + 1)
        out[series] *= np.exp(log_front[series])
    idx = np.flatnonzero(pos & (x >= a + 1))
    if idx.size:  # continued fraction for Q = 1 - P (modified Lentz)
        aa = a[idx]
        tiny = 1e-300
        b = x[idx] + 1.0 - aa
        c = np.full(aa.shape, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        i = 0
        while idx.size and i < 100_000:
            i += 1
            an = -i * (i - aa)
            b += 2.0
            d = an * d + b
            d[np.abs(d) < tiny] = tiny
            c = b + an / c
            c[np.abs(c) < tiny] = tiny
            d = 1.0 / d
            step = d * c
            h *= step
            if i % 4 == 0:
                done = np.abs(step - 1.0) <= 1e-16
                if done.any():
                    out[idx[done]] = h[done]
                    keep = ~done
                    idx, aa, b, c, d, h = idx[keep], aa[keep], b[keep], c[keep], d[keep], h[keep]
        out[idx] = h
        frac = pos & (x >= a + 1)
        out[frac] = 1.0 - np.exp(log_front[frac]) * out[frac]
    return out


def _gamma_quantile(a: np.ndarray, p, z) -> np.ndarray:
    """x with P(a, x) = p for each shape a (Halley's method from the Wilson-Hilferty start; ``z`` is the
    standard normal quantile of p, which the start needs). ``p`` and ``z`` are scalars or arrays like a."""
    a = np.asarray(a, dtype=float)
    p, z = np.broadcast_to(p, a.shape).astype(float), np.broadcast_to(z, a.shape).astype(float)
    lg = _lgamma(a)
    x = a * (1.0 - 1.0 / (9.0 * a) + z / (3.0 * np.sqrt(a))) ** 3
    small = np.exp((np.log(p) + np.log(a) + lg) / a)  # P(a, x) ~ x^a / (a Gamma(a)) for small x
    x = np.where((x <= 0) | ((p < 0.5) & (small < x) & (a < 1)), small, x).astype(float)
    live = np.arange(a.size)
    for _ in range(100):
        al, xl, ll = a[live], x[live], lg[live]
        pdf = np.exp((al - 1.0) * np.log(xl) - xl - ll)
        newton = (_gamma_p(al, xl, ll) - p[live]) / pdf
        # Halley: f''/f' = (a - 1) / x - 1 for f(x) = P(a, x) - p
        halley = newton / np.maximum(1.0 - 0.5 * newton * ((al - 1.0) / xl - 1.0), 0.5)
        new = xl - halley
        new = np.where(new <= 0, xl / 2.0, new)
        x[live] = new
        # cubic convergence: a step below 1e-6 of x leaves an error below 1e-15; those elements are done
        live = live[np.abs(new - xl) > 1e-6 * np.abs(xl)]
        if not live.size:
            break
    return x


def _ratio_limits(expected: np.ndarray, zs: tuple[float, ...], target: float) -> list[np.ndarray]:
    """[lower, upper] exact Poisson ratio limits for each z in ``zs`` (see :func:`poisson_ratio_limits`),
    solved together in one vectorised pass."""
    e = np.asarray(expected, dtype=float)
    k = e.size
    shapes, ps, qs = [], [], []
    for z in zs:
        alpha = _normal_tail(z)
        shapes += [target * e, target * e + 1.0]
        ps += [np.full(k, alpha), np.full(k, 1.0 - alpha)]
        qs += [np.full(k, -z), np.full(k, z)]
    x = _gamma_quantile(np.concatenate(shapes), np.concatenate(ps), np.concatenate(qs))
    return [x[i * k:(i + 1) * k] / e for i in range(2 * len(zs))]


def poisson_ratio_limits(expected, z: float, target: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson limits for a ratio of observed to expected events at expected counts ``expected``.

    The observed count O is Poisson with mean ``target x E``. The limits on O / E are the exact
    (Garwood) limits: ``G(alpha; target E) / E`` and ``G(1 - alpha; target E + 1) / E``, where G is the
    quantile function of a gamma distribution of that shape (half a chi-squared quantile with twice the
    degrees of freedom) and alpha = P(Z > z), the normal tail beyond the funnel's z (Spiegelhalter, Stat
    Med 2005, section 3.2 and Appendix; as FunnelPlotR's chi-squared form).

    Examples
    --------
    The 95% exact limits for 10 expected events are 4.795 and 18.390 events (published tables):

    >>> lo, hi = poisson_ratio_limits([10], 1.959964)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.4795, 1.839)
    """
    lo, hi = _ratio_limits(np.atleast_1d(np.asarray(expected, dtype=float)), (z,), target)
    return lo, hi


# ------------------------------------------------------------------------------------ over-dispersion

def dispersion(z: np.ndarray, s: np.ndarray, winsorise: float = WINSORISE) -> tuple[float, float, np.ndarray]:
    """The dispersion ratio phi, the between-unit variance tau^2, and the winsorised z-scores.

    Following Spiegelhalter (Qual Saf Health Care 2005;14:347-351, and Stat Med 2005;24:1185-1202,
    section 5):

    1. Winsorise: z-scores below the ``winsorise`` quantile are set to it and those above the
       ``1 - winsorise`` quantile to that (quantiles by linear interpolation, as R's default), so that one
       or two extreme units do not decide how much all units vary. The number of z-scores is unchanged.
    2. ``phi = (1 / I) sum(z_w^2)`` over the I units: about 1 when units differ by chance alone (a little
       below 1 after winsorising, because the largest z-scores are pulled in).
    3. ``tau2 = (I phi - (I - 1)) / (sum(w) - sum(w^2) / sum(w))`` with weights ``w = 1 / s^2``
       (DerSimonian and Laird's moment estimator), and ``tau2 = 0`` when ``I phi <= I - 1``: no more
       variation than chance explains.

    Returns NaN for phi and tau^2 with fewer than 2 units.

    Examples
    --------
    Five units with z = -2, -1, 0, 1, 2 and equal standard errors 0.1 (w = 100): the 10% and 90%
    quantiles are -1.6 and 1.6, so z_w = -1.6, -1, 0, 1, 1.6 and phi = (2.56 + 1 + 0 + 1 + 2.56) / 5 =
    1.424; I phi = 7.12 > 4, tau2 = (7.12 - 4) / (500 - 50000 / 500) = 3.12 / 400 = 0.0078.

    >>> phi, tau2, zw = dispersion(np.array([-2.0, -1, 0, 1, 2]), np.full(5, 0.1))
    >>> round(phi, 4), round(tau2, 6)
    (1.424, 0.0078)
    """
    z = np.asarray(z, dtype=float)
    s = np.asarray(s, dtype=float)
    units = z.size
    if units < 2:
        return math.nan, math.nan, z.copy()
    lo, hi = np.quantile(z, [winsorise, 1.0 - winsorise])
    zw = np.clip(z, lo, hi)
    phi = float(np.mean(zw**2))
    if units * phi <= units - 1:
        return phi, 0.0, zw
    w = 1.0 / s**2
    tau2 = (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return phi, float(max(tau2, 0.0)), zw


# ------------------------------------------------------------------------------------ the result

def _zname(z: float) -> str:
    """'2-sigma' for a whole number, else the coverage: 1.959964 -> '95%', 3.090232 -> '99.8%'."""
    if abs(z - round(z)) < 1e-9:
        return f"{z:g}-sigma"
    return f"{round(100 * (1 - 2 * _normal_tail(z)), 1):g}%"


@dataclass(frozen=True, repr=False)
class FunnelResult:
    """The result of :func:`funnel`.

    Attributes
    ----------
    data : DataFrame
        One row per unit, in the order units first appear: ``unit, y, n, value`` (y / n x multiply),
        ``cl, lcl_2s, ucl_2s`` (the inner funnel at that unit's n), ``lcl, ucl`` (the outer funnel),
        ``z`` (the unit's z-score: its distance from the centre in standard errors of chance alone, on the
        scale of ``kind``), ``z_winsorised`` (the z-score that entered phi), ``z_adjusted`` (only with
        ``overdispersion="additive"``: the distance in standard errors of the widened funnel), and
        ``beyond_2s`` / ``beyond_3s``: ``"above"``, ``"below"`` or None for the inner and outer funnels.
    curve : DataFrame
        The funnel as smooth curves for drawing: ``n, lcl_2s, ucl_2s, lcl, ucl`` at 200 denominators
        spaced evenly on a log scale across the units' range.
    kind : {"proportion", "rate", "ratio"}
    centre : float
        The target on the ``multiply`` scale (pooled value, 1 for a ratio, or ``target``).
    unit, y, n : str
        The column labels used.
    multiply : float
        Scale of ``value`` and limits (100 for percent).
    phi : float
        The dispersion ratio: the mean squared winsorised z-score. About 1 (a little under, after
        winsorising) when units differ by chance alone; well above 1 when they differ by more.
    tau2 : float
        The between-unit variance on the z-score scale (DerSimonian-Laird); 0 when phi shows no
        over-dispersion. Computed whether or not the funnel was widened with it.
    overdispersion : False or "additive"
        Whether the funnel drawn was widened by tau2.
    z : (float, float)
        The inner and outer funnels' multiples of the standard error.
    """

    data: pd.DataFrame
    curve: pd.DataFrame
    kind: str
    centre: float
    unit: str
    y: str
    n: str
    multiply: float = 1.0
    target_given: bool = False
    phi: float = math.nan
    tau2: float = 0.0
    overdispersion: bool | str = False
    z: tuple = (Z_INNER, Z_OUTER)
    winsorise: float = WINSORISE

    @property
    def inner_name(self) -> str:
        """'2-sigma' or '95%': the inner funnel in words."""
        return _zname(self.z[0])

    @property
    def outer_name(self) -> str:
        """'3-sigma' or '99.8%': the outer funnel in words."""
        return _zname(self.z[1])

    @property
    def adjusted(self) -> bool:
        """True when the funnel drawn was widened for over-dispersion."""
        return self.overdispersion == "additive"

    @property
    def overdispersed(self) -> bool:
        """True when the units vary more than chance allows (I phi > I - 1, so tau2 > 0)."""
        return bool(self.tau2 > 0)

    @property
    def between_sd(self) -> float:
        """The real spread between units beyond chance, as one standard deviation on the value scale
        (x multiply) at the centre: tau turned back from the z-score scale (for a proportion,
        2 sqrt(p (1 - p)) tau; for a ratio, centre x tau, a relative spread). 0 without over-dispersion."""
        if not self.tau2 > 0:
            return 0.0
        tau = math.sqrt(self.tau2)
        c = self.centre / self.multiply
        if self.kind == "proportion":
            return 2 * math.sqrt(c * (1 - c)) * tau * self.multiply
        if self.kind == "ratio":
            return c * tau * self.multiply
        return tau * self.multiply

    @property
    def outside(self) -> pd.DataFrame:
        """The units beyond the outer funnel: unit, value, n and which side."""
        d = self.data
        return d.loc[d["beyond_3s"].notna(), ["unit", "value", "n", "beyond_3s"]].reset_index(drop=True)

    @property
    def outside_2s(self) -> pd.DataFrame:
        """The units beyond the inner funnel (including those beyond the outer one)."""
        d = self.data
        return d.loc[d["beyond_2s"].notna(), ["unit", "value", "n", "beyond_2s", "beyond_3s"]].reset_index(drop=True)

    def _what(self) -> str:
        if self.kind == "rate":
            return f"{self.y} per {self.n}"
        if self.kind == "ratio":
            return f"{self.y} / {self.n} (observed / expected)"
        return f"{self.y} out of {self.n}"

    def _funnel_words(self) -> str:
        return "funnel widened for over-dispersion" if self.adjusted else "plain funnel (chance alone)"

    def dispersion_text(self) -> str:
        """Plain words: do the units vary more than chance allows, and was the funnel widened?"""
        if not np.isfinite(self.phi):
            return "There are too few units to judge whether they vary more than chance allows."
        phi = f"phi = {fmt_ratio(self.phi)}"
        units = len(self.data)
        allowed = f"{(units - 1) / units:.2f}"  # I phi <= I - 1: no more variation than chance explains
        if not self.overdispersed:
            text = (f"The units vary no more than chance allows ({phi}, the average squared z-score after "
                    f"pulling in the most extreme {self.winsorise:.0%} at each end, is not above the {allowed} "
                    f"that chance allows for {units} units), so tau² = 0 and the funnel needs no widening.")
            return text + (" The adjusted funnel is the plain one." if self.adjusted else "")
        spread = _num(self.between_sd)
        unit = " percentage points" if self.kind == "proportion" and self.multiply == 100 else ""
        scale = {"proportion": ", on the arcsine scale of the calculation", "ratio": ", on the log scale of the "
                 "calculation", "rate": ""}[self.kind]
        text = (f"The units vary more than chance allows ({phi}, above the {allowed} that chance allows for {units} "
                f"units: their squared z-scores average {fmt_ratio(self.phi)} where chance alone gives about 1), so part "
                f"of the difference between units is real, from "
                f"case mix, recording or care. The real spread between units (tau² = {fmt_number(self.tau2)}{scale}) is "
                f"about {spread}{unit} either way (one standard deviation).")
        if self.adjusted:
            return text + (" The funnel was widened for it (Spiegelhalter's additive adjustment): at each size "
                           "it allows for chance plus that real spread, so a unit outside it stands out even "
                           "among units that genuinely differ.")
        return text + (" This plain funnel allows for chance alone, so many units may lie outside it; "
                       "overdispersion=\"additive\" widens it for the real spread (Spiegelhalter 2005).")

    def explain(self) -> Text:
        """Plain words: the centre, whether units vary more than chance allows and how the funnel was
        widened, and which units lie outside the outer and inner funnels."""
        d = self.data
        what = "ratio of observed to expected" if self.kind == "ratio" else self.kind
        centre = f"the {'target' if self.target_given or self.kind == 'ratio' else 'overall'} {what} is " \
                 f"{_num(self.centre)}"
        text = [f"Funnel plot of {self._what()} for {len(d)} units of {self.unit}: {centre}.",
                self.dispersion_text()]
        inner, outer = self.inner_name, self.outer_name
        out = self.outside
        if out.empty:
            text.append(f"No unit lies outside the {outer} {self._funnel_words()}: the differences between "
                        "units are no larger than " + ("chance and the real spread between units"
                                                       if self.adjusted and self.overdispersed else "chance alone")
                        + " would often produce.")
        else:
            for side in ("above", "below"):
                units = out.loc[out["beyond_3s"] == side, "unit"].astype(str).tolist()
                if units:
                    text.append(f"{_units(units)} {'lies' if len(units) == 1 else 'lie'} {side} the {outer} "
                                f"{self._funnel_words()}: {'this unit differs' if len(units) == 1 else 'these units differ'} "  # noqa: E501
                                "by more than that would explain; find out why before judging.")
        warn = d.loc[d["beyond_2s"].notna() & d["beyond_3s"].isna(), "unit"].astype(str).tolist()
        if warn:
            share = 2 * _normal_tail(self.z[0])
            text.append(f"{_units(warn)} {'lies' if len(warn) == 1 else 'lie'} between the {inner} and {outer} "
                        f"funnels: worth watching, but about 1 unit in {round(1 / share):,} lands there by chance.")
        return Text(" ".join(text))

    def describe(self) -> Text:
        """Alt text: what is plotted, the range of denominators, the centre, which funnel was drawn and
        the units outside."""
        d = self.data
        names = _units(self.outside["unit"].astype(str).tolist(), limit=6) if len(self.outside) else ""
        outer = self.outer_name
        tail = f" Outside the {outer} funnel: {names}." if names else f" No unit lies outside the {outer} funnel."
        if self.adjusted:
            how = (f"widened for over-dispersion (phi {fmt_ratio(self.phi)}, tau² {fmt_number(self.tau2)})" if self.overdispersed
                   else f"not widened (phi {fmt_ratio(self.phi)}: no over-dispersion)")
        else:
            how = "for chance alone"
        what = self._what() if self.kind == "ratio" else f"{self._what()} ({self.kind})"
        return Text(f"Funnel plot of {what} against {self.n} for {len(d)} units of {self.unit}, "
                    f"{self.n} from {_num(d['n'].min())} to {_num(d['n'].max())}. Centre line {_num(self.centre)}, "
                    f"with {self.inner_name} and {outer} funnels {how}, narrowing as {self.n} grows.{tail}")

    def plot(self, ax=None, **style):
        """Draw the funnel plot (see :func:`qikit.plot.funnel.plot_funnel`); returns the Axes."""
        from ..plot.funnel import plot_funnel

        return plot_funnel(self, ax=ax, **style)

    def __repr__(self) -> str:
        return f"FunnelResult: {len(self.data)} units, {self.kind}, centre {_num(self.centre)}\n{self.explain()}"

    def _repr_html_(self) -> str:
        table = self.data.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, na_rep="")
        head = html.escape(f"Funnel plot data: {len(self.data)} units, {self.kind}, centre {_num(self.centre)}")
        return f"<div><p><strong>{head}</strong></p>{table}<p>{html.escape(self.explain())}</p></div>"


def _units(names: list[str], limit: int = 8) -> str:
    """'A', 'A and B', or 'A, B, ... and 12 more (20 units)'."""
    return fmt_list(names, limit=limit) + (f" ({len(names)} units)" if len(names) > limit else "")


def _num(v: float) -> str:
    return fmt_number(v, missing="n/a")


# ------------------------------------------------------------------------------------ the front door

def _check_z(z) -> tuple[float, float]:
    try:
        inner, outer = (float(v) for v in z)
        ok = not any(isinstance(v, bool) for v in z)
    except (TypeError, ValueError):
        ok = False
    if not ok or not (np.isfinite(inner) and np.isfinite(outer) and 0 < inner < outer):
        raise QIDataError(f"z={z!r} must be two numbers, the inner and outer funnels' multiples of the standard "
                          "error with 0 < inner < outer: (2, 3) for 2 and 3 sigma, (1.959964, 3.090232) for "
                          "Spiegelhalter's 95% and 99.8%.", column="z")
    return inner, outer


def funnel(data: pd.DataFrame | None = None, unit=None, y=None, n=None, *, kind: str = "proportion", overdispersion: bool | str = False,
           z=(Z_INNER, Z_OUTER), cl: float | None = None, multiply: float = 1,
           winsorise: float = WINSORISE, target: float | None = None) -> FunnelResult:
    """Funnel plot data: each unit's proportion, rate or ratio against its denominator, with inner and
    outer funnels, optionally widened for over-dispersion.

    Parameters
    ----------
    data : DataFrame or None
        The table; ``unit``, ``y`` and ``n`` name its columns. With ``data=None`` they are lists.
    unit : str or array-like
        The unit each row belongs to (ward, hospital, surgeon). Rows of the same unit are added
        together, so monthly rows per unit give one point per unit.
    y : str or array-like
        Numerators: patients with the outcome (proportion), events (rate) or observed events (ratio).
    n : str or array-like
        Denominators: patients (proportion), exposure such as bed-days (rate) or expected events from a
        risk model (ratio). Must be above 0.
    kind : {"proportion", "rate", "ratio"}
        ``"proportion"``: y out of n, binomial limits on the arcsine square-root scale. ``"rate"``: y
        events per n, Poisson limits. ``"ratio"``: observed y against expected n (centre 1), exact Poisson
        limits; the over-dispersion adjustment works on the log scale.
    overdispersion : False or "additive"
        ``False`` (default): the plain funnel, chance alone. ``"additive"``: widen the funnel by the
        between-unit variance tau² (Spiegelhalter's additive random-effects adjustment), as NHS analysts do
        (FunnelPlotR) when nearly every unit falls outside the plain funnel. ``.phi`` and ``.tau2`` are
        computed either way.
    z : (float, float)
        Multiples of the standard error for the inner and outer funnels; default (2, 3). Spiegelhalter's
        95% and 99.8% limits are ``z=(1.959964, 3.090232)``. The columns keep their names ``lcl_2s``,
        ``ucl_2s`` (inner) and ``lcl``, ``ucl`` (outer) whatever z is.
    cl : float, optional
        The centre line (on the 0-1, per-unit or ratio scale, before ``multiply``), ``cl`` as in
        :func:`qikit.spc`. Default: the pooled value over all units, sum(y) / sum(n); 1 for a ratio.
    multiply : float
        Scale for values and limits (100 for percent, 1000 for a rate per 1,000).
    winsorise : float
        The share of z-scores pulled in at each end before phi is estimated (default 0.1: 10% and 90%).
    target : float, optional
        The old name of ``cl``, still accepted (in qikit a *target* is a goal to reach, as in ``mdc()``).

    Returns
    -------
    FunnelResult
        ``.data`` (one row per unit), ``.curve``, ``.phi``, ``.tau2``, ``.outside`` (units beyond the outer
        funnel), ``.explain()``, ``.describe()`` and ``.plot()``.

    Raises
    ------
    QIDataError
        When a column holds text, a cell is empty, a count or denominator is negative, a denominator is
        0, a numerator exceeds its denominator for a proportion (naming the rows), or an option is not
        understood.

    Notes
    -----
    z-scores ``(t(value) - t(target)) / s`` on the scale t of ``kind`` (asin(sqrt(p)), the rate, or
    log(O / E) with a zero count taken as 0.5) are winsorised at ``winsorise`` and ``1 - winsorise``;
    phi is their mean square, tau² = (I phi - (I - 1)) / (sum w - sum w² / sum w) with w = 1 / s², or 0
    when I phi <= I - 1; widened limits are ``t(target) +/- z sqrt(s² + tau²)``, transformed back
    (Spiegelhalter, Stat Med 2005;24:1185-1202; Spiegelhalter, Qual Saf Health Care 2005;14:347-351).
    See :func:`dispersion`, :func:`funnel_limits` and :func:`poisson_ratio_limits`.

    Before issue 17, proportion funnels used the normal approximation ``p +/- z sqrt(p (1 - p) / n)``;
    they now use the arcsine square-root scale (as FunnelPlotR), so that the plain and the widened funnel
    share one scale. The two agree closely for large n; for small n the arcsine limits are shifted
    towards 0.5 and never leave 0-1 (at p = 0.2, n = 100 the 3-sigma limits move from 0.080-0.320 to
    0.095-0.332).

    Examples
    --------
    >>> from qikit.stats.funnel import funnel
    >>> res = funnel(None, unit=["A", "B", "C", "D"], y=[30, 35, 50, 85], n=[100, 100, 400, 400])
    >>> res.centre
    0.2
    >>> res.outside[["unit", "beyond_3s"]].values.tolist()
    [['B', 'above'], ['C', 'below']]
    >>> wide = funnel(None, unit=["A", "B", "C", "D"], y=[30, 35, 50, 85], n=[100, 100, 400, 400],
    ...               overdispersion="additive")
    >>> round(wide.phi, 2), wide.tau2 > 0, wide.outside.empty
    (5.59, True, True)
    """
    if kind not in KINDS:
        raise QIDataError(f"kind={kind!r} is not understood: use 'proportion' (y out of n patients), 'rate' "
                          "(y events per n of exposure, e.g. bed-days) or 'ratio' (y observed events against n "
                          "expected).", column="kind")
    if overdispersion is None:
        overdispersion = False
    if isinstance(overdispersion, str):
        overdispersion = overdispersion.strip().lower()
    if not (overdispersion is False or overdispersion == "additive"):
        raise QIDataError(f"overdispersion={overdispersion!r} is not understood: use False (the plain funnel) or "
                          "'additive' (widen it for real variation between units, Spiegelhalter 2005).",
                          column="overdispersion")
    z_inner, z_outer = _check_z(z)
    if not isinstance(multiply, int | float) or isinstance(multiply, bool) or not np.isfinite(multiply) \
            or multiply <= 0:
        raise QIDataError(f"multiply must be a positive number, not {multiply!r}.", column="multiply")
    if isinstance(winsorise, bool) or not isinstance(winsorise, int | float) or not 0 <= winsorise < 0.5:
        raise QIDataError(f"winsorise={winsorise!r} must be a share from 0 to below 0.5 (0.1 pulls in the lowest "
                          "and highest 10% of z-scores).", column="winsorise")
    if data is not None and not isinstance(data, pd.DataFrame):
        raise QIDataError("data must be a pandas DataFrame (or None with unit, y and n given as lists).",
                          column="data")
    for value, role in ((unit, "unit"), (y, "y"), (n, "n")):
        if value is None:
            raise QIDataError(f"{role} is required: funnel() needs unit, y (numerators) and n (denominators).",
                              column=role)
    u_s, u_label = _checks.resolve(data, unit, "unit")
    y_s, y_label = _checks.resolve(data, y, "y")
    n_s, n_label = _checks.resolve(data, n, "n")
    assert u_s is not None and y_s is not None and n_s is not None  # all three were given
    if data is None:
        if not len(u_s) == len(y_s) == len(n_s):
            raise QIDataError(f"unit, y and n must have the same length (they have {len(u_s)}, {len(y_s)} and "
                              f"{len(n_s)}).", column="unit")
        y_s, n_s = y_s.set_axis(u_s.index), n_s.set_axis(u_s.index)
    index = u_s.index
    if len(index) == 0:
        raise QIDataError("there are no rows: a funnel plot needs at least one unit.", column=u_label)
    _checks.refuse(u_s.isna().to_numpy(), index, u_label, "empty cells; every row needs a unit")
    yv = _checks.numeric(y_s, y_label)
    nv = _checks.numeric(n_s, n_label)
    _checks.refuse(np.isnan(yv), index, y_label, "empty cells; give 0 where a unit had no events")
    _checks.refuse(np.isnan(nv), index, n_label, "empty cells; every unit needs a denominator")
    _checks.nonnegative(yv, index, y_label)
    _checks.refuse(nv <= 0, index, n_label, "0 or negative denominators; a proportion, rate or ratio needs a "
                   "denominator above 0,")
    if kind == "proportion":
        _checks.refuse(yv > nv, index, y_label, f"numerators larger than their denominators ({n_label!r}); a "
                       "proportion cannot exceed 1 (use kind='rate' for events per unit of exposure),")

    codes, units = pd.factorize(pd.Series(u_s.to_numpy(), index=index), sort=False)
    ys = np.bincount(codes, weights=yv, minlength=len(units))
    ns = np.bincount(codes, weights=nv, minlength=len(units))
    if target is not None:
        if cl is not None and cl != target:
            raise QIDataError(f"cl={cl!r} and target={target!r} are two names for the centre line: give one, "
                              "not both.", column="cl")
        cl = target
    target = cl
    if target is None:
        centre = 1.0 if kind == "ratio" else float(ys.sum() / ns.sum())
    else:
        if isinstance(target, bool) or not isinstance(target, int | float | np.integer | np.floating) \
                or not np.isfinite(target):
            raise QIDataError(f"target must be a number, not {target!r}.", column="target")
        centre = float(target)
        top = 1 if kind == "proportion" else np.inf
        if not 0 < centre < top:
            raise QIDataError(f"target={target!r} must be above 0{' and below 1 (a proportion, not a percent)' if top == 1 else ''}.",  # noqa: E501
                              column="target")
    if centre == 0 or (kind == "proportion" and centre == 1):
        what = "0 in every row" if centre == 0 else f"equal to {n_label!r} in every row"
        raise QIDataError(f"column {y_label!r} is {what} ({rows_phrase(list(index))}), so the overall {kind} is "
                          f"{centre:g} and the funnel has no width: there is nothing to compare.",
                          column=y_label, rows=list(index))
    if overdispersion and len(units) < 2:
        raise QIDataError("overdispersion='additive' needs at least 2 units: the variation between units cannot "
                          "be estimated from one.", column=u_label)

    values = ys / ns
    # z-scores on the scale of `kind` (a zero count takes 0.5 on the log scale of a ratio)
    t0 = float(_transform(kind, np.asarray(centre, dtype=float)))
    t_values = _transform(kind, np.maximum(ys, ZERO_COUNT) / ns) if kind == "ratio" else _transform(kind, values)
    s = _se(kind, centre, ns)
    z_plain = (t_values - t0) / s
    phi, tau2, z_w = dispersion(z_plain, s, winsorise)
    used_tau2 = tau2 if overdispersion else 0.0

    lo, hi = float(ns.min()), float(ns.max())
    grid = np.geomspace(max(lo * 0.8, 1e-9), hi * 1.1, CURVE_POINTS)
    at = np.concatenate([ns, grid])  # each unit's own n, then the smooth curve
    if kind == "ratio" and not overdispersion:
        lines = _ratio_limits(at, (z_inner, z_outer), centre)
    else:
        lines = [*funnel_limits(centre, at, kind, z_inner, used_tau2), *funnel_limits(centre, at, kind, z_outer,
                                                                                     used_tau2)]
    k = len(ns)
    lo2, hi2, lo3, hi3 = (line[:k] for line in lines)
    c_lo2, c_hi2, c_lo3, c_hi3 = (line[k:] for line in lines)

    def side(lo, hi):
        return pd.Series(np.where(values > hi, "above", np.where(values < lo, "below", None)), dtype=object)

    m = float(multiply)
    columns = {
        "unit": pd.Index(units).to_numpy(dtype=object),
        "y": _whole(ys), "n": _whole(ns),
        "value": values * m, "cl": np.full(len(units), centre * m),
        "lcl_2s": lo2 * m, "ucl_2s": hi2 * m, "lcl": lo3 * m, "ucl": hi3 * m,
        "z": z_plain, "z_winsorised": z_w,
    }
    if overdispersion:
        columns["z_adjusted"] = (t_values - t0) / np.sqrt(s**2 + tau2)
    columns.update(beyond_2s=side(lo2, hi2), beyond_3s=side(lo3, hi3))
    frame = pd.DataFrame(columns)
    curve = pd.DataFrame({"n": grid, "lcl_2s": c_lo2 * m, "ucl_2s": c_hi2 * m, "lcl": c_lo3 * m, "ucl": c_hi3 * m})
    return FunnelResult(data=frame, curve=curve, kind=kind, centre=centre * m, unit=u_label, y=y_label, n=n_label,
                        multiply=m, target_given=target is not None, phi=phi, tau2=tau2,
                        overdispersion=overdispersion, z=(z_inner, z_outer), winsorise=float(winsorise))


def _whole(a: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) if np.all(a == np.round(a)) else a
