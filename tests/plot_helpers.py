"""Helpers the chart tests share: find a drawn line by its gid, read a stepped line's value per point."""

from __future__ import annotations

import numpy as np


def line(ax, gid):
    found = [ln for ln in ax.lines if ln.get_gid() == gid]
    assert len(found) == 1, f"expected one line {gid!r}, found {len(found)}"
    return found[0]


def per_point(ln) -> np.ndarray:
    """The value a stepped line holds at each point: drop the NaN breaks between parts; each point is a
    (left, right) pair of equal values."""
    x, y = np.asarray(ln.get_xdata(), float), np.asarray(ln.get_ydata(), float)
    pairs = y[~np.isnan(x)].reshape(-1, 2)
    np.testing.assert_array_equal(pairs[:, 0], pairs[:, 1])
    return pairs[:, 0]
