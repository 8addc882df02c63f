"""Funnel plot from a :class:`qikit.stats.funnel.FunnelResult` (Spiegelhalter, Stat Med 2005).

Each unit is a point at (denominator, proportion, rate or ratio); the centre line is solid, the inner
(2-sigma) funnel dotted and the outer (3-sigma) funnel dashed, all read from ``result.curve``. Units beyond
the outer funnel are larger diamonds in the signal colour and named on the chart; units between the two
funnels are hollow squares; the rest small circles. The legend and caption say which funnel was drawn:
the plain funnel of chance alone, or one widened for over-dispersion (Spiegelhalter, Qual Saf Health Care
2005), with its phi and tau².
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..display import fmt_number, fmt_ratio
from ..errors import QIError
from ._base import add_caption, new_axes, number, set_alt
from .style import MARKERS, PALETTE

__all__ = ["plot_funnel"]


def plot_funnel(result, ax: Axes | None = None, *, label: str = "3s", max_labels: int = 12, logx: bool = False,
                title: str | None = None, caption: bool = True, legend: bool = True, figsize=None,
                **style) -> Axes:
    """Draw a funnel plot.

    Parameters
    ----------
    result : FunnelResult
        What :func:`qikit.funnel` returned.
    ax : matplotlib Axes, optional
    label : {"3s", "2s", "none"}
        Name the units beyond the outer funnel (default), beyond the inner funnel, or none.
    max_labels : int
        Name at most this many units, the furthest from the centre (in standard errors of the funnel
        drawn); the full list is ``result.outside``.
    logx : bool
        Denominators on a log scale (useful when units differ a hundredfold).
    title : str, optional
    caption, legend : bool
    figsize : (float, float), optional
    **style
        Marker properties for the units inside the funnel.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.stats.funnel import funnel
    >>> res = funnel(None, unit=["A", "B", "C", "D"], y=[30, 35, 50, 85], n=[100, 100, 400, 400])
    >>> ax = plot_funnel(res)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "unit_label")
    ['B', 'C']
    """
    if label not in ("3s", "2s", "none"):
        raise QIError(f"label={label!r}: use '3s' (name units beyond 3 sigma), '2s' or 'none'.")
    d = result.data
    c = result.curve
    fig, ax = new_axes(ax, figsize or (8, 5.2))
    n = d["n"].to_numpy(dtype=float)
    v = d["value"].to_numpy(dtype=float)
    out3 = d["beyond_3s"].notna().to_numpy()
    out2 = d["beyond_2s"].notna().to_numpy() & ~out3
    inside = ~out3 & ~out2

    ax.plot(c["n"], c["ucl"], color=PALETTE["limits"], ls="--", lw=1.2, zorder=2, gid="ucl")
    ax.plot(c["n"], c["lcl"], color=PALETTE["limits"], ls="--", lw=1.2, zorder=2, gid="lcl")
    ax.plot(c["n"], c["ucl_2s"], color=PALETTE["two_sigma"], ls=":", lw=1.2, zorder=2, gid="ucl_2s")
    ax.plot(c["n"], c["lcl_2s"], color=PALETTE["two_sigma"], ls=":", lw=1.2, zorder=2, gid="lcl_2s")
    ax.axhline(result.centre, color=PALETTE["centre"], lw=1.3, zorder=2, gid="cl")
    kw: dict[str, Any] = dict(ls="none", marker=MARKERS["point"], ms=5, color=PALETTE["data"], alpha=0.85, zorder=4)
    kw.update(style)
    ax.plot(n[inside], v[inside], gid="units", **kw)
    ax.plot(n[out2], v[out2], ls="none", marker="s", ms=6, mfc="white", mec=PALETTE["data"], mew=1.3, zorder=4,
            gid="units_2s")
    ax.plot(n[out3], v[out3], ls="none", marker=MARKERS["signal"], ms=8, mfc=PALETTE["signal"], mec="black",
            mew=0.6, zorder=5, gid="units_3s")
    named = out3 if label == "3s" else (out3 | out2) if label == "2s" else np.zeros(len(d), bool)
    if named.sum() > max_labels:  # name only the most extreme units; the rest are in result.outside
        z = np.abs(d["z_adjusted" if "z_adjusted" in d else "z"].to_numpy(dtype=float))
        keep = np.argsort(-np.where(named, z, -np.inf), kind="stable")[:max_labels]
        named = np.isin(np.arange(len(d)), keep)
    for idx in np.flatnonzero(named):  # one label per named unit
        above = d["beyond_2s"].iloc[idx] == "above"
        ax.annotate(str(d["unit"].iloc[idx]), xy=(n[idx], v[idx]), xytext=(6, 6 if above else -6),
                    textcoords="offset points", ha="left", va="bottom" if above else "top", fontsize=8,
                    color=PALETTE["text"], gid="unit_label", zorder=6,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    if logx:
        # plain numbers at 1, 2 and 5 x each power of ten ("20,000", not mathtext "2 x 10^4"): easier to read
        # and far cheaper to lay out than labelled minor ticks
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(_plain_number))
        ax.xaxis.set_minor_formatter(NullFormatter())
    what = {"proportion": "Proportion", "rate": "Rate", "ratio": "Observed / expected"}[result.kind]
    scale = f" (x {result.multiply:,g})" if result.multiply != 1 else ""
    ax.set_ylabel(f"{what}: {result.y} / {result.n}{scale}")
    ax.set_xlabel(f"{result.n} ({'expected' if result.kind == 'ratio' else 'denominator'})")
    ax.grid(color="#EEEEEE", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"Funnel plot: {result.y} by {result.unit}", loc="left", fontsize=12, fontweight="bold",
                 pad=22 if legend else 8)
    inner, outer = result.inner_name, result.outer_name
    widened = result.adjusted and result.overdispersed
    if legend:
        tag = ", widened" if widened else ""
        handles = [Line2D([], [], color=PALETTE["centre"], lw=1.3, label=f"Centre {number(result.centre)}"),
                   Line2D([], [], color=PALETTE["two_sigma"], ls=":", lw=1.2, label=f"{inner}{tag}"),
                   Line2D([], [], color=PALETTE["limits"], ls="--", lw=1.2, label=f"{outer}{tag}"),
                   Line2D([], [], ls="none", marker="o", ms=5, color=PALETTE["data"], label="Unit"),
                   Line2D([], [], ls="none", marker="s", ms=6, mfc="white", mec=PALETTE["data"],
                          label=f"Beyond {inner}"),
                   Line2D([], [], ls="none", marker=MARKERS["signal"], ms=8, mfc=PALETTE["signal"], mec="black",
                          mew=0.6, label=f"Beyond {outer}")]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=6, frameon=False, fontsize=8,
                  borderaxespad=0.2, handlelength=1.8, columnspacing=1.0)
    if caption:
        basis = {"proportion": "binomial limits on the arcsine scale", "rate": "Poisson limits",
                 "ratio": "exact Poisson limits"}[result.kind]
        if result.adjusted:
            basis = (f"limits widened for over-dispersion, phi {fmt_ratio(result.phi)}, tau² {fmt_number(result.tau2)}"
                     if widened else f"phi {fmt_ratio(result.phi)}: no over-dispersion, limits not widened")
        else:
            basis += ", chance alone"
        shown = int(named.sum())
        beyond = int(out3.sum()) if label != "2s" else int((out3 | out2).sum())
        which = outer if label != "2s" else inner
        named_text = "" if label == "none" or beyond == 0 else (
            f"Units beyond {which} are named." if shown == beyond else
            f"{beyond} units lie beyond {which}; the {shown} furthest out are named.")
        centre = "target" if result.target_given or result.kind == "ratio" else "overall value"
        add_caption(ax, f"Funnel plot of {len(d)} units ({basis}; Spiegelhalter 2005). Solid line: "
                        f"{centre}; dotted: {inner}; dashed: {outer}. {named_text}")
    set_alt(fig, result.describe())
    return ax


def _plain_number(value: float, _pos=None) -> str:
    """A tick label as a plain number: 0.5, 20, 5,000, 200,000."""
    return fmt_number(value)
