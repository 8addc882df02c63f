"""Funnel plots: comparing units (wards, trusts, surgeons) whose denominators differ.

Computation only (numpy and pandas); :meth:`FunnelResult.plot` draws it with :mod:`qikit.plot.funnel`.

A league table ranks units by their rate and invites the reader to blame the bottom of it, though
small units scatter more by chance alone. A funnel plot puts each unit's proportion (or rate)
against its denominator, with control limits around the overall value that narrow as the
denominator grows: a unit outside the funnel differs by more than chance would explain.

Source
------
Spiegelhalter DJ. Funnel plots for comparing institutional performance. *Statistics in Medicine*
2005;24(8):1185-1202. The target (here the pooled value over all units unless one is given), and
limits target +/- z x its standard error at each denominator: for a proportion the binomial
normal approximation sqrt(p (1 - p) / n), for a rate of events per unit of exposure the Poisson
sqrt(r / n). qikit draws z = 2 and z = 3 ("2-sigma" and "3-sigma", as on a control chart);
Spiegelhalter's 95% and 99.8% limits are z = 1.96 and 3.09, almost the same lines.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks
from ..errors import QIDataError, format_rows, rows_phrase

__all__ = ["funnel", "FunnelResult", "funnel_limits", "KINDS"]

#: What the funnel compares: a proportion (y out of n) or a rate (y events per n of exposure).
KINDS = ("proportion", "rate")
#: The multiples of the standard error drawn as the inner and outer funnels (Spiegelhalter 2005 uses
#: z = 1.96 and 3.09 for 95% and 99.8%; qikit uses 2 and 3 sigma as on a Shewhart chart).
Z_INNER, Z_OUTER = 2.0, 3.0
#: Points on the smooth funnel curves stored in :attr:`FunnelResult.curve`.
CURVE_POINTS = 200


def funnel_limits(centre: float, n, kind: str, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits at denominators ``n`` (on the 0-1 / per-unit scale).

    ``centre +/- z sqrt(centre (1 - centre) / n)`` for a proportion, clipped to [0, 1]; ``centre
    +/- z sqrt(centre / n)`` for a rate, the lower limit floored at 0 (Spiegelhalter 2005, section 3,
    normal approximations to the binomial and Poisson).

    Examples
    --------
    >>> lo, hi = funnel_limits(0.2, [100, 400], "proportion", 3)
    >>> [round(float(v), 4) for v in lo], [round(float(v), 4) for v in hi]
    ([0.08, 0.14], [0.32, 0.26])
    """
    n = np.asarray(n, dtype=float)
    if kind == "proportion":
        se = np.sqrt(centre * (1 - centre) / n)
        return np.clip(centre - z * se, 0.0, 1.0), np.clip(centre + z * se, 0.0, 1.0)
    se = np.sqrt(centre / n)
    return np.maximum(centre - z * se, 0.0), centre + z * se


