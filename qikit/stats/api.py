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


def spc(data: pd.DataFrame | None = None, x=None, y=None, n=None, *, chart: str = "run", part=None,
        freeze: int | None = None, exclude: Sequence | None = None, cl: float | None = None,
        multiply: float = 1, screen_mr: bool = True, agg: str = "mean", rules: str = "anhoej",
        facet=None, title: str | None = None, ylab: str | None = None, xlab: str | None = None) -> SPCResult:
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

    Returns
    -------
    SPCResult
        ``.data`` (one row per subgroup), ``.summary()``, ``.signals``, ``.explain()``.

    Examples
    --------
    >>> import qikit
    >>> res = qikit.spc(y=[12, 14, 11, 13, 15, 12, 14, 13, 12, 30, 13, 12], chart="i")
    >>> round(res.data.cl.iloc[0], 3)
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
    if data is not None and not isinstance(data, pd.DataFrame) and x is None and y is None and n is None \
            and isinstance(data, list | tuple | np.ndarray | pd.Series):
        data, y = None, data  # qikit.spc([3, 5, 4, ...]): a plain sequence of values is y
    if data is not None and not isinstance(data, pd.DataFrame):
        raise QIDataError("data must be a pandas DataFrame (or None with x, y and n given as lists).", column="data")
    if y is None:
        raise QIDataError("y is required: the column (or list) of values to chart.", column="y")

    rows = _read_rows(data, x, y, n, part, spec)
    if part is not None and freeze is not None:
        warnings.warn("freeze is ignored because part is given: each part has its own limits (as in qicharts2).",
                      QIWarning, stacklevel=2)
        freeze = None
    facets = [(None, rows)]
    if facet is not None:
        f_s, f_label = _checks.resolve(data, facet, "facet")
        f_values = pd.Series(f_s.to_numpy(), index=rows.index)
        _checks.refuse(f_values.isna().to_numpy(), rows.index, f_label, "missing facet labels")
        facets = [(key, rows.loc[(f_values == key).to_numpy()]) for key in pd.unique(f_values)]
        for _, sub in facets:
            sub.attrs = dict(rows.attrs)

    frames, findings, short = [], [], []
    for key, sub in facets:
        frame, found, useful = _chart_one(sub, spec, agg, part, freeze, exclude, cl, screen_mr, rules, multiply)
        if key is not None:
            frame.insert(0, "facet", key)
        frames.append(frame)
        findings.extend(_Finding(f.part, f.rule, f.points + sum(len(fr) for fr in frames[:-1]), f.part_level,
                                 f.detail, key) for f in found)
        short.extend((key, p) for p, u in useful.items() if u < MIN_POINTS_FIRM)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    options = dict(chart=chart, x=rows.attrs["x_label"], y=rows.attrs["y_label"], n=rows.attrs["n_label"],
                   part=part, freeze=freeze, exclude=list(exclude) if exclude is not None else None, cl=cl,
                   multiply=multiply, screen_mr=screen_mr, agg=agg, rules=rules, facet=facet, title=title,
                   ylab=ylab, xlab=xlab, x_kind=rows.attrs["x_kind"])
    result = SPCResult(data=frame, chart=chart, options=options, findings=tuple(findings))
    if spec.has_limits and short:
        where = ", ".join(f"part {p}" + (f" of {k}" if k is not None else "") for k, p in short)
        warnings.warn(f"{where}: fewer than {MIN_POINTS_FIRM} useful points, so treat the limits as provisional "
                      "and recalculate them when more data arrive.", ProvisionalLimitsWarning, stacklevel=2)
    return result


