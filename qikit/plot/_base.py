"""Shared plumbing for qikit's charts: figures, x positions, stepped lines, captions and alt text."""

from __future__ import annotations

import base64
import html
import io
import textwrap
from typing import cast

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, ScalarFormatter
from matplotlib.transforms import Bbox

from ..display import fmt_number
from ..errors import QIError
from .style import PALETTE

#: Height of one row of labels (annotations, part labels) above the data, as a fraction of the axes.
ROW = 0.075


def new_axes(ax: Axes | None, figsize=(10, 4.8)) -> tuple[Figure, Axes]:
    """The Axes to draw in: ``ax`` if given, else a new figure with constrained layout."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise QIError(f"ax must be a matplotlib Axes, not {type(ax).__name__}.")
        return cast(Figure, ax.figure), ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def new_grid(n: int, fig: Figure | None, ncols: int | None, sharey: bool, panel=(4.2, 3.2)):
    """A grid of ``n`` panels (small multiples); unused cells are hidden. Returns (fig, axes list)."""
    ncols = int(ncols) if ncols else min(n, 3)
    nrows = int(np.ceil(n / ncols))
    if fig is None:
        fig = plt.figure(figsize=(panel[0] * ncols + 0.6, panel[1] * nrows + 1.0), layout="constrained")
    elif not isinstance(fig, Figure):
        raise QIError(f"fig must be a matplotlib Figure, not {type(fig).__name__}.")
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=bool(sharey), squeeze=False).ravel()
    for a in axes[n:]:
        a.set_visible(False)
    for i, a in enumerate(axes[:n]):
        a._qikit_grid = (i // ncols, i % ncols, i + ncols >= n)  # row, column, bottom of its column
    return fig, list(axes[:n])


def share_ylim(axes) -> None:
    """Give panels sharing a y axis the union of the y ranges each panel asked for."""
    lims = np.array([a._qikit_ylim for a in axes if getattr(a, "_qikit_ylim", None) is not None])
    if len(lims):
        axes[0].set_ylim(lims[:, 0].min(), lims[:, 1].max())


def tidy_grid_labels(axes, sharey: bool) -> None:
    """Axis labels only where they are needed: x labels on the bottom panels, y labels on the left."""
    for a in axes:
        row, col, bottom = a._qikit_grid
        if not bottom:
            a.set_xlabel("")
        if sharey and col != 0:
            a.set_ylabel("")


def renderer(fig: Figure):
    """A renderer to measure text with, whatever the backend (Agg canvases have their own)."""
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else getattr(fig, "_get_renderer")()  # noqa: B009 (untyped private API)


def set_alt(fig: Figure, text: str) -> None:
    """Store a figure's text alternative (read back with :func:`alt_text`)."""
    setattr(fig, "_qikit_alt", text)  # noqa: B010 (matplotlib has no typed slot for it)


def alt_text(obj) -> str | None:
    """The text alternative qikit stored with a chart: pass the Figure or any of its Axes.

    Every qikit plot function stores ``result.describe()`` (or an equivalent sentence) as the figure's
    alt text, so a notebook can show it under the chart or hand it to a screen reader; see
    :func:`accessible`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.stats.api import spc
    >>> from qikit.plot.spc import plot_spc
    >>> res = spc(y=[3, 5, 4, 6, 5, 4, 6, 5, 4, 5, 6, 4])
    >>> alt_text(plot_spc(res)) == res.describe()
    True
    """
    fig = cast(Figure, obj.figure if isinstance(obj, Axes) else obj)
    return getattr(fig, "_qikit_alt", None)


class AccessibleFigure:
    """A chart for a notebook with its alt text attached: renders as ``<img alt="...">`` HTML, so screen
    readers announce the description, and as a PNG elsewhere."""

    def __init__(self, fig: Figure, alt: str, dpi: int = 100):
        self.figure, self.alt, self.dpi = fig, alt, dpi

    def _png(self) -> bytes:
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=self.dpi, metadata={"Description": self.alt})
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self._png()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self._png()).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        return (f'<figure style="margin:0"><img src="data:image/png;base64,{data}" alt="{alt}" '
                f'style="max-width:100%"><figcaption style="font-size:0.85em;color:#444">{html.escape(self.alt)}'
                "</figcaption></figure>")

    def __repr__(self) -> str:
        return f"AccessibleFigure(alt={self.alt!r})"


