"""Pareto analysis: which few categories account for most of the problems.

Computation only (numpy and pandas); :meth:`ParetoResult.plot` draws it with :mod:`qikit.plot.pareto`.

Sources
-------
- Juran JM. *Quality Control Handbook*. New York: McGraw-Hill, 1951 (and Juran JM, Godfrey AB,
  *Juran's Quality Handbook*, 5th ed., 1999, section 5): the "vital few and useful many" (the Pareto
  principle), and the Pareto diagram, categories in descending order of frequency with a cumulative
  percentage line.
- Institute for Healthcare Improvement. *QI Essentials Toolkit: Pareto Chart*. Boston: IHI, 2017:
  the chart as used in healthcare improvement, and the 80% reference line that marks the vital few.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import _checks
from ..display import Text, fmt_number
from ..errors import QIDataError

__all__ = ["pareto", "ParetoResult", "VITAL_FEW_PERCENT"]

#: The cumulative percentage that marks the "vital few" (Juran 1951; IHI QI Essentials Toolkit 2017):
#: the categories up to and including the first whose cumulative share reaches 80%.
VITAL_FEW_PERCENT = 80.0


@dataclass(frozen=True, repr=False)
class ParetoResult:
    """The result of :func:`pareto`.

    Attributes
    ----------
    data : DataFrame
        One row per category, largest first: ``category, count, percent, cum_count, cum_percent,
        vital_few`` (True for the categories up to and including the first whose cumulative percentage
        reaches 80%).
    category, count : str
        The column labels used (``count`` is ``"count"`` when rows were counted).
    other : str or None
        A category kept last whatever its size (e.g. ``"Other"``).
    """

    data: pd.DataFrame
    category: str
    count: str
    other: str | None = None

    @property
    def total(self) -> float:
        """The total count over all categories."""
        return float(self.data["count"].sum())

    @property
    def vital_few(self) -> list:
        """The categories that together make up the first 80% of the total."""
        return self.data.loc[self.data["vital_few"], "category"].tolist()

    def describe(self) -> Text:
        """Alt text: what is charted, the largest categories and the vital few."""
        d = self.data
        top = "; ".join(f"{c} {fmt_number(v)} ({p:.0f}%)" for c, v, p in
                        d[["category", "count", "percent"]].head(3).itertuples(index=False))
        few = self.vital_few
        return Text(f"Pareto chart of {self.count} by {self.category}: {len(d)} categories, {fmt_number(self.total)} in all, "
                f"in descending order with a cumulative percentage line and an 80% line. Largest: {top}. "
                f"{len(few)} categor{'y makes' if len(few) == 1 else 'ies make'} up 80% of the total: "
                f"{', '.join(str(c) for c in few)}.")

    def plot(self, ax=None, **style):
        """Draw the Pareto chart (see :func:`qikit.plot.pareto.plot_pareto`); returns the Axes."""
        from ..plot.pareto import plot_pareto

        return plot_pareto(self, ax=ax, **style)

    def __repr__(self) -> str:
        return f"ParetoResult: {len(self.data)} categories of {self.category!r}\n" + \
            self.data.to_string(index=False, float_format=lambda v: f"{v:.1f}")

    def _repr_html_(self) -> str:
        head = html.escape(f"Pareto analysis of {self.count} by {self.category}: {len(self.data)} categories")
        table = self.data.to_html(index=False, float_format=lambda v: f"{v:.1f}", border=0)
        return f"<div><p><strong>{head}</strong></p>{table}<p>{html.escape(self.describe())}</p></div>"


def pareto(data: pd.DataFrame | None = None, category=None, count=None, *, other: str | None = None) -> ParetoResult:
    """Pareto analysis: categories sorted by count, with cumulative percentages and the vital few.

    Parameters
    ----------
    data : DataFrame or None
        The table; ``category`` and ``count`` name its columns. With ``data=None`` they are lists.
    category : str or array-like
        The category of each row (cause of a fall, type of incident, ...).
    count : str or array-like, optional
        How many each row stands for. Without it every row counts once (one row per incident).
        Rows with the same category are added together.
    other : str, optional
        A catch-all category (e.g. ``"Other"``) to keep last whatever its size, as is usual on a
        Pareto chart.

    Returns
    -------
    ParetoResult
        ``.data`` (category, count, percent, cum_count, cum_percent, vital_few), ``.vital_few``,
        ``.describe()`` and ``.plot()``.

    Raises
    ------
    QIDataError
        When a category cell is empty, a count is text, missing or negative, or every count is 0.

    Notes
    -----
    Categories with equal counts keep the order in which they first appear in the data. Percentages
    are of the total count; the vital few are the categories up to and including the first whose
    cumulative percentage reaches 80% (Juran 1951).

    Examples
    --------
    >>> from qikit.stats.pareto import pareto
    >>> res = pareto(None, ["falls", "falls", "pressure", "falls", "drug", "pressure"])
    >>> res.data[["category", "count", "cum_percent"]].round(1).values.tolist()
    [['falls', 3, 50.0], ['pressure', 2, 83.3], ['drug', 1, 100.0]]
    >>> res.vital_few
    ['falls', 'pressure']
    """
    if data is not None and not isinstance(data, pd.DataFrame):
        raise QIDataError("data must be a pandas DataFrame (or None with category and count given as lists).",
                          column="data")
    if category is None:
        raise QIDataError("category is required: the column that names each row's category.", column="category")
    c_s, c_label = _checks.resolve(data, category, "category")
    assert c_s is not None  # category was given
    index = c_s.index
    _checks.refuse(c_s.isna().to_numpy(), index, c_label, "empty cells; every row needs a category")
    if count is None:
        values = np.ones(len(c_s))
        n_label = "count"
    else:
        n_s, n_label = _checks.resolve(data, count, "count")
        assert n_s is not None  # count was given
        if data is None and len(n_s) != len(c_s):
            raise QIDataError(f"count has {len(n_s)} values but category has {len(c_s)}.", column="count")
        n_s = pd.Series(n_s.to_numpy(), index=index)
        values = _checks.numeric(n_s, n_label)
        _checks.refuse(np.isnan(values), index, n_label, "empty cells; give 0 where a category had none")
        _checks.nonnegative(values, index, n_label)
    if len(values) == 0:
        raise QIDataError("there are no rows to count.", column=c_label)

    codes, uniques = pd.factorize(pd.Series(c_s.to_numpy(), index=index), sort=False)
    totals = np.bincount(codes, weights=values, minlength=len(uniques))
    grand = totals.sum()
    if not grand > 0:
        raise QIDataError(f"every count in column {n_label!r} is 0: there is nothing to rank.", column=n_label)
    # Largest first; ties keep first-appearance order (a stable sort on the negated totals).
    order = np.argsort(-totals, kind="stable")
    if other is not None:
        is_other = np.asarray([str(u) == str(other) for u in uniques[order]])
        order = np.concatenate([order[~is_other], order[is_other]])
    counts = totals[order]
    cum = np.cumsum(counts)
    cum_percent = 100 * cum / grand
    # Vital few: every category before the first to reach 80%, and that one.
    reached = cum_percent >= VITAL_FEW_PERCENT - 1e-9
    first = int(np.argmax(reached)) if reached.any() else len(counts) - 1
    count_col = counts.astype(np.int64) if np.all(counts == np.round(counts)) else counts
    frame = pd.DataFrame({
        "category": pd.Index(uniques).take(order).to_numpy(dtype=object),
        "count": count_col,
        "percent": 100 * counts / grand,
        "cum_count": cum.astype(np.int64) if np.all(cum == np.round(cum)) else cum,
        "cum_percent": cum_percent,
        "vital_few": np.arange(len(counts)) <= first,
    })
    return ParetoResult(data=frame, category=c_label, count=n_label, other=other)
