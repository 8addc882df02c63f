"""Run charts and Shewhart control charts from an :class:`qikit.SPCResult`.

Presentation only: everything drawn (values, centre lines, limits, signals) is read from
``result.data``; nothing is recomputed. Conventions (see :mod:`qikit.plot.style`): the series is a
line with small circles, excluded points are hollow, signals are larger filled diamonds in a second
colour, the centre line is solid, 3-sigma limits dashed and 2-sigma lines dotted, all stepped per
subgroup and broken between parts; phase boundaries are vertical lines with the parts' labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..display import rule_set_name
from ..stats.charts import CHARTS
from . import annotate as _annotate
from ._base import (
    boundaries,
    draw_chart,
    finish_axes,
    fit_y,
    format_x_axis,
    group_centres,
    number,
    row_y,
    shared_docs,
    steps,
    x_label,
    x_positions,
)
from .style import MARKERS, PALETTE, marker_size

__all__ = ["plot_spc", "rule_set_label", "caption_text"]

def rule_set_label(rules: str) -> str:
    """The rule set's name in words, e.g. ``"anhoej"`` -> ``"Anhøj runs analysis"``
    (:func:`qikit.display.rule_set_name`, where the names are written once)."""
    return rule_set_name(rules)


def _centre_name(chart: str) -> str:
    return CHARTS[chart].centre_name.capitalize()


def caption_text(result, two_sigma: bool = False) -> str:
    """The caption under an SPC chart: chart type, rule set, and what the lines mean."""
    spec = CHARTS[result.chart]
    o = result.options
    rules = rule_set_label(o.get("rules", "anhoej"))
    if spec.has_limits:
        rules = f"3-sigma limits and {rules}" if o.get("rules") in ("anhoej", "ihi") else rules
    bits = [f"{spec.title}. Signals: {rules}.", f"Solid line: {_centre_name(result.chart).lower()}"]
    if spec.has_limits:
        bits[-1] += "; dashed: 3-sigma control limits" + ("; dotted: 2-sigma" if two_sigma else "")
    bits[-1] += "."
    d = result.data
    if o.get("freeze") is not None:
        bits.append(f"Limits from the first {o['freeze']} points.")
    if (~d["include"]).any():
        bits.append("Hollow points are left out of the calculations.")
    if o.get("multiply", 1) != 1:
        bits.append(f"Values x {o['multiply']:,g}.")
    return " ".join(bits)


def _ylab(result) -> str:
    o = result.options
    if o.get("ylab"):
        return o["ylab"]
    y = o.get("y") or "y"
    label = f"{y} / {o['n']}" if o.get("n") else str(y)
    label = CHARTS[result.chart].y_label.format(label=label)
    if o.get("multiply", 1) != 1:
        label += f" (x {o['multiply']:,g})"
    return label


def _xlab(result) -> str:
    o = result.options
    if o.get("xlab"):
        return o["xlab"]
    return x_label(o.get("x"), o.get("x_kind", ""))


def _title(result) -> str:
    o = result.options
    return o.get("title") or f"{CHARTS[result.chart].title}: {_ylab(result)}"


@shared_docs
def plot_spc(result, ax: Axes | None = None, *, fig=None, annotate=None, two_sigma: bool = False,
             target: float | None = None, title: str | None = None, caption: bool = True, legend: bool = True,
             labels: bool = True, sharey: bool = True, ncols: int | None = None, figsize=None, **style):
    """Draw an SPC result: a run chart or control chart, or a grid of them for a faceted result.

    Parameters
    ----------
    result : SPCResult
        What :func:`qikit.spc` returned.
    target : float, optional
        A target line (dash-dot), on the scale of the chart.
    {shared parameters}
    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.stats.api import spc
    >>> res = spc(y=[12, 14, 11, 13, 15, 12, 14, 13, 12, 30, 13, 12], chart="i")
    >>> ax = plot_spc(res, annotate=[(10, "new rota")])
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "annotation"]
    ['new rota']
    """
    d = result.data
    kw = dict(annotate=annotate, two_sigma=two_sigma, target=target, labels=labels)
    if "facet" in d.columns:
        def facet(key):
            sub = d[(d["facet"] == key).to_numpy()].reset_index(drop=True)
            return str(key), lambda a, name: _panel(a, result, sub, legend=False, style=dict(style), title=name,
                                                    small=True, **kw)
        panels = [facet(key) for key in pd.unique(d["facet"])]
        handles = _legend_handles(result, d, two_sigma, target, 4.5) if legend else []
    else:
        panels = [(None, lambda a, _: _panel(a, result, d, legend=legend, style=style, title=title or _title(result),
                                             small=False, **kw))]
        handles = []
    return draw_chart(result, ax, fig, panels, title=title or _title(result), legend_handles=handles,
                      caption=caption_text(result, two_sigma) if caption else None, ncols=ncols, sharey=sharey,
                      figsize=figsize, panel_size=(4.2, 3.0))


def _legend_handles(result, d, two_sigma, target, ms) -> list:
    spec = CHARTS[result.chart]
    h = [Line2D([], [], color=PALETTE["data"], marker=MARKERS["point"], ms=ms, lw=1.2, label="Data"),
         Line2D([], [], color=PALETTE["centre"], lw=1.4, label=_centre_name(result.chart))]
    if spec.has_limits:
        h.append(Line2D([], [], color=PALETTE["limits"], lw=1.2, ls="--", label="Control limits"))
        if two_sigma:
            h.append(Line2D([], [], color=PALETTE["two_sigma"], lw=1.2, ls=":", label="2-sigma"))
    if target is not None:
        h.append(Line2D([], [], color=PALETTE["target"], lw=1.4, ls="-.", label="Target"))
    if d["signal"].any():
        h.append(Line2D([], [], ls="none", marker=MARKERS["signal"], ms=ms * 1.6, mfc=PALETTE["signal"],
                        mec="black", mew=0.6, label="Signal"))
    if d["runs_signal"].any():
        h.append(Line2D([], [], color=PALETTE["signal"], lw=4, alpha=0.45, label="Non-random runs"))
    if (~d["include"]).any():
        h.append(Line2D([], [], ls="none", marker=MARKERS["excluded"], ms=ms, mfc="white",
                        mec=PALETTE["data"], label="Excluded"))
    return h


def _panel(ax, result, d, *, annotate, two_sigma, target, legend, labels, style, title, small) -> None:
    spec = CHARTS[result.chart]
    o = result.options
    kind = o.get("x_kind", "number")
    xp = x_positions(d["x"], kind)
    y = d["y"].to_numpy(dtype=float)
    part = d["part"].to_numpy()
    include = d["include"].to_numpy(dtype=bool)
    signal = d["signal"].to_numpy(dtype=bool)
    ms = style.pop("markersize", style.pop("ms", marker_size(len(d))))
    ms_sig = max(ms * 1.6, 5.5)

    # the series
    line_kw = dict(color=PALETTE["data"], lw=1.1 if len(d) <= 200 else 0.8, zorder=3)
    line_kw.update(style)
    ax.plot(xp, y, ls="-" if kind != "categorical" else "none", gid="data", **line_kw)
    colour = line_kw["color"]
    finite = np.isfinite(y)
    ordinary = include & ~signal & finite
    ax.plot(xp[ordinary], y[ordinary], ls="none", marker=MARKERS["point"], ms=ms if ms else 0,
            color=colour, zorder=4, gid="points")
    ex = ~include & finite
    ax.plot(xp[ex], y[ex], ls="none", marker=MARKERS["excluded"], ms=max(ms, 4), mfc="white", mec=colour,
            mew=1.0, zorder=4, gid="excluded")
    sig = signal & finite
    ax.plot(xp[sig], y[sig], ls="none", marker=MARKERS["signal"], ms=ms_sig, mfc=PALETTE["signal"], mec="black",
            mew=0.6, zorder=5, gid="signals")

    # centre line, limits: stepped per subgroup, broken between parts
    sx, cl = steps(xp, d["cl"].to_numpy(dtype=float), part)
    runs = d["runs_signal"].to_numpy(dtype=bool)
    if runs.any():
        _, cl_runs = steps(xp, np.where(runs, d["cl"].to_numpy(dtype=float), np.nan), part)
        ax.plot(sx, cl_runs, color=PALETTE["signal"], lw=4, alpha=0.45, solid_capstyle="butt", zorder=2,
                gid="cl_runs_signal")
    ax.plot(sx, cl, color=PALETTE["centre"], lw=1.4, zorder=2, gid="cl")
    arrays = [y, d["cl"].to_numpy(dtype=float)]
    if spec.has_limits:
        for col, ls, c, lw in (("ucl", "--", "limits", 1.2), ("lcl", "--", "limits", 1.2)):
            _, v = steps(xp, d[col].to_numpy(dtype=float), part)
            ax.plot(sx, v, color=PALETTE[c], ls=ls, lw=lw, zorder=2, gid=col)
            arrays.append(v)
        if two_sigma:
            for col in ("ucl_2s", "lcl_2s"):
                _, v = steps(xp, d[col].to_numpy(dtype=float), part)
                ax.plot(sx, v, color=PALETTE["two_sigma"], ls=":", lw=1.1, zorder=2, gid=col)
    if target is not None:
        ax.axhline(float(target), color=PALETTE["target"], ls="-.", lw=1.4, zorder=2, gid="target")
        arrays.append(np.array([float(target)]))

    # phases, baseline
    rows = 0
    x_labels = d["x"].astype(str).tolist() if kind == "categorical" else None
    if d["part"].nunique() > 1:
        for b in boundaries(xp, part):
            ax.axvline(b, color=PALETTE["phase"], lw=1.0, ls="-", zorder=1, gid="phase")
        starts, centres = group_centres(xp, part)
        names = d["part_label"].astype(str).to_numpy()[starts]
        if all(n.isdigit() for n in names):
            names = [f"Part {n}" for n in names]
        for c, name in zip(centres, names, strict=True):
            ax.text(c, row_y(0), name, transform=ax.get_xaxis_transform(), ha="center",
                    va="center", fontsize=8, color=PALETTE["phase"], fontweight="bold", gid="part_label")
        rows = 1
    elif o.get("freeze") is not None and o["freeze"] < len(d):
        k = int(o["freeze"])
        b = (xp[k - 1] + xp[k]) / 2
        ax.axvline(b, color=PALETTE["phase"], lw=1.0, ls=(0, (1, 2)), zorder=1, gid="freeze")
        ax.text((xp[0] + xp[k - 1]) / 2, row_y(0), "Baseline", transform=ax.get_xaxis_transform(), ha="center",
                va="center", fontsize=8, color=PALETTE["phase"], gid="part_label")
        rows = 1

    format_x_axis(ax, kind, x_labels)
    rows += _annotate.place(ax, _annotate.normalise(annotate), kind, xp, y, labels=x_labels, first_row=rows)
    fit_y(ax, arrays, rows)
    if kind == "categorical":
        ax.set_xlim(-0.6, len(d) - 0.4)

    if labels and not small:
        _edge_labels(ax, result, d, part)
    ax.set_ylabel(_ylab(result))
    ax.set_xlabel(_xlab(result))
    finish_axes(ax, title, small, _legend_handles(result, d, two_sigma, target, max(ms, 4.5)) if legend else None)


def _edge_labels(ax, result, d, part) -> None:
    """The last part's centre line and limits written at the right edge (when constant in that part)."""
    last = d[part == part[-1]]
    spec = CHARTS[result.chart]
    cols = [("cl", _centre_name(result.chart))]
    if spec.has_limits:
        cols += [("ucl", "UCL"), ("lcl", "LCL")]
    tr = ax.get_yaxis_transform()
    for col, name in cols:
        v = last[col].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0 or not np.allclose(v, v[0]):
            continue
        ax.annotate(f"{name} {number(v[0])}", xy=(1.0, v[0]), xycoords=tr, xytext=(3, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=8, color=PALETTE["centre" if col == "cl" else "limits"],
                    annotation_clip=False, gid="edge_label")
