"""Annotations: short labels ("PDSA 1: discharge checklist") above a chart's data, with leader lines.

``plot(annotate=...)`` accepts

- a list of ``(x, text)`` pairs (or a dict ``{x: text}``),
- a DataFrame with columns ``x`` and ``text``,
- anything with an ``.annotations()`` method returning such pairs, e.g. :class:`qikit.PDSALog`.

Labels sit in rows in a band above the data (the y axis is extended to make room), so they never cover
a point. Labels that would overlap each other go to the next row down ("staggered"), and a thin
leader line joins each label to the data at its x.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..errors import QIDataError
from ._base import renderer, row_y, x_position_of
from .style import PALETTE

__all__ = ["normalise", "place"]

#: Labels longer than this are shortened with an ellipsis (the full text stays in the data).
MAX_CHARS = 40


def normalise(annotate) -> list[tuple[object, str]]:
    """Turn any accepted form of annotations into a list of ``(x, text)`` pairs.

    Examples
    --------
    >>> normalise({3: "PDSA 1"})
    [(3, 'PDSA 1')]
    """
    if annotate is None:
        return []
    if hasattr(annotate, "annotations") and callable(annotate.annotations):
        annotate = annotate.annotations()
    if isinstance(annotate, pd.DataFrame):
        missing = [c for c in ("x", "text") if c not in annotate.columns]
        if missing:
            cols = ", ".join(repr(c) for c in annotate.columns)
            raise QIDataError(f"annotations given as a table need columns 'x' and 'text'; column "
                              f"{' and '.join(repr(m) for m in missing)} is missing (the columns are: {cols}).",
                              column=missing[0])
        bad = annotate["x"].isna().to_numpy() | annotate["text"].isna().to_numpy()
        if bad.any():
            rows = list(annotate.index[bad])
            raise QIDataError(f"annotations have an empty x or text in row(s) {', '.join(map(str, rows))}.",
                              column="x" if annotate["x"].isna().any() else "text", rows=rows)
        return list(zip(annotate["x"].tolist(), annotate["text"].astype(str).tolist(), strict=True))
    if isinstance(annotate, dict):
        return [(x, str(t)) for x, t in annotate.items()]
    pairs = []
    for i, item in enumerate(annotate):
        if isinstance(item, str) or not hasattr(item, "__len__") or len(item) != 2:
            raise QIDataError(f"annotation {i + 1} ({item!r}) is not an (x, text) pair, e.g. "
                              "('2024-03-01', 'PDSA 1: new checklist').", column="annotate")
        pairs.append((item[0], str(item[1])))
    return pairs


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1].rstrip() + "…"


def _levels(left: np.ndarray, right: np.ndarray, gap: float, blocked: list[tuple[int, float, float]]) -> np.ndarray:
    """Greedy rows: each label (in x order) takes the first row where it overlaps no earlier label and
    no blocked interval ``(row, left, right)``."""
    occupied: dict[int, list[tuple[float, float]]] = {}
    for row, lo, hi in blocked:
        occupied.setdefault(row, []).append((lo, hi))
    out = np.zeros(len(left), dtype=int)
    for i in np.argsort(left, kind="stable"):  # a loop per label, not per point
        row = 0
        while any(lo - gap < right[i] and left[i] < hi + gap for lo, hi in occupied.get(row, [])):
            row += 1
        occupied.setdefault(row, []).append((left[i], right[i]))
        out[i] = row
    return out


def place(ax: Axes, pairs, kind: str, xp: np.ndarray, y: np.ndarray, labels=None, first_row: int = 0,
          blocked=None) -> int:
    """Draw ``pairs`` of ``(x, text)`` on ``ax`` as staggered labels in rows from ``first_row`` down,
    each with a leader line to the series ``(xp, y)`` at its x. Returns the number of rows used.

    The caller then makes room for ``first_row + rows`` rows above the data (see
    :func:`qikit.plot._base.fit_y`). ``blocked`` lists ``(row, left, right)`` display-pixel intervals
    already taken (e.g. by icons).
    """
    if not pairs:
        return 0
    fig = cast(Figure, ax.figure)
    ok = np.isfinite(y)
    xs = np.array([x_position_of(x, kind, labels) for x, _ in pairs], dtype=float)
    if ok.any():
        y_at = np.interp(xs, xp[ok], y[ok])
    else:
        y_at = np.zeros(len(xs))  # no data to point at: leader lines go to 0
    texts = [_short(t) for _, t in pairs]
    ax.autoscale_view()
    x_lo, x_hi = sorted(ax.get_xlim())
    xs_shown = np.clip(xs, x_lo, x_hi)
    anns = []
    for x, yv, t, full in zip(xs_shown, y_at, texts, pairs, strict=True):
        a = ax.annotate(t, xy=(x, yv), xycoords="data", xytext=(x, row_y(first_row)),
                        textcoords=ax.get_xaxis_transform(), ha="center", va="center", fontsize=8,
                        color=PALETTE["annotation"], zorder=6, annotation_clip=False, gid="annotation",
                        bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=PALETTE["annotation"], lw=0.6),
                        arrowprops=dict(arrowstyle="-", color=PALETTE["annotation"], lw=0.7, shrinkA=0,
                                        shrinkB=2, linestyle=(0, (2, 1.5))))
        setattr(a, "_qikit_full_text", full[1])  # noqa: B010
        anns.append(a)
    rend = renderer(fig)
    widths = np.array([Text.get_window_extent(a, rend).width for a in anns]) * 1.1 + 8  # text only, no leader
    centre_px = ax.transData.transform(np.column_stack([xs_shown, np.zeros(len(xs))]))[:, 0]
    bbox = ax.get_window_extent(rend)
    # keep each label inside the axes: shift its centre in from the edges
    centre_px = np.clip(centre_px, bbox.x0 + widths / 2, np.maximum(bbox.x1 - widths / 2, bbox.x0 + widths / 2))
    left, right = centre_px - widths / 2, centre_px + widths / 2
    levels = _levels(left, right, gap=4.0, blocked=[(r - first_row, lo, hi) for r, lo, hi in (blocked or [])])
    inv = ax.transData.inverted()
    text_x = inv.transform(np.column_stack([centre_px, np.zeros(len(xs))]))[:, 0]
    for a, tx, lev in zip(anns, text_x, levels, strict=True):
        a.set_position((tx, row_y(first_row + int(lev))))
    return int(levels.max()) + 1