def _chart_one(rows, spec, agg, part, freeze, exclude, cl, screen_mr, rules, multiply):
    """Chart one series (one facet): subgroups, parts, baseline, limits, runs and rules."""
    groups = _subgroups(rows, spec, agg)
    k = len(groups)
    if k == 0:
        raise QIDataError("there are no rows to chart.", column=rows.attrs["y_label"])
    part_no, part_label = _parts(groups, part, rows.attrs.get("part_label"))
    if freeze is not None:
        if isinstance(freeze, bool) or not isinstance(freeze, int | np.integer) or not 2 <= freeze <= k:
            raise QIDataError(f"freeze={freeze!r} must be a whole number of subgroups from 2 to {k}.", column="freeze")
    include = _include(groups, exclude, rows.attrs["x_label"])
    baseline = np.arange(k) < (freeze if freeze is not None else k)
    categorical = rows.attrs["x_kind"] == "categorical"
    out = _compute(groups, spec, part_no, baseline, include, cl, categorical, screen_mr, rules)
    c = out["columns"]
    if multiply != 1:
        for name in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"]:
            c[name] = c[name] * multiply
    columns = {"x": groups["x"].to_numpy(), "part": part_no, "part_label": part_label,
               "n": groups["n"].to_numpy(dtype=float)}
    columns.update((name, c[name]) for name in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"])
    columns.update(baseline=baseline, include=include)
    columns.update((name, c[name]) for name in ["sigma_signal", "runs_signal", "n_useful", "longest_run",
                                                 "longest_run_max", "n_crossings", "n_crossings_min", "signal",
                                                 "rule"])
    frame = pd.DataFrame(columns, copy=False)
    return frame, out["findings"], out["useful_by_part"]


# --------------------------------------------------------------------------------------------------
# input

def _read_rows(data, x, y, n, part, spec) -> pd.DataFrame:
    """Gather and check the raw rows: numbers where numbers belong, counts not negative, numerators
    within denominators, denominators above zero; x parsed (dates, numbers or labels)."""
    y_s, y_label = _checks.resolve(data, y, "y")
    index = y_s.index if data is None else data.index
    y_s = pd.Series(y_s.to_numpy(), index=index)
    yv = _checks.numeric(y_s, y_label)

    n_label = None
    if n is not None:
        if spec.denominator == "none":
            raise QIDataError(f"a {spec.name} chart takes no denominator: leave out n.", column="n")
        n_s, n_label = _checks.resolve(data, n, "n")
        nv = _checks.numeric(pd.Series(n_s.to_numpy(), index=index), n_label)
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
        _checks.refuse(present & np.isnan(nv), index, n_label, "a missing denominator where y has a value")
        _checks.refuse(nv < 0, index, n_label, "negative denominators")
        _checks.refuse(present & (nv == 0), index, n_label,
                       "0 as a denominator; a proportion or rate needs a denominator above 0,")
        if spec.proportion:
            _checks.refuse(present & (yv > nv), index, y_label,
                           f"numerators larger than their denominators ({n_label!r}); a proportion cannot exceed 1,")

    if x is None:
        xs = pd.Series(np.arange(1, len(yv) + 1), index=index)
        x_label, x_kind = "x", "number"
    else:
        xs, x_label = _checks.resolve(data, x, "x")
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
        p_s, p_label = _checks.resolve(data, part, "part")
        rows["part"] = p_s.to_numpy()
        _checks.refuse(rows["part"].isna().to_numpy(), index, p_label, "missing phase labels")
        rows.attrs["part_label"] = p_label
    rows.attrs.update(x_label=x_label, y_label=y_label, n_label=n_label, x_kind=x_kind)
    return rows


def _subgroups(rows: pd.DataFrame, spec, agg: str) -> pd.DataFrame:
    """One row per x (in x order; labels in order of first appearance) with the statistics each chart
    needs: sum, count, mean and SD of y, sum of n, and the plotted value."""
    categorical = rows.attrs["x_kind"] == "categorical"
    has_n = rows.attrs["n_label"] is not None
    if has_n:
        missing_y = np.isnan(rows["y"].to_numpy(dtype=float))
        if missing_y.any():
            # A row whose numerator is missing adds nothing to its subgroup's denominator: p_i = D_i / n_i is
            # formed from complete (y, n) pairs only (Montgomery 2009, section 7.2.1). A subgroup with no
            # numerator at all then has no denominator, so no limits are drawn there.
            rows = rows.assign(n=np.where(missing_y, np.nan, rows["n"].to_numpy(dtype=float)))
    xs = rows["x"]
    xv = xs.to_numpy()
    strictly_increasing = not categorical and len(xv) > 1 and bool(np.all(xv[1:] > xv[:-1]))
    if strictly_increasing or xs.is_unique:
        # One row per subgroup (the usual case): no grouping needed, just put the rows in x order.
        if categorical or strictly_increasing:
            r = rows
        else:
            r = rows.iloc[np.argsort(xv, kind="stable")]
        y = r["y"].to_numpy(dtype=float)
        stats = pd.DataFrame({"x": r["x"].to_numpy(), "y_sum": y, "y_len": (~np.isnan(y)).astype(float),
                              "y_mean": y, "y_sd": np.full(len(y), np.nan), "n": r["n"].to_numpy(dtype=float)})
        by_agg = y if agg != "sd" else np.full(len(y), np.nan)  # the SD of one value is undefined
        if "part" in r:
            stats["part"] = r["part"].to_numpy()
    else:
        g = rows.groupby("x", sort=not categorical)
        stats = pd.DataFrame({"y_sum": g["y"].sum(), "y_len": g["y"].count().astype(float), "y_mean": g["y"].mean(),
                              "y_sd": g["y"].std(), "n": g["n"].sum(min_count=1)})
        stats.loc[stats["y_len"] == 0, "y_sum"] = np.nan  # all rows missing: a gap, never 0
        by_agg = g["y"].agg(AGG[agg]).to_numpy(dtype=float)
        if "part" in rows:
            n_labels = g["part"].nunique()
            if (n_labels > 1).any():
                xval = n_labels.index[np.argmax(n_labels.to_numpy() > 1)]
                where = list(rows.index[(rows["x"] == xval).to_numpy()])
                raise QIDataError(f"the rows for x = {xval} ({rows_phrase(where)}) carry different phase labels; "
                                  "a subgroup must belong to one phase.", column=rows.attrs["part_label"], rows=where)
            stats["part"] = g["part"].first()
        stats = stats.reset_index()
    if spec.value == "ratio" or (spec.value == "agg" and has_n):
        with np.errstate(invalid="ignore", divide="ignore"):
            stats["value"] = stats["y_sum"] / stats["n"]
    else:
        stats["value"] = {"agg": by_agg, "sum": stats["y_sum"], "mean": stats["y_mean"], "sd": stats["y_sd"]}[spec.value]
    return stats


def _parts(groups: pd.DataFrame, part, label_column) -> tuple[np.ndarray, np.ndarray]:
    """Part number (1, 2, ...) and part label for each subgroup."""
    k = len(groups)
    if part is None:
        return np.ones(k, dtype=int), pd.Categorical.from_codes(np.zeros(k, dtype=np.int8), categories=["1"])
    if "part" in groups:
        labels = groups["part"].astype(str).to_numpy()
        change = np.concatenate([[True], labels[1:] != labels[:-1]])
        return np.cumsum(change), pd.Categorical(labels, categories=list(dict.fromkeys(labels)))
    try:
        breaks = [int(b) for b in part]
        ok = all(float(b) == int(b) for b in part)
    except (TypeError, ValueError):
        ok = False
    if not ok or any(b < 1 or b >= k for b in breaks):
        raise QIDataError(f"part={list(part)!r}: each break must be a whole number from 1 to {k - 1} (a new part "
                          f"starts after that many subgroups; there are {k}).", column="part")
    starts = np.zeros(k, dtype=int)
    starts[sorted(set(breaks))] = 1
    no = np.cumsum(starts) + 1
    return no, pd.Categorical.from_codes(no - 1, categories=[str(i) for i in range(1, no[-1] + 1)])


def _include(groups: pd.DataFrame, exclude, x_label: str) -> np.ndarray:
    include = np.ones(len(groups), dtype=bool)
    if exclude is None:
        return include
    if isinstance(exclude, str) or not hasattr(exclude, "__iter__"):
        exclude = [exclude]
    xs = groups["x"]
    for value in exclude:
        target = value
        if pd.api.types.is_datetime64_any_dtype(xs.dtype):
            try:
                target = pd.Timestamp(value)
            except (TypeError, ValueError):
                target = None
        hit = (xs == target).to_numpy() if target is not None else np.zeros(len(xs), bool)
        if not hit.any():
            raise QIDataError(f"exclude={value!r} is not one of the x values in column {x_label!r}.", column=x_label)
        include &= ~hit
    return include


# --------------------------------------------------------------------------------------------------
# computation

def _compute(groups, spec, part_no, baseline, include, cl, categorical, screen_mr, rule_set) -> dict:
    k = len(groups)
    do_runs = spec.runs_analysis and not categorical
    # Every part assigns the line columns (and, with runs analysis, the runs columns) for all its rows, and
    # the parts cover every row, so those need no initial fill.
    runs_cols = ["n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min"]
    cols = {c: np.empty(k) for c in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"]}
    cols.update({c: np.empty(k) if do_runs else np.full(k, np.nan) for c in runs_cols})
    sigma_signal = np.zeros(k, dtype=bool)
    runs_signal = np.zeros(k, dtype=bool)
    signal = np.zeros(k, dtype=bool)
    rule_code = np.full(k, -1, dtype=np.int16)  # index into rule_names; -1 = no rule fired
    rule_names: list[str] = []
    findings, useful_by_part = [], {}
    yv = groups["value"].to_numpy(dtype=float)
    arrays = dict(n=groups["n"].to_numpy(dtype=float), y_sum=groups["y_sum"].to_numpy(dtype=float),
                  y_len=groups["y_len"].to_numpy(dtype=float), y_sd=groups["y_sd"].to_numpy(dtype=float))
    edges = np.concatenate([[0], np.flatnonzero(np.diff(part_no)) + 1, [k]])
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        idx = slice(int(a), int(b))  # parts are contiguous: slices are views, not copies
        p = int(part_no[a])
        base = baseline[idx] & include[idx]
        part = Part(y=yv[idx], base=base, cl=cl, categorical=categorical, screen_mr=screen_mr,
                    **{name: arr[idx] for name, arr in arrays.items()})
        lim = spec.limits(part)
        useful = include[idx] & ~np.isnan(lim.y)
        useful_by_part[p] = int(np.sum(base & ~np.isnan(lim.y)))
        if spec.has_limits and useful_by_part[p] < 2:
            raise QIDataError(f"part {p} has {useful_by_part[p]} usable point(s) for its limits; "
                              "a control chart needs at least 2 (and 12 or more for firm limits).",
                              column="y")
        for name in ["y", "cl", "lcl", "ucl", "lcl_2s", "ucl_2s"]:
            cols[name][idx] = getattr(lim, name)
        # beyond a limit by more than rounding (a chart of equal values has limits on its centre line)
        sigma_signal[idx] = _rules.outside(lim.y, lim.lcl, lim.ucl)

        pos = a + np.flatnonzero(useful)
        if pos.size == b - a:  # every point useful (the usual case): no copies
            def take(arr, mask=None):
                return arr
        else:
            def take(arr, mask=useful):
                return arr[mask]
        ra = None
        if do_runs:
            ra = _runs.anhoej(take(lim.y), take(lim.cl))
            cols["n_useful"][idx] = ra.n_useful
            for name in ["longest_run", "longest_run_max", "n_crossings", "n_crossings_min"]:
                v = getattr(ra, name)
                cols[name][idx] = np.nan if v is None else v
            runs_signal[idx] = ra.signal
        if spec.has_limits:
            tr = lim.transform or (lambda a: a)
            found = _rules.evaluate(rule_set, tr(take(lim.y)), tr(take(lim.cl)), lcl=tr(take(lim.lcl)),
                                    ucl=tr(take(lim.ucl)), sigma=take(lim.sigma), anhoej=ra)
        else:
            found = _rules.evaluate(rule_set, take(lim.y), take(lim.cl), anhoej=ra)
        if not do_runs:  # no time-order patterns on a moving range chart or across units: single points only
            found = [f for f in found if f.rule.code in SINGLE_POINT_RULES]
        for f in found:
            hit = pos[f.mask]
            signal[hit] = True
            if f.rule.name not in rule_names:
                rule_names.append(f.rule.name)
            first = hit[rule_code[hit] < 0]  # the first rule (in the rule set's order) names the point
            rule_code[first] = rule_names.index(f.rule.name)
            findings.append(_Finding(part=p, rule=f.rule, points=hit, part_level=f.part_level, detail=f.detail))
    if not do_runs:
        runs_signal[:] = False
    cols.update(sigma_signal=sigma_signal, runs_signal=runs_signal, signal=signal,
                rule=pd.Categorical.from_codes(rule_code, categories=rule_names))
    return {"columns": cols, "findings": findings, "useful_by_part": useful_by_part}


class _Finding:
    """One rule that fired in one part: the positions (0-based rows of ``.data``) it flags."""

    __slots__ = ("part", "rule", "points", "part_level", "detail", "facet")

    def __init__(self, part, rule, points, part_level, detail, facet=None):
        self.part, self.rule, self.points, self.part_level, self.detail = part, rule, points, part_level, detail
        self.facet = facet

    def __repr__(self):
        return f"Finding(part={self.part}, rule={self.rule.code!r}, points={list(self.points)})"