def accessible(obj, close: bool = True) -> AccessibleFigure:
    """Wrap a qikit chart (Figure or Axes) for display with its alt text as ``<img alt=...>`` and a caption.

    In a notebook, ``qikit.plot.accessible(res.plot())`` as the last line of a cell shows the chart once,
    with the description that screen readers read. ``close=True`` closes the pyplot figure so it is not
    also shown by the inline backend.
    """
    if isinstance(obj, np.ndarray | list):
        obj = np.ravel(obj)[0]
    fig = cast(Figure, obj.figure if isinstance(obj, Axes) else obj)
    text = alt_text(fig) or ""
    wrapped = AccessibleFigure(fig, text)
    if close:
        plt.close(fig)
    return wrapped


# -------------------------------------------------------------------------------------------- x axis

def x_positions(values, kind: str) -> np.ndarray:
    """Plot positions for x values: Matplotlib date numbers for datetimes, the numbers themselves, or
    0, 1, 2, ... for labels (categorical axes)."""
    if kind == "datetime":
        idx = pd.DatetimeIndex(values)
        if idx.tz is not None:
            idx = idx.tz_localize(None)
        return np.asarray(mdates.date2num(idx.to_numpy()), dtype=float)
    if kind == "number":
        return np.asarray(values, dtype=float)
    return np.arange(len(values), dtype=float)


def x_position_of(value, kind: str, labels=None) -> float:
    """The plot position of one x value given by the user (an annotation's x)."""
    if kind == "datetime":
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError):
            raise QIError(f"annotation x {value!r} is not a date, but the chart's x axis holds dates.") from None
        if ts.tz is not None:
            ts = ts.tz_localize(None)
        return float(mdates.date2num(ts.to_datetime64()))
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise QIError(f"annotation x {value!r} is not a number, but the chart's x axis holds numbers.") from None
    labels = [str(v) for v in labels]
    if str(value) not in labels:
        raise QIError(f"annotation x {value!r} is not one of the chart's x labels ({', '.join(labels[:8])}).")
    return float(labels.index(str(value)))


class _DateLocator(mdates.AutoDateLocator):
    """matplotlib's AutoDateLocator, remembering the ticks of the last view.

    matplotlib asks an axis for its ticks three times in each draw (to place them, to place the axis
    label, and for the tight bounding box), and the recurrence-rule search behind date ticks is the
    slowest part of drawing a date axis. The ticks depend only on the view range, so the same range
    gets the same answer without a second search."""

    _memo_key = None

    def __call__(self):
        key = tuple(self.axis.get_view_interval()) if self.axis is not None else None
        if key is None or key != self._memo_key:
            self._memo, self._memo_key = super().__call__(), key
        return np.array(self._memo, copy=True)


class _DateFormatter(mdates.ConciseDateFormatter):
    """matplotlib's ConciseDateFormatter, remembering the labels (and the offset text, e.g. the year) of
    the last set of ticks, for the same reason as :class:`_DateLocator`."""

    _memo_key = None

    def format_ticks(self, values):
        key = tuple(np.asarray(values, dtype=float).tolist())
        if key != self._memo_key:
            self._memo = (super().format_ticks(values), self.get_offset())
            self._memo_key = key
        labels, self._offset_string = self._memo
        return list(labels)


def format_x_axis(ax: Axes, kind: str, labels=None) -> None:
    """Concise dates for datetime x (matplotlib's ConciseDateFormatter), whole numbers for counts,
    unit labels (slanted when many) for a categorical axis."""
    if kind == "datetime":
        locator = _DateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(_DateFormatter(locator))
    elif kind == "number":
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=3))
    else:
        labels = [str(v) for v in labels]
        ax.set_xticks(np.arange(len(labels)), labels)
        if len(labels) > 6 or max((len(s) for s in labels), default=0) > 8:
            ax.tick_params(axis="x", labelrotation=40)
            for t in ax.get_xticklabels():
                t.set_horizontalalignment("right")
                t.set_rotation_mode("anchor")
        if len(labels) > 40:  # too many to read: show every k-th
            k = int(np.ceil(len(labels) / 40))
            ax.set_xticks(np.arange(0, len(labels), k), labels[::k])


# -------------------------------------------------------------------------------------- stepped lines

