"""Making Data Count charts and icons from an :class:`qikit.MDCResult`.

The XmR chart in NHS England's style (Making Data Count: getting started, 2019): a grey line, common
cause points grey, special cause points blue when improving and orange when concerning (purple when
neither direction is better), the mean solid, process limits dashed, a target dash-dot, a new segment
after each rebase; the variation and assurance icons sit in the chart's top right corner. Shapes carry
the same message as the colours: improving points are triangles pointing the way the process moved,
concerning points diamonds, neutral ones squares.

Everything drawn is read from ``result.data`` and ``result.summary()``.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from ..errors import QIError
from ..stats.mdc.result import MDCResult
from . import annotate as _annotate
from ._base import (
    ROW,
    boundaries,
    draw_chart,
    finish_axes,
    fit_y,
    format_x_axis,
    number,
    renderer,
    row_y,
    set_alt,
    shared_docs,
    steps,
    x_label,
    x_positions,
)
from .board import _ASSURANCE_COLOURS, _ASSURANCE_LETTER, assurance_words, variation_words
from .style import MARKERS, MDC_COLOURS, PALETTE, marker_size

__all__ = ["plot_mdc", "mdc_icons", "draw_variation_icon", "draw_assurance_icon"]

_KIND = {"datetime": "datetime", "number": "number", "categorical": "categorical"}
_BETTER = {"increase": "higher is better", "decrease": "lower is better", "neutral": "neither direction is better"}


def caption_text(result, two_sigma: bool = False) -> str:
    """Caption: chart type, direction of improvement, the rules and the line styles."""
    text = (f"Making Data Count XmR chart ({_BETTER[result.improvement]}). Rules (NHS England, 2019): a point "
            "beyond the process limits; a trend of 7 points; two of three points beyond 2-sigma; a shift of 7 "
            "points on one side of the mean. Solid line: mean; dashed: process limits")
    text += "; dotted: 2-sigma." if two_sigma else "."
    if result.fix_after is not None:
        text += f" Limits from the first {result.fix_after} points of each segment."
    return text


@shared_docs
def plot_mdc(result, ax: Axes | None = None, *, fig=None, annotate=None, two_sigma: bool = False,
             icons: bool = True, title: str | None = None, caption: bool = True, legend: bool = True,
             labels: bool = True, sharey: bool = True, ncols: int | None = None, figsize=None, **style):
    """Draw a Making Data Count XmR chart, or a grid of them for a faceted result.

    Parameters
    ----------
    result : MDCResult
        What :func:`qikit.mdc` returned.
    icons : bool
        Draw the variation (and, with a target, assurance) icons in the top right corner.
    {shared parameters}
    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.stats.mdc import mdc
    >>> res = mdc(None, x=list(range(1, 19)), y=[1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1],
    ...           improvement="decrease")
    >>> ax = plot_mdc(res)
    >>> [line.get_gid() for line in ax.lines][:3]
    ['data', 'common_cause', 'concern']
    """
    d = result.data
    status = result.latest_status()
    kw = dict(annotate=annotate, two_sigma=two_sigma, icons=icons, labels=labels)
    if result.facet is not None:
        def facet(key, st):
            sub = d[(d["facet"].astype(object) == key).to_numpy()].reset_index(drop=True)
            return f"{result.facet}: {key}", lambda a, name: _panel(a, result, sub, st, legend=False,
                                                                    style=dict(style), title=name, small=True, **kw)
        keys = pd.unique(d["facet"].astype(object))
        panels = [facet(key, st) for key, (_, st) in zip(keys, status.iterrows(), strict=True)]
        handles = _legend_handles(result, d, two_sigma, 4.5) if legend else []
    else:
        panels = [(None, lambda a, _: _panel(a, result, d, status.iloc[0], legend=legend, style=style,
                                             title=title or _title(result), small=False, **kw))]
        handles = []
    return draw_chart(result, ax, fig, panels, title=title or _title(result), legend_handles=handles,
                      caption=caption_text(result, two_sigma) if caption else None, ncols=ncols, sharey=sharey,
                      figsize=figsize, panel_size=(4.2, 3.1))


def _title(result) -> str:
    return f"{result.y} ({_BETTER[result.improvement]})"


def _groups(d: pd.DataFrame) -> dict[str, np.ndarray]:
    """Masks of the points in each drawing group (by point type and direction)."""
    pt = d["point_type"].astype(object).to_numpy()
    up = d["direction"].to_numpy() > 0
    return {
        "common_cause": pt == "common_cause",
        "improvement_high": (pt == "special_cause_improvement") & up,
        "improvement_low": (pt == "special_cause_improvement") & ~up,
        "concern": pt == "special_cause_concern",
        "neutral": (pt == "special_cause_neutral_high") | (pt == "special_cause_neutral_low"),
    }


_GROUP_STYLE = {  # gid, colour key, marker key, size factor
    "common_cause": ("common_cause", "common_cause", "common_cause", 1.0),
    "improvement_high": ("improvement", "special_cause_improvement", "improvement_high", 1.7),
    "improvement_low": ("improvement", "special_cause_improvement", "improvement_low", 1.7),
    "concern": ("concern", "special_cause_concern", "concern", 1.5),
    "neutral": ("neutral", "special_cause_neutral_high", "neutral", 1.5),
}


def _legend_handles(result, d, two_sigma, ms) -> list:
    h = [Line2D([], [], color=MDC_COLOURS["line"], marker="o", ms=ms, lw=1.2, label="Common cause"),
         Line2D([], [], color=PALETTE["centre"], lw=1.4, label="Mean"),
         Line2D([], [], color=PALETTE["limits"], lw=1.2, ls="--", label="Process limits")]
    if two_sigma:
        h.append(Line2D([], [], color=PALETTE["two_sigma"], lw=1.1, ls=":", label="2-sigma"))
    if np.isfinite(d["target"].to_numpy(dtype=float)).any():
        h.append(Line2D([], [], color=PALETTE["target"], lw=1.4, ls="-.", label="Target"))
    g = _groups(d)
    if g["improvement_high"].any() or g["improvement_low"].any():
        m = MARKERS["improvement_high"] if g["improvement_high"].any() else MARKERS["improvement_low"]
        h.append(Line2D([], [], ls="none", marker=m, ms=ms * 1.7, mfc=MDC_COLOURS["special_cause_improvement"],
                        mec="black", mew=0.5, label="Improvement"))
    if g["concern"].any():
        h.append(Line2D([], [], ls="none", marker=MARKERS["concern"], ms=ms * 1.5,
                        mfc=MDC_COLOURS["special_cause_concern"], mec="black", mew=0.5, label="Concern"))
    if g["neutral"].any():
        h.append(Line2D([], [], ls="none", marker=MARKERS["neutral"], ms=ms * 1.5,
                        mfc=MDC_COLOURS["special_cause_neutral_high"], mec="black", mew=0.5,
                        label="Special cause (neutral)"))
    return h


def _panel(ax, result, d, status, *, annotate, two_sigma, icons, legend, labels, style, title, small) -> None:
    kind = _KIND[result.x_kind]
    xp = x_positions(d["x"], kind)
    y = d["y"].to_numpy(dtype=float)
    seg = d["segment"].to_numpy()
    ms = style.pop("markersize", style.pop("ms", max(marker_size(len(d)), 3.0)))

    line_kw = dict(color=MDC_COLOURS["line"], lw=1.2 if len(d) <= 200 else 0.8, zorder=3)
    line_kw.update(style)
    ax.plot(xp, y, ls="-", gid="data", **line_kw)
    finite = np.isfinite(y)
    for name, mask in _groups(d).items():
        gid, colour, marker, factor = _GROUP_STYLE[name]
        m = mask & finite
        if name != "common_cause" and not m.any():
            continue
        special = name != "common_cause"
        ax.plot(xp[m], y[m], ls="none", marker=MARKERS[marker], ms=ms * factor, mfc=MDC_COLOURS[colour],
                mec="black" if special else MDC_COLOURS[colour], mew=0.5 if special else 0, zorder=5 if special else 4,
                gid=gid)

    sx, mean = steps(xp, d["mean"].to_numpy(dtype=float), seg)
    ax.plot(sx, mean, color=PALETTE["centre"], lw=1.4, zorder=2, gid="mean")
    arrays = [y, mean]
    for col, ls, colour in (("upl", "--", "limits"), ("lpl", "--", "limits")):
        _, v = steps(xp, d[col].to_numpy(dtype=float), seg)
        ax.plot(sx, v, color=PALETTE[colour], ls=ls, lw=1.2, zorder=2, gid=col)
        arrays.append(v)
    if two_sigma:
        for col in ("upl_2s", "lpl_2s"):
            _, v = steps(xp, d[col].to_numpy(dtype=float), seg)
            ax.plot(sx, v, color=PALETTE["two_sigma"], ls=":", lw=1.1, zorder=2, gid=col)
    tgt = d["target"].to_numpy(dtype=float)
    if np.isfinite(tgt).any():
        t = float(tgt[np.isfinite(tgt)][0])
        ax.axhline(t, color=PALETTE["target"], ls="-.", lw=1.4, zorder=2, gid="target")
        arrays.append(np.array([t]))

    rows = 0
    x_labels = d["x"].astype(str).tolist() if kind == "categorical" else None
    if len(np.unique(seg)) > 1:
        for b in boundaries(xp, seg):
            ax.axvline(b, color=PALETTE["phase"], lw=1.0, zorder=1, gid="rebase")
        starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        for s in starts:
            left = xp[s] - (xp[s] - xp[s - 1]) / 2 if s > 0 else xp[0]
            ax.annotate(f"Segment {seg[s]}", xy=(left, row_y(0)), xycoords=ax.get_xaxis_transform(),
                        xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=8,
                        color=PALETTE["phase"], fontweight="bold", gid="part_label")
        rows = 1

    format_x_axis(ax, kind, x_labels)
    icon_rows = 0
    blocked = []
    if icons:
        icon_rows = 2
        inset = _corner_icons(ax, status, icon_rows, small)
        box = ax.get_window_extent(renderer(ax.figure))
        left_px = box.x0 + inset[0] * box.width
        blocked = [(row, left_px, box.x1) for row in range(icon_rows)]
    rows += _annotate.place(ax, _annotate.normalise(annotate), kind, xp, y, labels=x_labels, first_row=rows,
                            blocked=blocked)
    rows = max(rows, icon_rows)
    fit_y(ax, arrays, rows)

    if labels and not small:
        last = d[seg == seg[-1]]
        tr = ax.get_yaxis_transform()
        for col, name, c in (("mean", "Mean", "centre"), ("upl", "UPL", "limits"), ("lpl", "LPL", "limits")):
            level = float(last[col].iloc[0])
            ax.annotate(f"{name} {number(level)}", xy=(1.0, level), xycoords=tr, xytext=(3, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=8, color=PALETTE[c], annotation_clip=False,
                        gid="edge_label")
    ax.set_ylabel(str(result.y))
    ax.set_xlabel(x_label(result.x, result.x_kind))
    finish_axes(ax, title, small, _legend_handles(result, d, two_sigma, max(ms, 4.5)) if legend else None)


# ----------------------------------------------------------------------------------------------- icons

def draw_variation_icon(ax: Axes, variation, direction: int = 0, centre=(0.5, 0.5), radius: float = 0.45) -> None:
    """Draw the variation icon in ``ax`` (data coordinates 0-1 with equal aspect): a grey circle with a
    flat run of dots for common cause, or a coloured circle with H (high) or L (low) for special cause."""
    cx, cy = centre
    r = radius
    if variation not in MDC_COLOURS:
        ax.add_patch(Circle(centre, r, fc="white", ec="#BBBBBB", lw=2, gid="icon_ring"))
        return
    colour = MDC_COLOURS[variation]
    ax.add_patch(Circle(centre, r, fc="white", ec=colour, lw=3, gid="icon_ring"))
    if variation == "common_cause":
        xs = cx + np.linspace(-0.62, 0.62, 7) * r
        ys = cy + np.array([0, -0.22, 0.18, -0.12, 0.22, -0.18, 0.06]) * r
        ms = max(_letter_size(ax, r) / 8, 1.2)
        ax.plot(xs, ys, color=colour, lw=max(ms / 3, 0.6), marker="o", ms=ms, gid="icon_pattern")
        return
    ax.text(cx, cy, MDCResult.icon_letter(variation, direction), ha="center", va="center", fontsize=_letter_size(ax, r),
            fontweight="bold", color=colour, gid="icon_letter")


def draw_assurance_icon(ax: Axes, assurance, centre=(0.5, 0.5), radius: float = 0.45) -> None:
    """Draw the assurance icon: P (blue: the target is consistently met), F (orange: consistently
    missed), ? (grey: met only some of the time)."""
    if assurance not in _ASSURANCE_COLOURS:
        return
    colour = _ASSURANCE_COLOURS[assurance]
    ax.add_patch(Circle(centre, radius, fc="white", ec=colour, lw=3, gid="icon_ring"))
    ax.text(centre[0], centre[1], _ASSURANCE_LETTER[assurance], ha="center", va="center",
            fontsize=_letter_size(ax, radius), fontweight="bold", color=colour, gid="icon_letter")


def _letter_size(ax: Axes, radius: float) -> float:
    """A font size (points) that fills about 60% of the icon's height."""
    h_in = ax.get_position().height * cast(Figure, ax.figure).get_figheight()
    ylim = ax.get_ylim()
    span = abs(ylim[1] - ylim[0]) or 1.0
    return float(np.clip(2 * radius / span * h_in * 72 * 0.55, 6, 40))