@dataclass(frozen=True, repr=False)
class FunnelResult:
    """The result of :func:`funnel`.

    Attributes
    ----------
    data : DataFrame
        One row per unit, in the order units first appear: ``unit, y, n, value`` (y / n x multiply),
        ``cl, lcl_2s, ucl_2s, lcl, ucl`` (the funnel at that unit's n; ``lcl``/``ucl`` are 3-sigma), ``z``
        (the unit's distance from the centre in standard errors, before clipping), and ``beyond_2s`` /
        ``beyond_3s``: ``"above"``, ``"below"`` or None.
    curve : DataFrame
        The funnel as smooth curves for drawing: ``n, lcl_2s, ucl_2s, lcl, ucl`` at 200 denominators
        spaced evenly on a log scale across the units' range.
    kind : {"proportion", "rate"}
    centre : float
        The target on the ``multiply`` scale (the pooled value unless ``target`` was given).
    unit, y, n : str
        The column labels used.
    multiply : float
        Scale of ``value`` and limits (100 for percent).
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

    @property
    def outside(self) -> pd.DataFrame:
        """The units beyond the 3-sigma funnel: unit, value, n and which side."""
        d = self.data
        return d.loc[d["beyond_3s"].notna(), ["unit", "value", "n", "beyond_3s"]].reset_index(drop=True)

    @property
    def outside_2s(self) -> pd.DataFrame:
        """The units beyond the 2-sigma funnel (including those beyond 3 sigma)."""
        d = self.data
        return d.loc[d["beyond_2s"].notna(), ["unit", "value", "n", "beyond_2s", "beyond_3s"]].reset_index(drop=True)

    def _what(self) -> str:
        return f"{self.y} per {self.n}" if self.kind == "rate" else f"{self.y} out of {self.n}"

    def explain(self) -> str:
        """Plain words: the centre, and which units lie outside the 3-sigma and 2-sigma funnels."""
        d = self.data
        centre = f"the {'target' if self.target_given else 'overall'} {self.kind} is {_num(self.centre)}"
        text = [f"Funnel plot of {self._what()} for {len(d)} units of {self.unit}: {centre}."]
        out = self.outside
        if out.empty:
            text.append("No unit lies outside the 3-sigma funnel: the differences between units are no larger "
                        "than chance alone would often produce.")
        else:
            for side in ("above", "below"):
                units = out.loc[out["beyond_3s"] == side, "unit"].astype(str).tolist()
                if units:
                    text.append(f"{_units(units)} {'lies' if len(units) == 1 else 'lie'} {side} the 3-sigma "
                                f"funnel: {'this unit differs' if len(units) == 1 else 'these units differ'} by more "
                                "than chance would explain; find out why before judging.")
        warn = d.loc[d["beyond_2s"].notna() & d["beyond_3s"].isna(), "unit"].astype(str).tolist()
        if warn:
            text.append(f"{_units(warn)} {'lies' if len(warn) == 1 else 'lie'} between the 2- and 3-sigma "
                        "funnels: worth watching, but 1 unit in 20 lands there by chance.")
        if len(out) > 0.2 * len(d) and len(d) >= 10:
            text.append("Many units lie outside the funnel, which suggests over-dispersion (differences in case "
                        "mix or in how data are recorded): compare with care (Spiegelhalter 2005, section 5).")
        return " ".join(text)

    def describe(self) -> str:
        """Alt text: what is plotted, the range of denominators, the centre and the units outside."""
        d = self.data
        names = _units(self.outside["unit"].astype(str).tolist(), limit=6) if len(self.outside) else ""
        tail = f" Outside the 3-sigma funnel: {names}." if names else " No unit lies outside the 3-sigma funnel."
        return (f"Funnel plot of {self._what()} ({self.kind}) against {self.n} for {len(d)} units of {self.unit}, "
                f"{self.n} from {_num(d['n'].min())} to {_num(d['n'].max())}. Centre line {_num(self.centre)}, "
                f"with 2-sigma and 3-sigma funnels that narrow as {self.n} grows.{tail}")

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
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more ({len(names)} units)"
    return format_rows(names)


def _num(v: float) -> str:
    if v is None or not np.isfinite(v):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def funnel(data: pd.DataFrame | None, unit, y, n, *, kind: str = "proportion", target: float | None = None,
           multiply: float = 1) -> FunnelResult:
    """Funnel plot data: each unit's proportion or rate against its denominator, with 2- and 3-sigma limits.

    Parameters
    ----------
    data : DataFrame or None
        The table; ``unit``, ``y`` and ``n`` name its columns. With ``data=None`` they are lists.
    unit : str or array-like
        The unit each row belongs to (ward, hospital, surgeon). Rows of the same unit are added
        together, so monthly rows per unit give one point per unit.
    y : str or array-like
        Numerators: patients with the outcome (proportion) or events (rate).
    n : str or array-like
        Denominators: patients (proportion) or exposure such as bed-days (rate). Must be above 0.
    kind : {"proportion", "rate"}
        ``"proportion"``: y out of n, binomial limits. ``"rate"``: y events per n, Poisson limits.
    target : float, optional
        The centre (on the 0-1 or per-unit scale, before ``multiply``). Default: the pooled value over
        all units, sum(y) / sum(n).
    multiply : float
        Scale for values and limits (100 for percent, 1000 for a rate per 1,000).

    Returns
    -------
    FunnelResult
        ``.data`` (one row per unit), ``.curve``, ``.outside`` (units beyond 3 sigma), ``.explain()``,
        ``.describe()`` and ``.plot()``.

    Raises
    ------
    QIDataError
        When a column holds text, a cell is empty, a count or denominator is negative, a denominator is
        0, or a numerator exceeds its denominator for a proportion (naming the rows).

    Notes
    -----
    Limits at denominator n: target +/- z sqrt(target (1 - target) / n) for a proportion and
    target +/- z sqrt(target / n) for a rate, with z = 2 and 3 (Spiegelhalter 2005). These normal
    approximations are poor for very small n or when the expected count target x n is below about 5;
    with very large denominators most units may fall outside (over-dispersion), and a Laney p' or u'
    chart (``qikit.spc(..., chart="pp")``) is a fairer comparison.

    Examples
    --------
    >>> from qikit.stats.funnel import funnel
    >>> res = funnel(None, unit=["A", "B", "C", "D"], y=[30, 35, 50, 85], n=[100, 100, 400, 400])
    >>> res.centre
    0.2
    >>> res.outside[["unit", "beyond_3s"]].values.tolist()
    [['B', 'above'], ['C', 'below']]
    """
    if kind not in KINDS:
        raise QIDataError(f"kind={kind!r} is not understood: use 'proportion' (y out of n patients) or 'rate' "
                          "(y events per n of exposure, e.g. bed-days).", column="kind")
    if not isinstance(multiply, int | float) or isinstance(multiply, bool) or not np.isfinite(multiply) \
            or multiply <= 0:
        raise QIDataError(f"multiply must be a positive number, not {multiply!r}.", column="multiply")
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
    _checks.refuse(nv <= 0, index, n_label, "0 or negative denominators; a proportion or rate needs a "
                   "denominator above 0,")
    if kind == "proportion":
        _checks.refuse(yv > nv, index, y_label, f"numerators larger than their denominators ({n_label!r}); a "
                       "proportion cannot exceed 1 (use kind='rate' for events per unit of exposure),")

    codes, units = pd.factorize(pd.Series(u_s.to_numpy(), index=index), sort=False)
    ys = np.bincount(codes, weights=yv, minlength=len(units))
    ns = np.bincount(codes, weights=nv, minlength=len(units))
    if target is None:
        centre = float(ys.sum() / ns.sum())
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

    values = ys / ns
    lo2, hi2 = funnel_limits(centre, ns, kind, Z_INNER)
    lo3, hi3 = funnel_limits(centre, ns, kind, Z_OUTER)

    def side(lo, hi):
        return pd.Series(np.where(values > hi, "above", np.where(values < lo, "below", None)), dtype=object)

    m = float(multiply)
    frame = pd.DataFrame({
        "unit": pd.Index(units).to_numpy(dtype=object),
        "y": _whole(ys), "n": _whole(ns),
        "value": values * m, "cl": np.full(len(units), centre * m),
        "lcl_2s": lo2 * m, "ucl_2s": hi2 * m, "lcl": lo3 * m, "ucl": hi3 * m,
        "z": (values - centre) / _se(centre, ns, kind),
        "beyond_2s": side(lo2, hi2), "beyond_3s": side(lo3, hi3),
    })
    lo, hi = float(ns.min()), float(ns.max())
    grid = np.geomspace(max(lo * 0.8, 1e-9), hi * 1.1, CURVE_POINTS) if hi > 0 else np.array([lo])
    c_lo2, c_hi2 = funnel_limits(centre, grid, kind, Z_INNER)
    c_lo3, c_hi3 = funnel_limits(centre, grid, kind, Z_OUTER)
    curve = pd.DataFrame({"n": grid, "lcl_2s": c_lo2 * m, "ucl_2s": c_hi2 * m, "lcl": c_lo3 * m, "ucl": c_hi3 * m})
    return FunnelResult(data=frame, curve=curve, kind=kind, centre=centre * m, unit=u_label, y=y_label, n=n_label,
                        multiply=m, target_given=target is not None)


def _se(centre: float, n: np.ndarray, kind: str) -> np.ndarray:
    """Standard error at denominator n: sqrt(p (1 - p) / n) or sqrt(r / n) (Spiegelhalter 2005)."""
    return np.sqrt(centre * (1 - centre) / n) if kind == "proportion" else np.sqrt(centre / n)


def _whole(a: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) if np.all(a == np.round(a)) else a