def steps(xp: np.ndarray, values: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of a stepped line: each point's value is held from halfway to its left neighbour to
    halfway to its right neighbour; a step is drawn where the value changes within a group, and the
    line breaks (NaN) between groups (parts, segments).

    Returns x and y arrays of length 2 k + (groups - 1): for point i the pair (left_i, v_i), (right_i, v_i).
    """
    xp = np.asarray(xp, dtype=float)
    v = np.asarray(values, dtype=float)
    k = len(xp)
    if k == 0:
        return np.array([]), np.array([])
    mid = (xp[1:] + xp[:-1]) / 2
    new = np.r_[True, group[1:] != group[:-1]]
    left = np.r_[xp[0], mid]
    right = np.r_[mid, xp[-1]]
    # the first point of the chart starts at itself; later groups start at the boundary midpoint,
    # which is where the phase line is drawn
    sx = np.column_stack([left, right]).ravel()
    sy = np.repeat(v, 2)
    breaks = np.flatnonzero(new[1:]) + 1  # point indices that start a new group
    if len(breaks):
        at = 2 * breaks
        sx = np.insert(sx, at, np.nan)
        sy = np.insert(sy, at, np.nan)
    return sx, sy


def boundaries(xp: np.ndarray, group: np.ndarray) -> np.ndarray:
    """x positions of the boundaries between consecutive groups (midway between neighbours)."""
    i = np.flatnonzero(group[1:] != group[:-1])
    return (xp[i] + xp[i + 1]) / 2


def group_centres(xp: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first index of each group, x centre of each group's span)."""
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:] - 1, len(xp) - 1]
    return starts, (xp[starts] + xp[ends]) / 2


# ------------------------------------------------------------------------------------ y range and text

def fit_y(ax: Axes, arrays, rows: int) -> None:
    """Set y limits to show every finite value in ``arrays`` with ``rows`` rows of labels free above them."""
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays if a is not None])
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return
    lo, hi = float(vals.min()), float(vals.max())
    span = hi - lo
    if span == 0:
        span = abs(hi) * 0.2 or 1.0
        lo, hi = lo - span / 2, hi + span / 2
    top_free = rows * ROW + 0.04
    total = span / (1 - top_free - 0.05)
    bottom = lo - 0.05 * total
    ax.set_ylim(bottom, bottom + total)
    setattr(ax, "_qikit_ylim", (bottom, bottom + total))  # noqa: B010


def row_y(row: int) -> float:
    """Axes-fraction y of the centre of label row ``row`` (0 is the top row)."""
    return 1 - (row + 0.5) * ROW - 0.01


def finish_axes(ax: Axes, title: str, small: bool, handles=None) -> None:
    """The house style shared by SPC and MDC charts: light horizontal grid, no top/right spines, a
    left-aligned title, and the legend (``handles``) in one row above the plot."""
    ax.grid(axis="y", color="#E6E6E6", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fmt = ax.yaxis.get_major_formatter()
    if isinstance(fmt, ScalarFormatter):
        fmt.set_useOffset(False)  # "12,040" rather than "40" with "+1.2e4" in the corner
        fmt.set_scientific(False)  # a rate of 0.00002 per bed-day is written out, never "2e-5"
    if small:
        ax.set_title(title, fontsize=10, loc="left")
    else:
        # y=1.0 fixes the title's place (no top ticks here; pad clears the legend row), which spares
        # matplotlib measuring every y tick label at each draw to see whether the title must move up
        ax.set_title(title, loc="left", fontsize=12, fontweight="bold", pad=22 if handles else 8, y=1.0)
    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(handles), frameon=False,
                  fontsize=8, borderaxespad=0.2, handlelength=2.2, columnspacing=1.2)


def add_caption(ax: Axes, text: str) -> None:
    """A small caption under the x axis (below its tick labels and label), left-aligned with the axes."""
    if not text:
        return

    def below_axis(renderer):
        box = ax.get_window_extent(renderer)
        xa = ax.xaxis.get_tightbbox(renderer)
        bottom = min(xa.y0, box.y0) if xa is not None else box.y0
        return Bbox.from_extents(box.x0, bottom, box.x1, box.y1)

    # wrap to about the axes' width (8-point text is about 16 characters to the inch)
    width_in = cast(Figure, ax.figure).get_figwidth() * ax.get_position().width
    text = "\n".join(textwrap.wrap(text, width=max(40, int(width_in * 16))))
    ax.annotate(text, xy=(0, 0), xycoords=below_axis, xytext=(0, -3), textcoords="offset points",
                ha="left", va="top", fontsize=8, color=PALETTE["text"], annotation_clip=False, gid="caption")