def _icon_axes(ax: Axes, rect) -> Axes:
    inset = ax.inset_axes(rect)
    inset.set_xlim(0, 1)
    inset.set_ylim(0, 1)
    inset.set_aspect("equal", anchor="C")
    inset.set_axis_off()
    inset.set_gid("mdc_icon")
    return inset


def _corner_icons(ax: Axes, status, rows: int, small: bool):
    """Put the icons in the top right corner of ``ax``, inside the band of ``rows`` label rows kept free
    above the data. Returns the inset rectangle used (axes fraction)."""
    h = rows * ROW
    pos = ax.get_position()
    fig = cast(Figure, ax.figure)
    aspect = (pos.height * fig.get_figheight()) / max(pos.width * fig.get_figwidth(), 1e-6)
    w = h * aspect  # a square in axes fraction
    has_assurance = status["assurance"] is not None and status["assurance"] in _ASSURANCE_COLOURS
    n = 2 if has_assurance else 1
    x0 = 1 - n * w * 1.05
    y0 = 1 - h - 0.005
    var_ax = _icon_axes(ax, [x0, y0, w, h])
    draw_variation_icon(var_ax, status["variation"], int(status["direction"]))
    setattr(var_ax, "_qikit_icon", ("variation", status["variation"]))  # noqa: B010
    if has_assurance:
        as_ax = _icon_axes(ax, [x0 + w * 1.05, y0, w, h])
        draw_assurance_icon(as_ax, status["assurance"])
        setattr(as_ax, "_qikit_icon", ("assurance", status["assurance"]))  # noqa: B010
    return (x0, y0, n * w * 1.05, h)


