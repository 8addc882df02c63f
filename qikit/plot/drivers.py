"""Driver diagram drawing: aim on the left, then primary drivers, secondary drivers and change ideas,
joined by elbow connectors (Bennett & Provost, Quality Progress 2015).

Boxes differ by fill and border as well as colour (aim dark with white text, primary drivers tinted,
secondary drivers light grey, change ideas white with a dashed border), so the levels stay distinct in
print. Every element appears once; a change idea serving several drivers has a connector to each.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.patches import FancyBboxPatch

from ._base import set_alt

__all__ = ["plot_driver_diagram"]

_STYLE = {
    "aim": dict(fc="#005EB8", ec="#003087", ls="-", text="white", weight="bold"),
    "primary driver": dict(fc="#CDE6F7", ec="#005EB8", ls="-", text="#111111", weight="bold"),
    "secondary driver": dict(fc="#EEF0F1", ec="#425563", ls="-", text="#111111", weight="normal"),
    "change idea": dict(fc="white", ec="#425563", ls="--", text="#111111", weight="normal"),
}
_HEAD = {"aim": "Aim", "primary driver": "Primary drivers", "secondary driver": "Secondary drivers",
         "change idea": "Change ideas"}


def _columns(diagram) -> dict[str, int]:
    """Column of each element: primary drivers 1, a secondary driver one right of the furthest driver it
    serves, change ideas in the last column."""
    col: dict[str, int] = {name: 1 for name in diagram.primary_drivers}
    pending = list(diagram.secondary_drivers)
    while pending:  # resolve secondary drivers serving other secondary drivers
        progress = False
        for name in list(pending):
            parents = diagram.serves(name)
            if all(p in col for p in parents):
                col[name] = max(col[p] for p in parents) + 1
                pending.remove(name)
                progress = True
        if not progress:  # cannot happen in a validated diagram; keep drawing
            for name in pending:
                col[name] = 2
            break
    last = max(col.values(), default=1) + 1
    for name in diagram.change_ideas:
        col[name] = last
    return col


def _rows(diagram) -> dict[str, float]:
    """Vertical position of each element: leaves in depth-first order, each parent at the mean of its
    children (an element shared by several parents is placed under the first)."""
    y: dict[str, float] = {}
    next_row = [0]

    def visit(name: str) -> float:
        if name in y:
            return y[name]
        kids = [k for k in diagram.children(name) if k not in y]
        if not kids:
            y[name] = float(next_row[0])
            next_row[0] += 1
            return y[name]
        ys = [visit(k) for k in kids]
        y[name] = float(np.mean(ys))
        return y[name]

    for p in diagram.primary_drivers:
        visit(p)
    return y


def plot_driver_diagram(diagram, fig=None, *, wrap: int = 26, figsize=None):
    """Draw a driver diagram.

    Parameters
    ----------
    diagram : DriverDiagram
    fig : matplotlib Figure, optional
        An empty figure to draw in; default a new one sized to the diagram.
    wrap : int
        Characters per line inside a box.
    figsize : (float, float), optional

    Returns
    -------
    matplotlib Figure
        With a text alternative (the diagram as nested text) stored as its alt text.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("agg")
    >>> from qikit.improve.drivers import DriverDiagram
    >>> dd = DriverDiagram.from_dict("Reduce falls", {"Safe environment": ["Bedside safety check"]})
    >>> fig = plot_driver_diagram(dd)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "box_text")
    ['Bedside safety check', 'Reduce falls', 'Safe environment']
    """
    import matplotlib.pyplot as plt

    diagram.validate()
    col = _columns(diagram)
    row = _rows(diagram)
    kind = {name: diagram._kind[name] for name in col}
    n_cols = max(col.values()) + 1
    n_rows = max(1.0, max(row.values(), default=0) + 1)
    if fig is None:
        fig = plt.figure(figsize=figsize or (2.6 * n_cols + 0.4, max(3.0, 0.85 * n_rows + 1.0)))
    ax = fig.add_axes([0.01, 0.01, 0.98, 0.98])
    ax.set_axis_off()
    col_w, box_w = 1.0, 0.82
    ax.set_xlim(-0.05, n_cols * col_w)
    ax.set_ylim(n_rows - 0.3, -1.2)  # rows go down the page; room for headings

    def box(name: str, x: float, y: float, k: str, height: float = 0.74):
        st = _STYLE[k]
        ax.add_patch(FancyBboxPatch((x, y - height / 2), box_w, height, boxstyle="round,pad=0.0,rounding_size=0.06",
                                    fc=st["fc"], ec=st["ec"], ls=st["ls"], lw=1.2, gid=k.replace(" ", "_")))
        ax.text(x + box_w / 2, y, textwrap.fill(name, wrap), ha="center", va="center", fontsize=8.5,
                color=st["text"], fontweight=st["weight"], gid="box_text", wrap=False)

    aim_y = float(np.mean([row[p] for p in diagram.primary_drivers])) if diagram.primary_drivers else 0.0
    aim_h = min(max(1.4, 0.5 * n_rows), n_rows)
    box(diagram.aim_text, 0.0, aim_y, "aim", height=aim_h)
    for name, c in col.items():
        box(name, c * col_w, row[name], kind[name])
    # headings
    present = {0: "aim"} | {c: kind[n] for n, c in col.items()}
    for c, k in present.items():
        ax.text(c * col_w + box_w / 2, -0.95, _HEAD[k] if c < n_cols - 1 or k == "change idea" else _HEAD[k],
                ha="center", va="center", fontsize=10, fontweight="bold", color="#222222", gid="heading")
    # connectors: right edge of the parent to the left edge of the child, elbow halfway
    for name, parent in diagram.edges():
        x0 = (0.0 if parent is None else col[parent] * col_w) + box_w
        y0 = aim_y if parent is None else row[parent]
        x1, y1 = col[name] * col_w, row[name]
        xm = x1 - (col_w - box_w) / 2
        ax.plot([x0, xm, xm, x1], [y0, y0, y1, y1], color="#425563", lw=1.0, zorder=0, gid="connector")
    set_alt(fig, "Driver diagram. " + diagram.to_markdown().replace("**", "").replace("*", ""))
    return fig
