"""Pareto chart from a :class:`qikit.stats.pareto.ParetoResult`: bars largest first, the cumulative
percentage line on a second axis, and the 80% line that marks the vital few (Juran 1951; IHI QI
Essentials Toolkit 2017). The vital few are drawn in the data colour, the useful many in grey and
hatched, so the split survives greyscale printing."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..display import fmt_number
from ..stats.pareto import VITAL_FEW_PERCENT
from ._base import add_caption, new_axes, set_alt
from .style import PALETTE

__all__ = ["plot_pareto"]


def plot_pareto(result, ax: Axes | None = None, *, title: str | None = None, caption: bool = True,
                legend: bool = True, figsize=None, **style) -> Axes:
    """Draw a Pareto chart.

    Parameters
    ----------
    result : ParetoResult
        What :func:`qikit.pareto` returned.
    ax : matplotlib Axes, optional
        Where to draw the bars (the cumulative line goes on a twin axis, ``ax.qikit_percent_axis``).
    title : str, optional
    caption, legend : bool
    figsize : (float, float), optional
    **style
        Bar properties (``color``, ``edgecolor``, ``width``, ...).

    Returns
    -------
    matplotlib Axes
        The bar axes; the cumulative percentage axis is ``ax.qikit_percent_axis``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.stats.pareto import pareto
    >>> ax = plot_pareto(pareto(None, ["falls", "falls", "pressure", "falls", "drug"]))
    >>> [float(b.get_height()) for b in ax.patches]
    [3.0, 1.0, 1.0]
    """
    d = result.data
    k = len(d)
    fig, ax = new_axes(ax, figsize or (max(6.0, min(12.0, 1.6 + 0.55 * k)), 4.8))
    pos = np.arange(k)
    vital = d["vital_few"].to_numpy(dtype=bool)
    colours = np.where(vital, style.pop("color", PALETTE["data"]), PALETTE["muted"])
    bar_kw: dict[str, Any] = dict(width=0.75, edgecolor="black", linewidth=0.6, zorder=2)
    bar_kw.update(style)
    bars = ax.bar(pos, d["count"].to_numpy(dtype=float), color=colours, **bar_kw)
    for b, v in zip(bars, vital, strict=True):
        b.set_gid("bar_vital" if v else "bar")
        if not v:
            b.set_hatch("///")
    counts = d["count"].to_numpy(dtype=float)
    for x, c in zip(pos, counts, strict=True):
        ax.annotate(fmt_number(c), xy=(x, c), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize=8, gid="bar_label")
    labels = [str(c) for c in d["category"]]
    ax.set_xticks(pos, labels)
    if k > 5 or max((len(s) for s in labels), default=0) > 10:
        ax.tick_params(axis="x", labelrotation=35)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
            t.set_rotation_mode("anchor")
    total = counts.sum()
    ax.set_ylim(0, total * 1.02)
    ax.set_xlim(-0.6, k - 0.4)
    ax.set_ylabel(f"{result.count}")
    ax.set_xlabel(str(result.category))
    ax.spines["top"].set_visible(False)

    pax = ax.twinx()
    pax.plot(pos, d["cum_percent"].to_numpy(dtype=float), color=PALETTE["centre"], marker="o", ms=4, lw=1.4,
             zorder=3, gid="cumulative")
    pax.axhline(VITAL_FEW_PERCENT, color=PALETTE["signal"], ls="--", lw=1.2, zorder=1, gid="eighty")
    pax.annotate(f"{VITAL_FEW_PERCENT:.0f}%", xy=(1.0, VITAL_FEW_PERCENT), xycoords=pax.get_yaxis_transform(),
                 xytext=(-2, 3), textcoords="offset points", ha="right", va="bottom", fontsize=8,
                 color=PALETTE["signal"])
    pax.set_ylim(0, 102)
    pax.set_ylabel("Cumulative percentage")
    pax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    pax.spines["top"].set_visible(False)
    setattr(ax, "qikit_percent_axis", pax)  # noqa: B010
    ax.set_title(title or f"Pareto chart: {result.count} by {result.category}", loc="left", fontsize=12,
                 fontweight="bold", pad=22 if legend else 8)
    if legend:
        handles = [Patch(fc=PALETTE["data"], ec="black", lw=0.6, label="Vital few (first 80%)"),
                   Patch(fc=PALETTE["muted"], ec="black", lw=0.6, hatch="///", label="Useful many"),
                   Line2D([], [], color=PALETTE["centre"], marker="o", ms=4, label="Cumulative %"),
                   Line2D([], [], color=PALETTE["signal"], ls="--", label="80% line")]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, frameon=False, fontsize=8,
                  borderaxespad=0.2)
    if caption:
        add_caption(ax, f"Pareto chart: {len(d)} categories, {fmt_number(total)} in all, largest first. Line: cumulative "
                        "percentage (right axis); dashed: 80%. The vital few are the categories up to the first "
                        "that reaches 80% (Juran).")
    set_alt(fig, result.describe())
    return ax
