"""``qikit.spc()``: one front door for run charts and Shewhart control charts.

The semantics follow the R package qicharts2 (Anhøj, version 0.8.1), which trainees and analysts
already trust: rows sharing an ``x`` form a subgroup, ``part`` splits the chart into phases each with its
own centre line, limits and runs analysis, ``freeze`` fixes the limits on a baseline, ``exclude`` keeps
points on the chart but out of the calculations. Input is checked first: problems are reported as
:class:`qikit.QIDataError` naming the column and rows, never turned into a wrong chart.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TypedDict

import numpy as np
import pandas as pd

from .. import _checks
from ..errors import ProvisionalLimitsWarning, QIDataError, QIWarning, rows_phrase
from . import rules as _rules
from . import runs as _runs
from .charts import CHARTS, Part
from .result import SPCResult

#: Rules that judge each point on its own; the only ones used when time order means nothing (units on
#: the x axis) or is already spent (moving ranges overlap, so runs of them are not independent).
SINGLE_POINT_RULES = {"beyond_limits", "weco1", "nelson1", "ihi_astronomical"}

AGG = {"mean": "mean", "median": "median", "sum": "sum", "sd": "std"}

#: Fewer useful points than this in a part and the limits are called provisional (Provost & Murray
#: 2011, ch. 7: "limits calculated from fewer than 20 subgroups are trial limits"; qikit warns below
#: 12 points, the minimum Anhøj's rules and most NHS guidance accept for a first chart).
MIN_POINTS_FIRM = 12

#: The columns of every ``.signals`` table (defined and documented beside :class:`~qikit.stats.rules.Finding`).
SIGNAL_COLUMNS = _rules.SIGNAL_COLUMNS

#: One name per idea across qikit's front doors: ``{old name: the name to use}``. The old names still
#: work where they worked before; :func:`spc` takes ``rebase`` and ``fix_after`` too.
ALIASES = {
    "rebase": "part",  # Making Data Count's word for starting a new part (phase) of the chart
    "fix_after": "freeze",  # NHSRplotthedots' fix_after_n_points: limits from the first k points
    "segment": "part",  # the column naming the part in .data, .summary() and .signals
    "label": "categorical",  # x_kind of an x axis of unit labels
}


def spc(data: pd.DataFrame | None = None, x=None, y=None, n=None, *, chart: str = "run", part=None,
        freeze: int | None = None, exclude: Sequence | None = None, cl: float | None = None,
        multiply: float = 1, screen_mr: bool = True, agg: str = "mean", rules: str = "anhoej",
        facet=None, title: str | None = None, ylab: str | None = None, xlab: str | None = None,
        rebase: Sequence | None = None, fix_after: int | None = None) -> SPCResult:
    """Run chart or control chart of ``y`` (over ``n``) against ``x``.

    Parameters
    ----------
    data : DataFrame, optional
        The table. ``x``, ``y``, ``n`` and ``part`` are then column names; with ``data=None`` they are
        array-likes of equal length. A plain list of values on its own (``qikit.spc([3, 5, 4])``) is ``y``.
    x : column, optional
        Time (dates, datetimes or numbers) or unit labels (text: a categorical axis for comparing units,
        with runs analysis off). Rows sharing an x form one subgroup. Dates and numbers are put in
        order; labels keep the order in which they first appear in the data (so "Jan, Feb, Mar" or wards
        listed in a chosen order stay as given; sort the rows first for another order). qicharts2 sorts
        labels alphabetically instead.
        Without x every row is its own subgroup, numbered 1, 2, ...
    y : column
        The measure: values, or numerators (counts) for p, pp, u and up charts. A missing value leaves
        a gap in the chart.
    n : column, optional
        Denominators (p, pp: cases; u, up: exposure such as bed-days). Optional for run and i charts,
        where y becomes sum(y) / sum(n) per subgroup. Only rows with a y count: the n of a row whose y is
        missing is left out of its subgroup's denominator, and a subgroup with no y has no limits.
    chart : {"run", "i", "mr", "xbar", "s", "t", "p", "pp", "c", "u", "up", "g"}
    part : list of int or column, optional
        Phases. Integers k start a new part after the k-th subgroup (as qicharts2's ``part``); a column
        holds a phase label per row, and each change of label starts a new part.
    freeze : int, optional
        The first ``freeze`` subgroups are the baseline for the centre line and limits, which then extend
        over the rest. Ignored, with a warning, when ``part`` is given (as in qicharts2).
    exclude : list, optional
        x values whose subgroups stay on the chart (and are still tested against the limits) but are left
        out of the centre line, the limits and the runs analysis.
    cl : float, optional
        A fixed centre line (on the scale of y before ``multiply``).
    multiply : float
        Scale applied to y, centre line and limits after calculation (100 for percent, 1000 per 1,000 ...).
    screen_mr : bool
        Drop moving ranges at or above 3.267 x their mean before estimating sigma (i, t, pp, up charts), as
        qicharts2 does by default (Nelson 1982).
    agg : {"mean", "median", "sum", "sd"}
        How rows sharing an x are combined for run, i, mr, t and g charts without ``n``.
    rules : {"anhoej", "ihi", "weco", "nelson"}
        The special-cause tests reported in ``.signals`` (see :mod:`qikit.stats.rules`).
    facet : column, optional
        One chart per value of this column (wards, trusts): each facet is charted on its own, with its own
        parts, limits and runs analysis, and ``.data`` gains a ``facet`` column (small multiples).
    title, ylab, xlab : str, optional
        Labels kept with the result for plotting.
    rebase : list, optional
        Making Data Count's word for ``part``, taking what :func:`qikit.mdc` takes: the x values (dates,
        numbers or labels) at which a new part starts, in every facet. Give ``part`` or ``rebase``, not both.
    fix_after : int, optional
        Making Data Count's word for ``freeze`` (NHSRplotthedots' ``fix_after_n_points``): the same
        thing, kept so that one name works with both front doors. Give one of the two.

    Returns
    -------
    SPCResult
        ``.data`` (one row per subgroup), ``.summary()``, ``.signals`` (columns :data:`SIGNAL_COLUMNS`),
        ``.findings`` (:class:`qikit.stats.Finding`, one per rule per part where it fired), ``.options``
        (:class:`SPCOptions`), ``.explain()``.

    Notes
    -----
    Every facet and every part is computed in one vectorised pass (no Python loop over facets or parts):
    the subgroups of all facets are sorted once, and each statistic (means, moving ranges, medians,
    sums of numerators and denominators, runs, rule windows) is taken within each part with segment
    reductions that give exactly what charting each part on its own would give.

    Examples
    --------
    >>> import qikit
    >>> res = qikit.spc(y=[12, 14, 11, 13, 15, 12, 14, 13, 12, 30, 13, 12], chart="i")
    >>> float(round(res.data.cl.iloc[0], 3))
    14.25
    >>> res.signals.x.tolist()
    [10]
    """
    spec = CHARTS.get(chart) if isinstance(chart, str) else None
    if spec is None:
        raise QIDataError(f"chart={chart!r} is not a chart qikit knows. Choose one of: {', '.join(CHARTS)}.",
                          column="chart")
    if agg not in AGG:
        raise QIDataError(f"agg={agg!r} is not one of {', '.join(AGG)}.", column="agg")
    if not isinstance(multiply, int | float) or not np.isfinite(multiply) or multiply <= 0:
        raise QIDataError(f"multiply must be a positive number, not {multiply!r}.", column="multiply")
    if rules not in _rules.RULE_SETS:
        raise QIDataError(f"rules={rules!r} is not a rule set qikit knows. Choose one of: "
                          f"{', '.join(_rules.RULE_SETS)}.", column="rules")
    freeze = _alias(freeze, fix_after, "freeze", "fix_after")
    if rebase is not None and part is not None:
        raise QIDataError("give part or its Making Data Count name rebase, not both.", column="rebase")
    if cl is not None and (isinstance(cl, bool) or not isinstance(cl, int | float | np.number)
                           or not np.isfinite(cl)):
        raise QIDataError(f"cl must be a number (a fixed centre line), not {cl!r}.", column="cl")
    if data is not None and not isinstance(data, pd.DataFrame) and x is None and y is None and n is None \
            and isinstance(data, list | tuple | np.ndarray | pd.Series):
        data, y = None, data  # qikit.spc([3, 5, 4, ...]): a plain sequence of values is y
    if data is not None and not isinstance(data, pd.DataFrame):
        raise QIDataError("data must be a pandas DataFrame (or None with x, y and n given as lists).", column="data")
    if y is None:
        raise QIDataError("y is required: the column (or list) of values to chart.", column="y")

    rows = _read_rows(data, x, y, n, part, spec)
    if (part is not None or rebase is not None) and freeze is not None:
        warnings.warn("freeze is ignored because part is given: each part has its own limits (as in qicharts2).",
                      QIWarning, stacklevel=2)
        freeze = None
    fcode, facet_array = _facets(data, facet, rows)
    facet_keys = list(facet_array) if facet is not None else [None]
    groups, row_group = _subgroups(rows, fcode, spec, agg)
    if len(groups) == 0:
        raise QIDataError("there are no rows to chart.", column=rows.attrs["y_label"])
    gf = groups["f"].to_numpy()
    k = np.bincount(gf, minlength=len(facet_keys))
    pos = np.arange(len(groups))  # place within its facet
    if len(k) > 1:
        pos -= np.repeat(np.concatenate(([0], np.cumsum(k)[:-1])), k)
    part_no, part_label = _parts(groups, part, gf, k, pos) if rebase is None else \
        _rebase(groups, rebase, rows.attrs["x_label"], gf, pos)
    if freeze is not None:
        ok = not isinstance(freeze, bool) and isinstance(freeze, int | np.integer)
        bad = np.flatnonzero((freeze < 2) | (freeze > k)) if ok else np.array([0])
        if bad.size:
            raise QIDataError(f"freeze={freeze!r} must be a whole number of subgroups from 2 to {k[bad[0]]}.",
                              column="freeze")
    include = _include(groups, exclude, rows.attrs["x_label"], gf, len(facet_keys))
    baseline = pos < freeze if freeze is not None else np.ones(len(groups), dtype=bool)
    first = pos == 0
    if part is not None or rebase is not None:
        first[1:] |= part_no[1:] != part_no[:-1]
    starts = np.flatnonzero(first)
    segs = _runs.Segments(None, starts.size, np.diff(np.append(starts, first.size)))
    where = _Where(rows.index, row_group, segs, part_no[starts], [facet_keys[f] for f in gf[starts]],
                   rows.attrs["y_label"])
    out = _compute(groups, spec, segs, baseline, include, cl, rows.attrs["x_kind"] == "categorical",
                   screen_mr, rules, where)

    c = out["columns"]
    if multiply != 1:
        for name in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"]:
            c[name] = c[name] * multiply
    columns = {} if facet is None else {"facet": facet_array[gf]}
    columns.update(x=_own(groups["x"].to_numpy()), part=part_no, part_label=part_label,
                   n=_own(groups["n"].to_numpy(dtype=float)))
    columns.update((name, _own(c[name])) for name in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"])
    columns.update(baseline=baseline, include=include)
    columns.update((name, c[name]) for name in ["sigma_signal", "runs_signal", "n_useful", "longest_run",
                                                 "longest_run_max", "n_crossings", "n_crossings_min", "signal",
                                                 "rule"])
    frame = pd.DataFrame(columns, copy=False)
    options = SPCOptions(chart=chart, x=rows.attrs["x_label"], y=rows.attrs["y_label"], n=rows.attrs["n_label"],
                         part=part if rebase is None else list(rebase), freeze=freeze, exclude=list(exclude) if exclude is not None else None, cl=cl,
                         multiply=multiply, screen_mr=screen_mr, agg=agg, rules=rules, facet=facet, title=title,
                         ylab=ylab, xlab=xlab, x_kind=rows.attrs["x_kind"])
    result = SPCResult(data=frame, chart=chart, options=dict(options), findings=tuple(out["findings"]))
    short = np.flatnonzero(out["useful_by_part"] < MIN_POINTS_FIRM)
    if spec.has_limits and short.size:
        names = ", ".join(f"part {where.part[s]}" + (f" of {where.facet[s]}" if facet is not None else "")
                          for s in short)
        warnings.warn(f"{names}: fewer than {MIN_POINTS_FIRM} useful points, so treat the limits as provisional "
                      "and recalculate them when more data arrive.", ProvisionalLimitsWarning, stacklevel=2)
    return result


def _own(values: np.ndarray) -> np.ndarray:
    """An array the result's table owns, so a user can edit ``.data`` in place (not a read-only view of a
    working table or a broadcast constant)."""
    return values if values.flags.writeable and values.base is None else np.array(values)


def _alias(value, alias_value, name: str, alias: str):
    """The value given under ``name`` or its old name ``alias`` (not both, unless they agree)."""
    if alias_value is None:
        return value
    if value is not None and value != alias_value:
        raise QIDataError(f"give {name} or its other name {alias}, not both.", column=alias)
    return alias_value


def _rebase(groups: pd.DataFrame, rebase, x_label: str, gf: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, object]:
    """Parts from the x values at which each new part starts (``rebase``), in every facet."""
    values = [rebase] if isinstance(rebase, str) or not hasattr(rebase, "__iter__") else list(rebase)
    start = np.zeros(len(groups), dtype=bool)
    n_facets = int(gf.max()) + 1 if gf.size else 1
    for value in values:
        hit = _hits(groups["x"], value)
        if not np.all(np.bincount(gf[hit], minlength=n_facets) > 0):
            raise QIDataError(f"rebase={value!r} is not one of the x values in column {x_label!r}; give the x "
                              "values (e.g. dates) where a new part starts.", column="rebase")
        start |= hit
    start &= pos > 0  # the first point of a facet always starts its first part
    count = np.cumsum(start)
    no = count - count[pos == 0][gf] + 1
    return no, pd.Categorical.from_codes(no - 1, categories=[str(i) for i in range(1, int(no.max()) + 1)])


def _hits(xs: pd.Series, value) -> np.ndarray:
    """True where x equals ``value`` (a date may be given as text)."""
    target = value
    if pd.api.types.is_datetime64_any_dtype(xs.dtype):
        try:
            target = pd.Timestamp(value)
        except (TypeError, ValueError):
            return np.zeros(len(xs), dtype=bool)
    return (xs == target).to_numpy()


class SPCOptions(TypedDict):
    """The arguments :func:`qikit.spc` used, as kept in ``SPCResult.options`` (a plain dict with these keys).

    ``x``, ``y`` and ``n`` are the column labels used (``"x"``, ``"y"`` or ``"n"`` for values given
    directly; ``n`` is None without a denominator); ``freeze`` is None when ``part`` overrode it; ``x_kind``
    is ``"datetime"``, ``"number"`` or ``"categorical"`` (unit labels: no runs analysis).
    """

    chart: str
    x: str
    y: str
    n: str | None
    part: object
    freeze: int | None
    exclude: list | None
    cl: float | None
    multiply: float
    screen_mr: bool
    agg: str
    rules: str
    facet: object
    title: str | None
    ylab: str | None
    xlab: str | None
    x_kind: str


class _Where:
    """Turns subgroups and parts back into the user's row labels (``QIDataError.rows``) and names."""

    def __init__(self, index: pd.Index, row_group: np.ndarray, segs, part: np.ndarray, facet: list, y_label: str):
        self.index, self.row_group, self.segs, self.y_label = index, row_group, segs, y_label
        self.part, self.facet = part, facet  # per segment: part number within its facet, facet key

    def rows(self, groups: np.ndarray) -> list:
        """The row labels (in the data's order) of the subgroups where ``groups`` is True."""
        return list(self.index[groups[self.row_group]])

    def part_rows(self, s: int) -> list:
        return self.rows(self.segs.ids == s)

    def name(self, s: int) -> str:
        return f"part {self.part[s]}" + (f" of {self.facet[s]}" if self.facet[s] is not None else "")