def x_label(name, kind: str) -> str:
    """The x axis's words: the column's name, or "Subgroup" when x was given as bare numbers (named "x")."""
    return "Subgroup" if name in (None, "x") and kind == "number" else str(name or "")


def number(v: float) -> str:
    """A limit or centre value for a label: 3 significant figures, thousands separated, never scientific
    (:func:`qikit.display.fmt_number`); empty when missing."""
    return fmt_number(v, missing="")


# --- the front doors' shared parts ----------------------------------------------------------------
#: The keywords :func:`qikit.plot.plot_spc` and :func:`qikit.plot.plot_mdc` share, described once (as
#: seaborn does): each docstring says ``{shared parameters}`` where they go (:func:`shared_docs`).
SHARED_PARAMETERS = """\
    ax : matplotlib Axes, optional
        Where to draw (one panel). Default: a new figure.
    fig : matplotlib Figure, optional
        For a faceted result: the (empty) figure to fill with the grid of panels.
    annotate : list of (x, text), dict, DataFrame with x and text columns, or PDSALog, optional
        Short labels placed above the data at those x, with leader lines (see :mod:`qikit.plot.annotate`).
    two_sigma : bool
        Also draw the 2-sigma lines (dotted), those the two-in-three rule uses.
    title : str, optional
        Overrides the chart's own title.
    caption : bool
        Write the caption (what the chart is, its rules, its line styles) under the x axis.
    legend : bool
        Show the legend above the chart.
    labels : bool
        Write the centre line and limit values at the right edge.
    sharey : bool
        For facets: one y axis for all panels (True, so that wards compare at a glance) or each its own
        (False, when facets differ much in size).
    ncols : int, optional
        For facets: panels per row (default up to 3).
    figsize : (float, float), optional
        Size of a new figure in inches.
    **style
        Matplotlib line properties for the data line (``color``, ``linewidth``, ``markersize``, ...).

    Returns
    -------
    matplotlib Axes, or Figure for a faceted result
        The chart's alt text (``result.describe()``) is stored with it: read it with
        :func:`qikit.plot.alt_text`, or display the chart with its alt text via :func:`qikit.plot.accessible`.

"""


def shared_docs(func):
    """Put :data:`SHARED_PARAMETERS` into ``func``'s docstring where it says ``{shared parameters}``."""
    marker = "    {shared parameters}\n"
    if func.__doc__ and marker in func.__doc__:
        func.__doc__ = func.__doc__.replace(marker, SHARED_PARAMETERS)
    return func


def draw_chart(result, ax: Axes | None, fig: Figure | None, panels, *, title: str, caption: str | None,
               legend_handles, ncols: int | None, sharey: bool, figsize, panel_size) -> Axes | Figure:
    """Draw a chart the way both front doors do: one panel, or a grid of panels under one title, legend and
    caption; either way with ``result.describe()`` stored as alt text.

    ``panels`` is a list of ``(panel_title, draw)``, ``draw(ax, panel_title)`` drawing one panel: one entry
    (title ``None``) for one chart, one per facet for a grid. ``caption`` is None for no caption;
    ``legend_handles`` (a grid's shared legend) is empty for none.
    """
    if len(panels) == 1 and panels[0][0] is None:
        fig, ax = new_axes(ax, figsize or (10, 4.8))
        panels[0][1](ax, None)
        if caption:
            add_caption(ax, caption)
        set_alt(fig, result.describe())
        return ax
    if ax is not None:
        raise QIError("this result has facets and draws a grid of panels: pass fig=... (or nothing) instead "
                      "of ax=.")
    fig, axes = new_grid(len(panels), fig, ncols, sharey, panel=panel_size)
    for (name, draw), a in zip(panels, axes, strict=True):
        draw(a, name)
    if sharey:
        share_ylim(axes)
    tidy_grid_labels(axes, sharey)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    if legend_handles:
        where = "outside upper right" if fig.get_layout_engine() is not None else "upper right"
        fig.legend(handles=legend_handles, loc=where, ncols=len(legend_handles), frameon=False, fontsize=8)
    if caption:
        fig.supxlabel(caption, fontsize=8, x=0.01, ha="left", color=PALETTE["text"], wrap=True)
    set_alt(fig, result.describe())
    return fig