def mdc_icons(result, fig=None, *, size: float = 1.0):
    """The variation and assurance icons alone, one row per facet, with their meaning in words.

    Parameters
    ----------
    result : MDCResult
    fig : matplotlib Figure, optional
        An empty figure to draw in; default a new one.
    size : float
        Icon size in inches.

    Returns
    -------
    matplotlib Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.stats.mdc import mdc
    >>> res = mdc(None, x=list(range(1, 19)), y=[1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1],
    ...           improvement="decrease", target=5)
    >>> fig = mdc_icons(res)
    >>> [a._qikit_icon for a in fig.axes if hasattr(a, "_qikit_icon")]
    [('variation', 'common_cause'), ('assurance', 'consistent_pass')]
    """
    import matplotlib.pyplot as plt

    status = result.latest_status()
    n = len(status)
    has_assurance = status["assurance"].notna().any()
    ncols = 2 if has_assurance else 1
    label_w = 1.2 if result.facet is not None else 0.0
    width = label_w + ncols * (size + 1.3)
    height = n * (size + 0.45) + 0.2
    if fig is None:
        fig = plt.figure(figsize=(width, height))
    elif not hasattr(fig, "add_axes"):
        raise QIError(f"fig must be a matplotlib Figure, not {type(fig).__name__}.")
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    for i, st in enumerate(status.itertuples(index=False)):
        top = fh - 0.15 - i * (size + 0.45)
        if result.facet is not None:
            fig.text(0.1 / fw, (top - size / 2) / fh, str(st.facet), ha="left", va="center", fontsize=10,
                     fontweight="bold")
        for j, (what, code) in enumerate((("variation", st.variation), ("assurance", st.assurance))[:ncols]):
            x0 = label_w + j * (size + 1.3) + 0.65
            a = fig.add_axes([(x0) / fw, (top - size) / fh, size / fw, size / fh])
            a.set_xlim(0, 1)
            a.set_ylim(0, 1)
            a.set_aspect("equal")
            a.set_axis_off()
            if what == "variation":
                draw_variation_icon(a, code, int(st.direction))
                words = variation_words(code, int(st.direction))
            else:
                draw_assurance_icon(a, code)
                words = assurance_words(code)
            a._qikit_icon = (what, code)
            fig.text((x0 + size / 2) / fw, (top - size - 0.05) / fh, words, ha="center", va="top", fontsize=7.5,
                     wrap=True)
    alt = "; ".join(
        (f"{st.facet}: " if st.facet is not None else "") + variation_words(st.variation, int(st.direction))
        + (f", {assurance_words(st.assurance).lower()}" if st.assurance is not None else "")
        for st in status.itertuples(index=False))
    set_alt(fig, f"Making Data Count icons for {result.y}: {alt}.")
    return fig