def _facets(data, facet, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's facet code (0, 1, ... in order of first appearance) and the facet keys in that order."""
    if facet is None:
        return np.zeros(len(rows), dtype=np.intp), np.array([None], dtype=object)
    f_s, f_label = _column(data, facet, "facet")
    values = pd.Series(f_s.to_numpy(), index=rows.index)
    _checks.refuse(values.isna().to_numpy(), rows.index, f_label, "missing facet labels")
    codes, uniques = pd.factorize(values.to_numpy())
    return codes.astype(np.intp), np.asarray(uniques)


# --------------------------------------------------------------------------------------------------
# input

def _column(data, value, role: str) -> tuple[pd.Series, str]:
    """:func:`qikit._checks.resolve` for an argument that was given (never None)."""
    series, label = _checks.resolve(data, value, role)
    assert series is not None
    return series, label


def _read_rows(data, x, y, n, part, spec) -> pd.DataFrame:
    """Gather and check the raw rows: numbers where numbers belong, counts not negative, numerators
    within denominators, denominators above zero; x parsed (dates, numbers or labels)."""
    y_s, y_label = _column(data, y, "y")
    index = y_s.index if data is None else data.index
    y_s = pd.Series(y_s.to_numpy(), index=index)
    yv = _checks.numeric(y_s, y_label)

    n_label: str | None = None
    n_name = "n"
    if n is not None:
        if spec.denominator == "none":
            raise QIDataError(f"a {spec.name} chart takes no denominator: leave out n.", column="n")
        n_s, n_name = _column(data, n, "n")
        n_label = n_name
        nv = _checks.numeric(pd.Series(n_s.to_numpy(), index=index), n_name)
    elif spec.denominator == "required":
        raise QIDataError(f"a {spec.name} chart needs a denominator: give n (e.g. the number of patients "
                          "or bed-days behind each value).", column="n")
    else:
        nv = np.full(len(yv), np.nan)

    present = ~np.isnan(yv)
    if spec.counts:
        _checks.refuse(present & (yv < 0), index, y_label, "negative counts; a count cannot be below 0,")
    if spec.positive:
        _checks.refuse(present & (yv <= 0), index, y_label,
                       "values of 0 or less; time between events must be above 0,")
    if n is not None:
        _checks.refuse(present & np.isnan(nv), index, n_name, "a missing denominator where y has a value")
        _checks.refuse(nv < 0, index, n_name, "negative denominators")
        _checks.refuse(present & (nv == 0), index, n_name,
                       "0 as a denominator; a proportion or rate needs a denominator above 0,")
        if spec.proportion:
            _checks.refuse(present & (yv > nv), index, y_label,
                           f"numerators larger than their denominators ({n_label!r}); a proportion cannot exceed 1,")

    if x is None:
        xs = pd.Series(np.arange(1, len(yv) + 1), index=index)
        x_label, x_kind = "x", "number"
    else:
        xs, x_label = _column(data, x, "x")
        xs = _checks.dates_or_values(pd.Series(xs.to_numpy(), index=index), x_label)
        _checks.refuse(xs.isna().to_numpy(), index, x_label, "missing values; every row needs an x (date or label)")
        if pd.api.types.is_datetime64_any_dtype(xs.dtype):
            x_kind = "datetime"
        elif pd.api.types.is_numeric_dtype(xs.dtype) and not pd.api.types.is_bool_dtype(xs.dtype):
            x_kind = "number"
        else:
            xs = xs.astype(str)
            x_kind = "categorical"

    rows = pd.DataFrame({"x": xs.to_numpy(), "y": yv, "n": nv}, index=index)
    if part is not None and not isinstance(part, list | tuple | np.ndarray):
        p_s, p_label = _column(data, part, "part")
        rows["part"] = p_s.to_numpy()
        _checks.refuse(rows["part"].isna().to_numpy(), index, p_label, "missing phase labels")
        rows.attrs["part_label"] = p_label
    rows.attrs.update(x_label=x_label, y_label=y_label, n_label=n_label, x_kind=x_kind)
    return rows


def _subgroups(rows: pd.DataFrame, fcode: np.ndarray, spec, agg: str) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per facet and x (facets in order of first appearance; within a facet x in order, labels in
    order of first appearance) with the statistics each chart needs: sum, count, mean and SD of y, sum of
    n, and the plotted value; and each input row's subgroup. One pass over every facet at once."""
    categorical = rows.attrs["x_kind"] == "categorical"
    has_n = rows.attrs["n_label"] is not None
    yv = rows["y"].to_numpy(dtype=float)
    nv = rows["n"].to_numpy(dtype=float)
    missing_y = np.isnan(yv)
    if has_n and missing_y.any():
        # A row whose numerator is missing adds nothing to its subgroup's denominator: p_i = D_i / n_i is
        # formed from complete (y, n) pairs only (Montgomery 2009, section 7.2.1). A subgroup with no
        # numerator at all then has no denominator, so no limits are drawn there.
        nv = np.where(missing_y, np.nan, nv)
    xv = rows["x"].to_numpy()
    if categorical:
        key = pd.factorize(xv)[0]  # labels keep the order in which they first appear
        if fcode.size and fcode.max() > 0:
            key = pd.factorize(fcode.astype(np.int64) * (int(key.max()) + 1) + key)[0]
    elif xv.dtype.kind in "iuf":
        key = xv
    elif xv.dtype.kind == "M":
        key = xv.view(np.int64)
    else:
        key = pd.factorize(xv, sort=True)[0]
    one_facet = fcode.size == 0 or fcode[-1] == 0 and not fcode.any()
    if one_facet:
        same_facet = np.ones(max(len(key) - 1, 0), dtype=bool)
        in_order = bool(np.all(key[1:] > key[:-1]))
    else:
        same_facet = fcode[1:] == fcode[:-1]
        in_order = bool(np.all(fcode[1:] >= fcode[:-1]) and np.all((key[1:] > key[:-1]) | ~same_facet))
    order = None if in_order else np.lexsort((key, fcode))  # stable: rows of a subgroup keep their order
    if order is not None:
        fcode, key, yv, nv, xv = fcode[order], key[order], yv[order], nv[order], xv[order]
        same_facet = fcode[1:] == fcode[:-1]
    labels = rows["part"].to_numpy() if "part" in rows else None
    if labels is not None and order is not None:
        labels = labels[order]
    repeat = (key[1:] == key[:-1]) if one_facet else same_facet & (key[1:] == key[:-1])
    has_repeats = bool(repeat.any())
    gid = np.cumsum(np.concatenate(([True], ~repeat))) - 1 if has_repeats else np.arange(len(key))
    if order is None and not has_repeats:
        row_group = gid  # row i is subgroup i
    else:
        row_group = np.empty(len(gid), dtype=np.intp)
        row_group[order if order is not None else slice(None)] = gid
    if not has_repeats:
        # One row per subgroup (the usual case): no grouping needed.
        stats = pd.DataFrame({"f": fcode, "x": xv, "y_sum": yv, "y_len": (~np.isnan(yv)).astype(float),
                              "y_mean": yv, "y_sd": np.full(len(yv), np.nan), "n": nv})
        by_agg = yv if agg != "sd" else np.full(len(yv), np.nan)  # the SD of one value is undefined
        if labels is not None:
            stats["part"] = labels
    else:
        # Every subgroup's statistics from its non-missing values, as numpy computes them for one array
        # (np.sum, np.mean, np.std(ddof=1), np.median), for all subgroups of all facets at once.
        new = np.concatenate(([True], ~repeat))
        groups = _runs.Segments(gid, int(gid[-1]) + 1)
        has_y = ~np.isnan(yv)
        with_y = groups.subset(has_y)
        y_len = with_y.counts.astype(float)
        none = y_len == 0  # all rows missing: a gap, never 0
        y_sum = np.where(none, np.nan, with_y.sum(yv[has_y]))
        y_sd = with_y.std(yv[has_y], ddof=1)
        n_ok = ~np.isnan(nv)
        with_n = groups.subset(n_ok)
        n_sum = np.where(with_n.counts == 0, np.nan, with_n.sum(nv[n_ok]))
        stats = pd.DataFrame({"f": fcode[new], "x": xv[new], "y_sum": y_sum, "y_len": y_len,
                              "y_mean": with_y.mean(yv[has_y]), "y_sd": y_sd, "n": n_sum})
        by_agg = {"mean": stats["y_mean"].to_numpy(), "median": with_y.median(yv[has_y]), "sum": y_sum,
                  "sd": y_sd}[agg]
        if labels is not None:
            codes = pd.factorize(labels)[0]
            mixed = groups.max(codes.astype(float)) != groups.min(codes.astype(float))
            if mixed.any():
                bad = int(np.argmax(mixed))
                where = list(rows.index[row_group == bad])
                raise QIDataError(f"the rows for x = {stats['x'].iloc[bad]} ({rows_phrase(where)}) carry different "
                                  "phase labels; a subgroup must belong to one phase.",
                                  column=rows.attrs["part_label"], rows=where)
            stats["part"] = labels[new]
    if spec.value == "ratio" or (spec.value == "agg" and has_n):
        with np.errstate(invalid="ignore", divide="ignore"):
            stats["value"] = stats["y_sum"] / stats["n"]
    else:
        stats["value"] = {"agg": by_agg, "sum": stats["y_sum"], "mean": stats["y_mean"], "sd": stats["y_sd"]}[spec.value]
    return stats, row_group


def _parts(groups: pd.DataFrame, part, gf: np.ndarray, k: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, object]:
    """Part number (1, 2, ... within each facet) and part label for each subgroup."""
    size = len(groups)
    if part is None:
        return np.ones(size, dtype=int), pd.Categorical.from_codes(np.zeros(size, dtype=np.int8), categories=["1"])
    if "part" in groups:
        labels = groups["part"].astype(str).to_numpy()
        change = np.ones(size, dtype=bool)
        change[1:] = (labels[1:] != labels[:-1]) | (gf[1:] != gf[:-1])
        count = np.cumsum(change)
        return count - count[pos == 0][gf] + 1, pd.Categorical(labels, categories=list(dict.fromkeys(labels)))
    try:
        breaks = [int(b) for b in part]
        ok = all(float(b) == int(b) for b in part)
    except (TypeError, ValueError):
        ok = False
    bad = np.flatnonzero((min(breaks, default=1) < 1) | (max(breaks, default=1) >= k)) if ok else np.array([0])
    if bad.size:
        f = int(bad[0])
        raise QIDataError(f"part={list(part)!r}: each break must be a whole number from 1 to {k[f] - 1} (a new part "
                          f"starts after that many subgroups; there are {k[f]}).", column="part")
    cuts = np.array(sorted(set(breaks)), dtype=int)
    no = np.searchsorted(cuts, pos, side="right") + 1
    return no, pd.Categorical.from_codes(no - 1, categories=[str(i) for i in range(1, cuts.size + 2)])


def _include(groups: pd.DataFrame, exclude, x_label: str, gf: np.ndarray, n_facets: int) -> np.ndarray:
    """False for the subgroups whose x is in ``exclude``; every value must be an x of every facet."""
    include = np.ones(len(groups), dtype=bool)
    if exclude is None:
        return include
    if isinstance(exclude, str) or not hasattr(exclude, "__iter__"):
        exclude = [exclude]
    for value in exclude:
        hit = _hits(groups["x"], value)
        if not np.all(np.bincount(gf[hit], minlength=n_facets) > 0):
            raise QIDataError(f"exclude={value!r} is not one of the x values in column {x_label!r}.", column=x_label)
        include &= ~hit
    return include


# --------------------------------------------------------------------------------------------------
# computation

def _compute(groups, spec, segs, baseline, include, cl, categorical, screen_mr, rule_set, where: _Where) -> dict:
    """Limits, runs analysis and rules for every part of every facet in one vectorised pass."""
    size = len(groups)
    do_runs = spec.runs_analysis and not categorical
    base = baseline & include
    p = Part(y=groups["value"].to_numpy(dtype=float), n=groups["n"].to_numpy(dtype=float),
             y_sum=groups["y_sum"].to_numpy(dtype=float), y_len=groups["y_len"].to_numpy(dtype=float),
             y_sd=groups["y_sd"].to_numpy(dtype=float), base=base, cl=cl, categorical=categorical,
             screen_mr=screen_mr, segs=segs)
    lim = spec.limits(p)
    plotted = ~np.isnan(lim.y)
    useful = include & plotted
    useful_by_part = segs.count(base & plotted)
    if spec.has_limits and (useful_by_part < 2).any():
        s = int(np.argmax(useful_by_part < 2))
        raise QIDataError(f"{where.name(s)} has {useful_by_part[s]} usable point(s) for its limits; "
                          "a control chart needs at least 2 (and 12 or more for firm limits).",
                          column="y", rows=where.part_rows(s))
    cols = {name: getattr(lim, name) for name in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"]}
    # beyond a limit by more than rounding (a chart of equal values has limits on its centre line)
    sigma_signal = _rules.outside(lim.y, lim.lcl, lim.ucl)

    pos = np.flatnonzero(useful)
    every = pos.size == size  # every point useful (the usual case): no copies

    def take(arr):
        return arr if every else arr[pos]

    in_use = segs if every else segs.subset(useful)
    centre = take(lim.cl)
    if not np.all(np.isfinite(centre)):
        s = int(in_use.ids[np.argmax(~np.isfinite(centre))])
        raise QIDataError(f"{where.name(s)} has no centre line: none of its baseline points has a value "
                          "(they are missing or excluded).", column=where.y_label, rows=where.part_rows(s))
    runs = None
    runs_cols = ["n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min"]
    if do_runs:
        runs = _runs._anhoej(take(lim.y), centre, in_use)
        cols.update((name, segs.repeat(getattr(runs, name).astype(float))) for name in runs_cols)
        runs_signal = segs.repeat(runs.signal)
    else:
        cols.update((name, np.full(size, np.nan)) for name in runs_cols)
        runs_signal = np.zeros(size, dtype=bool)
    if spec.has_limits:
        tr = lim.transform or (lambda a: a)
        sigma = take(lim.sigma)
        negative = sigma < 0
        if negative.any():
            s = int(in_use.ids[np.argmax(negative)])
            raise QIDataError(f"sigma must not be negative, but it is in {where.name(s)} (is the fixed centre line "
                              f"cl={cl!r} below 0?).", column="cl", rows=where.part_rows(s))
        inputs = _rules._Inputs(tr(take(lim.y)), tr(centre), tr(take(lim.lcl)), tr(take(lim.ucl)), sigma, in_use,
                                anhoej=runs)
    else:
        inputs = _rules._Inputs(take(lim.y), centre, None, None, None, in_use, anhoej=runs)
    _rules._check_needs(rule_set, spec.has_limits, spec.has_limits)
    # no time-order patterns on a moving range chart or across units: single points only
    fired = _rules._fired(rule_set, inputs, only=None if do_runs else SINGLE_POINT_RULES)

    # one finding per rule per part where it fired, in order of part, then rule
    found = sorted((int(s), i) for i, f in enumerate(fired) for s in np.flatnonzero(f[2]))
    order = list(dict.fromkeys(i for _, i in found))  # the rules in order of first appearance
    code = np.full(len(fired), -1, dtype=np.int16)
    code[order] = np.arange(len(order))
    signal = np.zeros(size, dtype=bool)
    rule_codes = np.full(size, -1, dtype=np.int16)  # index into the categories; -1 = no rule fired
    for i in range(len(fired) - 1, -1, -1):  # the first rule (in the rule set's order) names the point
        hit = pos[fired[i][1]]
        signal[hit] = True
        rule_codes[hit] = code[i]
    bounds = np.concatenate(([0], np.cumsum(in_use.counts)))
    findings = []
    for s, i in found:
        rule, mask, _, detail = fired[i]
        m = np.array(mask[bounds[s]:bounds[s + 1]], dtype=bool)
        m.setflags(write=False)
        findings.append(_rules.Finding(rule=rule, mask=m, part_level=rule.part_level, detail=detail(s),
                                       part=int(where.part[s]), points=pos[bounds[s] + np.flatnonzero(m)],
                                       facet=where.facet[s]))
    cols.update(sigma_signal=sigma_signal, runs_signal=runs_signal, signal=signal,
                rule=pd.Categorical.from_codes(rule_codes, categories=[fired[i][0].name for i in order]))
    return {"columns": cols, "findings": findings, "useful_by_part": useful_by_part}
